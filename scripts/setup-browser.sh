#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests of `pipsim viz` (idempotent).
#
# The tests (tests/test_browser.py) drive /usr/bin/chromium with the playwright package from
# the viz extra; they never download a browser of their own (no `playwright install`). If
# Chromium is already there this does nothing; otherwise it installs Debian's package, which
# needs root (or sudo) and the Debian package archive. Without Chromium the browser tests are
# skipped, with a message saying so; everything else still runs.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "pipsim set-up: $CHROMIUM is missing and this system has no apt-get;" >&2
    echo "  install Chromium so that it is at $CHROMIUM, or the browser tests will be skipped." >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "pipsim set-up: $CHROMIUM is missing; installing it needs root. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 1
fi

echo "pipsim set-up: installing Debian's chromium for the browser tests"
if ! { "${SUDO[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
        chromium >/dev/null; }; then
    echo "pipsim set-up: could not install chromium with apt-get (see the messages above)." >&2
    echo "  Check that the Debian package archive is reachable, then run this script again:" >&2
    echo "  bash scripts/setup-browser.sh   (without it the browser tests are skipped)" >&2
    exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "pipsim set-up: apt-get installed chromium but $CHROMIUM is still missing." >&2
    exit 1
fi
echo "pipsim set-up: $("$CHROMIUM" --version 2>/dev/null || echo chromium) is ready"
