"""The designer's what-if page: P(meeting the whole log frame) against project length.

A designer enters their project (typology, firms, initial trust from the baseline survey,
staff turnover, the ministry's record, the length they plan) and sees the chance of meeting
every log frame target at lengths around it, with Wilson 95% bands, read with the duration
analysis (`pipsim.analysis.duration.success_by_length`, `shortest_length`) and the binding
target at the planned length (`pipsim.analysis.levers`). Runs are few (``replications`` per
length, 40 by default: about a second for six lengths on this machine) so the answer comes in
seconds; the bands say how rough it is, and a progress line shows the lengths done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import solara

from pipsim.analysis import duration, levers
from pipsim.parameters import FIELDS, Parameters
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import block
from pipsim.viz import draw
from pipsim.viz.page import CSS

LENGTHS = (12, 24, 36, 48, 60, 72, 96)  # months with the agency, the page's x axis
REPLICATIONS = 40
TARGET = 0.8  # the chance a designer usually asks for
SEED = 1
DEFAULTS = Parameters()


def settings_parameters(settings: dict[str, Any], months: int) -> Parameters:
    """The model's parameters of the designer's settings at ``months`` (checked)."""
    return Parameters(**{**settings, "project_months": months})


def success_runs(
    settings: dict[str, Any],
    lengths: tuple[int, ...] = LENGTHS,
    replications: int = REPLICATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per run at each length (the same seed at every length: common random numbers)."""
    tables = []
    for k, months in enumerate(lengths, start=1):
        settings_parameters(settings, months)  # a ValueError names a bad setting
        runs, _ = block.run_block({**settings, "project_months": months}, SEED, replications)
        tables.append(runs.assign(project_months=months))
        if progress is not None:
            progress(k, len(lengths))
    return pd.concat(tables, ignore_index=True)


def answer_words(runs: pd.DataFrame, settings: dict[str, Any], planned: int, target: float) -> str:
    """The answer in words: the chance at the planned length, the binding target, the shortest."""
    table = duration.success_by_length(runs)
    row = table.loc[(table[duration.AXIS] - planned).abs().idxmin()]
    at = int(row[duration.AXIS])
    words = (
        f"At {at} months the chance of meeting the whole log frame is "
        f"{levers.percent(row.probability)} (95% interval {levers.span(row.lower, row.upper)}, "
        f"{int(row.runs)} runs)."
    )
    targets = levers.target_table(
        runs[runs[duration.AXIS] == at], settings_parameters(settings, at)
    )
    words += " " + levers.binding_sentence(targets)
    shortest = duration.shortest_length(
        table[duration.AXIS].to_numpy(), table["probability"].to_numpy()[None, :], target
    )[0]
    if np.isfinite(shortest):
        words += f" The shortest length reaching {target:.0%} is {int(shortest)} months."
    else:
        words += f" No length up to {int(table[duration.AXIS].max())} months reaches {target:.0%}."
    return words


def chart_html(runs: pd.DataFrame, planned: int, target: float) -> str:
    """P(success) against length with its band, the target and the planned length marked."""
    table = duration.success_by_length(runs)
    top = int(table[duration.AXIS].max())
    values, low, high = (np.full(top + 1, np.nan) for _ in range(3))
    at = table[duration.AXIS].to_numpy()
    values[at], low[at], high[at] = table["probability"], table["lower"], table["upper"]
    line = draw.Line(values.tolist(), OKABE_ITO["blue"], 5.0, band=(low.tolist(), high.tolist()))
    return draw.line_chart([line], top, 1.0, now=planned, targets=(target,))


TYPOLOGIES = list(FIELDS["typology"].metadata["choices"])


@solara.component
def DesignerPage() -> None:
    """Inputs on the left; the chance against length, and the answer in words, on the right."""
    typology = solara.use_reactive(DEFAULTS.typology)
    firms = solara.use_reactive(DEFAULTS.n_enterprises)
    trust = solara.use_reactive(DEFAULTS.initial_trust)
    turnover = solara.use_reactive(DEFAULTS.staff_turnover)
    ministry = solara.use_reactive(DEFAULTS.public_commitment)
    planned = solara.use_reactive(36)
    replications = solara.use_reactive(REPLICATIONS)
    progress = solara.use_reactive("")
    result: solara.Reactive[tuple[str, str] | None] = solara.use_reactive(None)
    asked = solara.use_reactive(0)

    def compute() -> None:
        if asked.value == 0:
            return
        settings = {
            "typology": typology.value,
            "n_enterprises": firms.value,
            "initial_trust": trust.value,
            "staff_turnover": turnover.value,
            "public_commitment": ministry.value,
        }
        total = len(LENGTHS) * replications.value
        progress.set(f"Running {total} runs…")

        def tell(done: int, of: int) -> None:
            progress.set(f"Running: {done} of {of} lengths done ({done * replications.value} runs)")

        try:
            runs = success_runs(settings, LENGTHS, replications.value, tell)
            words = answer_words(runs, settings, planned.value, TARGET)
            result.set((chart_html(runs, planned.value, TARGET), words))
            progress.set(f"Done: {total} runs.")
        except ValueError as error:
            progress.set(f"Cannot run these settings: {error}")

    solara.use_thread(compute, dependencies=[asked.value])
    solara.Style(CSS + DESIGNER_CSS)
    with solara.Div(classes=["pv-page", "pv-designer"]):
        with solara.Row(classes=["pv-header"]):
            solara.HTML(
                tag="div",
                unsafe_innerHTML='<span class="pv-month">What if? How long must the project be'
                "</span>",
                classes=["pv-title"],
            )
            solara.Button("Compute", color="primary", on_click=lambda: asked.set(asked.value + 1))
        with solara.Div(classes=["pv-grid", "pv-design-grid"]):
            with solara.Column(classes=["pv-panel", "pv-inputs"]):
                solara.Select("Type of project", value=typology, values=TYPOLOGIES)
                solara.SliderInt("Firms in the territory", value=firms, min=20, max=300)
                solara.SliderFloat(
                    "Initial trust (baseline survey)", value=trust, min=0, max=1, step=0.05
                )
                solara.SliderFloat(
                    "Staff turnover a year", value=turnover, min=0, max=0.6, step=0.05
                )
                solara.SliderFloat(
                    "Ministry keeps its promises", value=ministry, min=0, max=1, step=0.05
                )
                solara.SliderInt("Planned length (months)", value=planned, min=12, max=96, step=6)
                solara.SliderInt("Runs per length", value=replications, min=10, max=200, step=10)
            with solara.Column(classes=["pv-panel"]):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML="Chance of meeting the whole log frame, by length (months)",
                    classes=["pv-panel-title"],
                )
                solara.HTML(tag="div", unsafe_innerHTML=progress.value, classes=["pv-progress"])
                if result.value is not None:
                    chart, words = result.value
                    solara.HTML(tag="div", unsafe_innerHTML=words, classes=["pv-answer"])
                    with solara.Column(classes=["pv-body"]):
                        solara.HTML(tag="div", unsafe_innerHTML=chart)
                else:
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML="Set your project on the left and press <b>Compute</b>.",
                    )


DESIGNER_CSS = """
.pv-design-grid { grid-template-columns: 420px minmax(0, 1fr); }
.pv-inputs, .pv-inputs * { font-size: 18px !important; }
.pv-inputs { overflow-y: auto; }
.pv-progress { font-size: 18px; color: #555; }
.pv-answer { font-size: 20px; }
"""
