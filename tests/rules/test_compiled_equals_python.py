"""The compiled rules and the same rules run as plain Python (``NUMBA_DISABLE_JIT=1``) agree.

A short block of three runs is run both ways, each in its own process (numba reads the switch
when it is imported). With firm-to-firm trust held in float64 (``TRUST_DTYPE`` patched as the
subprocess imports `pipsim.rules.state`) the two are identical, bit for bit:
every array of the final state, every outcome, every logged event. With the model's float32
trust they agree to float32's rounding: the rules read each trust element as a double
(``float(...)``) before they compute with it (run as Python, NumPy 2's promotion rules, NEP 50,
would otherwise keep ``np.float32 * float`` in float32 where the compiled code works in float64:
a difference of about 1e-5 over 20 months, found by this test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.strategies import same_outcomes

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import importlib.machinery, json, sys

out, dtype = sys.argv[1], sys.argv[2]


class Float64Trust(importlib.machinery.SourceFileLoader):
    # pipsim.rules.state with firm-to-firm trust in float64 (nothing written to disk)
    def get_code(self, fullname):
        source = self.get_data(self.path).decode()
        patched = source.replace("TRUST_DTYPE = np.float32", "TRUST_DTYPE = np.float64")
        if patched == source:
            raise RuntimeError("TRUST_DTYPE = np.float32 not found in " + self.path)
        return compile(patched, self.path, "exec")


class Finder(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "pipsim.rules.state":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        spec.loader = Float64Trust(name, spec.origin)
        return spec


if dtype == "float64":
    sys.meta_path.insert(0, Finder)

import numba
import numpy as np
from pipsim import PIPModel

model = PIPModel(
    rng=5, replications=3, n_enterprises=30, initial_participants=12,
    project_months=14, post_project_months=6,
)
model.run_model()
np.savez(out + ".npz", **model.state.arrays._asdict())
with open(out + ".json", "w") as f:
    json.dump(
        {"jit_disabled": bool(numba.config.DISABLE_JIT), "outcomes": model.all_outcomes(),
         "logs": model.logs},
        f,
    )
"""


def _both_ways(folder: Path, dtype: str) -> dict[str, tuple[dict, dict]]:
    """Run the block compiled and as Python, at once; each way's (results, final state)."""
    plain = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    envs = {"compiled": plain, "python": {**plain, "NUMBA_DISABLE_JIT": "1"}}
    running = {
        way: subprocess.Popen(
            [sys.executable, "-c", CODE, str(folder / way), dtype],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for way, env in envs.items()
    }
    results = {}
    for way, process in running.items():
        _, err = process.communicate(timeout=600)
        if process.returncode != 0:  # (not an AssertionError: the xfail below must not hide it)
            raise RuntimeError(f"the {way} run failed:\n{err}")
        with np.load(folder / f"{way}.npz") as arrays:
            state = dict(arrays)
        results[way] = (json.loads((folder / f"{way}.json").read_text()), state)
    if results["compiled"][0]["jit_disabled"] or not results["python"][0]["jit_disabled"]:
        raise RuntimeError("NUMBA_DISABLE_JIT did not switch the compiler as intended")
    return results


@pytest.fixture(scope="module")
def float64_runs(tmp_path_factory):
    return _both_ways(tmp_path_factory.mktemp("float64"), "float64")


@pytest.fixture(scope="module")
def float32_runs(tmp_path_factory):
    return _both_ways(tmp_path_factory.mktemp("float32"), "float32")


def _assert_same(runs) -> None:
    (compiled, c_state), (python, p_state) = runs["compiled"], runs["python"]
    assert len(compiled["outcomes"]) == len(python["outcomes"]) == 3
    for a, b in zip(compiled["outcomes"], python["outcomes"], strict=True):
        different = {
            k: (a[k], b[k]) for k in a if k in b and not same_outcomes({k: a[k]}, {k: b[k]})
        }
        assert same_outcomes(a, b), different
    np.testing.assert_array_equal(c_state["trust"], p_state["trust"])


def test_compiled_rules_equal_python_bit_for_bit_with_float64_trust(float64_runs):
    _assert_same(float64_runs)
    (compiled, c_state), (python, p_state) = float64_runs["compiled"], float64_runs["python"]
    assert c_state["trust"].dtype == np.float64
    assert c_state.keys() == p_state.keys()
    for name in c_state:
        np.testing.assert_array_equal(c_state[name], p_state[name], err_msg=name)
    assert compiled["logs"] == python["logs"]
    assert any(compiled["logs"])  # the block did something worth logging
    assert not np.array_equal(c_state["trust"], c_state["baseline_trust"])  # trust moved


@pytest.mark.slow
def test_compiled_rules_equal_python_with_the_models_float32_trust(float32_runs):
    """With float32 trust the two ways agree to float32's rounding (an element a last bit apart).

    Every double the rules compute agrees bit for bit (the float64 test); storing it in float32
    still rounds the odd element the other way (seen: 1 of 2,700 at month 2, 1.5e-8; the cause
    was not pinned down), and that difference then travels.
    """
    (compiled, c_state), (python, p_state) = float32_runs["compiled"], float32_runs["python"]
    assert c_state["trust"].dtype == np.float32
    np.testing.assert_allclose(c_state["trust"], p_state["trust"], rtol=0, atol=1e-5)
    for a, b in zip(compiled["outcomes"], python["outcomes"], strict=True):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-6, nan_ok=True), key
    assert [len(log) for log in compiled["logs"]] == [len(log) for log in python["logs"]]
