"""The model's rules, compiled: one module per mechanism, each a set of plain loops.

Every rule is a function of the block's state arrays (`state.State`, the run first), the
parameter values (`state.Rules`), the run ``r`` and that run's own random generator, written as
the ODD tells it ("for each venture, for each member: did it comply? then its partners learn")
and compiled with numba (``@njit(cache=True)``). With ``NUMBA_DISABLE_JIT=1`` the same
functions run as plain Python: the readable reference, and the debugger's way in.

`learning` (evidence and trust), `contact` (events, chance meetings), `forming` (pilots and
projects), `ventures` (the ventures' month), `membership` (staying, leaving, joining), `team`
(the agency's technicians), `public` (the ministry), `market` (sales and shocks), `after` (life
after the agency), `phases` (the calendar), `measures` (what a run shows), and `month` (the
month's schedule, and many months of a run).
"""

from pipsim.rules import cache

cache.use()  # before the rules are compiled: a cache named by their source (see `cache`)
