"""The summary of a sweep: outcome distributions and the odds of meeting each target.

It is written as CSV tables and figures, and shown as a table on screen.

`summarize` reads an output directory (`pipsim.sweep.results`), so it serves both the end of
``pipsim run`` and ``pipsim summarize DIR`` on results computed earlier or elsewhere; its
figures are `pipsim.plots.sweep`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipsim.analysis import stats
from pipsim.outcomes import KEY_OUTCOMES
from pipsim.plots import sweep as sweep_plots
from pipsim.sweep import files, results

SCREEN_TARGETS = ("success", "sustained")
MAX_AXIS_VALUES = 12  # a numeric axis with more values is drawn in bins
BINS = 8
SCREEN_OUTCOMES = KEY_OUTCOMES[:5]  # the key outcomes that fit on a screen


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


def summarize(out: str | Path, figures: bool = True) -> Summary:
    """Summarise the sweep in ``out``: write CSV tables and figures, return them and a text.

    Works on a partly finished sweep (it covers the runs on disk).

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
    if figures:
        written += _figures(out, runs, prob, keys)
    return Summary(dist, prob, screen_table(dist, prob, keys), written)


def screen_table(dist: pd.DataFrame, prob: pd.DataFrame, keys: list[str]) -> str:
    """Per design point: the odds of success and sustainability, and a few outcome means."""
    ids = ["point", *keys]
    odds = prob[prob["target"].isin(SCREEN_TARGETS)].assign(
        text=lambda t: t.apply(
            lambda r: f"{r.probability:.2f} [{r.lower:.2f}, {r.upper:.2f}]", axis=1
        )
    )
    table = odds.pivot(index=ids, columns="target", values="text")
    table.columns = [f"P({c}) [95% CI]" for c in table.columns]
    means = dist[dist["outcome"].isin(SCREEN_OUTCOMES)].pivot(
        index=ids, columns="outcome", values="mean"
    )[list(SCREEN_OUTCOMES)]
    n = prob[prob["target"] == "success"].set_index(ids)["n"].rename("runs")
    merged = pd.concat([n, table, means.round(3)], axis=1).reset_index()
    return merged.drop(columns="point").to_string(index=False)


def _figures(out: Path, runs: pd.DataFrame, prob: pd.DataFrame, keys: list[str]) -> list[Path]:
    """The figures that fit the design: one axis, two or more axes, or none to draw.

    A numeric axis with many values (a Latin hypercube sample) is drawn in bins of about
    equal counts, so that each plotted point has several runs behind it.
    """
    axes = [k for k in keys if runs[k].nunique() > 1]
    folder = out / "figures"
    binned = [k for k in axes if _many_numbers(runs[k])]
    if binned:  # one point per bin: the runs of a bin are pooled
        runs = runs.assign(**{k: _binned(runs[k]) for k in binned})
        runs["point"] = runs.groupby(axes, sort=True).ngroup()
        prob = stats.probabilities(runs, axes)
    written = []
    if len(axes) == 1:
        axis = axes[0]
        name = axis.replace("_", " ") + (" (sampled values, in bins)" if binned else "")
        figs = {
            f"success_vs_{axis}.png": sweep_plots.success_curve(
                prob, axis, f"How do the odds of meeting the log frame change with {name}?"
            ),
            f"outcomes_vs_{axis}.png": sweep_plots.distributions(
                runs, axis, f"How do the outcomes vary with {name}?"
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
        path = folder / filename
        files.save_figure(out, path, fig, dpi=120)
        written.append(path)
    return written


def _many_numbers(values: pd.Series) -> bool:
    """Whether an axis is numeric with too many values to draw one point each."""
    return sweep_plots.is_numeric(values) and values.nunique() > MAX_AXIS_VALUES


def _binned(values: pd.Series) -> pd.Series:
    """Each value replaced by the midpoint of its bin (about equal counts per bin)."""
    bins = pd.qcut(values, q=BINS, duplicates="drop")
    return bins.map(lambda b: float(f"{b.mid:.3g}")).astype(float)
