"""What a sweep's worker processes need, loaded once: imported by their forkserver.

A local sweep's workers are forked from multiprocessing's forkserver (`runner.open_engine`).
The forkserver imports this module before it forks any worker, so each worker starts with
Mesa, pandas, numba and the model imported, and the compiled rules loaded from numba's cache
(or compiled, on a machine's first use, on two cores: `pipsim.warm`): a worker's first run
starts at once instead of after about two seconds of imports and cache loading, paid once per
sweep instead of once per worker. Best effort: should the short block below fail, each worker
loads what it needs itself.
"""

from __future__ import annotations

import contextlib
import sys

from pipsim import warm
from pipsim.model import PIPModel
from pipsim.sweep import block, runner  # noqa: F401  (what a worker unpickles its work with)

with contextlib.suppress(Exception):
    # a fresh machine: compile the rules on two cores first (`pipsim.warm`), then load them
    warm.compile_rules(say=lambda line: print(f"pipsim: {line}", file=sys.stderr, flush=True))
with contextlib.suppress(Exception):
    # a block run to its end, as sweeps run them (every rule), then a month at a time (`run_one`)
    block.run_block(
        {"project_months": 14, "post_project_months": 6}, seed=1, replications=2, time_series=True
    )
    PIPModel(rng=1).step()
