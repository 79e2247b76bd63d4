"""Memory of a sweep as it grows: peak resident memory for 10^3 and 10^5 runs.

Each sweep runs in a fresh process (so peaks do not mix) on a deliberately tiny model (one
month, five firms) so that 10^5 runs take a minute or two; what is measured is the runner's
own memory — design, dispatch, in-flight chunks, writing — which must not grow with the
number of runs. Prints the driver's peak RSS and the largest worker's.

    .venv/bin/python benchmarks/bench_memory.py            # 10^3 and 10^5 runs
    .venv/bin/python benchmarks/bench_memory.py 1000 20000 # other sizes
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import parse_scenario
runs, out = int(sys.argv[1]), sys.argv[2]
text = f'''
[scenario]
name = "memory"
replications = {runs // 2}
[model]
typology = "horizontal_network"
n_enterprises = 5
initial_participants = 5
project_months = 1
launch_months = 0
close_out_months = 0
post_project_months = 0
[sweep]
initial_trust = [0.1, 0.3]
'''
start = time.perf_counter()
run_sweep(parse_scenario(text), out, workers=2, progress=False, load=False, chunk_size=50)
wall = time.perf_counter() - start
print(json.dumps({"runs": runs, "wall": wall,
                  "driver_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(runs), out],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 100_000]
    print(f"{'runs':>8}{'seconds':>10}{'driver peak MiB':>18}{'worker peak MiB':>18}")
    for runs in sizes:
        m = measure(runs)
        print(f"{m['runs']:>8}{m['wall']:>10.1f}{m['driver_mib']:>18.1f}{m['worker_mib']:>18.1f}")
    print("target: the 10^5-run sweep needs no more memory than the 10^3-run one")


if __name__ == "__main__":
    main()
