"""Hypothesis profiles: a quick default for everyday runs, ``thorough`` for a deeper search.

Choose one with ``HYPOTHESIS_PROFILE=thorough pytest``. Model runs take milliseconds but vary
with their parameters, so no per-example deadline is enforced.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
