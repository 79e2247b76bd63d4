#!/usr/bin/env bash
# Set up .venv (if needed) and run pipsim's main job on a bundled scenario.
# Results and figures land in results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p results
.venv/bin/pipsim run-once --typology cluster --months 36 --seed 1 --plot results/run_once_cluster_36.png
.venv/bin/pipsim run-once --typology cluster --months 60 --initial-trust 0.4 --seed 1 --plot results/run_once_cluster_60.png
echo "pipsim: figures written to results/"
