"""``pipsim --help`` and every ``pipsim COMMAND --help`` load none of the heavy libraries.

A behaviour test, not a timed one: the command line's start-up is quick (issue 19: under
0.5 s, `benchmarks/bench_startup.py` measures it) because building the parser imports only
argparse, pathlib and the parameters' declaration; each command imports what it needs when it
runs. A module-level ``import pandas`` (or a light module that pulls one in) in any command
shows up here, in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipsim.cli import COMMANDS

HEAVY = ("pandas", "pyarrow", "matplotlib", "numba", "mesa", "scipy", "SALib", "networkx")

STAFF_TURNOVER = Path(__file__).resolve().parents[2] / "scenarios" / "staff_turnover.toml"

NAMES = [m.__name__.rsplit(".", 1)[1].replace("_", "-") for m in COMMANDS]

# In one fresh interpreter: ``pipsim --help``, then each ``pipsim COMMAND --help``, and after
# each the heavy libraries loaded so far (so the first command that loads one is named).
LOADED_AFTER = """
import contextlib, io, json, sys
from pipsim.cli import main
found = {{}}
for argv in [["--help"]] + [[name, "--help"] for name in sys.argv[1:]]:
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
    heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
    found[" ".join(argv)] = [status, heavy]
print(json.dumps(found))
"""


def test_help_of_pipsim_and_of_each_command_loads_no_heavy_library():
    code = LOADED_AFTER.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code, *NAMES], capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(found) == len(NAMES) + 1
    assert found == {argv: [0, []] for argv in found}


def test_python_m_pipsim_help_imports_no_heavy_library():
    """The same through ``python -X importtime -m pipsim --help``, as the issue asks."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipsim", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "usage: pipsim" in done.stdout
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert imported, "python -X importtime printed no imports"
    assert not imported & set(HEAVY)


def test_check_of_a_factorial_scenario_imports_no_heavy_library():
    """``pipsim check`` reads and validates a scenario without pandas, numba or Mesa.

    The outcomes a scenario may name are declared in a light module
    (`pipsim.outcome_declarations`); scipy is needed only for a ``[sample]`` and SALib only for
    a ``[sensitivity]``, so a factorial scenario such as ``staff_turnover`` needs neither.
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipsim", "check", str(STAFF_TURNOVER)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.rstrip().endswith("ok")
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "pipsim" in imported
    assert not imported & set(HEAVY)
