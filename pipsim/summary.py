"""The summary of a finished sweep: outcome distributions and the odds of meeting each target,
as CSV tables, a table on screen, and figures.

`summarize` reads an output directory (`pipsim.results`), so it serves both the end of
``pipsim run`` and ``pipsim summarize DIR`` on results computed earlier or elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipsim import results, stats, sweep_plots

SCREEN_TARGETS = ("success", "sustained")
SCREEN_OUTCOMES = ("sales_growth", "productivity_growth", "firms_in_joint_projects",
                   "participants", "mean_trust")


@dataclass
class Summary:
    """What `summarize` produced: the tables, the text shown, and the files written."""

    distributions: pd.DataFrame
    probabilities: pd.DataFrame
    text: str
    files: list[Path] = field(default_factory=list)


def design_keys(out: Path) -> list[str]:
    """The swept and sampled parameters of the sweep in ``out`` (from its manifest)."""
    manifest = json.loads((out / results.MANIFEST).read_text())
    return list(manifest.get("design_keys", []))


def summarize(out: str | Path, figures: bool = True) -> Summary:
    """Summarise the sweep in ``out``: write CSV tables and figures, return them and a text."""
    out = Path(out)
    if not (out / results.MANIFEST).exists() or not (out / results.RUNS).exists():
        raise results.ResultsError(f"{out} holds no pipsim sweep results (no manifest.json/runs)")
    runs = results.load_runs(out)
    keys = design_keys(out)
    dist = stats.distributions(runs, keys).sort_values(["point", "outcome"], ignore_index=True)
    prob = stats.probabilities(runs, keys).sort_values(["point", "target"], ignore_index=True)
    files = [out / "summary.csv", out / "probabilities.csv"]
    dist.to_csv(files[0], index=False)
    prob.to_csv(files[1], index=False)
    if figures:
        files += _figures(out, runs, prob, keys)
    return Summary(dist, prob, screen_table(dist, prob, keys), files)


def screen_table(dist: pd.DataFrame, prob: pd.DataFrame, keys: list[str]) -> str:
    """Per design point: the odds of success and sustainability, and a few outcome means."""
    ids = ["point", *keys]
    odds = prob[prob["target"].isin(SCREEN_TARGETS)].assign(
        text=lambda t: t.apply(lambda r: f"{r.probability:.2f} [{r.lower:.2f}, {r.upper:.2f}]",
                               axis=1))
    table = odds.pivot(index=ids, columns="target", values="text")
    table.columns = [f"P({c}) [95% CI]" for c in table.columns]
    means = dist[dist["outcome"].isin(SCREEN_OUTCOMES)].pivot(
        index=ids, columns="outcome", values="mean")[list(SCREEN_OUTCOMES)]
    n = prob[prob["target"] == "success"].set_index(ids)["n"].rename("runs")
    merged = pd.concat([n, table, means.round(3)], axis=1).reset_index()
    return merged.drop(columns="point").to_string(index=False)


def _figures(out: Path, runs: pd.DataFrame, prob: pd.DataFrame, keys: list[str]) -> list[Path]:
    """The figures that fit the design: one axis, two or more axes, or none to draw."""
    axes = [k for k in keys if runs[k].nunique() > 1]
    folder = out / "figures"
    folder.mkdir(exist_ok=True)
    written = []
    if len(axes) == 1:
        axis = axes[0]
        name = axis.replace("_", " ")
        figs = {
            f"success_vs_{axis}.png": sweep_plots.success_curve(
                prob, axis, f"How likely is the log frame to be met, by {name}?"),
            f"outcomes_vs_{axis}.png": sweep_plots.distributions(
                runs, axis, f"How outcomes spread across runs, by {name}"),
        }
    elif len(axes) >= 2:
        figs = {"success_heatmap.png": sweep_plots.success_heatmaps(
            prob, axes, "How likely is the log frame to be met? (share of runs)")}
    else:
        figs = {}
    for filename, fig in figs.items():
        path = folder / filename
        fig.savefig(path, dpi=120)
        written.append(path)
    return written
