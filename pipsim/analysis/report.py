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
import json
import time
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from jinja2.sandbox import SandboxedEnvironment

from pipsim import __version__
from pipsim.analysis import report_words as words
from pipsim.analysis.levers import percent
from pipsim.parameters import Parameters
from pipsim.sweep import files

MAX_ROWS = 100  # rows of a table shown; the CSV beside the report has them all
TEMPLATE = "report.html.j2"  # the default page, in pipsim/analysis/templates
CAPTIONS = {  # figure name prefix: caption
    "duration": "Probability of meeting every log frame target against project length, with "
    "its Wilson 95% band, the target, and the shortest length reaching it (bootstrap 95% "
    "interval).",
    "levers": "What each lever a designer controls, changed alone, would make of the asked "
    "length: the chance of meeting every target with its 95% interval, against the target "
    "and the project as designed.",
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


class ReportError(RuntimeError):
    """The directory holds nothing to report on."""


def write_report(
    directory: str | Path,
    calibration: str | Path | None = None,
    template: str | Path | None = None,
) -> tuple[Path, int]:
    """Write ``DIR/report.html``; return its path and the number of figures embedded.

    ``calibration``: a folder of ``pipsim calibrate`` whose section is added. ``template``:
    a Jinja2 template to render instead of pipsim's own (`load_template` checks it first, so
    a bad one writes nothing).
    """
    directory = Path(directory)
    page = load_template(Path(template) if template else None)
    text, figures = build_report(directory, Path(calibration) if calibration else None, page)
    path = directory / "report.html"
    files.write_bytes(directory, path, text.encode("utf-8"))
    return path, figures


Trusted = Callable[[Path], bool]


def trusted(directory: Path) -> Trusted:
    """Whether a file of ``directory`` is one pipsim wrote there, unchanged: fit to report."""
    record = files.read_record(directory)
    return lambda path: files.trusted(record, path)


def load_template(path: Path | None = None) -> jinja2.Template:
    """The report template, pipsim's own or the one at ``path``; `ReportError` names a bad one.

    Sandboxed and autoescaped: an organisation's template restyles the page, and text from
    the results (a scenario's description, a hand-edited manifest) stays text.
    """
    environment = SandboxedEnvironment(
        autoescape=True, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True
    )
    if path is None:
        text = (resources.files("pipsim.analysis") / "templates" / TEMPLATE).read_text("utf-8")
        return environment.from_string(text)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"--template {path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"--template {path}: a folder, not a template file") from None
    except UnicodeDecodeError:
        raise ReportError(f"--template {path}: not UTF-8 text") from None
    except OSError as error:
        raise ReportError(f"--template {path}: cannot be read: {error.strerror}") from None
    try:
        template = environment.from_string(text)
    except jinja2.TemplateSyntaxError as error:
        raise ReportError(
            f"--template {path}, line {error.lineno}: not a valid Jinja2 template: {error.message}"
        ) from None
    template.name = str(path)  # named in the errors of `render`
    return template


def render(template: jinja2.Template, context: dict[str, Any]) -> str:
    """The page; a template that fails while rendering is a `ReportError` naming it."""
    try:
        return template.render(**context)
    except (jinja2.TemplateError, LookupError, TypeError, ValueError, ArithmeticError) as error:
        where = f"--template {template.name}" if template.name else "the report template"
        raise ReportError(f"{where}: cannot render: {error}") from None


def section(title: str, **parts: Any) -> dict[str, Any]:
    """One section of the page, every key present (a template tests them, never misses one)."""
    base: dict[str, Any] = {"level": 2, "note": "", "answer": "", "table": None, "figures": []}
    return {"title": title, **base, "pre": None, **parts}


def table(frame: pd.DataFrame, note: str = "", header_column: bool = False) -> dict[str, Any]:
    """A table for the template: column names and rows of text."""
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    columns = [str(c) for c in frame.columns]
    return {"columns": columns, "rows": rows, "note": note, "header_column": header_column}


def build_report(
    directory: Path, calibration: Path | None = None, template: jinja2.Template | None = None
) -> tuple[str, int]:
    """The report of ``directory`` as one HTML document, and the number of figures in it."""
    template = template or load_template()
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such directory")
    ok = trusted(directory)
    if calibration is not None and not trusted(calibration)(calibration / CALIBRATION):
        raise ReportError(f"{calibration} holds no calibration (no {CALIBRATION} pipsim wrote)")
    if ok(directory / CALIBRATION) and not ok(directory / "manifest.json"):
        sections, count = calibration_sections(directory)
        name = str(_json(directory / CALIBRATION, ok).get("name") or directory.name)
        context = _context(f"calibration: {name}", "", "", sections)
        return render(template, context), count
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
    design = _table(manifest, "design")
    base, sweep = _table(design, "base"), _table(design, "sweep")
    found = _json(directory / "duration.json", ok)
    title = words.sweep_title(name, sweep, bool(design.get("sample")), bool(found))
    meta = (
        f"pipsim {__version__} report of {directory.name}, written "
        f"{time.strftime('%Y-%m-%d %H:%M')}; {manifest.get('total_runs', '?')} runs"
    )
    drawn = _table(design, "ensemble")
    if drawn:  # the parameters were drawn, not fixed: say so where every reader looks
        meta += (
            f", their parameters drawn across an ensemble of {drawn.get('members', '?')} "
            "accepted sets (the scenario's own values kept)"
        )
    keys = manifest.get("design_keys")
    keys = [str(k) for k in keys] if isinstance(keys, list) else None
    sections = discovery_sections(directory, ok) + sensitivity_warnings(directory, ok)
    pngs = sorted(
        filter(ok, (directory / "figures").glob("*.png")), key=lambda p: (p.stem != "duration", p)
    )
    if pngs:
        sections.append(section("Figures", figures=[_figure(p) for p in pngs]))
    tables, spread = _tables(directory, keys, ok, found)
    sections += tables
    sections.append(
        section("Appendix: the scenario file (to reproduce the runs)", pre=scenario or "—")
    )
    sections.append(section("Appendix: manifest", table=_manifest(manifest)))
    count = len(pngs)
    if calibration is not None:
        more, extra = calibration_sections(calibration)
        sections += more
        count += extra
    p = _parameters(base)
    context = _context(title, str(head.get("description", "")), meta, sections)
    context |= _answer(found, spread)
    context["definitions"] = words.definitions(p)
    context["targets"] = words.targets_in_words(p)
    context["assumptions"] = words.assumptions_in_words(
        {k: v for k, v in base.items() if k not in sweep}
    )
    return render(template, context), count


def _context(title: str, description: str, meta: str, sections: list) -> dict[str, Any]:
    """Everything the template receives (its header comment lists the names)."""
    return {
        "title": title,
        "description": description,
        "meta": meta,
        "answer": None,
        "levers": None,
        "warnings": [],
        "definitions": [],
        "targets": [],
        "assumptions": [],
        "sections": sections,
        "version": __version__,
        "written": time.strftime("%Y-%m-%d %H:%M"),
    }


def _table(facts: dict, key: str) -> dict:
    """``facts[key]`` if it is a table, else an empty one (a manifest edited by hand)."""
    value = facts.get(key)
    return value if isinstance(value, dict) else {}


def _parameters(base: dict) -> Parameters:
    """The parameters of the runs (the design's base), or the defaults if it does not hold."""
    try:
        return Parameters(**base)
    except (TypeError, ValueError):
        return Parameters()


def _answer(found: dict, spread: tuple[list, list]) -> dict[str, Any]:
    """The designer's answer box, the levers table and the warnings, from ``duration.json``."""
    intervals, runs = spread
    asked = found.get("at_asked_length")
    asked = asked if isinstance(asked, dict) else {}
    context: dict[str, Any] = {}
    if found:
        sentences = [str(asked.get(k)) for k in ("sentence", "binding_target") if asked.get(k)] or [
            str(found.get("answer", ""))
        ]
        if found.get("shortest_sentence"):
            sentences.append(str(found["shortest_sentence"]))
        rounds = found.get("replications_per_round") or []
        note = ""
        if isinstance(rounds, list) and len(rounds) > 1:
            note = (
                f"Adaptive: {' → '.join(map(str, rounds))} runs per length, until every "
                f"Wilson half-width was within {found.get('tolerance')} or the maximum was "
                "reached."
            )
        if found.get("ensemble"):
            note = (
                f"{note} Runs drawn across an ensemble of accepted parameter sets: the first "
                "interval is what more runs would settle; the second adds what we do not know "
                "about the parameters (their 5–95% spread)."
            ).strip()
        months, target = asked.get("months"), found.get("target")
        question = str(found.get("question", ""))
        if months and isinstance(target, int | float):
            question = (
                f"Is {months} months enough, and how long must the project be to meet the "
                f"log frame with {percent(target)} probability?"
            )
        context["answer"] = {
            "question": question,
            "asked_months": months,
            "sentences": sentences,
            "note": note,
        }
    levers = asked.get("levers")
    if isinstance(levers, list) and levers and all(isinstance(r, dict) for r in levers):
        targets = asked.get("targets") or [{}]
        binding = str(targets[0].get("words", "binding target")) if targets else "binding target"
        try:
            frame = words.lever_table(levers, binding)
        except (KeyError, TypeError, ValueError):
            frame = None
        if frame is not None:
            context["levers"] = {
                "question": f"What would make {asked.get('months')} months enough? Each lever "
                "alone, on the same runs",
                **table(frame),
            }
            for r in levers:
                intervals.append((float(r.get("lower", 0)), float(r.get("upper", 0))))
                runs.append(int(r.get("runs", 0) or 0))
    context["warnings"] = words.warnings(intervals, runs)
    return context


def discovery_sections(directory: Path, ok: Trusted) -> list[dict[str, Any]]:
    """Each ``pipsim discover`` answer pipsim recorded in ``directory``, in words."""
    parts = []
    for path in sorted(filter(ok, directory.glob("discovery_*.json"))):
        found = _json(path, ok)
        if found.get("answer"):
            note = (
                f"{found.get('question', '')} Inputs ranked by extra-trees feature scores: "
                f"{', '.join(map(str, found.get('ranking', [])))}. PRIM box from EMA "
                "Workbench; coverage: share of all such runs in the box; density: share of the "
                "box's runs where it happens."
            )
            parts.append(section("Scenario discovery", answer=str(found["answer"]), note=note))
    return parts


def sensitivity_warnings(directory: Path, ok: Trusted) -> list[dict[str, Any]]:
    """The warnings of a sensitivity analysis (its tables' ``flag`` column), if any.

    Only tables pipsim recorded, unchanged since, are read (see `trusted`).
    """
    lines = []
    for path in [*sorted(directory.glob("sensitivity_*.csv")), directory / "noise.csv"]:
        try:
            frame = _csv(path, ok, keep_default_na=False)
        except (OSError, ValueError):
            continue
        if "flag" not in frame.columns:
            continue
        for row in frame[frame["flag"].astype(str) != ""].itertuples():
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
    return [section("Warnings: indices not to be trusted", pre=shown + more)]


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


def calibration_sections(directory: Path) -> tuple[list[dict[str, Any]], int]:
    """The calibration in ``directory`` as report sections, and the figures they embed."""
    ok = trusted(directory)
    facts = _json(directory / CALIBRATION, ok)
    note = (
        f"{facts.get('generations', '?')} ABC-SMC generations; stopped: "
        f"{facts.get('stopped', '?')}; runs: {_flat(facts.get('runs', {}))}"
    )
    body = [section(f"Calibration: {facts.get('name', directory.name)}", level=1, note=note)]
    body.append(_targets_table(directory / "targets.toml", ok))
    for name, title, says in CALIBRATION_TABLES:
        try:
            frame = _csv(directory / name, ok)
        except (OSError, ValueError) as error:
            body.append(section(title, note=f"{name} cannot be read: {error}"))
            continue
        if name == "screening.csv" and "importance" in frame:
            frame = frame[["parameter", "importance", "rank", "kept"]].drop_duplicates()
        body.append(section(title, note=says, table=table(words.people_table(frame))))
    pngs = sorted(filter(ok, (directory / "figures").glob("*.png")))
    if pngs:
        body.append(section("Calibration figures", figures=[_figure(p) for p in pngs]))
    return body, len(pngs)


def _targets_table(path: Path, ok: Trusted) -> dict[str, Any]:
    title = "Targets (sources and readings)"
    try:
        data = tomllib.loads(_bytes(path, ok).decode("utf-8")).get("targets", {})
    except (OSError, ValueError):
        return section(title, note=f"{path.name} cannot be read")
    rows = []
    for name, t in data.items() if isinstance(data, dict) else []:
        if isinstance(t, dict):
            keys = ("set", "source", "quote", "reading", "range")
            rows.append({"target": name, **{k: _flat(t.get(k, "")) for k in keys}})
    return section(title, table=table(pd.DataFrame(rows)))


def _flat(value: object) -> str:
    """A value in words: a table's settings as "key value; ...", a list comma-separated."""
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {_flat(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(map(_flat, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    return " ".join(str(value).split())


def _tables(
    directory: Path, keys: list[str] | None, ok: Trusted, found: dict
) -> tuple[list[dict[str, Any]], tuple[list, list]]:
    """Every table pipsim wrote in ``directory``, for people; and the intervals and run counts.

    The intervals and counts of the success chances feed the warnings (`report_words.warnings`).
    """
    parts = []
    intervals: list[tuple[float, float]] = []
    runs: list[int] = []
    asked = found.get("target")
    target = float(asked) if isinstance(asked, int | float) else 0.8
    for path in sorted(filter(ok, directory.glob("*.csv")), key=_table_order):
        title = path.stem.replace("_", " ").capitalize()
        try:
            frame = _csv(path, ok)
            if path.name == "duration.csv":
                swept = frame[frame["source"] == "swept"]
                intervals += list(zip(swept["lower"], swept["upper"], strict=True))
                runs += [int(n) for n in swept["runs"].dropna()]
                title = "The chance at each project length"
                frame = words.duration_table(frame, target)
            elif path.name == "probabilities.csv":
                success = frame[frame["target"] == "success"]
                intervals += list(zip(success["lower"], success["upper"], strict=True))
                runs += [int(n) for n in success["n"]]
                title = "The chance of meeting each target (95% interval)"
                frame = words.odds_table(frame, _design(frame, keys, "target"))
            elif path.name == "summary.csv":
                title = "Key outcomes: mean (5% to 95% of runs)"
                frame = words.outcomes_table(frame, _design(frame, keys, "outcome"))
            elif path.name == "levers.csv":
                continue  # the levers table above says it
            else:
                frame = words.people_table(frame)
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
            # a damaged or hand-edited table: said so, the rest of the report stands
            parts.append(section(title, note=f"{path.name} cannot be read: {error}"))
            continue
        shown = f"first {MAX_ROWS} of {len(frame)} rows; " if len(frame) > MAX_ROWS else ""
        note = f"{shown}every row: {path.name}"
        parts.append(section(title, table=table(frame.head(MAX_ROWS), note)))
    return parts, (intervals, runs)


def _design(frame: pd.DataFrame, keys: list[str] | None, before: str) -> list[str]:
    """The design columns of a summary table: the manifest's keys, or those before ``before``."""
    if keys is None:
        keys = list(frame.columns[1 : list(frame.columns).index(before)])
    return keys


def _cell(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.4g}"
    return str(value)


def _figure(path: Path) -> dict[str, str]:
    data = base64.b64encode(files.read_bytes(path)).decode("ascii")
    return {
        "src": f"data:image/png;base64,{data}",
        "alt": path.stem,
        "caption": _caption(path.stem),
        "name": path.name,
    }


def _table_order(path: Path) -> tuple[int, str]:
    known = ("duration.csv", "probabilities.csv", "summary.csv")
    return (known.index(path.name) if path.name in known else len(known), path.name)


def _caption(stem: str) -> str:
    for prefix, caption in CAPTIONS.items():
        if stem.startswith(prefix):
            return caption.format(axis=stem[len(prefix) :].replace("_", " ") or "the outcome")
    return stem.replace("_", " ").capitalize() + "."


def _manifest(manifest: dict) -> dict[str, Any]:
    """The manifest as rows of words: nested settings flattened, never a Python dict."""
    rows = [(key.replace("_", " "), _flat(value)) for key, value in manifest.items()]
    return table(pd.DataFrame(rows, columns=["", "value"]), header_column=True)


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
