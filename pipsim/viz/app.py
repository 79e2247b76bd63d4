"""The trainers' pages, built with Mesa's SolaraViz: one run, or two runs side by side.

``Page`` shows one run as it unfolds: the trust network, trust and participation over the
months, and the event log. ``ComparePage`` shows two runs with the same seed, run B changing
one setting of run A (e.g. high staff turnover), so the difference on screen is the setting's.
Both use SolaraViz's own controls (step, play/pause, reset) and its model parameters: moving a
control and pressing *Reset* starts a new run with it.

Every browser session gets its own model: each page creates its model inside the component
(`solara.use_memo`), and SolaraViz keeps it in component state, which Solara scopes to the
session's virtual kernel. Nothing in this module holds a model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import mesa
import solara
from mesa.visualization import SolaraViz
from mesa.visualization import solara_viz as _solara_viz

from pipsim.model import PIPModel
from pipsim.parameters import FIELDS
from pipsim.viz import presets
from pipsim.viz.components import run_panels

PLAY_INTERVAL_MS = 400  # a month every ~0.4 s when playing: slow enough to follow in a room
DEFAULT_SEED = 1
MONTHS_RANGE = (12, 120)  # project length on the slider (launch + close-out take 9 months)


def _default(name: str) -> Any:
    return FIELDS[name].default


def _words(typology: str) -> str:
    """A typology as shown in the controls: ``horizontal_network`` -> ``horizontal network``."""
    return typology.replace("_", " ")


def control(name: str, label: str, span: tuple[float, float] | None = None) -> dict[str, Any]:
    """SolaraViz's control of parameter ``name``, read from its declaration in `Parameters`.

    The default, the allowed range (or ``span``, a narrower one that suits a slider) and the
    choices come from the field's metadata; ``label`` is the page's words for a training room.
    """
    f = FIELDS[name]
    meta = f.metadata
    if "choices" in meta:
        values = [_words(c) for c in meta["choices"]]
        return {"type": "Select", "label": label, "value": _words(str(f.default)), "values": values}
    low, high = span or (meta["low"], meta["high"])
    whole = isinstance(f.default, int)
    return {
        "type": "SliderInt" if whole else "SliderFloat",
        "label": label,
        "value": f.default,
        "min": low,
        "max": high,
        "step": 1 if whole else 0.05,
    }


CONTROLS: dict[str, dict[str, Any]] = {
    "typology": control("typology", "Type of project"),
    "project_months": control(
        "project_months", "Project length (months with the agency)", MONTHS_RANGE
    ),
    "staff_turnover": control(
        "staff_turnover", "Staff turnover (share of the team leaving a year)"
    ),
    "public_commitment": control(
        "public_commitment", "Public commitment (chance a promise is kept)"
    ),
    "initial_trust": control("initial_trust", "Initial trust among the firms"),
    "seed": {
        "type": "SliderInt",
        "label": "Seed (same seed: same firms, same luck)",
        "value": DEFAULT_SEED,
        "min": 0,
        "max": 99,
        "step": 1,
    },
}


class OneRun(PIPModel):
    """A `PIPModel` as the page builds it from its controls, with the monthly series.

    The signature names the controls only (no ``**kwargs``): SolaraViz passes a Mesa
    ``scenario`` on reset to a model that accepts any keyword, and `PIPModel` would refuse it.

    Args:
        typology: a typology, with spaces or underscores (``"horizontal network"``).
        project_months: months with the agency.
        staff_turnover: annual rate of technician departures.
        public_commitment: probability that the public agency keeps an agreed action.
        initial_trust: mean firm-to-firm trust at launch.
        seed: the random seed.
    """

    def __init__(
        self,
        *,
        typology: str = _words(_default("typology")),
        project_months: int = _default("project_months"),
        staff_turnover: float = _default("staff_turnover"),
        public_commitment: float = _default("public_commitment"),
        initial_trust: float = _default("initial_trust"),
        seed: int = DEFAULT_SEED,
    ):
        super().__init__(
            typology=typology.replace(" ", "_"),
            project_months=int(project_months),
            staff_turnover=float(staff_turnover),
            public_commitment=float(public_commitment),
            initial_trust=float(initial_trust),
            rng=int(seed),
            time_series=True,
        )
        self.seed = int(seed)


# --- the comparison -------------------------------------------------------------------------
def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


# What run B changes, in words, and how: settings of run A -> the changed ones.
CONTRASTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "high staff turnover (40% a year)": lambda s: {"staff_turnover": 0.4},
    "no staff turnover": lambda s: {"staff_turnover": 0.0},
    "a ministry that keeps every promise": lambda s: {"public_commitment": 1.0},
    "a ministry that keeps 1 promise in 3": lambda s: {"public_commitment": 0.33},
    "more initial trust (+0.2)": lambda s: {"initial_trust": _clip(s["initial_trust"] + 0.2, 0, 1)},
    "a project 12 months longer": lambda s: {
        "project_months": int(_clip(s["project_months"] + 12, *MONTHS_RANGE))
    },
    "a project 12 months shorter": lambda s: {
        "project_months": int(_clip(s["project_months"] - 12, *MONTHS_RANGE))
    },
}

CONTROLS = presets.apply(CONTROLS, presets.from_environment())  # pipsim viz --seed 7 ...

COMPARE_CONTROLS: dict[str, dict[str, Any]] = {
    "run_b": {
        "type": "Select",
        "label": "Run B is run A with…",
        "value": next(iter(CONTRASTS)),
        "values": list(CONTRASTS),
    },
    **CONTROLS,
}


class Comparison(mesa.Model):
    """Two runs with the same seed, B changing one setting of A; a step advances both a month.

    Args:
        run_b: what run B changes, a key of `CONTRASTS`.
        typology: the typology of both runs (with spaces or underscores).
        project_months: run A's months with the agency.
        staff_turnover: run A's annual rate of technician departures.
        public_commitment: run A's probability that an agreed public action is kept.
        initial_trust: run A's mean firm-to-firm trust at launch.
        seed: the seed of both runs.
    """

    def __init__(
        self,
        *,
        run_b: str = next(iter(CONTRASTS)),
        typology: str = _words(_default("typology")),
        project_months: int = _default("project_months"),
        staff_turnover: float = _default("staff_turnover"),
        public_commitment: float = _default("public_commitment"),
        initial_trust: float = _default("initial_trust"),
        seed: int = DEFAULT_SEED,
    ):
        super().__init__(rng=int(seed))
        if run_b not in CONTRASTS:
            raise ValueError(f"run_b={run_b!r} is not allowed: choose one of {list(CONTRASTS)}")
        settings: dict[str, Any] = {
            "typology": typology,
            "project_months": project_months,
            "staff_turnover": staff_turnover,
            "public_commitment": public_commitment,
            "initial_trust": initial_trust,
            "seed": seed,
        }
        self.seed = int(seed)
        self.change = run_b
        self.a = OneRun(**settings)
        self.b = OneRun(**{**settings, **CONTRASTS[run_b](settings)})

    def step(self) -> None:
        """Advance each run still going by a month."""
        for run in (self.a, self.b):
            if run.running:
                run.step()
        self.running = self.a.running or self.b.running

    def differences(self) -> str:
        """How run B's parameters differ from run A's, in words (or that they do not)."""
        a, b = self.a.p.to_dict(), self.b.p.to_dict()
        changed = [
            f"{f.name.replace('_', ' ')} {a[f.name]:g} → {b[f.name]:g}"
            for f in dataclasses.fields(self.a.p)
            if a[f.name] != b[f.name]
        ]
        return ", ".join(changed) if changed else "no difference with these settings"


def _heading_a(model: Comparison) -> str:
    return "Run A: your settings"


def _heading_b(model: Comparison) -> str:
    return f"Run B: the same, with {model.change} — {model.differences()}"


# --- the layout -----------------------------------------------------------------------------
# SolaraViz lays its components out on a draggable grid of 12 columns and 30-pixel rows (10
# pixels apart), every cell half the width and 10 rows high: too small for a projector, and
# not configurable. Its module-level `make_initial_grid_layout` is replaced below by one that
# knows these pages: two columns, the network and the trust chart on top (for one run), or
# run A on the left and run B on the right, panel by panel (for the comparison).
ROWS_ONE_RUN = (13, 13, 12, 12)  # network, trust, participation, event log
ROWS_COMPARE = (13, 11, 11, 12)  # network, trust, participation, event log (each for A and B)


def _pixels(rows: int) -> int:
    """Height in pixels of a grid cell ``rows`` rows high."""
    return 40 * rows - 10


def grid_layout(count: int) -> list[dict[str, Any]]:
    """The initial layout of ``count`` panels: this module's pages, or Mesa's default."""
    if count == 4:  # one run: network | trust, then participation | event log
        rows = ROWS_ONE_RUN
        cells = [(0, 0, rows[0]), (6, 0, rows[1]), (0, rows[0], rows[2]), (6, rows[1], rows[3])]
    elif count == 8:  # the comparison: A | B, panel by panel
        cells, top = [], 0
        for height in ROWS_COMPARE:
            cells += [(0, top, height), (6, top, height)]
            top += height
    else:
        return _mesa_grid_layout(count)
    return [
        {"i": i, "x": x, "y": y, "w": 6, "h": h, "moved": False}
        for i, (x, y, h) in enumerate(cells)
    ]


_mesa_grid_layout = _solara_viz.make_initial_grid_layout
_solara_viz.make_initial_grid_layout = grid_layout

# Readable from the back of a room: the sliders show their values, text is larger.
CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { flex: 1 0 100%; max-width: 100%; white-space: normal;
    height: auto; line-height: 1.3; font-size: 15px; }
.v-input__slider .v-slider { margin-top: 40px; }
.v-slider__thumb-label-container { display: block !important; }
.v-slide-group.v-tabs-bar { display: none; }  /* SolaraViz's "Page 0" tab: one page only */
.pipsim-help { font-size: 15px; line-height: 1.4; padding: 12px 16px; }
.pipsim-heading { font-size: 19px; font-weight: 600; line-height: 1.3; }
.pipsim-status { font-size: 16px; line-height: 1.35; }
.pipsim-settings { font-size: 13px; color: #555; }
.pipsim-events { font-size: 15px; line-height: 1.45; padding-left: 18px; }
.pipsim-empty { font-size: 15px; font-style: italic; }
"""

# --- the pages ------------------------------------------------------------------------------
ONE_RUN_PANELS = run_panels(lambda model: model, [_pixels(r) for r in ROWS_ONE_RUN])
_A = run_panels(lambda model: model.a, [_pixels(r) for r in ROWS_COMPARE], _heading_a)
_B = run_panels(lambda model: model.b, [_pixels(r) for r in ROWS_COMPARE], _heading_b)
COMPARE_PANELS = [panel for pair in zip(_A, _B, strict=True) for panel in pair]  # A left, B right


HELP = (
    "<b>How to use it.</b> <b>STEP</b> lets one month pass, <b>▶</b> plays month after month. "
    "To try other settings, change them under <i>Model Parameters</i> and press "
    "<b>RESET</b>: a new run starts with them."
)


@solara.component
def Help() -> None:
    """How to drive the page, in two sentences, in the sidebar."""
    with solara.Sidebar():
        with solara.Card():
            solara.HTML(tag="div", unsafe_innerHTML=HELP, classes=["pipsim-help"])


def _initial(controls: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: spec["value"] for name, spec in controls.items()}


@solara.component
def Page() -> None:
    """One run, month by month: the network, trust, participation and the event log."""
    model = solara.use_memo(lambda: OneRun(**_initial(CONTROLS)), [])
    solara.Style(CSS)
    Help()
    SolaraViz(
        model,
        components=ONE_RUN_PANELS,
        model_params=CONTROLS,
        name="pipsim · one project, month by month",
        play_interval=PLAY_INTERVAL_MS,
    )


@solara.component
def ComparePage() -> None:
    """Two runs side by side, the same seed, run B changing one setting of run A."""
    model = solara.use_memo(lambda: Comparison(**_initial(COMPARE_CONTROLS)), [])
    solara.Style(CSS)
    Help()
    SolaraViz(
        model,
        components=COMPARE_PANELS,
        model_params=COMPARE_CONTROLS,
        name="pipsim · two projects side by side: same firms, one setting changed",
        play_interval=PLAY_INTERVAL_MS,
    )
