"""Compiling the rules before their first use, on two cores: a fresh machine's first run, shorter.

numba compiles one function at a time in one process, so the rules' first use on a fresh
machine spends about 50 s of one core compiling (issue 19; ``benchmarks/README.md``) while
the other core waits. The month's rules fall into two halves that share little: the ventures
(forming, a venture's month, life after the agency) and everything else (events, meetings,
fading, membership, the market, the agency and its team, the measures). numba's cache is a
folder of files that two processes can fill at once (each file is written whole, then renamed
into place), so a helper process compiles one half while this process compiles the other;
`month.advance` is compiled last, its rules loaded from the cache. A rule both halves call is
compiled by both, and the cache keeps one copy.

The signatures are taken (`numba.typeof`) from the arguments of a real model's month, so they
are the ones `advance` calls the rules with: nothing is run on made-up inputs, and a run after
the warm-up compiles nothing. Everything here is best effort: a rule the warm-up missed, or a
helper that failed, is compiled at first use as before, and the results are the same either way.

    python -m pipsim.warm              # what scripts/setup.sh runs; quick when already warm
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba import typeof, types

HALVES = 2  # the machines this project runs on have two cores; a third process would wait

Work = list[tuple[Any, tuple[Any, ...]]]  # (compiled rule, its argument types)


def cache_folder() -> Path | None:
    """The compiled rules' cache folder, or None where nothing is cached or compiled."""
    import pipsim.rules  # noqa: F401  (`pipsim.rules.cache.use` points numba at the folder)

    place = numba.config.CACHE_DIR  # type: ignore[attr-defined]
    if numba.config.DISABLE_JIT or not place:  # type: ignore[attr-defined]
        return None
    return Path(place)


def is_warm(place: Path) -> bool:
    """Whether `month.advance`, which holds every rule, is in the cache already."""
    return any(place.rglob("month.advance-*.nbi"))  # numba mirrors the source's folders


def example() -> Any:
    """A model just set up (its set-up compiles here): the source of the argument types."""
    from pipsim.model import PIPModel

    return PIPModel(rng=1, replications=1)


def halves(model: Any) -> tuple[Work, Work]:
    """The rules `advance` calls, with the types it calls them with, in two halves."""
    from pipsim.rules import contact, forming, learning, market, public, team
    from pipsim.rules.after import self_organise
    from pipsim.rules.measures import log_frame_met, series_row
    from pipsim.rules.membership import month_of_membership
    from pipsim.rules.month import dated_events, snapshot_at_project_end
    from pipsim.rules.ventures import month_of_ventures

    s, p, rng = typeof(model.state), typeof(model.rules), typeof(model.rngs[0])
    r = month = phase = types.int64
    row = typeof(np.zeros((1, 1, 1))[0, 0])  # a monthly series' row, as `advance` passes it
    ventures: Work = [
        (forming.new_ventures, (s, p, r, rng, month, phase)),
        (month_of_ventures, (s, p, r, rng, month)),
        (self_organise, (s, p, r, rng, month)),
    ]
    the_rest: Work = [
        (dated_events, (s, p, r, rng, month)),
        (market.month_of_market, (s, p, r, rng, month)),
        (team.turnover, (s, p, r, rng, month)),
        (public.agency_at_work, (s, p, r, month)),
        (team.serve_firms, (s, p, r, month)),
        (public.actions_fall_due, (s, p, r, rng, month)),
        (contact.trust_building, (s, p, r, rng)),
        (contact.consolidate, (s, p, r)),
        (public.divisions, (s, p, r)),
        (contact.chance_meetings, (s, p, r, rng)),
        (learning.fade, (s, r, types.float64)),
        (month_of_membership, (s, p, r, rng, month)),
        (snapshot_at_project_end, (s, p, r)),
        (log_frame_met, (s, p, r)),
        (series_row, (s, p, r, month, row)),
    ]
    return ventures, the_rest


def whole_month(model: Any) -> Work:
    """`month.advance` itself, with the types a model's step and a block's run give it."""
    from pipsim.model import NO_SERIES
    from pipsim.rules.month import advance

    args = (model.state, model.rules, 0, model.rngs[0], 1, 1, NO_SERIES)
    return [(advance, tuple(typeof(a) for a in args))]


def compile_all(work: Work) -> None:
    """Compile (or load from the cache) each rule for its argument types."""
    for rule, signature in work:
        rule.compile(signature)


def compile_rules(say: Callable[[str], None] = print) -> float | None:
    """Compile the rules on two cores if the cache does not hold them yet; the seconds taken.

    None when there was nothing to do: the cache is warm, or numba is not compiling.
    """
    place = cache_folder()
    if place is None or is_warm(place):
        return None
    say(f"compiling the model's rules on {HALVES} cores, once for this machine (about 30 s)")
    start = time.perf_counter()
    helper = subprocess.Popen(
        [sys.executable, "-m", "pipsim.warm", "--half", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        model = example()
        compile_all(halves(model)[0])
    finally:
        _, err = helper.communicate()
    if helper.returncode != 0:  # best effort: advance compiles what the helper did not
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        say(f"  (the second compiling process stopped: {last[0]}; going on in this one)")
    compile_all(whole_month(model))
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipsim.warm``: compile the rules if need be; ``--half K``: the helper's part."""
    about = __doc__.splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m pipsim.warm", description=about)
    parser.add_argument("--half", type=int, choices=range(HALVES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.half is not None:  # the helper process of `compile_rules`
        compile_all(halves(example())[args.half])
        return 0
    try:
        took = compile_rules(say=lambda line: print(f"pipsim: {line}", flush=True))
    except Exception as error:  # best effort: set-up goes on, the rules compile at first use
        print(f"pipsim: the rules were not compiled ahead ({error}); they compile at first use")
        return 0
    if took is not None:
        print(f"pipsim: the rules are compiled and cached ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
