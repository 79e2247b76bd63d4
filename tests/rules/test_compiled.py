"""The rules' own ``njit`` (`pipsim.rules.compiled`): one compiled version for constants.

A rule called from compiled code with constant arguments is compiled for the constants' plain
types, once; the caller's constants reach it unchanged. The override of numba's dispatcher is
checked against the numba installed: an upgrade fails here until it is re-read.
"""

from __future__ import annotations

import numba
import pytest
from numba.core import types

from pipsim.rules import compiled

pytestmark = pytest.mark.skipif(
    bool(numba.config.DISABLE_JIT), reason="the compiled dispatcher only (NUMBA_DISABLE_JIT=1)"
)


@compiled.njit(cache=False)
def _scaled(x: float, flag: bool, k: int) -> float:
    return x * k if flag else -x * k


@compiled.njit(cache=False)
def _callers(x: float) -> float:
    return _scaled(x, True, 2) + _scaled(x, False, 3) + _scaled(x, True, 5)


def test_the_installed_numba_is_one_the_override_was_checked_against() -> None:
    assert compiled.overriding(), (
        f"numba {numba.__version__}: re-read numba/core/dispatcher.py's get_call_template, "
        "then add the version to pipsim.rules.compiled.CHECKED"
    )


def test_constant_arguments_share_one_version_and_keep_their_values() -> None:
    assert _callers(1.5) == 1.5 * 2 - 1.5 * 3 + 1.5 * 5
    assert _scaled.signatures == [(types.float64, types.boolean, types.int64)]


def test_a_rule_is_a_rule_dispatcher() -> None:
    from pipsim.rules import learning

    assert isinstance(learning.learn, compiled.RuleDispatcher)
