"""The trainers' view in a real browser: ``pipsim viz`` served, headless Chromium using it.

Each test starts ``pipsim viz`` as a subprocess on a free 127.0.0.1 port, drives Debian's
Chromium (/usr/bin/chromium) with playwright, and stops the server's process group at the end.
The page must work offline: every request the browser makes goes to 127.0.0.1. Screenshots
are saved under pytest's tmp_path (look at them when changing the page).

Skipped when Chromium or playwright is missing: ``bash scripts/setup-browser.sh`` installs
Chromium, the ``viz`` extra installs playwright and Solara.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The fast loop leaves it out (see the README). Under pytest-xdist's --dist loadscope (as
# scripts/test.sh runs it) one worker runs every test here, in turn: one server and one
# Chromium at a time on a two-core machine.
pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM}: run bash scripts/setup-browser.sh",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need playwright: pip install -e '.[viz]'"
)
pytest.importorskip("solara", reason="pipsim viz needs Solara: pip install -e '.[viz]'")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 90  # the server imports Solara, Mesa and matplotlib first
PAGE_TIMEOUT_MS = 60_000
STEP_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1600, "height": 1000}
SCREENS = [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}]  # projector sizes
MIN_TEXT_PX = 18
DEVELOPER_CONTROLS = ("Use Threads", "Render Interval", "Play Interval")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(tmp_path: Path, *options: str) -> Iterator[str]:
    """Run ``pipsim viz`` on a free port until the generator is closed; yield its address."""
    port = free_port()
    log = (tmp_path / f"server-{port}.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "pipsim", "viz", "--host", "127.0.0.1", "--port", str(port)]
        + list(options),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"pipsim viz exited with {server.returncode}: {_read(log.name)}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"pipsim viz did not answer in {START_TIMEOUT_S} s: {_read(log.name)}")
            time.sleep(0.3)
        yield url
    finally:
        _stop(server)
        log.close()


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL if it lingers."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)
    except ProcessLookupError:
        pass


def _read(path: str) -> str:
    return Path(path).read_text(errors="replace")[-2000:]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Session:
    """One browser context (its own cookies, hence its own Solara session) on one page."""

    def __init__(self, browser: object, url: str, viewport: dict[str, int] = VIEWPORT) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url)
        self.wait_for_month(0)

    def wait_for_month(self, month: int, index: int = 0) -> None:
        status = self.page.locator(".pipsim-status").nth(index)
        sync_api.expect(status).to_contain_text(
            re.compile(rf"^Month {month} of \d+"), timeout=STEP_TIMEOUT_MS
        )

    def status(self, index: int = 0) -> str:
        return self.page.locator(".pipsim-status").nth(index).inner_text()

    def step(self, times: int, index: int = 0) -> None:
        """Press Step ``times`` times, each time waiting for the month to advance."""
        month = int(re.match(r"Month (\d+)", self.status(index)).group(1))
        for k in range(1, times + 1):
            self.page.get_by_role("button", name="Step").click()
            self.wait_for_month(month + k, index)

    def slide(self, label: str, presses: int) -> None:
        """Move the slider labelled ``label`` by ``presses`` steps with the arrow keys."""
        self.open_settings()
        slider = self.page.get_by_role("slider", name=label)
        slider.focus()
        key = "ArrowRight" if presses > 0 else "ArrowLeft"
        for _ in range(abs(presses)):
            slider.press(key)

    def open_settings(self) -> None:
        """Open the settings drawer (closed in presentation mode)."""
        drawer = self.page.locator(".pv-drawer")
        if not drawer.is_visible():
            self.page.get_by_role("button", name="Settings").click()
            sync_api.expect(drawer).to_be_visible(timeout=STEP_TIMEOUT_MS)

    def close_settings(self) -> None:
        drawer = self.page.locator(".pv-drawer")
        if drawer.is_visible():
            self.page.get_by_role("button", name="Close").click()
            sync_api.expect(drawer).to_be_hidden(timeout=STEP_TIMEOUT_MS)

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def outside_hosts(self) -> set[str]:
        """Hosts other than 127.0.0.1 the page asked for (data: and blob: URLs are local)."""
        urls = [urlsplit(u) for u in self.requests]
        hosts = {u.hostname for u in urls if u.scheme in ("http", "https", "ws", "wss")}
        return hosts - {"127.0.0.1"}

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def one_run_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("viz"))


@pytest.fixture(scope="module")
def compare_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("viz-compare"), "--compare")


def test_a_run_unfolds_and_each_session_has_its_own(
    browser: object, one_run_url: str, tmp_path: Path
) -> None:
    first = Session(browser, one_run_url)
    try:
        page = first.page
        page.screenshot(path=tmp_path / "start.png", full_page=True)
        assert "seed 1" in first.text() and "initial trust 0.20" in first.text()
        assert "Nothing notable yet" in first.text()

        # A trainer moves two controls and starts a new run with them.
        first.slide("Seed (same seed: same firms, same luck)", 4)
        first.slide("Initial trust among the firms", 2)
        first.close_settings()
        page.get_by_role("button", name="Reset").click()
        sync_api.expect(
            page.get_by_text(re.compile(r"initial trust 0\.30 · seed 5"))
        ).to_be_visible(timeout=STEP_TIMEOUT_MS)
        first.wait_for_month(0)

        # Ten months: the launch phase ends, the log shows what matters, newest first.
        first.step(10)
        assert first.status().startswith("Month 10 of 60 · Joint work")
        log = page.locator(".pipsim-events").inner_text()
        assert "design validated" not in log  # filtered out: not what a room needs
        months = [int(m) for m in re.findall(r"^Month (\d+) ·", log, flags=re.M)]
        assert months and months == sorted(months, reverse=True)  # newest first
        page.screenshot(path=tmp_path / "month-5.png", full_page=True)

        # A second browser (another trainer, another tab) gets its own, fresh run...
        second = Session(browser, one_run_url)
        try:
            assert second.status().startswith("Month 0 of 60")
            assert "seed 1" in second.text() and "initial trust 0.20" in second.text()
            second.step(1)
            second.page.screenshot(path=tmp_path / "second-session.png", full_page=True)
            # ...and stepping it leaves the first run where it was.
            assert first.status().startswith("Month 10 of 60")
            assert second.outside_hosts() == set()
        finally:
            second.close()
        assert first.outside_hosts() == set()  # works offline: nothing but 127.0.0.1
        assert any(u.startswith(one_run_url) for u in first.requests)
    finally:
        first.close()


def test_comparison_shows_two_runs_side_by_side(
    browser: object, compare_url: str, tmp_path: Path
) -> None:
    session = Session(browser, compare_url)
    try:
        text = session.text()
        assert "Run A: your settings" in text
        assert "Run B: with high staff turnover (40% a year) (staff turnover 0.15 → 0.4)" in text
        session.step(4)
        assert (
            session.page.locator(".pipsim-status").count() == 1
        )  # one header: A and B step together
        assert session.page.get_by_text("Run A: what happened").is_visible()
        assert session.page.get_by_text("Run B: what happened").is_visible()
        session.page.screenshot(path=tmp_path / "compare.png", full_page=True)

        # Another comparison: choose what run B changes, then start both runs again.
        page = session.page
        session.open_settings()
        page.locator(".v-select").filter(has_text="Run B is run A with").click()
        page.get_by_role("option", name="no staff turnover").click()
        session.close_settings()
        page.get_by_role("button", name="Reset").click()
        heading = "Run B: with no staff turnover (staff turnover 0.15 → 0)"
        sync_api.expect(page.get_by_text(heading)).to_be_visible(timeout=STEP_TIMEOUT_MS)
        session.wait_for_month(0)
        assert session.outside_hosts() == set()
    finally:
        session.close()


# What a room sees: every panel on screen, no word under 18 px, no developer controls.
PANEL_CHECK = """(rootSelector) => {
  const inside = [...document.querySelectorAll('.pv-header, .pv-panel')].map(e => {
    const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  });
  const small = [];
  const root = document.querySelector(rootSelector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility()) continue;
    // computed size times any CSS scaling on the way (Vuetify shrinks active labels)
    const scale = el.offsetHeight ? el.getBoundingClientRect().height / el.offsetHeight : 1;
    const px = parseFloat(getComputedStyle(el).fontSize) * scale;
    if (px < 17.9) small.push(node.textContent.trim().slice(0, 40) + ' @' + px.toFixed(1));
  }
  return {panels: inside, small: small};
}"""


def _check_screen(
    session: Session, size: dict[str, int], panels: int, root: str = ".pv-page"
) -> None:
    found = session.page.evaluate(PANEL_CHECK, root)
    assert len(found["panels"]) == panels
    for box in found["panels"]:
        assert box["left"] >= 0 and box["top"] >= 0, box
        assert box["right"] <= size["width"] and box["bottom"] <= size["height"], box
    assert found["small"] == [], found["small"][:5]
    text = session.text()
    for words in DEVELOPER_CONTROLS:
        assert words not in text


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_panel_is_on_screen_and_readable(
    browser: object, one_run_url: str, tmp_path: Path, size: dict[str, int]
) -> None:
    session = Session(browser, one_run_url, viewport=size)
    try:
        _check_screen(session, size, panels=5)  # header, network, trust, participation, log
        session.step(8)
        _check_screen(session, size, panels=5)
        session.open_settings()  # the settings drawer is read from the room too
        _check_screen(session, size, panels=5, root=".pv-drawer")
        session.close_settings()
        session.page.screenshot(path=tmp_path / f"one-{size['width']}.png")
    finally:
        session.close()


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_compare_panel_is_on_screen_and_readable(
    browser: object, compare_url: str, tmp_path: Path, size: dict[str, int]
) -> None:
    session = Session(browser, compare_url, viewport=size)
    try:
        session.step(8)
        _check_screen(session, size, panels=7)  # header, 2 networks, 2 charts, 2 logs
        session.page.screenshot(path=tmp_path / f"compare-{size['width']}.png")
    finally:
        session.close()


DESIGNER_PRESETS = ("--typology", "vertical_network", "--months", "30", "--initial-trust", "0.35")
NO_SCROLL = """() => [...document.querySelectorAll('.pv-panel, .pv-panel *')]
  .filter(e => e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible')
  .map(e => e.className + ' ' + e.scrollHeight + '>' + e.clientHeight)"""


@pytest.fixture(scope="module")
def designer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("viz-designer"), "--designer", *DESIGNER_PRESETS)


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_designer_page_answers_on_screen_and_readable(
    browser: object, designer_url: str, tmp_path: Path, size: dict[str, int]
) -> None:
    context = browser.new_context(viewport=size)
    try:
        page = context.new_page()
        page.goto(designer_url)
        page.get_by_role("button", name="Compute").click()
        sync_api.expect(page.get_by_text(re.compile(r"^Done: \d+ runs"))).to_be_visible(
            timeout=PAGE_TIMEOUT_MS
        )
        body = page.locator("body").inner_text()
        assert "At 30 months the chance of meeting the whole log frame is" in body
        inputs = page.locator(".pv-inputs")
        assert "vertical_network" in inputs.inner_text()  # the command line's presets
        assert inputs.locator("input").evaluate_all("es => es.map(e => e.value)").count("30")
        firms = page.get_by_role("slider", name="Firms in the territory")
        assert firms.get_attribute("aria-valuenow") == "30"  # a vertical network's preset
        assert "What would make 30 months enough?" in body
        rows = page.locator(".pv-levers tbody tr").all_inner_texts()
        assert len(rows) == 7, rows  # as designed and each of the six levers
        assert all(re.search(r"\d+%", row) for row in rows), rows
        assert "initial trust 0.35 → 0.55" in body
        session = Session.__new__(Session)  # the checks only need the page
        session.page = page
        _check_screen(session, size, panels=4)  # header, inputs, the chart, the levers
        assert page.evaluate(NO_SCROLL) == []  # nothing scrolls: the room sees it all
        page.screenshot(path=tmp_path / f"designer-{size['width']}.png")
        page.locator(".pv-inputs .v-select__slot").first.click()
        page.locator(".v-menu__content .v-list-item").filter(
            has_text=re.compile("^cluster$")
        ).click()
        sync_api.expect(firms).to_have_attribute("aria-valuenow", "120")  # the cluster's firms
    finally:
        context.close()
