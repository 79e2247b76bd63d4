"""Wall time of one month on the trainers' page: the model's step and every panel redrawn.

What a press of *Step* costs the server before Solara sends the page's changes: the run's
month (both runs' in compare mode) plus the header, the network (its layout relaxed), the two
charts and the event log, exactly as `pipsim.viz.page` builds them. The browser's own work is
not included (see ``--browser``). The compiled rules are warmed up first (a first month
compiles them, ~10 s once per machine); then ``--runs`` runs of ``--months`` months each, with
a different seed each; prints the minimum and median per month, one run and compare mode.

With ``--browser URL`` (a ``pipsim viz`` already serving there; start it yourself), it also
times a press of *Step* in headless Chromium until the header shows the next month.

Usage: ``.venv/bin/python benchmarks/bench_viz.py [--runs 5] [--months 60] [--browser URL]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from pipsim.viz import app
from pipsim.viz import components as c


def one_run_month(model: app.OneRun) -> None:
    model.step()
    c.header_html(model)
    c.network_html(model)
    c.trust_chart_html([model])
    c.participation_chart_html([model])
    c.event_log_html(model)


def compare_month(model: app.Comparison) -> None:
    model.step()
    c.header_html(model.a)
    c.network_html(model.a)
    c.network_html(model.b, layout_of=model.a)
    c.trust_chart_html([model.a, model.b])
    c.participation_chart_html([model.a, model.b])
    c.event_log_html(model.a)
    c.event_log_html(model.b)


def timed(
    make: Callable[[int], Any], month: Callable[[Any], None], runs: int, months: int
) -> list[float]:
    """Seconds per month over ``runs`` runs of ``months`` months (seeds 0, 1, ...)."""
    times = []
    for seed in range(runs):
        model = make(seed)
        for _ in range(months):
            start = time.perf_counter()
            month(model)
            times.append(time.perf_counter() - start)
    return times


def browser_step(url: str, presses: int) -> list[float]:
    """Seconds from a press of Step to the header showing the next month, in Chromium."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        page = chromium.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        page.wait_for_selector(".pv-month", timeout=60_000)
        step = page.get_by_role("button", name="Step")
        for k in range(1, presses + 1):
            start = time.perf_counter()
            step.click()
            page.wait_for_function(
                f"document.querySelector('.pv-month').textContent.startsWith('Month {k} ')",
                timeout=60_000,
            )
            times.append(time.perf_counter() - start)
        chromium.close()
    return times[1:]  # the first press may compile the rules in the server


def report(name: str, times: list[float]) -> None:
    print(
        f"{name:<28} min {min(times) * 1000:7.1f} ms   median "
        f"{statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   "
        f"({len(times)} months)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--browser", metavar="URL", help="also time Step in Chromium here")
    args = parser.parse_args()
    app.OneRun(seed=99).step()  # compile the rules
    report(
        "one run (server)",
        timed(lambda s: app.OneRun(seed=s), one_run_month, args.runs, args.months),
    )
    report(
        "compare (server)",
        timed(lambda s: app.Comparison(seed=s), compare_month, args.runs, args.months),
    )
    if args.browser:
        report("Step in Chromium", browser_step(args.browser, 20))


if __name__ == "__main__":
    main()
