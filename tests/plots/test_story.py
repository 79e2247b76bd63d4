"""`pipsim story`: the trainer's annotated timeline and trust network GIF of one run."""

import struct

import imageio.v2 as imageio
import pytest
from PIL import Image

from pipsim.cli import main
from pipsim.parameters import Parameters
from pipsim.plots import slides, story

PNG = b"\x89PNG\r\n\x1a\n"
SMALL = ["--typology", "horizontal_network", "--months", "18", "--post-project-months", "6"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """``pipsim story`` run once for the module: (exit status, output folder)."""
    out = tmp_path_factory.mktemp("story")
    return main(["story", "--out", str(out), *SMALL, "--seed", "3"]), out


def test_story_exits_0_and_writes_the_timeline_and_slides(written):
    status, out = written
    assert status == 0
    names = ["frames", "network.gif", "network.mp4", "timeline.png"]
    assert sorted(p.name for p in out.iterdir()) == names


def test_slides_are_one_png_a_month_and_an_mp4_of_as_many_frames(written):
    out = written[1]
    months = 18 + 6 + 1  # month 0 to the horizon's end
    frames = sorted((out / "frames").iterdir())
    assert [f.name for f in frames] == [f"month_{m:02d}.png" for m in range(months)]
    for frame in frames[:: len(frames) - 1]:
        with Image.open(frame) as png:
            assert png.format == "PNG" and png.size == (1280, 720)
    reader = imageio.get_reader(out / "network.mp4")
    try:
        assert reader.count_frames() == months
        assert reader.get_meta_data()["size"] == (1280, 720)
    finally:
        reader.close()


def test_every_month_with_an_event_has_a_caption_saying_it():
    p = Parameters.for_typology("horizontal_network", project_months=18, post_project_months=6)
    run = story.record(p, 3)
    assert run.events
    for month in {m for m, _ in run.events}:
        text = story.caption(run, month, 10, story.CAPTION_WIDTH)
        assert text.startswith(f"month {month} — ") and len(text) > len(f"month {month} — ")
        assert all(len(line) <= story.CAPTION_WIDTH for line in text.split("\n"))


def test_frame_names_sort_for_long_runs():
    assert slides.frame_name(7, 24) == "month_07.png"
    assert slides.frame_name(7, 120) == "month_007.png"


def test_timeline_is_a_1600_by_900_png(written):
    data = (written[1] / "timeline.png").read_bytes()
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1600, 900)


def test_network_is_a_1280_by_720_gif_with_a_frame_per_month(written):
    with Image.open(written[1] / "network.gif") as gif:
        assert gif.format == "GIF"
        assert gif.size == (1280, 720)
        assert gif.n_frames == 18 + 6 + 1  # month 0 to the horizon's end
        durations = []
        for frame in range(gif.n_frames):
            gif.seek(frame)
            durations.append(gif.info["duration"])
    assert durations[-1] == story.LAST_MS and set(durations) <= {
        story.QUIET_MS,
        story.EVENT_MS,
        story.LAST_MS,
    }


def test_story_prints_the_seed_and_the_files(tmp_path, capsys):
    assert main(["story", "--out", str(tmp_path / "new" / "dir"), *SMALL, "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "seed 5" in out and "timeline.png" in out and "network.gif" in out
    assert "network.mp4" in out and "frames" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "--out"),  # --out is required
        (["--seed", "-1"], "--seed"),
        (["--months", "0"], "--project-months"),
        (["--typology", "nope"], "--typology"),
        (["--initial-trust", "2"], "initial_trust"),
        (["--no-such-option", "1"], "unrecognized"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, args, fragment):
    out = [] if not args else ["--out", str(tmp_path / "out")]
    assert main(["story", *out, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_exits_2(tmp_path, capsys):
    path = tmp_path / "file.txt"
    path.write_text("keep me")
    assert main(["story", "--out", str(path), *SMALL, "--seed", "1"]) == 2
    assert "it is a file" in capsys.readouterr().err and path.read_text() == "keep me"


def test_key_events_group_one_kind_within_the_window():
    events = [
        (2, "a technician left; 6 firms lost their contact"),
        (5, "3 firms formed a collective project: shared services"),
        (7, "4 firms formed a collective project: common enterprise"),  # not the first
        (9, "collective project (shared services) started paying off"),
        (11, "collective project (common enterprise) started paying off"),
        (30, "collective project (shared services) dissolved: too few members left"),
        (31, "joint purchase of inputs pilot failed: the group fell out"),  # a bar, no label
    ]
    assert story.key_events(events, window=5) == [
        ([2], "technician left (6 firms)", story.BAD),
        ([5], "1st joint project (3 firms)", story.GOOD),
        ([9, 11], "2 projects pay off", story.GOOD),
        ([30], "project dissolved", story.BAD),
    ]


def test_caption_sums_up_pilots_and_ends_the_run():
    p = Parameters.for_typology("horizontal_network", project_months=18, post_project_months=6)
    events = [
        (4, "a technician left; 6 firms lost their contact"),
        (4, "joint purchase of inputs pilot succeeded (4 firms)"),
        (4, "exploration of a new market pilot failed: the group fell out"),
        (6, "joint purchase of inputs pilot succeeded (3 firms)"),
    ]
    run = story.Story(p, 1, None, [], events, None, None, 0.4)  # captions read events only
    assert story.caption(run, 0, 12) == "month 0 — the project starts with 12 firms"
    assert story.caption(run, 4, 12) == (
        "month 4 — a technician left; 6 firms lost their contact; 2 pilots ended: 1\n"
        "succeeded, 1 failed"
    )
    assert story.caption(run, 6, 12) == "month 6 — a pilot succeeded"
    assert story.caption(run, 5, 12) == "month 5"
    assert story.caption(run, 24, 12) == "month 24 — the end: 6 months after the agency left"
