"""The documented limits of a sweep (the README's "Limits"), with no imports of their own.

They are here, not in `pipsim.sweep.scenario` (which re-exports them), so that the command
line can print them in ``--help`` without loading the scenario reader and what it needs
(numba, scipy, pandas).
"""

MAX_POINTS = 100_000
MAX_REPLICATIONS = 10_000  # more only with --force: a typo's zeros are days of work
MAX_RUNS = 1_000_000  # likewise: a million runs are hours on a workstation
MAX_FILE_BYTES = 1_000_000  # a scenario file is a few kilobytes
MAX_BLOCK_SIZE = 1_000  # runs one model holds at once: more only with --force (memory)
MAX_SEED = 2**63 - 1  # every root seed, on the command line and in files alike
