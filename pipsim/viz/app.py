"""The trainers' pages: one run, or two runs overlaid, in presentation mode.

``Page`` shows one run as it unfolds: the trust network, trust and participation over the
months, and the event log. ``ComparePage`` shows two runs with the same seed, run B changing
one setting of run A (e.g. high staff turnover), so the difference on screen is the setting's.
This module owns the models and their controls; `pipsim.viz.page` lays them out. Moving a
setting and pressing *Reset* starts a new run with it.

Every browser session gets its own model: each page creates its model inside the component
(`solara.use_memo`) and keeps it in component state, which Solara scopes to the session's
virtual kernel. Nothing in this module holds a model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import mesa
import solara

from pipsim.model import PIPModel
from pipsim.parameters import FIELDS
from pipsim.viz import presets
from pipsim.viz.page import Presentation

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


def _heading_b(model: Comparison) -> str:
    return f"Run B: with {model.change} ({model.differences()})"


def _initial(controls: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: spec["value"] for name, spec in controls.items()}


@solara.component
def Page() -> None:
    """One run, month by month, in presentation mode (`pipsim.viz.page`)."""
    Presentation(lambda: OneRun(**_initial(CONTROLS)), CONTROLS, PLAY_INTERVAL_MS)


@solara.component
def ComparePage() -> None:
    """Two runs with the same seed, run B changing one setting of run A, overlaid."""
    Presentation(
        lambda: Comparison(**_initial(COMPARE_CONTROLS)),
        COMPARE_CONTROLS,
        PLAY_INTERVAL_MS,
        compare_heading=_heading_b,
    )
