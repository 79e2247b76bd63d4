"""Where a run's time goes: each rule of the month timed inside the compiled loop, and set-up.

`profiled_month` follows the month of `pipsim.rules.month.advance` call for call, with the
thread's CPU clock read (``clock_gettime`` through ctypes, callable from compiled code) around
each rule, so the figures have no Python dispatch in them, nor the time other processes took
from this one; the cost of a clock read is measured and taken off each section. It draws the
same numbers as `advance`: the script checks that the block it profiled ends in the same state
as the same block run by `PIPModel.run_model`.
Then the Python around the compiled months: setting up a block, its outcomes, the run table.

Usage: ``.venv/bin/python benchmarks/profile_month.py [--blocks 4] [--block 50]
[--project-months 36]`` (the reference scenario's model: a cluster at initial trust 0.3).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import time

import numpy as np
from numba import njit

from pipsim import PIPModel
from pipsim.rules import contact, forming, learning, market, public, team
from pipsim.rules.after import self_organise
from pipsim.rules.measures import log_frame_met
from pipsim.rules.membership import month_of_membership
from pipsim.rules.month import dated_events, snapshot_at_project_end
from pipsim.rules.phases import agency_present, phase_of
from pipsim.rules.state import CLOSE_OUT, JOINT_WORK
from pipsim.rules.ventures import month_of_ventures
from pipsim.sweep.block import run_block

SECTIONS = (
    "contact reset",
    "dated events",
    "market",
    "team turnover",
    "team serves firms",
    "public actions",
    "trust-building events",
    "new ventures",
    "consolidate",
    "divisions",
    "self-organise",
    "chance meetings",
    "ventures' month",
    "fading",
    "membership",
    "log frame, snapshot",
)
_libc = ctypes.CDLL(ctypes.util.find_library("c"))
_clock_gettime = _libc.clock_gettime
_clock_gettime.argtypes = [ctypes.c_int, ctypes.c_void_p]
_clock_gettime.restype = ctypes.c_int
CLOCK_THREAD_CPUTIME_ID = 3  # CPU time of this thread: time the machine gave other work is out


@njit
def now(buffer):
    """Nanoseconds of CPU time this thread has used."""
    _clock_gettime(CLOCK_THREAD_CPUTIME_ID, buffer.ctypes.data)
    return buffer[0] * 1_000_000_000 + buffer[1]


@njit
def lap_cost(buffer, laps):
    """Nanoseconds one `lap` itself takes (subtracted from every section)."""
    spent = np.zeros(1, dtype=np.int64)
    calls = np.zeros(1, dtype=np.int64)
    t = now(buffer)
    start = t
    for _ in range(laps):
        t = lap(buffer, spent, calls, 0, t)
    return (now(buffer) - start) / laps


@njit
def lap(buffer, spent, calls, k, since):
    """Add the time since ``since`` to section ``k`` and count the call; the time now."""
    t = now(buffer)
    spent[k] += t - since
    calls[k] += 1
    return t


@njit
def profiled_month(s, p, r, rng, m, spent, calls, buffer):
    """The month of `rules.month.advance`, each rule timed into ``spent`` (ns), in ``calls``."""
    t = now(buffer)
    s.contact[r, :, :] = False
    t = lap(buffer, spent, calls, 0, t)
    dated_events(s, p, r, rng, m)
    t = lap(buffer, spent, calls, 1, t)
    market.month_of_market(s, p, r, rng, m)
    t = lap(buffer, spent, calls, 2, t)
    phase = phase_of(p, m)
    if agency_present(p, m):
        team.turnover(s, p, r, rng, m)
        t = lap(buffer, spent, calls, 3, t)
    if public.agency_at_work(s, p, r, m):
        team.serve_firms(s, p, r, m)
        t = lap(buffer, spent, calls, 4, t)
        public.actions_fall_due(s, p, r, rng, m)
        t = lap(buffer, spent, calls, 5, t)
        contact.trust_building(s, p, r, rng)
        t = lap(buffer, spent, calls, 6, t)
        if phase == JOINT_WORK or phase == CLOSE_OUT:
            forming.new_ventures(s, p, r, rng, m, phase)
            t = lap(buffer, spent, calls, 7, t)
        if phase == CLOSE_OUT:
            contact.consolidate(s, p, r)
            t = lap(buffer, spent, calls, 8, t)
    elif agency_present(p, m):
        public.divisions(s, p, r)
        t = lap(buffer, spent, calls, 9, t)
    else:
        self_organise(s, p, r, rng, m)
        t = lap(buffer, spent, calls, 10, t)
    contact.chance_meetings(s, p, r, rng)
    t = lap(buffer, spent, calls, 11, t)
    month_of_ventures(s, p, r, rng, m)
    t = lap(buffer, spent, calls, 12, t)
    learning.fade(s, r, p.trust_decay)
    t = lap(buffer, spent, calls, 13, t)
    month_of_membership(s, p, r, rng, m)
    t = lap(buffer, spent, calls, 14, t)
    if np.isnan(s.log_frame_month[r]) and log_frame_met(s, p, r):
        s.log_frame_month[r] = m
    if m == p.project_months:
        snapshot_at_project_end(s, p, r)
    lap(buffer, spent, calls, 15, t)


@njit
def profiled_run(s, p, r, rng, last, spent, calls, buffer):
    """Months 1 to ``last`` of run ``r``, each rule timed."""
    for m in range(1, last + 1):
        profiled_month(s, p, r, rng, m, spent, calls, buffer)


def profiled_runs(s, p, rngs, last, spent, calls, buffer):
    """Every run of the block, months 1 to ``last``, each rule timed."""
    for r, rng in enumerate(rngs):
        profiled_run(s, p, r, rng, last, spent, calls, buffer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=4, help="blocks profiled")
    parser.add_argument("--block", type=int, default=50, help="runs per block")
    parser.add_argument("--project-months", type=int, default=36)
    args = parser.parse_args()
    overrides = dict(typology="cluster", initial_trust=0.3, project_months=args.project_months)
    spent = np.zeros(len(SECTIONS), dtype=np.int64)
    calls = np.zeros(len(SECTIONS), dtype=np.int64)
    buffer = np.zeros(2, dtype=np.int64)
    months = 0
    whole = []
    for seed in range(-1, args.blocks):  # block -1 compiles
        model = PIPModel(rng=seed + 1000, replications=args.block, event_log=False, **overrides)
        last = model.p.total_months
        if seed < 0:
            profiled_runs(
                model.state, model.rules, model.rngs, last, spent.copy(), calls.copy(), buffer
            )
            continue
        start = time.perf_counter()
        profiled_runs(model.state, model.rules, model.rngs, last, spent, calls, buffer)
        whole.append(time.perf_counter() - start)
        months += last * args.block
        check = PIPModel(rng=seed + 1000, replications=args.block, event_log=False, **overrides)
        check.run_model()
        for name, a in model.state.arrays._asdict().items():
            b = getattr(check.state, name)
            if not np.array_equal(a, b, equal_nan=True):
                raise SystemExit(f"profiled_month no longer follows month: {name} differs")
    runs = args.blocks * args.block
    cost = min(lap_cost(buffer, 20_000) for _ in range(5))
    spent = np.maximum(spent - (cost * calls).astype(np.int64), 0)
    total = spent.sum()
    print(
        f"{runs} runs, {months} run-months; compiled months {sum(whole) / runs * 1e3:.3f} ms "
        f"a run of wall time (clock reads included); sections sum {total / runs / 1e6:.3f} ms "
        f"a run of CPU time (a clock read, {cost:.0f} ns, taken off each)"
    )
    print(f"{'section':<24}{'us/run-month':>14}{'ms/run':>10}{'share':>8}{'calls/run':>11}")
    for k, name in enumerate(SECTIONS):
        print(
            f"{name:<24}{spent[k] / months / 1e3:>14.2f}{spent[k] / runs / 1e6:>10.3f}"
            f"{spent[k] / total:>8.1%}{calls[k] / runs:>11.1f}"
        )
    # the Python around the months
    timed: dict[str, list[float]] = {
        "set-up (PIPModel(...))": [],
        "run_model": [],
        "all_outcomes": [],
        "run_block (all of it)": [],
    }
    for seed in range(args.blocks):
        t0 = time.perf_counter()
        model = PIPModel(rng=seed, replications=args.block, event_log=False, **overrides)
        t1 = time.perf_counter()
        model.run_model()
        t2 = time.perf_counter()
        model.all_outcomes()
        t3 = time.perf_counter()
        run_block(overrides, seed, args.block)
        t4 = time.perf_counter()
        for key, seconds in zip(timed, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            timed[key].append(seconds / args.block)
    print(f"\n{'per run, blocks of ' + str(args.block):<30}{'median ms':>10}{'min ms':>10}")
    for key, values in timed.items():
        print(f"{key:<30}{1e3 * np.median(values):>10.3f}{1e3 * min(values):>10.3f}")


if __name__ == "__main__":
    main()
