"""Mutated scenario files never end in a traceback, write outside --out or remove a file (issue 14).

Valid scenario files are mutated (a line dropped or repeated, a value replaced by a hostile
one, a slice cut out, bytes inserted) and handed to ``pipsim check`` and ``pipsim run``:
each must exit 0 or 2, and leave every file beside the output folder as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipsim.cli import main
from pipsim.sweep import design
from pipsim.sweep.scenario import ScenarioError, parse_scenario

SCENARIOS = Path(__file__).parent.parent / "data" / "scenarios"
ROOT = Path(__file__).parents[2] / "scenarios"
VALID = [
    (SCENARIOS / "ok.toml").read_text(),
    (ROOT / "project_length.toml").read_text(),
    (ROOT / "sensitivity_morris.toml").read_text(),
]
HOSTILE = [
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "1e-320",
    "2147483648",
    "99999999999999999999",
    '"a"',
    '""',
    "[]",
    "{}",
    "[1, 1.0]",
    "{ low = 1, high = 0 }",
    "{ low = nan, high = 1 }",
    "true",
    '"\\u001b[2J"',
    '"../../../etc"',
    '"."',
    "[[x]]",
    "=",
    "#",
    "\x00",
    "\n[model]\n",
]
VALUE = re.compile(r"(?<==\s)[^\n#]+")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True)
        kind = draw(st.sampled_from(["value", "drop", "repeat", "cut", "insert"]))
        if kind == "value" and (spans := [m.span() for m in VALUE.finditer(text)]):
            start, stop = draw(st.sampled_from(spans))
            text = text[:start] + draw(st.sampled_from(HOSTILE)) + text[stop:]
        elif kind in ("drop", "repeat") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i : i + 1] = [] if kind == "drop" else [lines[i], lines[i]]
            text = "".join(lines)
        elif kind == "cut" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(1, 40)) :]
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text


def snapshot(folder: Path, but: Path) -> dict[str, bytes]:
    """Every file under ``folder`` except those under ``but``, with its contents."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and but not in p.parents
    }


def small(text: str) -> bool:
    """Whether a scenario is quick to run: valid, at most 6 runs of at most 24 months."""
    try:
        scenario = parse_scenario(text)
    except ScenarioError:
        return True  # refused before anything runs
    runs = len(design.design_points(scenario)) * scenario.replications
    months = scenario.base.get("project_months", 48) + scenario.base.get("post_project_months", 24)
    return runs <= 6 and months <= 36 and scenario.base.get("n_enterprises", 40) <= 60


def exercise(text: str, commands: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        (home / "thesis.docx").write_text("precious")
        path = home / "scenario.toml"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        out = home / "out"
        before = snapshot(home, out)
        cwd = os.getcwd()
        os.chdir(home)
        try:
            for command in commands:
                extra = ["--out", str(out), "--workers", "1", "--no-progress"]
                status = main([command, str(path), *(extra if command == "run" else [])])
                assert status in (0, 2), (command, status, text)
        finally:
            os.chdir(cwd)
        after = snapshot(home, out)
        written = {name for name in after if name not in before}
        assert not written, f"written outside --out: {written}"
        assert after == {k: v for k, v in before.items() if k in after}, "a file was changed"
        assert set(before) <= set(after), f"removed: {set(before) - set(after)}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_check_of_a_mutated_scenario_exits_0_or_2(text):
    exercise(text, ["check"])


@pytest.mark.slow  # the deeper search of the same property (the fast loop tries 40)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_check_of_many_mutated_scenarios_exits_0_or_2(text):
    exercise(text, ["check"])


@pytest.mark.slow  # runs the mutated scenarios that are small enough
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_run_of_a_mutated_scenario_exits_0_or_2_and_writes_only_its_folder(text):
    exercise(text, ["check", "run"] if small(text) else ["check"])
