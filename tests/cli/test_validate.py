"""``pipsim validate``: runs each experiment in its own process and regenerates the document."""

from __future__ import annotations

import json
import signal
import textwrap
from pathlib import Path

import pytest

from pipsim.cli import main
from pipsim.cli.validate import BEGIN, END, find_experiments, results_section
from pipsim.validation import REQUIRED, VERDICTS

ROOT = Path(__file__).resolve().parents[2]

# A stand-in experiment: writes a result.json from its command line, or fails on request.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    here = Path(__file__).parent
    if (here / "FAIL").exists():
        sys.exit(3)
    reps = sys.argv[sys.argv.index("--replications") + 1] if "--replications" in sys.argv else "50"
    result = {"lesson": "lesson of " + here.name, "test": "t", "statistic": 1, "effect_size": 0.5,
              "p_value": 0.01, "verdict": "partly", "summary": "P = 0.3 | " + reps + " reps",
              "runs": int(reps)}
    (here / "result.json").write_text(json.dumps(result))
    """
)


def experiments(tmp_path: Path, *names: str, failing: str = "") -> tuple[Path, Path]:
    """A folder of stand-in experiments and a validation document with the markers."""
    root = tmp_path / "experiments"
    for name in names:
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "run.py").write_text(SCRIPT)
        (folder / "README.md").write_text(f"# {name.replace('_', ' ')}\n")
        if name == failing:
            (folder / "FAIL").touch()
    doc = tmp_path / "docs" / "validation.md"
    doc.parent.mkdir()
    doc.write_text(f"# Intro kept\n\n{BEGIN}\nold table\n{END}\n\n## Notes kept\n")
    return root, doc


def validate(root: Path, doc: Path, *extra: str) -> int:
    return main(["validate", "--experiments", str(root), "--doc", str(doc), *extra])


def test_runs_every_experiment_and_rewrites_only_the_marked_part(tmp_path, capsys):
    root, doc = experiments(tmp_path, "01_first", "02_second")
    assert validate(root, doc, "--replications", "7") == 0
    text = doc.read_text()
    assert text.startswith("# Intro kept") and text.endswith("## Notes kept\n")
    assert "old table" not in text
    assert "| lesson of 01_first | [01 first](../experiments/01_first/README.md), 7 runs |" in text
    assert "P = 0.3 \\| 7 reps" in text  # a pipe in the numbers does not break the table
    assert "**partly**" in text
    assert "[2/2] 02_second" in capsys.readouterr().out


def test_only_runs_the_chosen_experiments_and_lists_the_rest_as_not_run(tmp_path):
    root, doc = experiments(tmp_path, "01_first", "02_second")
    assert validate(root, doc, "--only", "02") == 0
    assert not (root / "01_first" / "result.json").exists()
    text = doc.read_text()
    assert "| 01 first | [01 first](../experiments/01_first/README.md) | not run yet | — |" in text
    assert "lesson of 02_second" in text


def test_a_failing_experiment_is_reported_and_the_others_still_run(tmp_path, capsys):
    root, doc = experiments(tmp_path, "01_first", "02_broken", "03_third", failing="02_broken")
    assert validate(root, doc) == 1
    assert "failed: 02_broken" in capsys.readouterr().err
    assert (root / "03_third" / "result.json").exists()
    assert "lesson of 03_third" in doc.read_text()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no_markers", "lacks the <!-- results:begin -->"),
        ("unknown_only", "--only 99: no such experiment; allowed: 01_first"),
        ("no_dir", "no such directory"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, case, message):
    root, doc = experiments(tmp_path, "01_first")
    args = ["--no-run"]
    if case == "no_markers":
        doc.write_text("# no markers here\n")
    elif case == "unknown_only":
        args = ["--only", "99"]
    else:
        root = tmp_path / "nowhere"
    assert validate(root, doc, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_every_bundled_experiment_has_a_judged_result_and_a_figure():
    for folder in find_experiments(ROOT / "experiments"):
        result = json.loads((folder / "result.json").read_text())
        assert set(REQUIRED) <= set(result), folder.name
        assert result["verdict"] in VERDICTS, folder.name
        assert (folder / "figure.png").stat().st_size > 10_000, folder.name
        assert "verdict rule" in (folder / "README.md").read_text().lower(), folder.name


def test_the_validation_document_shows_the_current_results():
    doc = ROOT / "docs" / "validation.md"
    text = doc.read_text()
    section = results_section(find_experiments(ROOT / "experiments"), doc)
    assert f"{BEGIN}\n{section}{END}" in text, (
        "docs/validation.md is stale: run `pipsim validate --no-run` to rebuild its table"
    )


@pytest.fixture
def ctrl_c_interrupts():
    """SIGINT raises KeyboardInterrupt here, even in a suite started as a background job
    (which inherits SIGINT ignored: Python then installs no handler of its own)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_keeps_what_finished_and_says_how_to_run_the_rest(
    tmp_path, capsys, ctrl_c_interrupts
):
    root, doc = experiments(tmp_path, "01_first", "02_interrupted", "03_third")
    # The stand-in for a long experiment: Ctrl-C reaches pipsim while it runs.
    (root / "02_interrupted" / "run.py").write_text(
        "import os, signal, time\nos.kill(os.getppid(), signal.SIGINT)\ntime.sleep(30)\n"
    )
    assert validate(root, doc) == 130
    err = capsys.readouterr().err
    assert "run the rest with: pipsim validate --only 02 03" in err
    assert "lesson of 01_first" in doc.read_text()
    assert not (root / "03_third" / "result.json").exists()


@pytest.mark.parametrize("option", ["--replications", "--workers"])
@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_a_bad_count_is_refused_before_anything_runs(tmp_path, capsys, option, value):
    root, doc = experiments(tmp_path, "01_a")
    before = doc.read_text()
    status = main(["validate", "--experiments", str(root), "--doc", str(doc), option, value])
    assert status == 2 and "give a whole number ≥ 1" in capsys.readouterr().err
    assert doc.read_text() == before and not (root / "01_a" / "result.json").exists()
