"""Files in a results folder: written and read without following links, and recorded.

pipsim writes into folders its users choose, share and edit, so it keeps three promises there:

- **A write never goes through a link.** A file is written to a temporary name created
  exclusively and without following links (``O_CREAT | O_EXCL | O_NOFOLLOW``) in the same
  folder, then renamed over its name: a rename replaces a link, never its target. A name
  held by a link, a named pipe, a device or a folder is refused, not replaced.
- **A read takes only a regular file.** Files are opened without following links and without
  blocking (a named pipe would hang the open), then checked with ``fstat``: anything else is an
  `UnsafeFileError`, reported in one line.
- **Every file written is recorded.** ``OUT/files.jsonl`` lists each file pipsim wrote there,
  by path and SHA-256 digest, one line per event (appended, so a sweep of thousands of chunks
  costs a line per chunk). A temporary name is recorded before it is created, so what a
  killed writer leaves is known too. ``--overwrite`` and resume touch only recorded files;
  anything else is never deleted or overwritten, whatever its name, and a recorded file whose
  digest no longer matches is known to be damaged or replaced.

Paths are taken literally: no ``~`` is expanded (pandas and pyarrow expand one in a path
they are given, so they are given open files instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

RECORD = "files.jsonl"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class UnsafeFileError(OSError):
    """A path pipsim would read or write is not a regular file (a link, a pipe, a device)."""


def kind(path: Path) -> str | None:
    """What ``path`` is if it is not a regular file (e.g. "a symbolic link"), else None.

    A missing path is None too: nothing is there to refuse.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    return _kind(mode)


def _kind(mode: int) -> str | None:
    for test, name in KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def refusal(path: Path, what: str) -> UnsafeFileError:
    """The one-line error for a path that is ``what`` instead of a regular file."""
    return UnsafeFileError(
        f"{path} is {what}, not a regular file: pipsim neither reads nor writes through it; "
        "remove it, or choose another folder"
    )


def check_regular(path: Path) -> None:
    """Refuse ``path`` if it exists and is not a regular file."""
    if (what := kind(path)) is not None:
        raise refusal(path, what)


def check_folder(folder: Path) -> None:
    """Refuse a folder that is a link (a link named ``figures`` would send files elsewhere)."""
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        raise UnsafeFileError(
            f"{folder} is {_kind(mode) or 'a file'}, not a folder: pipsim neither reads nor "
            "writes through it; remove it, or choose another folder"
        )


@contextlib.contextmanager
def open_read(path: Path) -> Iterator[io.BufferedReader]:
    """``path`` opened for reading if it is a regular file (links and pipes are refused).

    Raises:
        FileNotFoundError: nothing is there.
        UnsafeFileError: it is a link, a pipe, a device or a folder.
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError as error:
        if (what := kind(path)) is not None:
            raise refusal(path, what) from None
        raise error from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise refusal(path, _kind(mode) or "not a regular file")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as file:
        yield file


def read_bytes(path: Path) -> bytes:
    """The bytes of the regular file ``path``."""
    with open_read(path) as file:
        return file.read()


def read_text(path: Path) -> str:
    """The text (UTF-8) of the regular file ``path``."""
    return read_bytes(path).decode("utf-8")


def digest(path: Path) -> str | None:
    """The SHA-256 of the regular file ``path``, or None if it is missing or not regular."""
    try:
        with open_read(path) as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


# --- the record -------------------------------------------------------------------------------
@dataclass
class Record:
    """What pipsim wrote in a folder: each path (relative to it) and its digest.

    ``files`` maps a path to its SHA-256, or None while it is being written (a kill between
    the rename and the digest's line leaves it so); ``temporary`` are temporary names
    recorded before they were created. ``found`` says whether the folder had a record at all.
    """

    out: Path
    files: dict[str, str | None] = field(default_factory=dict)
    temporary: dict[str, str] = field(default_factory=dict)  # temporary name → its file
    found: bool = False

    def owns(self, path: Path) -> bool:
        """Whether pipsim wrote ``path`` (a file in this folder), by the record."""
        rel = self.relative(path)
        return rel in self.files or rel in self.temporary

    def intact(self, path: Path) -> bool:
        """Whether ``path`` is recorded and still holds what pipsim wrote (its digest)."""
        recorded = self.files.get(self.relative(path))
        return recorded is not None and digest(path) == recorded

    def relative(self, path: Path) -> str:
        """``path`` as recorded: relative to the folder, with forward slashes."""
        return Path(os.path.relpath(path, self.out)).as_posix()


def read_record(out: Path) -> Record:
    """The record of ``out`` (empty, ``found`` False, if it has none or cannot be read).

    A line that cannot be read (a torn last line after a full disk) is skipped; a record that
    is a link or a pipe counts as found and empty, so nothing is taken for pipsim's. The record
    only grows, so what was read of it before is kept and only the new lines are read: a sweep
    of thousands of chunks reads each line once, not once per chunk.
    """
    path = out / RECORD
    try:
        with open_read(path) as file:
            identity = os.fstat(file.fileno()).st_ino
            key = Path(os.path.abspath(out))
            cached = _read.get(key)
            if (
                cached is None
                or cached[0] != identity
                or cached[1] > os.fstat(file.fileno()).st_size
            ):
                cached = (identity, 0, Record(out, found=True))
            file.seek(cached[1])
            data = file.read()
    except FileNotFoundError:
        _read.pop(Path(os.path.abspath(out)), None)
        return Record(out)
    except OSError:  # a link or a pipe in its place: nothing is known to be pipsim's
        return Record(out, found=True)
    complete = data[: data.rfind(b"\n") + 1]  # a torn last line is read when it is whole
    record = cached[2]
    for line in complete.decode("utf-8", errors="replace").splitlines():
        _replay(record, line)
    _read[key] = (identity, cached[1] + len(complete), record)
    return record


_read: dict[Path, tuple[int, int, Record]] = {}  # folder → (record's inode, bytes read, record)


def _replay(record: Record, line: str) -> None:
    """Apply one line of a record."""
    try:
        entry = json.loads(line)
        path = str(entry["path"])
    except (ValueError, KeyError, TypeError):
        return
    if entry.get("removed"):
        record.files.pop(path, None)
        record.temporary.pop(path, None)
    elif "tmp" in entry:
        record.temporary[str(entry["tmp"])] = path
        record.files.setdefault(path, None)
    else:
        record.files[path] = entry.get("sha256")
        record.temporary = {t: p for t, p in record.temporary.items() if p != path}


def _append(out: Path, entries: list[dict[str, object]]) -> None:
    """Append ``entries`` to the record of ``out`` (created if missing, never through a link)."""
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC
    path = out / RECORD
    try:
        fd = os.open(path, flags, 0o644)
    except OSError:
        if (what := kind(path)) is not None:
            raise refusal(path, what) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise refusal(path, kind(path) or "not a regular file")
        data = "".join(json.dumps(e) + "\n" for e in entries).encode()
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":  # a line torn by a full disk: end it
            data = b"\n" + data
        os.write(fd, data)
    finally:
        os.close(fd)


def forget(out: Path, paths: list[Path]) -> None:
    """Record that ``paths`` are gone (removed by pipsim)."""
    record = Record(out)
    if paths:
        _append(out, [{"path": record.relative(p), "removed": True} for p in paths])


def claim(out: Path, path: Path) -> None:
    """Record ``path`` as pipsim's before another library (sqlite) writes it (no digest).

    Raises:
        ForeignFileError: a file pipsim did not write is already there.
    """
    record = ensure_record(out)
    if os.path.lexists(path) and not owned(record, path):
        raise ForeignFileError(
            f"{path} was not written by pipsim: move it away, or choose another folder"
        )
    if record.relative(path) not in record.files:
        _append(out, [{"path": record.relative(path)}])


def adopt(out: Path, paths: list[Path]) -> None:
    """Record ``paths`` as pipsim's, with their digests: files of a folder from before records.

    Only for a folder written by an older pipsim (it has a manifest and no record), whose
    files are known by their names; from then on the record decides.
    """
    record = Record(out)
    entries: list[dict[str, object]] = [
        {"path": record.relative(p), "sha256": digest(p)} for p in paths
    ]
    _append(out, entries)


# --- writing ----------------------------------------------------------------------------------
def write(out: Path, path: Path, fill: Callable[[IO[bytes]], object]) -> str:
    """Write ``path`` (inside ``out``) with ``fill``, atomically and recorded; its digest.

    ``fill`` gets a binary file to write into (``frame.to_parquet``, ``figure.savefig`` and
    ``frame.to_csv`` all take one). The name is refused if anything but a regular file pipsim
    recorded holds it; a folder on the way that is a link is refused too.

    Raises:
        UnsafeFileError: ``path`` or its folder is a link, a pipe or a device.
        ForeignFileError: a file pipsim did not write holds the name.
        OSError: the disk is full or the folder cannot be written (nothing is left behind).
    """
    record = ensure_record(out)
    check_folder(path.parent)
    path.parent.mkdir(exist_ok=True)
    check_regular(path)
    if os.path.lexists(path) and not owned(record, path):
        raise ForeignFileError(
            f"{path} was not written by pipsim (it is not in {out / RECORD}): pipsim will "
            "not replace it; move it away, or choose another folder"
        )
    rel = record.relative(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _append(out, [{"path": rel, "tmp": record.relative(tmp)}])
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "w+b") as file:
            fill(file)
            file.flush()
            file.seek(0)
            found = hashlib.file_digest(file, "sha256").hexdigest()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _append(out, [{"path": rel, "sha256": found}])
    return found


def write_bytes(out: Path, path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` (inside ``out``), atomically and recorded; its digest."""
    return write(out, path, lambda file: file.write(data))


def append_bytes(out: Path, path: Path, data: bytes) -> str:
    """Append ``data`` to the log ``path`` (inside ``out``), never through a link; recorded.

    For a log that grows (``run.log``): the file is opened for appending without following
    links and without blocking, and must be a regular file; it is recorded before it is
    created, and its new digest after each append.

    Raises:
        UnsafeFileError: ``path`` or its folder is a link, a pipe or a device.
        ForeignFileError: a file pipsim did not write holds the name.
    """
    record = ensure_record(out)
    check_folder(path.parent)
    if os.path.lexists(path) and not owned(record, path):
        raise ForeignFileError(
            f"{path} was not written by pipsim (it is not in {out / RECORD}): pipsim will "
            "not append to it; move it away, or choose another folder"
        )
    rel = record.relative(path)
    if rel not in record.files:
        _append(out, [{"path": rel}])  # known as pipsim's before it exists
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError:
        if (what := kind(path)) is not None:
            raise refusal(path, what) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise refusal(path, kind(path) or "not a regular file")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    found = digest(path) or ""
    _append(out, [{"path": rel, "sha256": found}])
    return found


def owned(record: Record, path: Path) -> bool:
    """Whether ``path`` is pipsim's: recorded, or (a folder without a record) by its name."""
    if record.found:
        return record.owns(path)
    return legacy_own(record.out, path)


class ForeignFileError(OSError):
    """A file pipsim did not write stands where pipsim would write: it is left alone."""


def remove_temporary(out: Path) -> None:
    """Remove the temporary files a killed writer left in ``out`` (recorded ones only)."""
    record = read_record(out)
    gone = []
    for tmp in record.temporary:
        path = out / tmp
        if kind(path) is None and path.exists():
            path.unlink()
        gone.append(path)
    if gone:
        forget(out, gone)


# --- folders written before records -------------------------------------------------------------
# the names an older pipsim wrote at the top of a results folder; used only for a folder that
# holds a manifest and no record, and only to adopt its files once
LEGACY_NAMES = frozenset(
    {
        "manifest.json",
        "scenario.toml",
        "summary.csv",
        "probabilities.csv",
        "duration.csv",
        "duration.json",
        "noise.csv",
        "report.html",
        "calibration.json",
        "targets.toml",
        "history.db",
        "screening.csv",
        "posterior.parquet",
        "posterior.csv",
        "generations.csv",
        "predictive.parquet",
        "check.csv",
        "run.log",
    }
)
# top-level names by pattern: sensitivity tables, what `pipsim discover` wrote
LEGACY_PATTERN = re.compile(r"sensitivity_.*\.csv|discovery_[a-z0-9_]+\.(csv|json)", re.S)
LEGACY_FOLDERS = {"runs": ".parquet", "timeseries": ".parquet", "figures": ".png"}
LEGACY_MARKS = ("manifest.json", "calibration.json")


def ensure_record(out: Path) -> Record:
    """The record of ``out``; a folder of an older pipsim first adopts its files by name."""
    record = read_record(out)
    if not record.found and any(legacy_own(out, out / m) for m in LEGACY_MARKS):
        adopt(out, legacy_files(out))
        record = read_record(out)
    return record


def legacy_files(out: Path) -> list[Path]:
    """The files an older pipsim wrote in ``out``, by their names (see `legacy_own`)."""
    found = []
    for entry in sorted(out.iterdir()) if out.is_dir() else []:
        inner = sorted(entry.iterdir()) if kind(entry) == "a folder" else [entry]
        found += [p for p in inner if legacy_own(out, p)]
    return found


def legacy_own(out: Path, path: Path) -> bool:
    """Whether an older pipsim wrote ``path``, judged by its name in a folder it marked."""
    if not any(kind(out / m) is None and (out / m).exists() for m in LEGACY_MARKS):
        return False
    if kind(path) is not None or not path.exists():
        return False
    rel = Path(os.path.relpath(path, out))
    if len(rel.parts) == 1:
        name = rel.name
        return name in LEGACY_NAMES or LEGACY_PATTERN.fullmatch(name) is not None
    if len(rel.parts) == 2 and rel.parts[0] in LEGACY_FOLDERS:
        if kind(out / rel.parts[0]) != "a folder":
            return False
        if rel.parts[0] == "figures":
            return rel.suffix == ".png"
        return rel.name.startswith("chunk-") and rel.suffix == ".parquet"
    return False


# --- what a reader may trust ------------------------------------------------------------------
def trusted(record: Record, path: Path) -> bool:
    """Whether ``path`` holds what pipsim wrote, as the record has it (its digest).

    In a folder of an older pipsim without a record: a regular file with a pipsim name. Only
    such files are read into a report.
    """
    if record.found:
        return record.intact(path)
    return legacy_own(record.out, path)


# --- the usual kinds of file ------------------------------------------------------------------
def save_csv(out: Path, path: Path, frame: Any) -> None:
    """Write a pandas table as CSV to ``path`` in ``out`` (see `write`)."""
    write(out, path, lambda file: frame.to_csv(file, index=False))


def save_figure(out: Path, path: Path, figure: Any, dpi: int) -> None:
    """Write a matplotlib figure as PNG to ``path`` in ``out`` (see `write`)."""
    write(out, path, lambda file: figure.savefig(file, dpi=dpi, format="png"))
