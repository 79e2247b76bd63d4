"""What the trainers' page shows of a run: header words, the network, two charts, the events.

Each panel is a pure function of one run (or of runs A and B, overlaid) returning HTML, built
with `pipsim.viz.draw`: no figure is rasterised, so a month's page costs milliseconds and
every word is DOM text a browser test can measure. The Solara side (`pipsim.viz.page`) only
places these strings in a grid sized to the screen.

The network's layout moves a little each month (a few spring-layout iterations from the last
positions), so firms drift together as they come to trust each other instead of jumping
around. The positions are kept on the model itself (attribute ``_viz_layout``): each browser
session has its own model, hence its own layout. In compare mode run B is drawn on run A's
layout, so the same firm sits at the same place in both drawings.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from pipsim.plots.network import NODE_KINDS, STATUS_KINDS, model_ties
from pipsim.plots.run import shown
from pipsim.plots.style import OKABE_ITO
from pipsim.rules.measures import STRONG_TIE
from pipsim.viz import draw

if TYPE_CHECKING:
    from pipsim.model import PIPModel

EVENTS_SHOWN = 12  # the event log shows the last this many events that matter, newest first
TIE_COLOURS = colormaps["YlOrRd"]  # a strong tie: yellow at the threshold, dark red at full trust
PHASE_WORDS = {
    "launch": "launch: the team validates the design with the firms",
    "joint_work": "joint work: pilots and collective projects",
    "close_out": "close-out: the team prepares the groups to go on alone",
    "post_project": "after the project: the agency has left",
}
PHASE_SHORT = {
    "launch": "Launch",
    "joint_work": "Joint work",
    "close_out": "Close-out",
    "post_project": "After the project",
}
SPREAD = 0.65  # < 1 spreads the middle of the network drawing out (a radial fisheye)
HUB_PULL = (0.3, 0.04)  # pull to the centre of a firm taking part, of any other firm
LAYOUT_ATTRIBUTE = "_viz_layout"  # where a model keeps its network layout: (month, positions)
NODE_RADIUS = np.array([0.022, 0.028, 0.036, 0.046])  # drawing units, micro .. large firms
RUN_DASH = ("solid", "dashed")  # run A, run B in the overlaid charts
SVG_DASH = ("", "10 7")

# Events that matter in a room, by the words of `pipsim.rules.events`: (pattern, tone).
EVENT_TONES: tuple[tuple[str, str], ...] = (
    (r"formed a collective project|formalised a project|started paying off", "good"),
    (r"pilot succeeded", "good"),
    (r"dissolved|collapsed|failed|closed: its market", "bad"),
    (r"did not carry out an agreed action", "bad"),  # a promise broken
    (r"technician left", "bad"),  # staff leaving
    (r"fell out|conflict", "bad"),
    (r"the agency and its team left", "bad"),
    (r"political crisis|delegated", "bad"),
)


# --- the network ----------------------------------------------------------------------------
def trust_ties(model: PIPModel) -> list[tuple[int, int, float]]:
    """Pairs of firms with a strong tie (mutual trust ≥ `STRONG_TIE`), with that trust."""
    i, j, w = model_ties(model)
    return [(int(a), int(b), float(s)) for a, b, s in zip(i, j, w, strict=True)]


def network_positions(model: PIPModel) -> dict[int, np.ndarray]:
    """Positions of the firms this month, relaxed from last month's (stable between renders).

    Ties pull firms together, and a hidden hub pulls every firm towards the centre, the firms
    taking part much harder: joining the project and building trust both show as movement.
    """
    month = model.steps
    kept = getattr(model, LAYOUT_ATTRIBUTE, None)
    if kept is not None and kept[0] == month:
        return kept[1]
    graph = nx.Graph()
    graph.add_nodes_from(range(model.n))
    graph.add_weighted_edges_from(trust_ties(model))
    hub = model.n
    pull = np.where(model.participating(), *HUB_PULL)
    graph.add_weighted_edges_from((hub, i, float(pull[i])) for i in range(model.n))
    start, iterations = (None, 60) if kept is None else (kept[1], 6)
    positions = nx.spring_layout(graph, pos=start, iterations=iterations, seed=7, weight="weight")
    setattr(model, LAYOUT_ATTRIBUTE, (month, positions))
    return positions


def _pulled_in(xy: np.ndarray) -> np.ndarray:
    """Positions for drawing: stragglers brought in to the edge, the crowded middle spread out."""
    centred = xy - np.median(xy, axis=0)
    radius = np.linalg.norm(centred, axis=1)
    edge = max(1.05 * float(np.quantile(radius, 0.92)), 1e-9) if len(xy) > 1 else 1.0
    relative = np.minimum(radius / edge, 1.0)
    scale = relative**SPREAD / np.maximum(relative, 1e-9)
    return centred / edge * scale[:, None]


def network_html(model: PIPModel, layout_of: PIPModel | None = None) -> str:
    """The firms and their strong ties, thick and coloured by strength, as an SVG.

    Colour tells participation, size the firm's size class, a black ring a lead firm; only
    strong ties are drawn (weaker ones make a hairball by the ninth month).

    Args:
        model: the run to draw.
        layout_of: the run whose layout to use (run A for run B in compare mode).
    """
    positions = network_positions(layout_of or model)
    xy = _pulled_in(np.array([positions[i] for i in range(model.n)]))
    ties = trust_ties(model)
    shade = [(s - STRONG_TIE) / (1 - STRONG_TIE) for _, _, s in ties]
    faces = {status: NODE_KINDS[kind][1] for status, kind in STATUS_KINDS.items()}
    colours = [faces.get(s, "#e4e4e4") for s in model.status]
    return draw.network_svg(
        xy,
        ties,
        [to_hex(TIE_COLOURS(0.3 + 0.7 * t)) for t in shade],
        [3.0 + 7.0 * t for t in shade],
        colours,
        np.take(NODE_RADIUS, model.size_class),
        list(model.is_lead),
    )


def network_legend() -> str:
    """The network's key: what the dots' colours and the lines mean."""
    entries = [(NODE_KINDS[k][0], NODE_KINDS[k][1], "solid") for k in STATUS_KINDS.values()]
    entries.append((f"strong tie (trust ≥ {STRONG_TIE:g})", to_hex(TIE_COLOURS(0.5)), "solid"))
    return draw.legend(entries)


# --- the monthly series ---------------------------------------------------------------------
def _series(model: PIPModel) -> pd.DataFrame:
    """The run's monthly series so far (needs ``time_series=True``)."""
    return model.datacollector.get_model_vars_dataframe()


def trust_chart_html(runs: Sequence[PIPModel]) -> str:
    """Partners' trust (line, left axis) and strong ties (shaded, right axis), runs overlaid."""
    first = runs[0]
    frames = [_series(run) for run in runs]
    ties_top = max(5.0, *(1.15 * float(f["strong_ties"].max()) for f in frames))
    lines = []
    for k, frame in enumerate(frames):
        lines.append(draw.Line(frame["strong_ties"].tolist(), "#999999", area=True, right=True))
        partners = shown(frame, "trust_partners").tolist()
        lines.append(draw.Line(partners, OKABE_ITO["blue"], 5.0, SVG_DASH[k]))
    return draw.line_chart(
        lines,
        max(r.p.total_months for r in runs),
        1.0,
        right_max=ties_top,
        now=first.steps,
        project_end=first.p.project_months,
    )


def trust_legend(runs: Sequence[PIPModel]) -> str:
    """The trust chart's key (with A and B told apart in compare mode)."""
    entries = [("partners' trust (left)", OKABE_ITO["blue"], "solid")]
    entries.append(("strong ties (right)", "#bbbbbb", "solid"))
    if len(runs) > 1:
        entries += [("run A", "#333", RUN_DASH[0]), ("run B", "#333", RUN_DASH[1])]
    return draw.legend(entries)


PARTICIPATION_LINES = (  # column, label, colour
    ("participants", "taking part", OKABE_ITO["blue"]),
    ("firms_in_joint_projects", "in joint projects", OKABE_ITO["bluish_green"]),
    ("dropouts", "out now", OKABE_ITO["vermillion"]),
)


def participation_chart_html(runs: Sequence[PIPModel]) -> str:
    """Firms taking part, in joint projects and out now, with the log frame's targets."""
    p = runs[0].p
    frames = [_series(run) for run in runs]
    peak = max(float(f["participants"].max()) for f in frames)
    top = max(p.target_participants * 1.2, 1.1 * peak, 5.0)
    lines = [
        draw.Line(frame[column].tolist(), colour, 4.0, SVG_DASH[k])
        for k, frame in enumerate(frames)
        for column, _, colour in PARTICIPATION_LINES
    ]
    return draw.line_chart(
        lines,
        max(r.p.total_months for r in runs),
        top,
        now=runs[0].steps,
        project_end=p.project_months,
        targets=(p.target_participants, p.target_firms_in_joint_projects),
    )


def participation_legend(runs: Sequence[PIPModel]) -> str:
    """The participation chart's key; dotted lines are the log frame's targets."""
    entries = [(label, colour, "solid") for _, label, colour in PARTICIPATION_LINES]
    entries.append(("target", "#777", "dotted"))
    if len(runs) > 1:
        entries += [("run A", "#333", RUN_DASH[0]), ("run B", "#333", RUN_DASH[1])]
    return draw.legend(entries)


# --- words ----------------------------------------------------------------------------------
def status_line(model: PIPModel) -> str:
    """Where the run stands, in plain words: month, phase and firms taking part."""
    p = model.p
    return (
        f"Month {model.steps} of {p.total_months} · {PHASE_WORDS[model.phase]} · "
        f"{int(model.participating().sum())} of {model.n} firms taking part"
    )


def header_html(model: PIPModel) -> str:
    """The large header: the month and the phase, then firms taking part."""
    p = model.p
    return (
        f'<span class="pipsim-status"><span class="pv-month">Month {model.steps} of '
        f'{p.total_months}</span> <span class="pv-phase">· '
        f"{html.escape(PHASE_SHORT[model.phase])}</span></span>"
        f'<span class="pv-count">{int(model.participating().sum())} of {model.n} firms '
        "taking part</span>"
    )


def settings_line(model: PIPModel) -> str:
    """The settings this run was started with (what the settings panel changes)."""
    p = model.p
    return (
        f"{p.typology.replace('_', ' ')} · project {p.project_months} months · "
        f"staff turnover {p.staff_turnover:.0%} a year · public commitment "
        f"{p.public_commitment:.0%} · initial trust {p.initial_trust:.2f} · "
        f"seed {model_seed(model)}"
    )


def model_seed(model: PIPModel) -> int | str:
    """The seed the run was started with, or '?' if unknown."""
    seed = getattr(model, "seed", getattr(model, "_seed", None))
    return "?" if seed is None else seed


def event_tone(text: str) -> str | None:
    """``"good"`` or ``"bad"`` for an event that matters in a room, ``None`` for the rest."""
    for pattern, tone in EVENT_TONES:
        if re.search(pattern, text):
            return tone
    return None


def recent_events(model: PIPModel, count: int = EVENTS_SHOWN) -> list[tuple[int, str, str]]:
    """The last ``count`` events that matter, newest first, with their tone."""
    out: list[tuple[int, str, str]] = []
    for month, text in reversed(model.event_log):
        tone = event_tone(text)
        if tone is not None:
            out.append((month, text, tone))
            if len(out) == count:
                break
    return out


def event_log_html(model: PIPModel, count: int = EVENTS_SHOWN) -> str:
    """The events that matter as an HTML list, newest first, green good and red bad."""
    events = recent_events(model, count)
    if not events:
        return (
            '<p class="pipsim-empty">Nothing notable yet: press <b>Step</b> or <b>▶</b> '
            "to let the months pass.</p>"
        )
    items = "".join(
        f'<li class="pv-{tone}"><b>Month {month}</b> · {html.escape(text)}</li>'
        for month, text, tone in events
    )
    return f'<ul class="pipsim-events">{items}</ul>'
