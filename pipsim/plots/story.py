"""One run told as a story for a training room: an annotated timeline and a trust network GIF.

Trainers show practitioners *why associativity is slow*: trust among firms builds a little
at a time, a failed pilot or a departing technician sets it back, and joint projects come
late and may not outlive the agency. A table of outcomes cannot show that; one run, month by
month, can. `record` steps a model itself and keeps what the pictures need each month (the
model is not changed); `plot_timeline` and `network_frames` draw it, sized for a 16:9 slide;
`pipsim.plots.slides.write_story` saves both. Figures are `matplotlib.figure.Figure` (never
pyplot, no GUI backend) in the Okabe-Ito palette of `pipsim.plots.style`, so they render on a
headless machine; the network is drawn as the trainers' page draws it (`pipsim.plots.network`).

Events are read from ``model.event_log``, whose plain-words texts are the model's account of
what happened; an event logged in month *m* changed the state between the end of month
*m*−1 and the end of month *m*, so the timeline marks it at *m*−0.5.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from pipsim.agents import Status
from pipsim.model import PIPModel
from pipsim.parameters import Parameters
from pipsim.plots.network import NODE_AREA, NODE_KINDS, node_kinds, trust_ties
from pipsim.plots.run import PARTICIPATION_LINES, TRUST_LINES, draw_strong_ties, shown
from pipsim.plots.style import MONTHS_LABEL, OKABE_ITO
from pipsim.rules.measures import STRONG_TIE

SLIDE_INCHES = (10.0, 5.625)  # 16:9; both pictures share it, so their fonts match
TIMELINE_DPI = 160  # timeline.png: exactly 1600 x 900 px
GIF_DPI = 128  # network.gif: exactly 1280 x 720 px
GOOD, BAD, NEUTRAL = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"], OKABE_ITO["black"]
PROMISE = OKABE_ITO["reddish_purple"]
# Key events: (pattern in the log text, label, label for k of them, colour). Only the first
# collective project is labelled: the later ones show in the joint-projects curve.
KEY_EVENTS = (
    (r"a technician left; (\d+) firms", "technician left ({} firms)", "{} technicians left", BAD),
    (r"minister delegated", "minister delegated", "minister delegated", BAD),
    (r"political crisis", "political crisis", "{} political crises", BAD),
    (r"demand shock", "demand shock", "{} demand shocks", BAD),
    (r"(\d+) firms formed a collective project", "1st joint project ({} firms)", "", GOOD),
    (r"started paying off", "project pays off", "{} projects pay off", GOOD),
    (r"collapsed before|business case did not hold", "project failed", "{} projects failed", BAD),
    (r"dissolved", "project dissolved", "{} projects dissolved", BAD),
    (r"agency and its team left", "agency leaves", "agency leaves", NEUTRAL),
)
PHASE_NAMES = {"launch": "launch", "joint_work": "joint work", "close_out": "close-out"}
PHASE_NAMES["post_project"] = "after the project"
PHASE_SHADE = {"launch": "#eef4fa", "close_out": "#fdf3e1", "post_project": "#ececec"}
TRUST_NAMES = (
    "among partners",
    "between all firms",
    "in the agency",
    "in the public sector",
    "in collective action",
)
FIRMS_NAMES = ("taking part", "in joint projects", "dropped out")
LABEL_ROWS = 4  # rows of event labels above the trust panel
QUIET_MS, EVENT_MS, LAST_MS = 600, 1600, 4000  # GIF frame durations: pause where things happen
# The network frames are slides (GIF, frames/, network.mp4): a projector at the back of a room
# washes thin lines and small text out, so edges are thick and text large.
EDGE_WIDTH = (1.5, 6.5)  # points: the weakest strong tie, and the added width at full trust
HEAD_SIZE, FACTS_SIZE, LEGEND_SIZE = 19, 14, 13
TIE_COLOURS = colormaps["Blues"]  # a strong tie's colour: light at the threshold, dark at 1
CAPTION_WIDTH = 62  # characters a caption line holds at HEAD_SIZE (two lines at most)
# Text and line styles of the timeline.
END_NAME: dict[str, Any] = {
    "xycoords": ("axes fraction", "data"),
    "xytext": (6, 0),
    "textcoords": "offset points",
}
END_NAME |= {"va": "center", "fontsize": 11, "fontweight": "bold", "annotation_clip": False}
PHASE_TEXT: dict[str, Any] = {
    "ha": "center",
    "va": "top",
    "fontsize": 10,
    "style": "italic",
    "color": "#555555",
}
EVENT_TEXT: dict[str, Any] = {"fontsize": 10, "va": "center", "clip_on": False}
EVENT_TEXT["bbox"] = {"fc": "white", "ec": "none", "pad": 0.5, "alpha": 0.85}


@dataclass(frozen=True, slots=True)
class MonthState:
    """The network at the end of one month: who takes part, and the participants' strong ties."""

    month: int
    phase: str
    status: np.ndarray  # `Status` of each firm
    in_project: np.ndarray  # member of a collective project under way
    ties: tuple[np.ndarray, np.ndarray, np.ndarray]  # firms i < j and their mutual trust


@dataclass(frozen=True, slots=True)
class Story:
    """One recorded run: the monthly series, the network each month and the event log."""

    parameters: Parameters
    seed: int
    series: pd.DataFrame
    months: list[MonthState]
    events: list[tuple[int, str]]
    size_class: np.ndarray
    is_lead: np.ndarray
    tie_threshold: float  # mutual trust a tie needs to be drawn


def record(parameters: Parameters, seed: int) -> Story:
    """Run the model month by month, keeping the series, the network and the events.

    The ties kept are those `pipsim.plots.network.trust_ties` draws; only those pairs are
    stored.
    """
    model = PIPModel(parameters, rng=seed, time_series=True)
    threshold = STRONG_TIE
    months = [_snapshot(model, threshold)]
    while model.running:
        model.step()
        months.append(_snapshot(model, threshold))
    return Story(
        parameters=parameters,
        seed=seed,
        series=model.datacollector.get_model_vars_dataframe(),
        months=months,
        events=list(model.event_log),
        size_class=model.size_class.copy(),
        is_lead=model.is_lead.copy(),
        tie_threshold=threshold,
    )


def _snapshot(model: PIPModel, threshold: float) -> MonthState:
    i, j, w = trust_ties(model.trust, model.participating(), threshold)
    ties = (i, j, w.astype(np.float32))
    return MonthState(model.steps, model.phase, model.status.copy(), model.project_of >= 0, ties)


def key_events(events: list[tuple[int, str]], window: int) -> list[tuple[list[int], str, str]]:
    """The events worth a label on the timeline: (months, label, colour).

    Events of one kind less than ``window`` months apart share a label ("3 projects pay
    off"), so a busy stretch of the run stays readable on a slide.
    """
    groups: list[tuple[list[int], int, str]] = []  # (months, row of KEY_EVENTS, first label)
    last: dict[int, int] = {}  # row of KEY_EVENTS -> index of its latest group
    for month, text in events:
        row, match = next(
            (
                (r, m)
                for r, (pattern, *_) in enumerate(KEY_EVENTS)
                if (m := re.search(pattern, text))
            ),
            (None, None),
        )
        if row is None or match is None or (not KEY_EVENTS[row][2] and row in last):
            continue
        if row in last and month - groups[last[row]][0][-1] < window:
            groups[last[row]][0].append(month)
        else:
            last[row] = len(groups)
            groups.append(([month], row, KEY_EVENTS[row][1].format(*match.groups())))
    return [
        (months, label if len(months) == 1 else KEY_EVENTS[row][2].format(len(months)), colour)
        for months, row, label in groups
        for colour in [KEY_EVENTS[row][3]]
    ]


def caption(story: Story, month: int, participants: int, width: int = 76) -> str:
    """A frame's caption: the month and, in plain words, what happened in it.

    Pilots are summed up in one phrase, and at most two other events are quoted, so a busy
    month still reads in the time its frame shows.
    """
    if month == 0:
        return f"month 0 — the project starts with {participants} firms"
    texts = [text for m, text in story.events if m == month]
    pilots = Counter("succeeded" if "succeeded" in t else "failed" for t in texts if "pilot" in t)
    parts = [t for t in texts if "pilot" not in t]
    if len(parts) > 2:
        parts = [*parts[:2], f"and {len(parts) - 2} more"]
    n = pilots.total()
    if len(pilots) == 2:
        parts.append(
            f"{n} pilots ended: {pilots['succeeded']} succeeded, {pilots['failed']} failed"
        )
    elif pilots:
        parts.append(f"{'a pilot' if n == 1 else f'{n} pilots'} {next(iter(pilots))}")
    after = story.parameters.post_project_months
    if not parts and month == story.parameters.total_months:
        parts.append(f"the end: {after} months after the agency left" if after else "the end")
    text = f"month {month} — " + "; ".join(parts) if parts else f"month {month}"
    return textwrap.fill(text, width, max_lines=2, placeholder=" …")


# --- the timeline ----------------------------------------------------------------------------
def plot_timeline(story: Story) -> Figure:
    """Draw trust and participation over the months with the run's key events marked.

    Three panels share the months: what happened (labelled events, pilot outcomes as bars up
    or down, broken public promises as crosses), the four kinds of trust among the
    participants, and the firms taking part and in joint projects. Curves are named at their
    ends rather than in a legend, so the room reads them without looking away. Saved at
    `TIMELINE_DPI` the figure is exactly 1600 x 900 px.
    """
    p, s = story.parameters, story.series
    fig = Figure(figsize=SLIDE_INCHES, dpi=TIMELINE_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    events_ax, trust_ax, firms_ax = fig.subplots(3, 1, sharex=True, height_ratios=(1.5, 2.3, 1.3))
    typology = p.typology.replace("_", " ")
    fig.suptitle(f"Why is associativity slow? One {typology} project, month by month", size=16)
    events_ax.set_title(
        f"{p.n_enterprises} firms, {p.initial_participants} at launch; {p.project_months} "
        f"months with the agency, then {p.post_project_months} without it (seed {story.seed})",
        loc="left",
        fontsize=11,
    )
    ends = []
    for ax, lines, names in (
        (trust_ax, TRUST_LINES, TRUST_NAMES),
        (firms_ax, PARTICIPATION_LINES, FIRMS_NAMES),
    ):
        for (column, _, colour, style), name in zip(lines, names, strict=True):
            ax.plot(s["month"], shown(s, column), color=colour, linestyle=style, linewidth=2.2)
            ends.append(
                (ax, ax.annotate(name, (1.0, s[column].iloc[-1]), color=colour, **END_NAME))
            )
        ax.grid(True, axis="y", color="#dddddd", linewidth=0.6)
    trust_ax.set_ylim(0, 1)
    trust_ax.set_ylabel("trust (0–1)", fontsize=12)
    _strong_ties(trust_ax, s)
    firms_ax.set_ylim(0, max(1, s[[c for c, *_ in PARTICIPATION_LINES]].to_numpy().max()) * 1.15)
    firms_ax.set_ylabel("firms", fontsize=12)
    firms_ax.set_xlim(0, p.total_months)
    firms_ax.set_xlabel(MONTHS_LABEL, fontsize=12)
    phase_labels = [_shade_phases(ax, s, ax is trust_ax) for ax in (events_ax, trust_ax, firms_ax)]
    labels = _draw_events(events_ax, (trust_ax, firms_ax), story)
    keys = [
        _key("pilot succeeded", color=GOOD, lw=6),
        _key("pilot failed", color=BAD, lw=6),
        _key("public action not kept", color=PROMISE, marker="x", lw=0, mew=2),
        _key("good news", color=GOOD, linestyle=":", lw=1.5),
        _key("setback", color=BAD, linestyle=":", lw=1.5),
    ]
    fig.legend(handles=keys, loc="outside lower center", ncols=5, fontsize=10, frameon=False)
    for ax in (events_ax, trust_ax, firms_ax):
        ax.tick_params(labelsize=11)
    fig.draw_without_rendering()  # the layout, so that text sizes in data units are known
    rows = max(2, _arrange_labels(events_ax, labels))
    events_ax.set_ylim(0, 2 + rows)  # give the months free of labels to the curves
    events_ax.get_subplotspec().get_gridspec().set_height_ratios((0.25 * (2 + rows), 2.3, 1.3))
    fig.draw_without_rendering()
    for ax in (trust_ax, firms_ax):
        _spread_apart(ax, [end for axes, end in ends if axes is ax])
    for text, start, end in (item for group in phase_labels for item in group):
        text.set_visible(_width(text) < end - start)
    return fig


def _strong_ties(ax: Axes, series: pd.DataFrame) -> None:
    """Shade the strong ties behind the trust curves, named inside (the right edge is taken)."""
    draw_strong_ties(ax, series, right_axis=False)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()  # the curves are named at their ends
    peak = int(series["strong_ties"].max())
    ax.annotate(
        f"shaded: strong ties (pairs at mutual trust ≥ {STRONG_TIE:g}), up to {peak}",
        (0.01, 0.03),
        xycoords="axes fraction",
        va="bottom",
        fontsize=10,
        color="#666666",
    )


def _shade_phases(ax: Axes, series: pd.DataFrame, label: bool) -> list[tuple[Text, float, float]]:
    """Shade each phase's months behind the data; return its name labels and their spans."""
    total = float(series["month"].max())
    labels = []
    for _, run in series.groupby((series["phase"] != series["phase"].shift()).cumsum()):
        phase = run["phase"].iloc[0]
        start, end = max(run["month"].min() - 0.5, 0.0), min(run["month"].max() + 0.5, total)
        if phase in PHASE_SHADE:
            ax.axvspan(start, end, color=PHASE_SHADE[phase], zorder=0, linewidth=0)
        if label:
            name = PHASE_NAMES.get(phase, phase)
            at = ax.get_xaxis_transform()  # x in months, y in axes fraction
            labels.append(
                (ax.text((start + end) / 2, 0.97, name, transform=at, **PHASE_TEXT), start, end)
            )
    return labels


def _draw_events(ax: Axes, panels: tuple[Axes, ...], story: Story) -> list[tuple[list, Text]]:
    """Mark key events across the panels and fill the events strip; return the event labels.

    The strip has two lanes at the bottom: pilots (bars up for successes, down for failures,
    their height the month's count) and broken public promises; above them, rows of labels.
    """
    ax.set_ylim(0, 2 + LABEL_ROWS)
    ax.set_yticks([0.5, 1.5], ["pilots", "promises"], fontsize=10)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.axhline(2, color="#bbbbbb", linewidth=0.6)
    ended = [(m, "succeeded" in t) for m, t in story.events if re.search(r"pilot (succ|fail)", t)]
    pilots = Counter(ended)
    most = max(pilots.values(), default=1)
    for (month, ok), k in pilots.items():
        height = 0.45 * k / most * (1 if ok else -1)
        ax.bar(month - 0.5, height, bottom=0.5, width=0.8, color=GOOD if ok else BAD, linewidth=0)
    broken = sorted({m - 0.5 for m, t in story.events if "did not carry out" in t})
    ax.plot(broken, [1.5] * len(broken), "x", ms=7, mew=2, color=PROMISE)
    labels = []
    for months, label, colour in key_events(story.events, _window(story)):
        xs = [m - 0.5 for m in months]
        for panel, x in itertools.product((ax, *panels), xs):
            style = "--" if colour == NEUTRAL else ":"
            panel.axvline(x, color=colour, linestyle=style, linewidth=1.3, alpha=0.8, zorder=1)
        text = ax.text(xs[0], 2.5, f" {label}", color=colour, **EVENT_TEXT)
        text.set_in_layout(False)
        labels.append((xs, text))
    return labels


def _window(story: Story) -> int:
    """Months within which events of one kind share a label: a twelfth of the run, or 2."""
    return max(2, story.parameters.total_months // 12)


def _width(text: Text) -> float:
    """The width of ``text`` in its axes' data units (after a layout pass)."""
    ax = text.axes
    assert ax is not None, "a label drawn on an Axes"
    box = text.get_window_extent(_renderer(ax))
    return box.width * np.diff(ax.get_xlim())[0] / ax.get_window_extent().width


def _renderer(artist: Artist) -> RendererAgg:
    """The Agg renderer of the figure ``artist`` is on (every figure here has an Agg canvas)."""
    figure = artist.get_figure(root=True)
    assert figure is not None, "drawn on a figure"
    return cast(FigureCanvasAgg, figure.canvas).get_renderer()


def _arrange_labels(ax: Axes, labels: list[tuple[list, Text]]) -> int:
    """Put each label in the lowest row where it overlaps no other; return the rows used.

    A label starts at its first event's line, or ends at its last one where that fits better
    (near the right edge), with a dot at that line. A label that fits in no row is
    hidden (its lines stay): in practice four rows hold a 60-month cluster run's events.
    """
    rows: list[list[tuple[float, float]]] = [[] for _ in range(LABEL_ROWS)]
    right_end = ax.get_xlim()[1]
    for xs, text in labels:
        width = _width(text)
        spans = [(xs[0], xs[0] + width), (xs[-1] - width, xs[-1])]
        if xs[0] + width > right_end:
            spans.reverse()
        inside = [(a, b) for a, b in spans if a >= 0 and b <= right_end] or spans[:1]
        free = [
            (r, a, b)
            for r in range(LABEL_ROWS)
            for a, b in inside
            if all(b < c or a > d for c, d in rows[r])
        ]
        if not free:
            text.set_visible(False)
            continue
        row, start, end = free[0]
        rows[row].append((start, end))
        text.set_y(2.5 + row)
        if start < xs[0]:  # right-aligned: the label ends at its last line
            text.set_horizontalalignment("right")
            text.set_x(xs[-1])
            text.set_text(text.get_text().strip() + " ")
        ax.plot(text.get_position()[0], 2.5 + row, "o", ms=4, color=text.get_color(), zorder=4)
    return max([r + 1 for r in range(LABEL_ROWS) if rows[r]], default=0)


def _spread_apart(ax: Axes, names: list) -> None:
    """Move the curve names at the panel's right edge apart vertically until none overlap."""
    if not names:
        return
    renderer = _renderer(ax)
    low, high = ax.get_ylim()
    per_px = (high - low) / ax.get_window_extent().height
    gap = max(n.get_window_extent(renderer).height for n in names) * per_px * 1.05
    names = sorted(names, key=lambda n: n.xy[1])
    ys = [names[0].xy[1]]
    for n in names[1:]:
        ys.append(max(n.xy[1], ys[-1] + gap))
    shift = max(0.0, ys[-1] - high) - max(0.0, low + gap / 2 - ys[0])
    for n, y in zip(names, ys, strict=True):
        n.xy = (n.xy[0], y - shift)


# --- the network GIF -------------------------------------------------------------------------
def layout(story: Story) -> np.ndarray:
    """Fixed node positions for every frame, so the eye follows firms rather than the layout.

    Firms that ever share a tie are placed by a seeded spring layout of every tie drawn in
    the run, weighted by its strongest trust, so ties form between firms that sit together;
    a faint pull among all of them keeps small groups from drifting to the edge. Firms that
    never have a tie stand on an outer ring. The whole is stretched to the frame's 16:9.
    """
    n = len(story.size_class)
    strongest: dict[tuple[int, int], float] = {}
    for state in story.months:
        for i, j, w in zip(*state.ties, strict=True):
            strongest[int(i), int(j)] = max(strongest.get((int(i), int(j)), 0.0), float(w))
    tied = np.unique(np.array(list(strongest), dtype=int).reshape(-1, 2))
    graph = nx.Graph()
    if len(tied) <= 400:  # the pull is quadratic in the firms: skip it for huge territories
        graph.add_edges_from(itertools.combinations(tied.tolist(), 2), weight=0.02)
    graph.add_weighted_edges_from((i, j, w) for (i, j), w in strongest.items())
    pos = np.zeros((n, 2))
    if len(tied):
        spring = nx.spring_layout(graph, seed=story.seed % 2**32, iterations=100)
        xy = np.array([spring[i] for i in tied])
        xy -= xy.mean(axis=0)
        pos[tied] = 0.8 * xy / max(np.hypot(*xy.T).max(), 1e-9)
    alone = np.setdiff1d(np.arange(n), tied)
    angle = np.pi / 2 + 2 * np.pi * np.arange(len(alone)) / max(len(alone), 1)
    pos[alone] = np.column_stack([np.cos(angle), np.sin(angle)]) * (1.0 if len(tied) else 0.8)
    return pos * [1.5, 1.0]


def network_frames(story: Story) -> Iterator[Image.Image]:
    """Yield one 1280 x 720 px RGB frame per month, month 0 to the horizon's end.

    Nodes are firms (colour and marker by where they stand, area by size class, a black ring
    for lead firms); edges are mutual trust at or above the threshold, thicker and darker the
    stronger, in blue (both firms take part: the model's strong ties). A strip at the bottom shows
    the phases, the key events and where in the run the frame is. The still parts are drawn
    once and only the changing artists are redrawn on them (blitting), a few times faster.
    """
    fig = Figure(figsize=SLIDE_INCHES, dpi=GIF_DPI)
    canvas = FigureCanvasAgg(fig)
    pos, thr = layout(story), story.tie_threshold
    scale = float(np.clip(np.sqrt(80 / len(pos)), 0.6, 1.8))  # few firms: bigger nodes
    ax = fig.add_axes((0.01, 0.1, 0.63, 0.74))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(-1.62, 1.62)
    ax.set_ylim(-1.08, 1.08)
    edges = LineCollection([], capstyle="round")
    ax.add_collection(edges)
    dots = [
        ax.scatter([], [], c=face, edgecolors=edge, marker=marker, linewidths=0.8)
        for _, face, edge, marker in NODE_KINDS
    ]
    lead = story.is_lead
    ring_size = NODE_AREA[3] * 2.6 * scale
    ring = ax.scatter(
        pos[lead, 0], pos[lead, 1], s=ring_size, fc="none", ec="black", linewidths=1.8
    )
    head = fig.text(0.02, 0.975, "", fontsize=HEAD_SIZE, fontweight="bold", va="top")
    facts = fig.text(0.02, 0.9, "", fontsize=FACTS_SIZE, color="#444444", va="top")
    _legend(fig, thr)
    strip = fig.add_axes((0.05, 0.035, 0.9, 0.045), xlim=(0, story.parameters.total_months))
    strip.set_yticks([])
    strip.tick_params(labelsize=9)
    for text, start, end in _shade_phases(strip, story.series, label=True):
        text.set_y(0.5)
        text.set_verticalalignment("center")
        text.set_visible(_width(text) < end - start)
    for months, _, colour in key_events(story.events, _window(story)):
        for month in months:
            strip.axvline(month - 0.5, color=colour, linestyle=":", linewidth=1.2)
    passed = strip.axvspan(0, 0, ymax=0.22, color="#444444", linewidth=0)
    cursor = strip.axvline(0, color="black", linewidth=2.5)
    changing = [edges, *dots, ring, head, facts, passed, cursor]
    for artist in changing:
        artist.set_animated(True)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    for state in story.months:
        kinds = node_kinds(state.status, state.in_project)
        taking_part = state.status == Status.PARTICIPATING
        for kind, artist in enumerate(dots):
            chosen = kinds == kind
            artist.set_offsets(pos[chosen].reshape(-1, 2))
            artist.set_sizes(NODE_AREA[story.size_class[chosen]] * scale)
        i, j, w = state.ties
        strength = np.clip((w - thr) / max(1.0 - thr, 1e-9), 0.0, 1.0)
        edges.set_segments(np.stack([pos[i], pos[j]], axis=1))  # type: ignore[arg-type]
        edges.set_color(TIE_COLOURS(0.45 + 0.55 * strength))  # type: ignore[arg-type]
        edges.set_linewidth(EDGE_WIDTH[0] + EDGE_WIDTH[1] * strength)  # type: ignore[arg-type]
        head.set_text(caption(story, state.month, int(taking_part.sum()), CAPTION_WIDTH))
        facts.set_y(0.9 if "\n" not in head.get_text() else 0.83)
        facts.set_text(
            f"{PHASE_NAMES.get(state.phase, state.phase)}  ·  {int(taking_part.sum())} taking "
            f"part  ·  {int((kinds == 1).sum())} in joint projects  ·  "
            f"{int((kinds == 3).sum())} dropped out  ·  {len(w)} ties of trust"
        )
        passed.set_width(state.month)
        cursor.set_xdata([state.month, state.month])
        canvas.restore_region(background)
        for artist in changing:
            fig.draw_artist(artist)
        yield Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")


def _legend(fig: Figure, threshold: float) -> None:
    """The key to the network: what colours, markers, sizes and lines stand for."""
    dot = {"lw": 0, "marker": "o", "mec": "none", "mfc": "#777777"}
    handles = [
        _key(label, lw=0, marker=marker, ms=10, mfc=face, mec=face if edge == "white" else edge)
        for label, face, edge, marker in NODE_KINDS
    ]
    handles += [
        _key("lead firm", **dot | {"ms": 13, "mfc": "none", "mec": "black", "mew": 1.8}),
        _key("size: micro …", **dot, ms=5),
        _key("… to large", **dot, ms=12),
        _key(f"strong tie: mutual trust ≥ {threshold:g}", color=TIE_COLOURS(0.5), lw=EDGE_WIDTH[0]),
        _key("… to 1 (darker, thicker)", color=TIE_COLOURS(1.0), lw=sum(EDGE_WIDTH)),
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.66, 0.45),
        fontsize=LEGEND_SIZE,
        frameon=False,
        labelspacing=0.8,
        title="firms and ties of trust",
        title_fontproperties={"size": LEGEND_SIZE + 1, "weight": "bold"},
        alignment="left",
    )


def _key(label: str, **style: Any) -> Line2D:
    """A legend entry: a line or marker drawn nowhere but in the legend."""
    return Line2D([], [], label=label, **style)


def frame_durations(story: Story) -> list[int]:
    """Milliseconds each frame shows: longer where something happened, longest at the end."""
    busy = {m for m, _ in story.events} | {0}
    durations = [EVENT_MS if s.month in busy else QUIET_MS for s in story.months]
    durations[-1] = LAST_MS
    return durations
