#!/usr/bin/env bash
# Set up .venv (if needed) and run pipsim's main job on a bundled scenario:
# the designer's question "is 22 months enough?" over project lengths of 12 to 72 months.
# Results, the summary table and figures land in results/project_length/, plus a figure of
# one run month by month in results/run_once_cluster_36.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/pipsim run scenarios/project_length.toml --out results/project_length "$@"
.venv/bin/pipsim run-once --typology cluster --months 36 --initial-trust 0.3 --seed 1 \
    --plot results/run_once_cluster_36.png
