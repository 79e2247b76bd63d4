"""`pipsim.warm`: the rules compiled ahead, on two cores, for exactly the types a run uses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from pipsim import warm

COUNT_COMPILES = textwrap.dedent(
    """
    from numba.core import event
    compiled = []
    class Count(event.Listener):
        def on_start(self, ev):  # numba:compile fires only where the cache had nothing
            compiled.append(ev.data["dispatcher"].py_func.__qualname__)
        def on_end(self, ev):
            pass
    event.register("numba:compile", Count())
    from pipsim import PIPModel
    from pipsim.sweep.block import run_block
    run_block({}, 1, 2)
    run_block({"project_months": 14}, 1, 3, time_series=True)
    model = PIPModel(rng=1)
    model.step()
    print("compiled:", sorted(set(compiled)))
    """
)


def test_a_cache_holding_the_month_is_warm(tmp_path):
    assert not warm.is_warm(tmp_path)
    mirrored = tmp_path / "work" / "pipsim" / "rules"  # numba mirrors the source's folders
    mirrored.mkdir(parents=True)
    (mirrored / "measures.series_row-354.py313.nbi").touch()
    assert not warm.is_warm(tmp_path)
    (mirrored / "month.advance-56.py313.nbi").touch()
    assert warm.is_warm(tmp_path)


@pytest.mark.slow  # compiles every rule into an empty cache: about 30 s of both cores
def test_a_fresh_cache_is_filled_on_two_cores_and_a_run_then_compiles_nothing(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}

    def python(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = python("-m", "pipsim.warm")
    assert "compiling the model's rules on 2 cores" in first
    assert "the rules are compiled and cached" in first
    assert python("-m", "pipsim.warm") == ""  # warm: nothing to say, nothing done
    # the signatures came from a real model's arguments: a run (and a step) finds every rule
    assert python("-c", COUNT_COMPILES).strip() == "compiled: []"
