"""``pipsim validate``: rerun the validation experiments and regenerate ``docs/validation.md``.

Each folder of ``experiments/`` holding a ``run.py`` is one lesson of the source document,
tested by its own script (`pipsim.validation.experiment_main`), which writes ``result.json``
and ``figure.png`` beside its README. This command runs them one after another, each in its
own Python process (an experiment that crashes is reported and the others still run), then
rewrites the part of ``docs/validation.md`` between ``<!-- results:begin -->`` and
``<!-- results:end -->`` from the results: the lesson → experiment → numbers → verdict table
and the figures. The prose around the markers — what was learned — is the team's and is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipsim.cli.common import Subparsers, UsageError, positive

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def add(subparsers: Subparsers) -> None:
    """Add ``validate``: rerun every experiment and regenerate the validation document."""
    parser = subparsers.add_parser(
        "validate",
        help="rerun the validation experiments and regenerate docs/validation.md",
        description="Run every experiments/NN_name/run.py (or those given with --only), each "
        "writing result.json and figure.png beside its README, then rewrite the results "
        "table and figures of docs/validation.md between its results:begin/end markers.",
        epilog="example: pipsim validate --only 02 05 --replications 20",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--experiments",
        type=Path,
        default=Path("experiments"),
        metavar="DIR",
        help="default: %(default)s",
    )
    parser.add_argument(
        "--doc",
        type=Path,
        default=Path("docs/validation.md"),
        metavar="FILE",
        help="default: %(default)s",
    )
    parser.add_argument("--only", nargs="+", metavar="NN", help="experiments to run, by number")
    parser.add_argument(
        "--replications", type=positive, metavar="N", help="runs per point (quick look)"
    )
    parser.add_argument(
        "--workers", type=positive, default=2, metavar="N", help="default: %(default)s"
    )
    parser.add_argument(
        "--no-run", action="store_true", help="only regenerate the document from result.json"
    )
    parser.set_defaults(handler=validate_command)


def validate_command(args: argparse.Namespace) -> int:
    """Run the chosen experiments, then regenerate the document; 1 if an experiment failed."""
    folders = find_experiments(args.experiments)
    chosen = select(folders, args.only) if args.only else folders
    if not args.doc.is_file():
        raise UsageError(f"{args.doc}: no such file (the validation document to regenerate)")
    failed = []
    if not args.no_run:
        for i, folder in enumerate(chosen, 1):
            print(f"[{i}/{len(chosen)}] {folder.name}", flush=True)
            start = time.perf_counter()
            try:
                status = run_experiment_script(folder, args.replications, args.workers)
            except KeyboardInterrupt:
                write_document(args.doc, folders)  # what finished is kept and shown
                rest = " ".join(f.name.split("_")[0] for f in chosen[i - 1 :])
                print(
                    f"interrupted in {folder.name}: earlier experiments' results are kept and "
                    f"{args.doc} shows them; run the rest with: pipsim validate --only {rest}",
                    file=sys.stderr,
                )
                raise
            if status != 0:
                failed.append(folder.name)
                print(f"    FAILED ({time.perf_counter() - start:.0f} s)", flush=True)
    write_document(args.doc, folders)
    print(f"wrote {args.doc} ({len(folders)} experiments)")
    if failed:
        print(f"failed: {', '.join(failed)} (their previous results are kept)", file=sys.stderr)
        return 1
    return 0


def find_experiments(root: Path) -> list[Path]:
    """The experiment folders under ``root`` (those with a ``run.py``), in their numbered order."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such directory (the experiments, one folder per lesson)")
    folders = sorted(p.parent for p in root.glob("*/run.py"))
    if not folders:
        raise UsageError(f"{root}: no experiment folders (each needs a run.py)")
    return folders


def select(folders: list[Path], wanted: list[str]) -> list[Path]:
    """The folders whose name starts with one of ``wanted`` (``05`` or ``05_staff_turnover``)."""
    chosen = [f for f in folders if any(f.name.split("_")[0] == w.split("_")[0] for w in wanted)]
    unknown = [
        w for w in wanted if not any(f.name.split("_")[0] == w.split("_")[0] for f in folders)
    ]
    if unknown:
        names = ", ".join(f.name for f in folders)
        raise UsageError(f"--only {' '.join(unknown)}: no such experiment; allowed: {names}")
    return chosen


def run_experiment_script(folder: Path, replications: int | None, workers: int) -> int:
    """Run ``folder/run.py`` in a fresh Python process; return its exit status."""
    command = [sys.executable, str(folder / "run.py"), "--workers", str(workers)]
    if replications is not None:
        command += ["--replications", str(replications)]
    return subprocess.run(command, check=False).returncode


def read_result(folder: Path) -> dict[str, Any] | None:
    """The experiment's ``result.json``, or None if it has not been run yet."""
    path = folder / "result.json"
    return json.loads(path.read_text()) if path.is_file() else None


def title(folder: Path) -> str:
    """The experiment's title: its README's first heading, else its folder name."""
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text().splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return folder.name


def results_section(folders: list[Path], doc: Path) -> str:
    """The generated part of the document: the verdict table, then each experiment's figure."""
    base = doc.resolve().parent

    def link(path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), base)).as_posix()

    rows = ["| Lesson | Experiment | Numbers | Verdict |", "|---|---|---|---|"]
    figures = []
    for folder in folders:
        result, name = read_result(folder), title(folder)
        experiment = f"[{name}]({link(folder / 'README.md')})"
        if result is None:
            rows.append(f"| {name} | {experiment} | not run yet | — |")
            continue
        runs = f", {result['runs']} runs" if "runs" in result else ""
        summary = str(result.get("summary", "")).replace("|", "\\|").replace("\n", " ")
        verdict = f"**{result['verdict']}**"
        rows.append(f"| {result['lesson']} | {experiment}{runs} | {summary} | {verdict} |")
        if (folder / "figure.png").is_file():
            figures.append(f"### {name}\n\n![{name}]({link(folder / 'figure.png')})\n")
    return "\n".join(rows) + "\n\n" + "\n".join(figures)


def write_document(doc: Path, folders: list[Path]) -> None:
    """Replace the text between the results markers of ``doc`` with `results_section`."""
    text = doc.read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise UsageError(f"{doc}: lacks the {BEGIN} … {END} markers around the results")
    section = f"{BEGIN}\n{results_section(folders, doc)}{END}"
    doc.write_text(pattern.sub(lambda _: section, text))
