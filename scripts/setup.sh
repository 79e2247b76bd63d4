#!/usr/bin/env bash
# Set up pipsim's virtual environment in .venv (idempotent).
#
# Finds a Python >= 3.12 by *running* each candidate (a pyenv shim can exist
# and still exit 127), creates .venv, installs pipsim with its dev extras, and
# records a stamp so that a second call with unchanged pyproject.toml is instant.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local candidates=(python3.13 python3.12 python3)
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root=$(pyenv root 2>/dev/null || true)
        if [ -n "$root" ]; then
            # newest first
            while IFS= read -r p; do candidates+=("$p"); done < <(
                ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)
        fi
    fi
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    if ! PY=$(find_python); then
        echo "pipsim set-up: no Python >= 3.12 found." >&2
        echo "  Tried python3.13, python3.12, python3 and pyenv's versions/3.1[2-9]*." >&2
        echo "  Install Python 3.12 or newer (e.g. 'pyenv install 3.12') and run this again." >&2
        exit 1
    fi
    echo "pipsim set-up: using $PY ($("$PY" --version 2>&1))"
    rm -rf .venv
    "$PY" -m venv .venv
fi

stamp=.venv/.pipsim-installed
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "pipsim set-up: installing pipsim and its dependencies into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    echo "$want" > "$stamp"
fi

# numba compiles the model's rules at their first use and caches them: on a fresh machine do it
# now, on both cores (about 30 s, once; a second of checking when the cache is warm)
.venv/bin/python -m pipsim.warm
