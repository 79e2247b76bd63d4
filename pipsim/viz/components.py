"""What the trainers' page draws for one run: the trust network, two charts and the event log.

The figures are pure functions of a model (``network_figure``, ``trust_figure``,
``participation_figure``) built with `matplotlib.figure.Figure`, never ``pyplot``, so they hold
no global state and can be tested without a browser. ``run_panels`` wraps them, with the
status line and the event log, as the Solara components SolaraViz lays out; SolaraViz
re-renders them after every step.

The network's layout moves a little each month (a few spring-layout iterations from the last
positions), so firms drift together as they come to trust each other instead of jumping
around. The positions are kept on the model itself (attribute ``_viz_layout``): each browser
session has its own model, hence its own layout, and nothing is shared between sessions.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from pipsim.plots.network import NODE_AREA, NODE_KINDS, STATUS_KINDS, model_ties
from pipsim.plots.run import mark_project_end, plot_participation, plot_trust
from pipsim.plots.style import OKABE_ITO
from pipsim.rules.measures import STRONG_TIE

if TYPE_CHECKING:
    from pipsim.model import PIPModel

EVENTS_SHOWN = 12  # the event log shows the last this many events, newest first
TIE_COLOURS = colormaps["Blues"]  # a strong tie, light at the threshold, dark at full trust
PHASE_WORDS = {
    "launch": "launch: the team validates the design with the firms",
    "joint_work": "joint work: pilots and collective projects",
    "close_out": "close-out: the team prepares the groups to go on alone",
    "post_project": "after the project: the agency has left",
}
SPREAD = 0.65  # < 1 spreads the middle of the network drawing out (a radial fisheye)
HUB_PULL = (0.3, 0.04)  # pull to the centre of a firm taking part, of any other firm
NETWORK_SIZE = (5.8, 5.4)  # inches; nearly square, as the network is round
CHART_SIZE = (6.4, 4.6)
FONT = 12
LAYOUT_ATTRIBUTE = "_viz_layout"  # where a model keeps its network layout: (month, positions)
DPI = 100


# --- the network ----------------------------------------------------------------------------
def trust_ties(model: PIPModel) -> list[tuple[int, int, float]]:
    """Pairs of firms with a strong tie (mutual trust ≥ `STRONG_TIE`), with that trust.

    The rule the story's GIF follows too (`pipsim.plots.network.trust_ties`).
    """
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


def network_figure(model: PIPModel, title: str | None = None) -> Figure:
    """Draw the firms and the ties of mutual trust among them, as they stand this month.

    Colour tells participation (taking part, outside, dropped out), size tells the firm's size
    class, a black ring marks a lead firm; a line joins two firms that trust each other at
    least `STRONG_TIE` (a strong tie, see `trust_ties`; weaker ties are left out, or the
    network is a hairball by the ninth month), thicker and darker the stronger.

    Args:
        model: the run to draw.
        title: the figure's title ("Who trusts whom" if omitted).

    Returns:
        The Figure.
    """
    xy = _pulled_in(np.array([network_positions(model)[i] for i in range(model.n)]))
    fig = Figure(figsize=NETWORK_SIZE)
    ax = fig.add_axes((0.01, 0.2, 0.98, 0.73))  # fixed margins: much faster than a layout engine
    ties = trust_ties(model)
    if ties:
        strength = np.array([s for _, _, s in ties])
        shade = (strength - STRONG_TIE) / (1 - STRONG_TIE)  # 0 at the threshold, 1 at full trust
        ax.add_collection(
            LineCollection(
                [(xy[a], xy[b]) for a, b, _ in ties],
                colors=TIE_COLOURS(0.35 + 0.65 * shade),
                linewidths=2.0 + 4.0 * shade,
                alpha=0.85,
                zorder=1,
            )
        )
    area = np.take(NODE_AREA, model.size_class)
    for status, kind in STATUS_KINDS.items():
        _, face, edge, marker = NODE_KINDS[kind]
        mask = model.status == status
        ax.scatter(
            xy[mask, 0], xy[mask, 1], s=area[mask], c=face, edgecolors=edge, marker=marker, zorder=2
        )
    lead = model.is_lead
    ax.scatter(
        xy[lead, 0],
        xy[lead, 1],
        s=area[lead] * 2.2,
        facecolors="none",
        edgecolors=OKABE_ITO["black"],
        linewidths=2.0,
        zorder=3,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    reach = 1.04 * max(float(np.abs(xy).max()), 1e-9)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal", adjustable="box")
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title or "Who trusts whom", fontsize=FONT + 2, loc="left")
    fig.text(
        0.98, 0.01, "a bigger dot is a bigger firm", ha="right", fontsize=FONT - 2, color="#555"
    )
    ax.legend(
        handles=_network_legend(model),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=2,
        frameon=False,
        fontsize=FONT - 1,
        handlelength=1.6,
        columnspacing=1.2,
    )
    return fig


def _pulled_in(xy: np.ndarray) -> np.ndarray:
    """Positions for drawing: stragglers brought in to the edge, the crowded middle spread out.

    A few lone firms far out would otherwise set the scale and shrink the network to a knot
    in the middle: distances from the centre are capped, then spread (``r ** SPREAD``).
    """
    centred = xy - np.median(xy, axis=0)
    radius = np.linalg.norm(centred, axis=1)
    edge = max(1.05 * float(np.quantile(radius, 0.92)), 1e-9) if len(xy) > 1 else 1.0
    relative = np.minimum(radius / edge, 1.0)
    scale = relative**SPREAD / np.maximum(relative, 1e-9)
    return centred / edge * scale[:, None]


def _network_legend(model: PIPModel) -> list[Line2D]:
    """Legend entries: the three statuses, the lead-firm ring, weak and strong ties."""
    handles = [
        Line2D([], [], color=face, label=label, marker=marker, linestyle="", markersize=9, mec=edge)
        for label, face, edge, marker in (NODE_KINDS[k] for k in STATUS_KINDS.values())
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=12,
            markerfacecolor="none",
            markeredgecolor=OKABE_ITO["black"],
            markeredgewidth=2,
            label="lead firm",
        ),
        Line2D(
            [], [], color=TIE_COLOURS(0.35), linewidth=2.0, label=f"strong tie (≥ {STRONG_TIE:g})"
        ),
        Line2D([], [], color=TIE_COLOURS(1.0), linewidth=6.0, label="… full mutual trust"),
    ]
    return handles


# --- the monthly series ---------------------------------------------------------------------
def trust_figure(model: PIPModel) -> Figure:
    """Trust of the four kinds over the months so far, on the whole run's time axis."""
    fig = _chart()
    ax = plot_trust(_series(model), fig.subplots())
    ax.set_title("")
    ax.set_title("Trust, among the firms taking part", fontsize=FONT + 2, loc="left")
    _finish_chart(ax, model)
    return fig


def participation_figure(model: PIPModel) -> Figure:
    """Participants, firms in joint projects and dropouts so far, with the log frame targets."""
    p = model.p
    series = _series(model)
    fig = _chart()
    ax = plot_participation(series, fig.subplots())
    ax.set_title("")
    top = max(p.target_participants * 1.25, 1.1 * series["participants"].max(), 5)
    ax.set_ylim(0, top)
    for target, label in (
        (p.target_participants, "target: participants"),
        (p.target_firms_in_joint_projects, "target: firms in joint projects"),
    ):
        ax.axhline(target, color="#888888", linestyle=(0, (1, 2)), linewidth=1.2)
        ax.annotate(
            label,
            xy=(0.99, target),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=FONT - 2,
            color="#555555",
        )
    ax.set_title("Firms taking part and working together", fontsize=FONT + 2, loc="left")
    _finish_chart(ax, model)
    return fig


def _chart() -> Figure:
    """An empty chart figure with room for the title above and the legend below."""
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.92, bottom=0.26)
    return fig


def _series(model: PIPModel) -> pd.DataFrame:
    """The run's monthly series so far (needs ``time_series=True``)."""
    return model.datacollector.get_model_vars_dataframe()


def _finish_chart(ax: Axes, model: PIPModel) -> None:
    """The whole run on the time axis, the project's end marked, the legend under the chart."""
    ax.set_xlim(0, model.p.total_months)
    mark_project_end(ax, model.p.project_months)
    ax.axvline(model.steps, color=OKABE_ITO["black"], linewidth=0.8, alpha=0.4)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False, fontsize=FONT - 1
    )
    ax.xaxis.label.set_fontsize(FONT)
    ax.yaxis.label.set_fontsize(FONT)
    ax.tick_params(labelsize=FONT - 1)


# --- words ----------------------------------------------------------------------------------
def status_line(model: PIPModel) -> str:
    """Where the run stands, in plain words: month, phase and firms taking part."""
    p = model.p
    return (
        f"Month {model.steps} of {p.total_months} · {PHASE_WORDS[model.phase]} · "
        f"{int(model.participating().sum())} of {model.n} firms taking part"
    )


def settings_line(model: PIPModel) -> str:
    """The settings this run was started with (what the sidebar's controls change)."""
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


def recent_events(model: PIPModel, count: int = EVENTS_SHOWN) -> list[tuple[int, str]]:
    """The last ``count`` events of the run's log, newest first."""
    return list(reversed(model.event_log[-count:]))


def event_log_html(model: PIPModel, count: int = EVENTS_SHOWN) -> str:
    """The recent events as an HTML list, newest first (a line saying so when there are none)."""
    events = recent_events(model, count)
    if not events:
        return (
            '<p class="pipsim-empty">Nothing notable yet: press <b>Step</b> or <b>▶</b> '
            "to let the months pass.</p>"
        )
    items = "".join(
        f"<li><b>Month {month}</b> · {html.escape(text)}</li>" for month, text in events
    )
    return f'<ul class="pipsim-events">{items}</ul>'


def figure_html(fig: Figure, max_height: int) -> str:
    """A figure as an inline PNG image, shrunk to fit ``max_height`` pixels (no extra request)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="" '
        f'style="display:block; margin:0 auto; max-width:100%; max-height:{max_height}px">'
    )


# --- Solara components ----------------------------------------------------------------------
def run_panels(
    get_run: Callable[[Any], PIPModel],
    heights: Sequence[int],
    heading: Callable[[Any], str] | None = None,
) -> list[Callable[[Any], Any]]:
    """The four panels of one run, as functions of the page's model for SolaraViz.

    Args:
        get_run: picks the run to show out of the page's model (the model itself for one run).
        heights: the height in pixels of the grid cell of each panel, in the order returned.
        heading: a heading above the network (e.g. "Run A: your settings"), if any.

    Returns:
        The network (with the status line), the trust chart, the participation chart and the
        event log, in that order.
    """
    import solara

    network_h, trust_h, participation_h, _ = heights
    text_room = 70 if heading is None else 110  # status line (and heading) above the network

    def network(model: Any) -> Any:
        run = get_run(model)
        with solara.Column(gap="2px", style={"padding": "4px 10px"}) as panel:
            if heading is not None:
                words = html.escape(heading(model))
                solara.HTML(tag="div", unsafe_innerHTML=words, classes=["pipsim-heading"])
            solara.HTML(
                tag="div", unsafe_innerHTML=html.escape(status_line(run)), classes=["pipsim-status"]
            )
            solara.HTML(
                tag="div", unsafe_innerHTML=figure_html(network_figure(run), network_h - text_room)
            )
        return panel

    def trust_chart(model: Any) -> Any:
        run = get_run(model)
        return solara.HTML(tag="div", unsafe_innerHTML=figure_html(trust_figure(run), trust_h - 16))

    def participation_chart(model: Any) -> Any:
        run = get_run(model)
        return solara.HTML(
            tag="div",
            unsafe_innerHTML=figure_html(participation_figure(run), participation_h - 16),
        )

    def event_log(model: Any) -> Any:
        run = get_run(model)
        with solara.Column(gap="4px", style={"padding": "4px 14px"}) as panel:
            solara.HTML(
                tag="div",
                unsafe_innerHTML="What happened (newest first)",
                classes=["pipsim-heading"],
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(f"This run: {settings_line(run)}"),
                classes=["pipsim-settings"],
            )
            solara.HTML(tag="div", unsafe_innerHTML=event_log_html(run))
        return panel

    return [network, trust_chart, participation_chart, event_log]
