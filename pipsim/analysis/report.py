"""One self-contained HTML file of a result directory, to attach to a project document.

A designer sends a report by e-mail or files it with a project document, where it must open
years later, offline, anywhere: so the file holds everything (CSS inline, every figure a
base64 ``data:`` URI), links nothing, runs no script, and prints readably on A4. It covers
any output directory of ``pipsim run``, ``duration`` or ``sensitivity``: the scenario's title
and text, the manifest, the tables found there (the sweep summary compacted to one row per
design point, the full CSV beside it), and every PNG in ``figures/``. A folder of ``pipsim
calibrate`` (or one given beside a sweep's) adds a calibration section: the targets with
their sources, the screening, the posterior table and the predictive check, with figures.
Text from the files is escaped with `html.escape`; there is no template engine to trust.
Only files pipsim wrote into the folder and recorded, unchanged since (`pipsim.sweep.files`),
are read into the report: a link, a pipe or a file put there by hand is left out.
"""

from __future__ import annotations

import base64
import html
import json
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from pipsim import __version__
from pipsim.outcomes import KEY_OUTCOMES, target_flags
from pipsim.sweep import files

MAX_ROWS = 100  # rows of a table shown; the CSV beside the report has them all
TARGETS = target_flags()  # the columns of the odds table, in this order
CAPTIONS = {  # figure name prefix: caption
    "duration": "Probability of meeting every log frame target against project length, with "
    "its Wilson 95% band, the target, and the shortest length reaching it (bootstrap 95% "
    "interval).",
    "success_vs_": "Probability of meeting the log frame and each target along {axis}, "
    "with Wilson 95% intervals.",
    "outcomes_vs_": "Distributions of key outcomes at each value of {axis}.",
    "success_heatmap": "Probability of meeting the log frame over the swept axes.",
    "ranking_": "The sampled inputs ranked by how well they tell apart the runs by {axis} "
    "(extra-trees feature scores).",
    "envelopes": "Monthly series: the median run and the band of 5% to 95% of runs, month by "
    "month.",
    "discovery_": "Scenario discovery ({axis}).",
    "sobol_s2_": "Second-order Sobol' indices for {axis}: the share of its variance due to "
    "each pair's interaction; (!) marks an index not to be trusted.",
    "sobol_": "Sobol' indices for {axis}: the share of its variance due to each parameter; "
    "hatched (!) bars are not to be trusted.",
    "morris_": "Morris elementary effects for {axis}: how much each parameter moves it.",
}
TEXT = ' class="text"'  # a left-aligned cell
CSS = """
body { font: 11pt/1.45 system-ui, sans-serif; color: #111; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
       border-bottom: 1px solid #999; } h3 { font-size: 1rem; }
.meta { color: #555; font-size: .9rem; } .answer { background: #eef5fb; padding: .6rem 1rem;
       border-left: 4px solid #0072B2; white-space: pre-line; }
table { border-collapse: collapse; font-size: .8rem; margin: .5rem 0; }
th, td { border: 1px solid #bbb; padding: .15rem .4rem; text-align: right; }
th { background: #eee; } td.text { text-align: left; }
figure { margin: 1rem 0; } img { max-width: 100%; } figcaption { font-size: .85rem; color: #333; }
pre { background: #f6f6f6; padding: .6rem; font-size: .8rem; white-space: pre-wrap; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
       figure, tr, .answer { break-inside: avoid; } }
"""


class ReportError(RuntimeError):
    """The directory holds nothing to report on."""


def write_report(directory: str | Path, calibration: str | Path | None = None) -> tuple[Path, int]:
    """Write ``DIR/report.html``; return its path and the number of figures embedded.

    ``calibration``: a folder of ``pipsim calibrate`` whose section is added.
    """
    directory = Path(directory)
    text, figures = build_report(directory, Path(calibration) if calibration else None)
    path = directory / "report.html"
    files.write_bytes(directory, path, text.encode("utf-8"))
    return path, figures


Trusted = Callable[[Path], bool]


def trusted(directory: Path) -> Trusted:
    """Whether a file of ``directory`` is one pipsim wrote there, unchanged: fit to report."""
    record = files.read_record(directory)
    return lambda path: files.trusted(record, path)


def build_report(directory: Path, calibration: Path | None = None) -> tuple[str, int]:
    """The report of ``directory`` as one HTML document, and the number of figures in it."""
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such directory")
    ok = trusted(directory)
    if calibration is not None and not trusted(calibration)(calibration / CALIBRATION):
        raise ReportError(f"{calibration} holds no calibration (no {CALIBRATION} pipsim wrote)")
    if ok(directory / CALIBRATION) and not ok(directory / "manifest.json"):
        section, count = calibration_section(directory)
        name = str(_json(directory / CALIBRATION, ok).get("name") or directory.name)
        return _page(f"calibration: {name}", section), count
    manifest = _json(directory / "manifest.json", ok)
    toml = directory / "scenario.toml"
    # a copy edited by hand may not be UTF-8: shown with replacement characters, not refused
    scenario = _bytes(toml, ok).decode("utf-8", errors="replace")
    if not manifest and not scenario:
        raise ReportError(f"{directory} holds no pipsim results (no manifest.json, scenario.toml)")
    try:
        head = tomllib.loads(scenario).get("scenario", {})
    except tomllib.TOMLDecodeError:
        head = {}
    head = head if isinstance(head, dict) else {}
    name = str(head.get("name") or manifest.get("scenario_name") or directory.name)
    body = [f"<h1>{_e(name)}</h1>", f"<p>{_e(head.get('description', ''))}</p>"]
    body.append(
        f'<p class="meta">pipsim {_e(__version__)} report of {_e(directory.name)}, written '
        f"{_e(time.strftime('%Y-%m-%d %H:%M'))}; {_e(manifest.get('total_runs', '?'))} runs</p>"
    )
    found = _json(directory / "duration.json", ok)
    if found:
        body += ["<h2>The answer</h2>", f"<h3>{_e(found.get('question', ''))}</h3>"]
        body.append(f'<p class="answer">{_e(found.get("answer", ""))}</p>')
        rounds = found.get("replications_per_round") or []
        if len(rounds) > 1:
            steps = " → ".join(map(str, rounds))
            body.append(
                f'<p class="meta">Adaptive: {_e(steps)} runs per length, until every '
                f"Wilson half-width was within {_e(found.get('tolerance'))} or the maximum "
                "was reached.</p>"
            )
    body += discovery_sections(directory, ok)
    body += sensitivity_warnings(directory, ok)
    pngs = sorted(
        filter(ok, (directory / "figures").glob("*.png")), key=lambda p: (p.stem != "duration", p)
    )
    if pngs:
        body.append("<h2>Figures</h2>")
        body += [_figure(p) for p in pngs]
    keys = manifest.get("design_keys")
    body += _tables(directory, [str(k) for k in keys] if isinstance(keys, list) else None, ok)
    body += ["<h2>Scenario file</h2>", f"<pre>{_e(scenario)}</pre>" if scenario else "<p>—</p>"]
    body += ["<h2>Manifest</h2>", _manifest(manifest)]
    count = len(pngs)
    if calibration is not None:
        section, more = calibration_section(calibration)
        body.append(section)
        count += more
    return _page(name, "\n".join(body)), count


def discovery_sections(directory: Path, ok: Trusted) -> list[str]:
    """Each ``pipsim discover`` answer pipsim recorded in ``directory``, in words."""
    parts = []
    for path in sorted(filter(ok, directory.glob("discovery_*.json"))):
        found = _json(path, ok)
        if found.get("answer"):
            parts += [
                "<h2>Scenario discovery</h2>",
                f"<h3>{_e(found.get('question', ''))}</h3>",
                f'<p class="answer">{_e(found["answer"])}</p>',
                f'<p class="meta">Inputs ranked by extra-trees feature scores: '
                f"{_e(', '.join(map(str, found.get('ranking', []))))}. PRIM box from EMA "
                "Workbench; coverage: share of all such runs in the box; density: share of the "
                "box's runs where it happens.</p>",
            ]
    return parts


def sensitivity_warnings(directory: Path, ok: Trusted) -> list[str]:
    """The warnings of a sensitivity analysis (its tables' ``flag`` column), if any.

    Only tables pipsim recorded, unchanged since, are read (see `trusted`).
    """
    lines = []
    for path in [*sorted(directory.glob("sensitivity_*.csv")), directory / "noise.csv"]:
        try:
            table = _csv(path, ok, keep_default_na=False)
        except (OSError, ValueError):
            continue
        if "flag" not in table.columns:
            continue
        for row in table[table["flag"].astype(str) != ""].itertuples():
            who = getattr(row, "parameter", None) or " × ".join(
                str(getattr(row, k, "")) for k in ("parameter_1", "parameter_2")
            )
            need = getattr(row, "samples_needed", None) or getattr(row, "replications_needed", "")
            what = "sample size" if hasattr(row, "samples_needed") else "replications"
            lines.append(
                f"{row.outcome}{', ' + str(who) if who.strip(' ×') else ''}: {row.flag}"
                + (f" ({what} needed: about {need})" if str(need) else "")
            )
    if not lines:
        return []
    shown = "\n".join(lines[:MAX_ROWS])
    more = f"\n... and {len(lines) - MAX_ROWS} more" if len(lines) > MAX_ROWS else ""
    return [
        "<h2>Warnings: indices not to be trusted</h2>",
        f'<p class="answer">{_e(shown + more)}</p>',
    ]


def _page(name: str, page: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(name)}: pipsim report</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{page}\n</body>\n</html>\n"
    )


CALIBRATION = "calibration.json"
CALIBRATION_TABLES = (  # file, title, what it says
    (
        "check.csv",
        "Posterior predictive check",
        "Each target's accepted range [low, high]; its statistic at the current defaults; the "
        "median and 5-95% of it over posterior draws; the share of draws inside the range. "
        "Validation targets were held out of the fit.",
    ),
    (
        "posterior.csv",
        "Posterior",
        "Each calibrated parameter: its current default, its prior (uniform on [prior low, "
        "prior high]), the posterior median and 90% interval.",
    ),
    (
        "generations.csv",
        "ABC-SMC generations",
        "Each generation's epsilon (the distance a particle had to beat), acceptance rate, "
        "effective sample size of its weights and weighted median of each parameter: converged "
        "when the medians settle and the effective size stays a good share of the population.",
    ),
    (
        "screening.csv",
        "Screening (Morris)",
        "Importance: each parameter's mu* as a share of the largest on each calibration target, "
        "averaged over the targets; the kept ones went on to the ABC-SMC.",
    ),
)


def calibration_section(directory: Path) -> tuple[str, int]:
    """The calibration in ``directory`` as a report section, and the figures it embeds."""
    ok = trusted(directory)
    facts = _json(directory / CALIBRATION, ok)
    body = [f"<h1>Calibration: {_e(facts.get('name', directory.name))}</h1>"]
    body.append(
        f'<p class="meta">{_e(facts.get("generations", "?"))} ABC-SMC generations; stopped: '
        f"{_e(facts.get('stopped', '?'))}; runs: {_e(_flat(facts.get('runs', {})))}</p>"
    )
    body += _targets_table(directory / "targets.toml", ok)
    for name, title, says in CALIBRATION_TABLES:
        try:
            table = _csv(directory / name, ok)
        except (OSError, ValueError) as error:
            body += [f"<h2>{_e(title)}</h2>", f"<p>{_e(name)} cannot be read: {_e(error)}</p>"]
            continue
        if name == "screening.csv" and "importance" in table:
            table = table[["parameter", "importance", "rank", "kept"]].drop_duplicates()
        body += [f"<h2>{_e(title)}</h2>", f'<p class="meta">{_e(says)}</p>', _html_table(table)]
    pngs = sorted(filter(ok, (directory / "figures").glob("*.png")))
    if pngs:
        body.append("<h2>Calibration figures</h2>")
        body += [_figure(p) for p in pngs]
    return "\n".join(body), len(pngs)


def _targets_table(path: Path, ok: Trusted) -> list[str]:
    try:
        data = tomllib.loads(_bytes(path, ok).decode("utf-8")).get("targets", {})
    except (OSError, ValueError):
        return ["<h2>Targets</h2>", f"<p>{_e(path.name)} cannot be read</p>"]
    rows = []
    for name, t in data.items() if isinstance(data, dict) else []:
        if isinstance(t, dict):
            keys = ("set", "source", "quote", "reading", "range")
            rows.append({"target": name, **{k: _flat(t.get(k, "")) for k in keys}})
    return ["<h2>Targets (sources and readings)</h2>", _html_table(pd.DataFrame(rows))]


def _flat(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return " ".join(str(value).split())


def _tables(directory: Path, keys: list[str] | None, ok: Trusted) -> list[str]:
    """Every table pipsim wrote in ``directory``: summaries compacted, the others as they are."""
    parts = []
    for path in sorted(filter(ok, directory.glob("*.csv")), key=_table_order):
        title = path.stem.replace("_", " ").capitalize()
        try:
            table = _csv(path, ok)
            if path.name == "probabilities.csv":
                title, table = "Probability of meeting each target", _odds(table, keys)
            elif path.name == "summary.csv":
                title, table = "Key outcomes: mean (5% to 95% of runs)", _outcomes(table, keys)
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
            # a damaged or hand-edited table: said so, the rest of the report stands
            parts += [
                f"<h2>{_e(title)}</h2>",
                f"<p>{_e(path.name)} cannot be read: {_e(error)}</p>",
            ]
            continue
        shown = f"first {MAX_ROWS} of {len(table)} rows; " if len(table) > MAX_ROWS else ""
        parts += [f"<h2>{_e(title)}</h2>", _html_table(table.head(MAX_ROWS))]
        parts.append(f'<p class="meta">{_e(shown)}every row: {_e(path.name)}</p>')
    return parts


def _table_order(path: Path) -> tuple[int, str]:
    known = ("duration.csv", "probabilities.csv", "summary.csv")
    return (known.index(path.name) if path.name in known else len(known), path.name)


def _design(table: pd.DataFrame, keys: list[str] | None, before: str) -> list[str]:
    """The design columns of a summary table: the manifest's keys, or those before ``before``."""
    if keys is None:
        keys = list(table.columns[1 : list(table.columns).index(before)])
    return ["point", *keys]


def _odds(table: pd.DataFrame, keys: list[str] | None) -> pd.DataFrame:
    """probabilities.csv as one row per design point: ``p [lower, upper]`` per target."""
    ids = _design(table, keys, "target")
    cell = table.apply(lambda r: f"{r.probability:.2f} [{r.lower:.2f}, {r.upper:.2f}]", axis=1)
    wide = table.assign(cell=cell).pivot(index=ids, columns="target", values="cell")
    runs = table.groupby(ids)["n"].max().rename("runs")
    order = sorted(wide.columns, key=lambda t: (TARGETS.index(t) if t in TARGETS else 99, t))
    return pd.concat([runs, wide[order]], axis=1).reset_index()


def _outcomes(table: pd.DataFrame, keys: list[str] | None) -> pd.DataFrame:
    """summary.csv as one row per design point: ``mean (q05–q95)`` of the key outcomes."""
    ids = _design(table, keys, "outcome")
    table = table[table["outcome"].isin(KEY_OUTCOMES)]
    cell = table.apply(lambda r: f"{r['mean']:.3g} ({r.q05:.3g} to {r.q95:.3g})", axis=1)
    wide = table.assign(cell=cell).pivot(index=ids, columns="outcome", values="cell")
    return wide[[o for o in KEY_OUTCOMES if o in wide.columns]].reset_index()


def _html_table(table: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(str(c).replace('_', ' '))}</th>" for c in table.columns)
    rows = []
    for values in table.itertuples(index=False):
        cells = [f"<td{TEXT if _words(v) else ''}>{_e(_cell(v))}</td>" for v in values]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + ("\n</tbody>\n</table>")
    )


def _words(value: object) -> bool:
    """Whether a cell holds words (left-aligned), not a number or a number with its interval."""
    return isinstance(value, str) and not value[:1].isdigit() and not value.startswith("-")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.4g}"
    return str(value)


def _figure(path: Path) -> str:
    data = base64.b64encode(files.read_bytes(path)).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(path.stem)}">'
        f"<figcaption>{_e(_caption(path.stem))} ({_e(path.name)})</figcaption></figure>"
    )


def _caption(stem: str) -> str:
    for prefix, caption in CAPTIONS.items():
        if stem.startswith(prefix):
            return caption.format(axis=stem[len(prefix) :].replace("_", " ") or "the outcome")
    return stem.replace("_", " ").capitalize() + "."


def _manifest(manifest: dict) -> str:
    rows = []
    for key, value in manifest.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        label = _e(key.replace("_", " "))
        rows.append(f'<tr><th>{label}</th><td class="text">{_e(str(value))}</td></tr>')
    return "<table>\n" + "\n".join(rows) + "\n</table>" if rows else "<p>—</p>"


def _bytes(path: Path, ok: Trusted) -> bytes:
    """The bytes of ``path`` if pipsim wrote it (unchanged), else none."""
    return files.read_bytes(path) if ok(path) else b""


def _csv(path: Path, ok: Trusted, **options: object) -> pd.DataFrame:
    if not ok(path):
        raise ValueError("not written by pipsim, or changed since")
    with files.open_read(path) as file:
        return pd.read_csv(file, **options)


def _json(path: Path, ok: Trusted) -> dict:
    try:
        found = json.loads(_bytes(path, ok).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _e(text: object) -> str:
    """``text`` escaped for an element's content (attributes use `html.escape` as it is)."""
    return html.escape(str(text), quote=False)
