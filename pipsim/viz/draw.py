"""Charts and the network as HTML and SVG strings: fast to build, text that is real DOM text.

Why not matplotlib here: a PNG per chart per month cost ~0.3 s a run (a second in compare
mode), and its text was baked into pixels that shrank with the panel. These drawings are
strings built in a few milliseconds. The data lines are an SVG stretched to its panel
(``preserveAspectRatio="none"``, strokes kept at their pixel width), and every word, tick
label included, is an HTML element with a CSS font size (``.pv-tick``, 18 px or more), so it
stays readable whatever the panel's size and a browser test can measure it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

VIEW = 1000.0  # the stretched SVG's user units across and down


@dataclass(frozen=True, slots=True)
class Line:
    """One series of a chart: y values at months 0, 1, ...; ``dash`` for run B."""

    values: Sequence[float]
    colour: str
    width: float = 4.0
    dash: str = ""
    area: bool = False  # filled down to zero (strong ties behind trust)
    right: bool = False  # on the right axis
    band: tuple[Sequence[float], Sequence[float]] | None = None  # (low, high): shaded between


def _ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to ``top``."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** np.floor(np.log10(raw))
    step = min((s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw), default=raw)
    return [float(v) for v in np.arange(0, top + 1e-9, step)]


def _label(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _points(values: Sequence[float], x_max: float, y_max: float) -> str:
    ys = np.asarray(values, dtype=float)
    xs = np.arange(len(ys)) / max(x_max, 1) * VIEW
    ok = np.isfinite(ys)
    yy = VIEW - np.clip(ys, 0, y_max) / max(y_max, 1e-9) * VIEW
    return " ".join(f"{x:.1f},{y:.1f}" for x, y, k in zip(xs, yy, ok, strict=True) if k)


def _svg_line(line: Line, x_max: float, y_max: float) -> str:
    points = _points(line.values, x_max, y_max)
    if not points:
        return ""
    if line.band is not None:
        low, high = (_points(v, x_max, y_max).split(" ") for v in line.band)
        shade = " ".join(high + low[::-1])
        band = f'<polygon points="{shade}" fill="{line.colour}" fill-opacity="0.2" stroke="none"/>'
        return band + _svg_line(Line(line.values, line.colour, line.width, line.dash), x_max, y_max)
    if line.area:
        last_x = points.rsplit(" ", 1)[-1].split(",")[0]
        return (
            f'<polygon points="0,{VIEW} {points} {last_x},{VIEW}" fill="{line.colour}" '
            f'fill-opacity="0.22" stroke="none"/>'
        )
    dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
    return (
        f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
        f'stroke-width="{line.width}" vector-effect="non-scaling-stroke"{dash}/>'
    )


def _vertical(month: float, x_max: float, colour: str, dash: str = "") -> str:
    x = month / max(x_max, 1) * VIEW
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{VIEW}" stroke="{colour}" '
        f'stroke-width="2" vector-effect="non-scaling-stroke"{extra}/>'
    )


def _horizontal(value: float, y_max: float, colour: str) -> str:
    y = VIEW - value / max(y_max, 1e-9) * VIEW
    return (
        f'<line x1="0" x2="{VIEW}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
        f'stroke-width="2" stroke-dasharray="2 6" vector-effect="non-scaling-stroke"/>'
    )


def _axis(ticks: Sequence[float], top: float, side: str, colour: str = "#222") -> str:
    spans = "".join(
        f'<span class="pv-tick" style="top:{100 - 100 * t / max(top, 1e-9):.2f}%;'
        f'color:{colour}">{_label(t)}</span>'
        for t in ticks
    )
    return f'<div class="pv-y pv-{side}">{spans}</div>'


def line_chart(
    lines: Sequence[Line],
    x_max: int,
    y_max: float,
    *,
    right_max: float | None = None,
    now: int | None = None,
    project_end: int | None = None,
    targets: Sequence[float] = (),
) -> str:
    """A chart of ``lines`` against the months 0..``x_max`` as HTML (a CSS grid).

    The y axis runs from 0 to ``y_max`` (left) and, for lines marked ``right``, 0 to
    ``right_max`` (right). ``now`` draws this month, ``project_end`` the agency leaving,
    ``targets`` dotted lines at the log frame's targets.
    """
    right_top = right_max if right_max is not None else y_max
    marks = [_horizontal(t, y_max, "#777") for t in targets]
    if project_end is not None:
        marks.append(_vertical(project_end, x_max, "#000", "8 6"))
    if now is not None:
        marks.append(_vertical(now, x_max, "#999"))
    drawn = [_svg_line(ln, x_max, right_top if ln.right else y_max) for ln in lines]
    drawn.sort(key=lambda s: not s.startswith("<polygon"))  # areas behind lines
    svg = (
        f'<svg class="pv-plot" viewBox="0 0 {VIEW:g} {VIEW:g}" preserveAspectRatio="none">'
        f'<rect x="0" y="0" width="{VIEW:g}" height="{VIEW:g}" fill="none" stroke="#bbb" '
        f'vector-effect="non-scaling-stroke"/>{"".join(marks)}{"".join(drawn)}</svg>'
    )
    x_ticks = "".join(
        f'<span class="pv-tick" style="left:{100 * m / max(x_max, 1):.2f}%">{_label(m)}</span>'
        for m in _ticks(x_max, 5)
    )
    right = _axis(_ticks(right_top, 3), right_top, "right", "#666") if right_max else "<div></div>"
    return (
        f'<div class="pv-chart">{_axis(_ticks(y_max), y_max, "left")}{svg}{right}'
        f'<div></div><div class="pv-x">{x_ticks}</div><div></div></div>'
    )


def legend(entries: Sequence[tuple[str, str, str]]) -> str:
    """An HTML legend: (label, colour, CSS border style) per entry."""
    items = "".join(
        f'<span class="pv-key"><i style="border-top:5px {style} {colour}"></i>'
        f"{html.escape(label)}</span>"
        for label, colour, style in entries
    )
    return f'<div class="pv-legend">{items}</div>'


def network_svg(
    xy: np.ndarray,
    ties: Sequence[tuple[int, int, float]],
    tie_colours: Sequence[str],
    tie_widths: Sequence[float],
    node_colours: Sequence[str],
    node_radii: Sequence[float],
    rings: Sequence[bool],
) -> str:
    """The firms (circles) and their strong ties (lines) in a square SVG scaled to its panel.

    ``xy`` lies within [-1, 1]²; widths are in screen pixels, radii in drawing units.
    """
    lines = "".join(
        f'<line x1="{xy[a, 0]:.3f}" y1="{xy[a, 1]:.3f}" x2="{xy[b, 0]:.3f}" y2="{xy[b, 1]:.3f}" '
        f'stroke="{c}" stroke-width="{w:.1f}" stroke-linecap="round" '
        f'vector-effect="non-scaling-stroke"/>'
        for (a, b, _), c, w in zip(ties, tie_colours, tie_widths, strict=True)
    )
    nodes = "".join(
        f'<circle cx="{x:.3f}" cy="{y:.3f}" r="{r:.3f}" fill="{c}" '
        f'stroke="{"#000" if ring else "#fff"}" stroke-width="{3 if ring else 1}" '
        f'vector-effect="non-scaling-stroke"/>'
        for (x, y), c, r, ring in zip(xy, node_colours, node_radii, rings, strict=True)
    )
    return (
        '<svg class="pv-network" viewBox="-1.08 -1.08 2.16 2.16" '
        f'preserveAspectRatio="xMidYMid meet">{lines}{nodes}</svg>'
    )
