#!/usr/bin/env bash
# Set up .venv (if needed), lint, type-check pipsim/ and run the test suite.
# While working, the fast loop leaves the slow modules out:
#   .venv/bin/python -m pytest -n 2 --dist loadscope -m "not slow"
# Both run on two pytest-xdist workers, a test module on one worker: its module fixtures (a
# finished sweep, the browser) are made once, and the browser tests run one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 --dist loadscope "$@"
