"""The summary of a sweep: outcome distributions and the odds of meeting each target.

It is written as CSV tables and figures, and shown as a table on screen.

`summarize` reads an output directory (`pipsim.sweep.results`), so it serves both the end of
``pipsim run`` and ``pipsim summarize DIR`` on results computed earlier or elsewhere; its
figures are `pipsim.plots.sweep`'s. A sampled design (a Latin hypercube) has as many points as
runs to spare: a row or a heatmap cell per point tells nothing, so its summary is the overall
odds and the inputs ranked by how much they matter (`pipsim.analysis.discovery`), with a
pointer to ``pipsim discover``; its figure is that ranking (one sampled axis alone is still
drawn as a curve over bins). A sweep that kept monthly series gets their envelopes
(`pipsim.plots.series`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipsim.analysis import stats
from pipsim.outcome_declarations import KEY_OUTCOMES
from pipsim.plots import sweep as sweep_plots
from pipsim.sweep import files, results

SCREEN_TARGETS = ("success", "sustained")
MAX_AXIS_VALUES = 12  # a numeric axis with more values is drawn in bins
BINS = 8
SCREEN_OUTCOMES = KEY_OUTCOMES[:5]  # the key outcomes that fit on a screen
MAX_GROUPS = 6  # envelopes drawn in one figure at most


@dataclass
class Summary:
    """What `summarize` produced: the tables, the text shown, and the files written."""

    distributions: pd.DataFrame
    probabilities: pd.DataFrame
    text: str
    files: list[Path] = field(default_factory=list)


def design_keys(out: Path) -> list[str]:
    """The swept and sampled parameters of the sweep in ``out``.

    From its manifest; for results written before the manifest recorded them, from the copy
    of the scenario beside them.
    """
    try:
        manifest = json.loads(files.read_text(out / results.MANIFEST))
    except ValueError as error:
        raise results.ResultsError(f"{out / results.MANIFEST} is damaged: {error}") from None
    keys = manifest.get("design_keys") if isinstance(manifest, dict) else None
    if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
        return keys
    from pipsim.sweep.design import design_points
    from pipsim.sweep.scenario import ScenarioError, load_scenario

    try:
        return list(design_points(load_scenario(out / "scenario.toml"))[0])
    except ScenarioError:
        return []


def summarize(
    out: str | Path, figures: bool = True, asked: dict[str, float] | None = None
) -> Summary:
    """Summarise the sweep in ``out``: write CSV tables and figures, return them and a text.

    Works on a partly finished sweep (it covers the runs on disk). ``asked``: a value to mark
    on the figures along an axis (``pipsim duration --months``: the length asked about).

    Raises:
        results.ResultsError: if ``out`` holds no pipsim sweep, or no finished run yet.
    """
    out = Path(out)
    if not (out / results.MANIFEST).exists() or not (out / results.RUNS).exists():
        raise results.ResultsError(f"{out} holds no pipsim sweep results (no manifest.json/runs)")
    if not results.done_chunks(out):
        raise results.ResultsError(f"{out} holds no finished runs yet: run the sweep first")
    keys = design_keys(out)
    runs = results.load_runs(out)
    if missing := [k for k in keys if k not in runs.columns]:
        raise results.ResultsError(
            f"{out / results.MANIFEST} names design keys its runs do not hold "
            f"({', '.join(map(repr, missing[:3]))}): it was edited or damaged; run the sweep "
            "again (--overwrite) to remake it"
        )
    dist = stats.distributions(runs, keys).sort_values(["point", "outcome"], ignore_index=True)
    prob = stats.probabilities(runs, keys).sort_values(["point", "target"], ignore_index=True)
    written = [out / "summary.csv", out / "probabilities.csv"]
    files.save_csv(out, written[0], dist)
    files.save_csv(out, written[1], prob)
    if is_sampled(out):
        text, ranking = sampled_text(runs, keys, out)
        varying = [k for k in keys if runs[k].nunique() > 1]
        if figures and len(varying) == 1:  # one sampled axis: its curve, in bins, reads well
            written += _figures(out, runs, prob, keys, asked)
        elif figures and ranking is not None:  # more: a ranking, never a grid of bins
            written.append(_save(out, f"ranking_{ranking[0]}.png", ranking[1]))
    else:
        text = screen_table(dist, prob, keys)
        if figures:
            written += _figures(out, runs, prob, keys, asked)
    if figures:
        written += _envelopes(out, runs, keys)
    return Summary(dist, prob, text, written)


def is_sampled(out: Path) -> bool:
    """Whether the sweep in ``out`` samples its design (a Latin hypercube's many points)."""
    design = (results.read_manifest(out) or {}).get("design")
    return isinstance(design, dict) and bool(design.get("sample_points"))


def sampled_text(runs: pd.DataFrame, keys: list[str], out: Path) -> tuple[str, tuple | None]:
    """A sampled design's summary: the overall odds, the inputs ranked, where to look next.

    Returns the text and (the outcome ranked, the ranking's figure), or None without a
    ranking (nothing varies, or no outcome to rank by).
    """
    from pipsim.analysis import discovery, trees

    lines = [f"{len(runs):,} runs at {runs['point'].nunique():,} sampled design points."]
    for target in SCREEN_TARGETS:
        met = int(runs[target].sum())
        low, high = stats.wilson_interval(met, len(runs))
        lines.append(f"P({target}) = {met / len(runs):.2f} [{float(low):.2f}, {float(high):.2f}]")
    x = discovery.inputs(runs, keys)
    by = _ranked_by(runs)
    if x.empty or by is None:
        return "\n".join(lines), None
    scores = trees.feature_scores(x, runs[by].to_numpy())
    lines += [
        "",
        f"Which inputs matter for {by.replace('_', ' ')}? (extra-trees feature scores)",
        trees.ranking_words(scores),
        "",
        f"Under which conditions? Run 'pipsim discover {out} --outcome success' (PRIM boxes, "
        "a CART tree); per-point tables are in summary.csv and probabilities.csv.",
    ]
    from pipsim.plots import discovery as discovery_plots

    figure = discovery_plots.scores(scores, discovery.Case(by))
    return "\n".join(lines), (by, figure)


def _ranked_by(runs: pd.DataFrame) -> str | None:
    """What to rank the inputs by: success if it varies, else trust among partners."""
    if 0 < runs["success"].sum() < len(runs):
        return "success"
    if "trust_partners" in runs.columns and runs["trust_partners"].nunique() > 1:
        return "trust_partners"
    return None


def screen_table(dist: pd.DataFrame, prob: pd.DataFrame, keys: list[str]) -> str:
    """Per design point: the odds of success and sustainability, and a few outcome means."""
    ids = ["point", *keys]
    drawn = "parameters_lower" in prob.columns  # across an ensemble: its interval too

    def odds_text(r: pd.Series) -> str:
        text = f"{r.probability:.2f} [{r.lower:.2f}, {r.upper:.2f}]"
        if drawn and np.isfinite(r.parameters_lower):
            text += f" [{r.parameters_lower:.2f}, {r.parameters_upper:.2f}]"
        return text

    odds = prob[prob["target"].isin(SCREEN_TARGETS)].assign(
        text=lambda t: t.apply(odds_text, axis=1)
    )
    table = odds.pivot(index=ids, columns="target", values="text")
    more = " [with the parameters]" if drawn else ""
    table.columns = [f"P({c}) [95% CI]{more}" for c in table.columns]
    means = dist[dist["outcome"].isin(SCREEN_OUTCOMES)].pivot(
        index=ids, columns="outcome", values="mean"
    )[list(SCREEN_OUTCOMES)]
    n = prob[prob["target"] == "success"].set_index(ids)["n"].rename("runs")
    merged = pd.concat([n, table, means.round(3)], axis=1).reset_index()
    return merged.drop(columns="point").to_string(index=False)


def _figures(
    out: Path,
    runs: pd.DataFrame,
    prob: pd.DataFrame,
    keys: list[str],
    asked: dict[str, float] | None = None,
) -> list[Path]:
    """The figures that fit the design: one axis, two or more axes, or none to draw.

    A numeric axis with many values (a Latin hypercube sample) is drawn in bins of about
    equal counts, so that each plotted point has several runs behind it.
    """
    axes = [k for k in keys if runs[k].nunique() > 1]
    binned = [k for k in axes if _many_numbers(runs[k])]
    if binned:  # one point per bin: the runs of a bin are pooled
        runs = runs.assign(**{k: _binned(runs[k]) for k in binned})
        runs["point"] = runs.groupby(axes, sort=True).ngroup()
        prob = stats.probabilities(runs, axes)
    written = []
    if len(axes) == 1:
        axis = axes[0]
        name = axis.replace("_", " ") + (" (sampled values, in bins)" if binned else "")
        mark = None if binned else (asked or {}).get(axis)
        figs = {
            f"success_vs_{axis}.png": sweep_plots.success_curve(
                prob, axis, f"How do the odds of meeting the log frame change with {name}?", mark
            ),
            f"outcomes_vs_{axis}.png": sweep_plots.distributions(
                runs, axis, f"How do the outcomes vary with {name}?", mark
            ),
        }
    elif len(axes) >= 2:
        sampled = ", ".join(binned).replace("_", " ")
        title = "How likely is the log frame to be met?" + (
            f"\n{sampled}: sampled values, in bins" if binned else ""
        )
        figs = {"success_heatmap.png": sweep_plots.success_heatmaps(prob, axes, title)}
    else:
        figs = {}
    for filename, fig in figs.items():
        written.append(_save(out, filename, fig))
    return written


def _save(out: Path, filename: str, fig: object) -> Path:
    """Write ``fig`` as ``figures/filename`` in ``out``, through `files` (recorded)."""
    path = out / "figures" / filename
    files.save_figure(out, path, fig, dpi=120)
    return path


def with_design(series: pd.DataFrame, runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The monthly series with the design values of each run (joined from the run table).

    Series written since the runner adds them already carry them; older ones get them here.
    """
    missing = [k for k in keys if k not in series.columns and k in runs.columns]
    if not missing:
        return series
    return series.merge(runs[["run", *missing]], on="run", how="left")


def envelope_groups(series: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, str]:
    """The series with a ``group`` label per run, and what the groups are, in words.

    One group per design point if there are few; else per value of the first axis with few
    values (the others pooled); else the first axis's thirds (low, middle, high).
    """
    varying = [k for k in keys if k in series.columns and series[k].nunique() > 1]
    if series["point"].nunique() <= MAX_GROUPS or not varying:
        labels = series[varying].astype(str).agg(", ".join, axis=1) if varying else "all runs"
        named = ", ".join(k.replace("_", " ") for k in varying)
        return series.assign(group=labels), f"per design point ({named})" if named else ""
    few = [k for k in varying if series[k].nunique() <= MAX_GROUPS]
    if few:
        key = few[0]
        values = series[key].map(lambda v: f"{key.replace('_', ' ')} {v}")
        return series.assign(group=values), f"by {key.replace('_', ' ')}, other inputs pooled"
    key = varying[0]
    thirds = pd.qcut(series[key], 3, labels=["low", "middle", "high"], duplicates="drop")
    labels = thirds.astype(str) + f" {key.replace('_', ' ')}"
    return series.assign(group=labels), f"by thirds of {key.replace('_', ' ')}, others pooled"


def _envelopes(out: Path, runs: pd.DataFrame, keys: list[str]) -> list[Path]:
    """Envelope figures of the monthly series, if the sweep kept them."""
    series = results.load_timeseries(out)
    if series is None or series.empty:
        return []
    from pipsim.plots import series as series_plots

    grouped, how = envelope_groups(with_design(series, runs, keys), keys)
    grouped = grouped.sort_values(["point", "run", "month"], kind="stable")  # legend order
    title = "How do trust, ties and participation unfold month by month?" + (
        f" {how}" if how else ""
    )
    return [_save(out, "envelopes.png", series_plots.envelopes(grouped, title))]


def _many_numbers(values: pd.Series) -> bool:
    """Whether an axis is numeric with too many values to draw one point each."""
    return sweep_plots.is_numeric(values) and values.nunique() > MAX_AXIS_VALUES


def _binned(values: pd.Series) -> pd.Series:
    """Each value replaced by the midpoint of its bin (about equal counts per bin)."""
    bins = pd.qcut(values, q=BINS, duplicates="drop")
    return bins.map(lambda b: float(f"{b.mid:.3g}")).astype(float)
