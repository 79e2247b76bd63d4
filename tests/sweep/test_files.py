"""`pipsim.sweep.files`: writes through no link, reads of regular files only, the record."""

import os
import time

import pytest

from pipsim.sweep import files


def test_a_write_is_recorded_with_its_digest_and_leaves_no_temporary(tmp_path):
    digest = files.write_bytes(tmp_path, tmp_path / "figures" / "a.png", b"png")
    record = files.read_record(tmp_path)
    assert record.found and record.files == {"figures/a.png": digest}
    assert not record.temporary and not list(tmp_path.rglob("*.tmp"))
    assert record.intact(tmp_path / "figures" / "a.png")
    (tmp_path / "figures" / "a.png").write_bytes(b"changed")
    assert not files.read_record(tmp_path).intact(tmp_path / "figures" / "a.png")


@pytest.mark.parametrize("kind", ["link", "pipe", "folder"])
def test_a_name_held_by_a_link_a_pipe_or_a_folder_is_refused(tmp_path, kind):
    target = tmp_path / "secret"
    target.write_text("secret")
    out = tmp_path / "out"
    out.mkdir()
    path = out / "summary.csv"
    {"link": lambda: path.symlink_to(target), "pipe": lambda: os.mkfifo(path)}.get(
        kind, path.mkdir
    )()
    with pytest.raises(files.UnsafeFileError, match="not a regular file"):
        files.write_bytes(out, path, b"x")
    assert target.read_text() == "secret"


def test_a_linked_folder_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "figures").symlink_to(elsewhere)
    with pytest.raises(files.UnsafeFileError, match="figures is a symbolic link"):
        files.write_bytes(out, out / "figures" / "a.png", b"png")
    assert not list(elsewhere.iterdir())


def test_a_file_pipsim_did_not_write_is_not_replaced(tmp_path):
    files.write_bytes(tmp_path, tmp_path / "manifest.json", b"{}")
    (tmp_path / "summary.csv").write_text("mine")
    with pytest.raises(files.ForeignFileError, match="was not written by pipsim"):
        files.write_bytes(tmp_path, tmp_path / "summary.csv", b"x")
    assert (tmp_path / "summary.csv").read_text() == "mine"


def test_reading_a_pipe_or_a_link_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "pipe")
    started = time.monotonic()
    for name in ("pipe", "link"):
        with pytest.raises(files.UnsafeFileError):
            files.read_bytes(tmp_path / name)
        assert files.digest(tmp_path / name) is None
    assert time.monotonic() - started < 5


def test_the_record_is_read_once_and_survives_a_torn_line(tmp_path):
    for i in range(5):
        files.write_bytes(tmp_path, tmp_path / f"f{i}.csv", b"x")
    with (tmp_path / files.RECORD).open("ab") as record:  # a full disk tore the last line
        record.write(b'{"path": "f9.c')
    files.write_bytes(tmp_path, tmp_path / "after.csv", b"y")
    files._read.clear()  # as a new process reads it
    record = files.read_record(tmp_path)
    assert set(record.files) == {"f0.csv", "f1.csv", "f2.csv", "f3.csv", "f4.csv", "after.csv"}


def test_what_a_killed_writer_left_is_removed_and_nothing_else(tmp_path):
    files._append(tmp_path, [{"path": "a.csv", "tmp": ".a.csv.0badf00d.tmp"}])
    (tmp_path / ".a.csv.0badf00d.tmp").write_text("half")
    (tmp_path / ".draft_notes.tmp").write_text("mine")
    files.remove_temporary(tmp_path)
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == [".draft_notes.tmp"]
    assert not files.read_record(tmp_path).temporary
