"""The ``run.log`` of an output folder: what ran, where, how long it took, and the warnings.

`recording` wraps one command (`pipsim.cli.main` runs every handler in it): pipsim's log
records and every Python warning are collected in memory, so a library's warning never
reaches the terminal; a command names its output folder with `folder`. When the command ends
the records are appended to ``FOLDER/run.log``, and only to a folder that already holds
pipsim's results (a manifest pipsim recorded), so a log never makes a new folder look used, nor
an unrelated folder look like results; the log is written as every file of a results folder
is (`pipsim.sweep.files`: no link followed, recorded).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipsim import __version__

RUN_LOG = "run.log"
MANIFEST = "manifest.json"  # the mark of a results folder (`pipsim.sweep.results.MANIFEST`)
CAPTURED = ("pipsim", "py.warnings", "EMA")  # loggers whose records go to run.log only
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_folders: list[Path | None] = []  # one slot per command being recorded (commands may nest)
log = logging.getLogger("pipsim.cli")


class Buffer(logging.Handler):
    """Keeps formatted records in memory until the command ends."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter(FORMAT, "%Y-%m-%d %H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        self.lines.append(self.format(record))


def say(text: str, *, warning: bool = False) -> None:
    """Print ``text`` for the user and record it in the run log."""
    print(text, flush=True)
    log.log(logging.WARNING if warning else logging.INFO, "%s", text)


def folder(path: Path) -> None:
    """Name the output folder of the command being recorded (its ``run.log`` goes there)."""
    if _folders:
        _folders[-1] = Path(path)
        log.info("output folder: %s", Path(path).resolve())


@contextmanager
def recording(args: argparse.Namespace) -> Iterator[None]:
    """Record the command ``args`` ran; append the records to its folder's ``run.log``."""
    buffer = Buffer()
    saved = [(logging.getLogger(n), logging.getLogger(n).propagate) for n in CAPTURED]
    level = logging.getLogger("pipsim").level
    for logger, _ in saved:
        logger.addHandler(buffer)
        logger.propagate = False
    logging.getLogger("pipsim").setLevel(logging.INFO)
    logging.captureWarnings(True)
    _folders.append(None)
    started = time.perf_counter()
    argv = " ".join(getattr(args, "argv", []) or [])
    log.info("pipsim %s: pipsim %s (in %s, PID %d)", __version__, argv, os.getcwd(), os.getpid())
    try:
        yield
    except BaseException as error:
        log.warning("stopped by %s: %s", type(error).__name__, error)
        raise
    finally:
        log.info("finished in %.1f s", time.perf_counter() - started)
        where = _folders.pop()
        if not _folders:
            logging.captureWarnings(False)
        for logger, propagate in saved:
            logger.removeHandler(buffer)
            logger.propagate = propagate
        logging.getLogger("pipsim").setLevel(level)
        if where is not None:
            write(where, buffer.lines)


def write(where: Path, lines: list[str]) -> None:
    """Append ``lines`` to ``where/run.log`` if ``where`` holds pipsim results; else nothing.

    Results are a manifest pipsim recorded (`pipsim.sweep.files`): a folder of other files, or
    of an older pipsim without a record, gets no log (nor a record made on its account). The
    log is appended through `files.append_bytes`: never through a link or into a pipe, and
    recorded, so ``--overwrite`` and resume know it as pipsim's. A log that cannot be written
    does not fail the command that made it.
    """
    from pipsim.sweep import files

    try:
        record = files.read_record(where)
        if not (record.found and record.owns(where / MANIFEST)):
            return
        files.append_bytes(where, where / RUN_LOG, ("\n".join(lines) + "\n").encode("utf-8"))
    except OSError:
        pass
