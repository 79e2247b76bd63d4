"""The presentation page: a grid sized to the screen, every panel visible without scrolling.

SolaraViz lays components out on a draggable grid of fixed 30-pixel rows, under developer
controls ("Use Threads", "Render Interval") a room does not need. This page keeps only what
a trainer uses of Mesa's page, its `ModelController` (Reset, ▶, Step) and `ModelCreator` (the
settings, in a panel opened from the header), and lays the panels out itself with CSS grid
in ``100vh``: the header with the month and phase, the network, the trust and participation
charts and the event log. Every word is at least 18 px. The only imports from Mesa's
visualisation internals are here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from pipsim.viz import components as c

CSS = """
.pv-page { position: fixed; inset: 0; z-index: 5; background: #fff; display: grid;
  grid-template-rows: auto minmax(0, 1fr); font-size: 20px; line-height: 1.3; color: #111; }
.pv-header { display: flex; align-items: center; gap: 24px; padding: 6px 18px;
  border-bottom: 2px solid #ddd; flex-wrap: nowrap; }
.pv-title { flex: 1 1 auto; min-width: 0; }
.pv-month { font-size: 40px; font-weight: 700; }
.pv-phase { font-size: 32px; font-weight: 500; color: #333; }
.pv-count { display: block; font-size: 20px; color: #444; }
.pv-header .v-btn { font-size: 20px !important; height: 48px !important; min-width: 64px; }
.pv-buttons { display: flex; gap: 10px; align-items: center; }
.pv-buttons > div { gap: 10px; }
.pv-grid { display: grid; gap: 10px; padding: 10px; min-height: 0; }
.pv-one { grid-template-columns: 1fr 1.2fr 1fr; grid-template-rows: minmax(0,1fr) minmax(0,1fr);
  grid-template-areas: "net trust log" "net part log"; }
.pv-two { grid-template-columns: 1fr 1.3fr 1fr; grid-template-rows: repeat(2, minmax(0,1fr));
  grid-template-areas: "netA trust logA" "netB part logB"; }
.pv-panel { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; min-height: 0;
  min-width: 0; overflow: hidden; display: flex; flex-direction: column; }
.pv-panel-title { font-size: 22px; font-weight: 600; }
.pv-body { flex: 1 1 auto; min-height: 0; position: relative; }
.pv-body > div, .pv-body > div > div { height: 100%; }
.pv-network { width: 100%; height: 100%; display: block; }
.pv-legend { display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 18px; }
.pv-key i { display: inline-block; width: 26px; margin: 0 6px 4px 0; vertical-align: middle; }
.pv-chart { display: grid; grid-template-columns: 44px minmax(0,1fr) 44px;
  grid-template-rows: minmax(0,1fr) 30px; height: 100%; }
.pv-plot { width: 100%; height: 100%; display: block; overflow: visible; }
.pv-y { position: relative; }
.pv-y .pv-tick { position: absolute; transform: translateY(-50%); font-size: 18px; }
.pv-left .pv-tick { right: 6px; } .pv-right .pv-tick { left: 6px; }
.pv-x { position: relative; }
.pv-x .pv-tick { position: absolute; transform: translateX(-50%); top: 2px; font-size: 18px; }
.pipsim-events { font-size: 19px; line-height: 1.3; padding-left: 0; list-style: none; }
.pv-fade { overflow: hidden; -webkit-mask-image: linear-gradient(to bottom, #000 85%, transparent);
  mask-image: linear-gradient(to bottom, #000 85%, transparent); }  /* older events fade out */
.pipsim-events li { padding: 2px 6px; margin-bottom: 3px; border-left: 6px solid; }
.pipsim-events li.pv-good { border-color: #009E73; background: #e6f5ef; }
.pipsim-events li.pv-bad { border-color: #D55E00; background: #fbeee6; }
.pipsim-empty { font-size: 19px; font-style: italic; }
.pipsim-settings { font-size: 18px; color: #444; }
.pv-drawer { position: fixed; top: 0; right: 0; bottom: 0; width: 420px; z-index: 10;
  background: #fff; box-shadow: -4px 0 12px rgba(0,0,0,.25); overflow-y: auto; padding: 12px; }
.pv-drawer.pv-closed { display: none !important; }
.pv-drawer .v-label, .pv-drawer .v-select__selection, .pv-drawer * { font-size: 18px !important; }
.pv-drawer .v-label--active, .pv-inputs .v-label--active {  /* Vuetify shrinks it to 75% */
  transform: translateY(-24px) !important; }
.pv-drawer .v-select, .pv-inputs .v-select { margin-top: 22px; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { flex: 1 0 100%; max-width: 100%; white-space: normal; height: auto; }
.v-input__slider .v-slider { margin-top: 40px; }
.v-slider__thumb-label-container { display: block !important; }
"""


def _html(text: str, classes: list[str] | None = None) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=classes or [])


def _panel(area: str, title: str, body: str, key: str = "") -> None:
    """A titled panel in grid area ``area``; ``key`` (a legend) goes under the title."""
    with solara.Column(gap="2px", classes=["pv-panel"], style={"grid-area": area}):
        _html(title, ["pv-panel-title"])
        if key:
            _html(key)
        with solara.Column(classes=["pv-body"]):
            _html(body)


def _log(area: str, title: str, run: Any) -> None:
    with solara.Column(gap="2px", classes=["pv-panel"], style={"grid-area": area}):
        _html(title, ["pv-panel-title"])
        _html(f"This run: {c.settings_line(run)}", ["pipsim-settings"])
        with solara.Column(classes=["pv-body", "pv-fade"]):
            _html(c.event_log_html(run))


@solara.component
def OneRunPanels(model: Any) -> None:
    """The four panels of one run."""
    update_counter.get()  # Mesa's controller bumps it after each step: draw again
    with solara.Div(classes=["pv-grid", "pv-one"]):
        _panel("net", "Who trusts whom: strong ties", c.network_html(model), c.network_legend())
        _panel(
            "trust", "Trust between partners", c.trust_chart_html([model]), c.trust_legend([model])
        )
        _panel(
            "part",
            "Firms taking part (months across)",
            c.participation_chart_html([model]),
            c.participation_legend([model]),
        )
        _log("log", "What happened (newest first)", model)


@solara.component
def ComparePanels(model: Any, heading_b: str) -> None:
    """Runs A and B: networks on one layout, charts overlaid, two event logs."""
    update_counter.get()
    a, b = model.a, model.b
    with solara.Div(classes=["pv-grid", "pv-two"]):
        _panel("netA", "Run A: your settings", c.network_html(a))
        _panel("netB", heading_b, c.network_html(b, layout_of=a))
        _panel(
            "trust", "Trust between partners", c.trust_chart_html([a, b]), c.trust_legend([a, b])
        )
        _panel(
            "part",
            "Firms taking part",
            c.participation_chart_html([a, b]),
            c.participation_legend([a, b]),
        )
        _log("logA", "Run A: what happened", a)
        _log("logB", "Run B: what happened", b)


@solara.component
def Presentation(
    make_model: Callable[[], Any],
    controls: dict[str, dict[str, Any]],
    play_interval_ms: int,
    compare_heading: Callable[[Any], str] | None = None,
) -> None:
    """The whole page: the header with the controls, the panels, the settings drawer."""
    first = solara.use_memo(make_model, [])
    model = solara.use_reactive(first)
    parameters: solara.Reactive[dict[str, Any]] = solara.use_reactive({})
    play = solara.use_reactive(play_interval_ms)
    render = solara.use_reactive(1)
    threads = solara.use_reactive(False)
    open_settings = solara.use_reactive(False)
    update_counter.get()
    run = model.value.a if compare_heading else model.value
    solara.Style(CSS)
    with solara.Div(classes=["pv-page"]):
        with solara.Row(classes=["pv-header"]):
            _html(c.header_html(run), ["pv-title"])
            with solara.Div(classes=["pv-buttons"]):
                ModelController(
                    model,
                    model_parameters=parameters,
                    play_interval=play,
                    render_interval=render,
                    use_threads=threads,
                )
                solara.Button(
                    "Settings",
                    color="secondary",
                    on_click=lambda: open_settings.set(not open_settings.value),
                )
        if compare_heading:
            ComparePanels(model.value, compare_heading(model.value))
        else:
            OneRunPanels(model.value)
    drawer = ["pv-drawer"] + ([] if open_settings.value else ["pv-closed"])
    with solara.Column(classes=drawer):
        solara.Button("Close", on_click=lambda: open_settings.set(False))
        _html("Change the settings, then press <b>Reset</b>: a new run starts with them.")
        ModelCreator(model, controls, model_parameters=parameters)
