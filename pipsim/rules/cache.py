"""Where the compiled rules are kept between processes, and why the folder is named by them.

numba keeps a function's machine code with a key of its own source file only: edit a rule in
`contact` and the cached `month`, which has the old rule compiled in, would still be loaded. So
the cache folder is named by a digest of every rule's source (and numba's and Python's
versions): any edit starts a fresh folder, whose first use compiles everything once. The
folder is ``pipsim/rules/__pycache__/`` where the package may be written, else the user's own
cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``), as for a package installed read-only; a
``NUMBA_CACHE_DIR`` the user set is used instead of both.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import numba

RULES = Path(__file__).resolve().parent
PREFIX = "numba-"


def digest() -> str:
    """A short digest of every rule's source, numba's version and Python's."""
    h = hashlib.sha256(f"{numba.__version__} {sys.version}".encode())
    for source in sorted(RULES.glob("*.py")):
        h.update(source.name.encode() + source.read_bytes())
    return h.hexdigest()[:16]


def folder() -> Path | None:
    """The first writable place for this digest's cache (made if need be), or None."""
    user = os.environ.get("NUMBA_CACHE_DIR")
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pipsim"
    bases = [Path(user)] if user else [RULES / "__pycache__", home]
    for base in bases:
        place = base / f"{PREFIX}{digest()}"
        try:
            place.mkdir(parents=True, exist_ok=True)
            probe = place / f".writable-{os.getpid()}"  # one per process: two may start at once
            probe.touch()
            probe.unlink()
        except OSError:
            continue
        forget_others(base, keep=place)
        return place
    return None


def forget_others(base: Path, keep: Path) -> None:
    """Remove the caches of earlier rules from ``base``.

    Best effort: another process may be using one, or may have removed it already.
    """
    for old in base.glob(f"{PREFIX}*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def use() -> None:
    """Point numba's cache at `folder` (before any rule is compiled or loaded)."""
    place = folder()
    if place is not None:
        numba.config.CACHE_DIR = str(place)  # type: ignore[attr-defined]
