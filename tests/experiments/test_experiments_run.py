"""Every experiment's script runs end to end on a few replications and writes a judged result.

The reduced directional checks (tests/test_lesson_*.py) test what the model does; this tests
that each ``run.py`` — its analysis, verdict rule and figure — still works with the code as it
is now, so that ``pipsim validate`` cannot break silently. Results go to a temporary folder
(``--out``), never over the committed ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipsim.cli.validate import find_experiments
from pipsim.validation import REQUIRED, VERDICTS

pytestmark = pytest.mark.slow  # see the README: the fast loop leaves it out

EXPERIMENTS = find_experiments(Path(__file__).resolve().parents[2] / "experiments")


@pytest.mark.parametrize("folder", EXPERIMENTS, ids=[f.name for f in EXPERIMENTS])
def test_experiment_script_runs_and_judges(folder, tmp_path):
    command = [sys.executable, str(folder / "run.py"), "--replications", "6", "--workers", "1"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path), "--no-progress"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert set(REQUIRED) <= set(result)
    assert result["verdict"] in VERDICTS and result["replications"] == 6
    assert (tmp_path / "figure.png").stat().st_size > 10_000
    assert f"verdict: {result['verdict']}" in done.stdout
