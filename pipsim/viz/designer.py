"""The designer's what-if page: P(meeting the whole log frame) against project length.

A designer enters their project (typology, firms, initial trust from the baseline survey,
staff turnover, the ministry's record, the length they plan) and sees the chance of meeting
every log frame target at lengths around it, with Wilson 95% bands, read with the duration
analysis (`pipsim.analysis.duration.success_by_length`, `shortest_length`) and the binding
target at the planned length (`pipsim.analysis.levers`). Runs are few (``replications`` per
length, 40 by default: about a second for six lengths on this machine) so the answer comes in
seconds; the bands say how rough it is, and a progress line shows the lengths done.

A third panel answers "what would make the planned length enough?": the planned length re-run
with each lever a designer controls changed alone (`pipsim.analysis.levers.ask`, as
``pipsim duration --months`` does), each with its setting and P with its Wilson interval. The
inputs start from ``pipsim viz --designer --typology ... --months ... --initial-trust ...``
(`pipsim.viz.presets`). A press runs (lengths + 7 levers) x runs; 1,596 take ~2.2 s on 2
cores (benchmarks/bench_designer.py), so the page says how long only above `SLOW_S`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import solara

from pipsim.analysis import duration, levers, uncertainty
from pipsim.calibration import ensemble
from pipsim.parameters import FIELDS, Parameters
from pipsim.plots.style import OKABE_ITO
from pipsim.sweep import block, design
from pipsim.sweep.scenario import with_ensemble
from pipsim.viz import draw, presets
from pipsim.viz.page import CSS

LENGTHS = (12, 24, 36, 48, 60, 72, 96)  # months with the agency, the page's x axis
REPLICATIONS = 40
TARGET = 0.8  # the chance a designer usually asks for
SEED = 1
DEFAULTS = Parameters()
SECONDS_PER_RUN = 0.0014  # benchmarks/bench_designer.py: 1,596 runs in 2.2 s on 2 cores
SLOW_S = 5.0  # above this, the page says how long a computation takes


def settings_parameters(settings: dict[str, Any], months: int) -> Parameters:
    """The model's parameters of the designer's settings at ``months`` (checked)."""
    return Parameters.from_overrides({**settings, "project_months": months})


def success_runs(
    settings: dict[str, Any],
    lengths: tuple[int, ...] = LENGTHS,
    replications: int = REPLICATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """One row per run at each length, on the seeds `levers.ask` uses there.

    The runs at the planned length are thus the levers table's "as designed" row, run for
    run, and every lever is compared with the chart's point on the same draws.
    """
    scenario = lever_scenario(settings, replications)
    tables = []
    for k, months in enumerate(lengths, start=1):
        settings_parameters(settings, months)  # a ValueError names a bad setting
        for b in levers.lever_blocks(scenario, months):
            runs, _ = block.run_block(b.overrides, b.seed, b.size)
            runs = runs.assign(project_months=months, seed=b.seed, replicate=b.first + runs.place)
            if b.member is not None:  # drawn across the shipped ensemble
                runs["member"] = b.member
            tables.append(runs)
        if progress is not None:
            progress(k, len(lengths))
    return pd.concat(tables, ignore_index=True)


def answer_words(runs: pd.DataFrame, settings: dict[str, Any], planned: int, target: float) -> str:
    """The answer in words: the chance at the planned length, the binding target, the shortest."""
    table = duration.success_by_length(runs)
    row = table.loc[(table[duration.AXIS] - planned).abs().idxmin()]
    at = int(row[duration.AXIS])
    chance = f"{levers.percent(row.probability)} (95% interval {levers.span(row.lower, row.upper)}"
    if np.isfinite(row.get("parameters_lower", np.nan)):  # across the shipped ensemble
        chance = uncertainty.split(runs[runs[duration.AXIS] == at]).sentence()[:-1]
    words = f"At {at} months the chance of meeting the whole log frame is {chance}, "
    words += f"{int(row.runs)} runs)."
    targets = levers.target_table(
        runs[runs[duration.AXIS] == at], settings_parameters(settings, at)
    )
    words += " " + levers.binding_sentence(targets)
    return words + " " + duration.analyse(runs, target).shortest_sentence()


def chart_html(runs: pd.DataFrame, planned: int, target: float) -> str:
    """P(success) against length with its band, the target and the planned length marked."""
    table = duration.success_by_length(runs)
    top = int(table[duration.AXIS].max())
    values, low, high = (np.full(top + 1, np.nan) for _ in range(3))
    at = table[duration.AXIS].to_numpy()
    values[at], low[at], high[at] = table["probability"], table["lower"], table["upper"]
    line = draw.Line(values.tolist(), OKABE_ITO["blue"], 5.0, band=(low.tolist(), high.tolist()))
    return draw.line_chart([line], top, 1.0, now=planned, targets=(target,))


def lever_scenario(settings: dict[str, Any], replications: int) -> design.Scenario:
    """The designer's settings as a scenario sweeping the page's lengths (for `levers.ask`).

    Drawn across the shipped ensemble when pipsim ships one, as ``pipsim duration`` is.
    """
    scenario = design.Scenario(
        name="designer",
        description="the designer's what-if page",
        seed=SEED,
        replications=replications,
        base=dict(settings),
        sweep={levers.AXIS: LENGTHS},
        block_size=max(1, replications),
    )
    if ensemble.shipped() is None:
        return scenario
    return with_ensemble(scenario, ensemble.load())


def lever_answer(
    settings: dict[str, Any],
    planned: int,
    replications: int = REPLICATIONS,
    target: float = TARGET,
    progress: Callable[[int, int], None] | None = None,
) -> levers.DesignerAnswer:
    """The planned length re-run with each lever alone, as `pipsim duration --months` does."""
    return levers.ask(lever_scenario(settings, replications), planned, target, progress)


def levers_html(table: pd.DataFrame, months: int) -> str:
    """The levers' table: each lever, its setting, P(log frame met) with its 95% interval."""
    rows = "".join(
        f"<tr class='{'pv-enough' if r.reaches_target else ''}'><td>{html.escape(r.label)}"
        f"<div class='pv-setting'>{html.escape(_setting(r.lever, str(r.setting)))}</div></td>"
        f"<td class='pv-p'>{levers.percent(r.probability)}"
        f"<div class='pv-setting'>{levers.span(r.lower, r.upper)}</div></td></tr>"
        for r in table.itertuples()
    )
    return (
        f"<table class='pv-levers'><thead><tr><th><div>Lever (alone, at {months} months)</div></th>"
        f"<th><div>P [95%]</div></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def lengths_with(planned: int) -> tuple[int, ...]:
    """The page's lengths and the planned one: the answer is read at the planned length."""
    return tuple(sorted({*LENGTHS, planned}))


def _setting(lever: str, words: str) -> str:
    """A lever's setting as the page says it (the design is the designer's own)."""
    return "your settings, unchanged" if lever == levers.AS_DESIGNED.name else words


def total_runs(replications: int, planned: int = LENGTHS[0]) -> int:
    """Runs one press of Compute makes: every length, then every lever at the planned one."""
    return (len(lengths_with(planned)) + LEVERS) * replications


def compute_all(
    settings: dict[str, Any],
    planned: int,
    replications: int,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[str, str, str]:
    """The page's computation: the chart, the answer in words and the levers' table (HTML)."""

    def lengths_done(done: int, of: int) -> None:
        progress(f"Running: {done} of {of} lengths done ({done * replications} runs)")

    runs = success_runs(settings, lengths_with(planned), replications, lengths_done)
    words = answer_words(runs, settings, planned, TARGET)
    chart = chart_html(runs, planned, TARGET)
    progress(f"Running the levers at {planned} months…")

    def levers_done(done: int, of: int) -> None:
        progress(f"Running the levers: {done + 1} of {of + 1} done")

    answer = lever_answer(settings, planned, replications, TARGET, levers_done)
    return chart, words, levers_html(answer.levers, planned)


def duration_note(replications: int) -> str:
    """How long a press of Compute takes, when it is more than a few seconds."""
    seconds = total_runs(replications) * SECONDS_PER_RUN
    if seconds <= SLOW_S:
        return ""
    return f"{total_runs(replications)} runs take about {seconds:.0f} s."


TYPOLOGIES = list(FIELDS["typology"].metadata["choices"])
LEVERS = 7  # as designed and the six levers of `levers.designer_levers`
PRESETS = presets.from_environment()  # pipsim viz --designer --typology ... --months ...


def typology_firms(typology: str) -> int:
    """The firms a typology's preset has (a vertical network's 30, a cluster's 120)."""
    return Parameters.for_typology(typology).n_enterprises


def _preset(name: str, default: Any) -> Any:
    return PRESETS.get(name, default)


@solara.component
def DesignerPage() -> None:
    """Inputs on the left; the chance against length, and the answer in words, on the right."""
    typology = solara.use_reactive(str(_preset("typology", DEFAULTS.typology)))
    firms = solara.use_reactive(int(_preset("n_enterprises", typology_firms(typology.value))))
    trust = solara.use_reactive(float(_preset("initial_trust", DEFAULTS.initial_trust)))
    turnover = solara.use_reactive(float(_preset("staff_turnover", DEFAULTS.staff_turnover)))
    ministry = solara.use_reactive(float(_preset("public_commitment", DEFAULTS.public_commitment)))
    planned = solara.use_reactive(int(_preset("project_months", 36)))
    replications = solara.use_reactive(REPLICATIONS)
    progress = solara.use_reactive("")
    result: solara.Reactive[tuple[str, str, str] | None] = solara.use_reactive(None)
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
        total = total_runs(replications.value, planned.value)
        progress.set(f"Running {total} runs… {duration_note(replications.value)}")
        try:
            result.set(compute_all(settings, planned.value, replications.value, progress.set))
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
            with solara.Column(gap="0px", classes=["pv-panel", "pv-inputs"]):
                solara.Select(
                    "Type of project",
                    value=typology,
                    values=TYPOLOGIES,
                    on_value=lambda t: firms.set(typology_firms(t)),
                )
                solara.SliderInt("Firms in the territory", value=firms, min=20, max=300)
                solara.SliderFloat(
                    "Initial trust (baseline survey)", value=trust, min=0, max=1, step=0.01
                )
                solara.SliderFloat(
                    "Staff turnover a year", value=turnover, min=0, max=0.6, step=0.01
                )
                solara.SliderFloat(
                    "Ministry keeps its promises", value=ministry, min=0, max=1, step=0.01
                )
                solara.SliderInt("Planned length (months)", value=planned, min=12, max=96)
                solara.SliderInt("Runs per length", value=replications, min=10, max=200, step=10)
                note = duration_note(replications.value)
                if note:
                    solara.HTML(tag="div", unsafe_innerHTML=note, classes=["pv-progress"])
            with solara.Column(gap="2px", classes=["pv-panel"]):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML="Chance of meeting the whole log frame, by length (months)",
                    classes=["pv-panel-title"],
                )
                solara.HTML(tag="div", unsafe_innerHTML=progress.value, classes=["pv-progress"])
                if result.value is not None:
                    chart, words, _ = result.value
                    solara.HTML(tag="div", unsafe_innerHTML=words, classes=["pv-answer"])
                    with solara.Column(classes=["pv-body"]):
                        solara.HTML(tag="div", unsafe_innerHTML=chart)
                else:
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML="Set your project on the left and press <b>Compute</b>.",
                    )
            with solara.Column(gap="2px", classes=["pv-panel", "pv-levers-panel"]):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f"What would make {planned.value} months enough?",
                    classes=["pv-panel-title"],
                )
                if result.value is not None:
                    solara.HTML(tag="div", unsafe_innerHTML=result.value[2])
                else:
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML="Each lever a designer controls, changed alone: "
                        "press <b>Compute</b>.",
                        classes=["pv-answer"],
                    )


DESIGNER_CSS = """
.pv-design-grid { grid-template-columns: 330px minmax(0, 1fr) minmax(0, 1fr); }
.pv-inputs, .pv-inputs * { font-size: 18px !important; }
.pv-inputs .v-input { margin-top: 0 !important; padding-top: 2px !important; }
.pv-inputs .v-select { padding-top: 16px !important; }
.pv-inputs .v-messages, .pv-inputs .v-text-field__details { display: none !important; }
.pv-progress { font-size: 18px; color: #555; }
.pv-answer { font-size: 18px; }
.pv-levers { border-collapse: collapse; width: 100%; font-size: 18px; line-height: 1.2; }
.pv-levers th, .pv-levers td { text-align: left; padding: 2px 4px; border-bottom: 1px solid #eee;
  vertical-align: top; }
.pv-levers td.pv-p { white-space: nowrap; font-weight: 600; }
.pv-levers, .pv-levers * { font-size: 18px !important; line-height: 22px; }
.pv-levers .pv-setting { color: #555; font-weight: 400; }
.pv-levers tr.pv-enough td { background: #e6f4ea; }
"""
