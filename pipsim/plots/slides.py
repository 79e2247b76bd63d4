"""The story as slides: one PNG a month (``frames/month_NN.png``) and a video (``network.mp4``).

A trainer steps through months on a projector, or plays them, where a GIF cannot be paused or
stepped. The frames are the network frames of `pipsim.plots.story` (projector-thick edges,
large text, each month's caption saying what happened in it), drawn once and written three
ways: the GIF, the PNGs and the MP4. The video is written by imageio through the ffmpeg binary
imageio-ffmpeg ships in its wheel (no system ffmpeg needed): H.264, one frame a month at
`VIDEO_FPS`, so a pause on a month is a pause of the player.
"""

from __future__ import annotations

from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PIL import Image

from pipsim.plots import story as story_plots
from pipsim.plots.story import TIMELINE_DPI, Story, plot_timeline

VIDEO_FPS = 1  # months a second: time to read each month's caption aloud
FRAMES = "frames"  # the folder of month_NN.png


def frame_name(month: int, last: int) -> str:
    """``month_07.png``: zero-padded to the last month's digits (at least two), so they sort."""
    return f"month_{month:0{max(2, len(str(last)))}d}.png"


def write_slides(story: Story, out: Path) -> dict[str, Path]:
    """Write ``network.gif``, ``frames/month_NN.png`` and ``network.mp4`` into ``out``.

    The frames are drawn once and streamed to all three; only the GIF's quantised frames
    are held (a tenth of the size of the RGB ones).

    Returns:
        The paths written, by name (``frames`` is the folder).
    """
    folder = out / FRAMES
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"network": out / "network.gif", "frames": folder, "video": out / "network.mp4"}
    last = story.months[-1].month
    quantised = []
    writer = imageio.get_writer(
        paths["video"],
        fps=VIDEO_FPS,
        codec="libx264",
        quality=8,
        macro_block_size=16,
        ffmpeg_log_level="error",  # not its notes on a short stream
    )
    try:
        for state, frame in zip(story.months, story_plots.network_frames(story), strict=True):
            frame.save(folder / frame_name(state.month, last), optimize=False)
            writer.append_data(np.asarray(frame))
            quantised.append(
                frame.quantize(128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            )
    finally:
        writer.close()
    durations = story_plots.frame_durations(story)
    quantised[0].save(
        paths["network"], save_all=True, append_images=quantised[1:], duration=durations, loop=0
    )
    return paths


def write_story(story: Story, out: Path) -> dict[str, Path]:
    """Save ``timeline.png`` and the slides (`write_slides`) into ``out`` (created if missing).

    Returns:
        The paths written, by name.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = {"timeline": out / "timeline.png"}
    plot_timeline(story).savefig(paths["timeline"], dpi=TIMELINE_DPI)
    return paths | write_slides(story, out)
