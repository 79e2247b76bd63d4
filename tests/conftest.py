"""Hypothesis profiles, and the compiled rules made once for pytest-xdist's workers.

Choose a profile with ``HYPOTHESIS_PROFILE=thorough pytest``: a quick default for everyday runs,
``thorough`` for a deeper search. Model runs take milliseconds but vary with their parameters,
so no per-example deadline is enforced.
"""

from __future__ import annotations

import fcntl
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist (``-n 2``), one worker at a time compiles or loads the rules.

    After a rule changes (or on a fresh clone) numba's cache is empty: without this, both
    workers, and every process their first tests start, compile all the rules at once (a minute
    of CPU each). With a lock in the cache folder, the first worker compiles them with a short
    block that reaches every rule, and the second then loads them from the cache.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ or os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return
    from pipsim.rules import cache

    place = cache.folder()
    if place is None:
        return
    with open(place / ".compiling.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        from pipsim.model import PIPModel

        PIPModel(
            rng=1, replications=2, project_months=14, post_project_months=6, time_series=True
        ).run_model()
