#!/usr/bin/env bash
# Set up .venv (if needed), lint, type-check pipsim/ and run the test suite.
# While working, the fast loop leaves the slow modules out:
#   .venv/bin/python -m pytest -n 2 -m "not slow"
# Both run on two pytest-xdist workers; the browser tests stay together on one (xdist_group).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
