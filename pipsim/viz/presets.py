"""Presets: the settings ``pipsim viz --seed 7 --typology ...`` opens the page with.

The server imports the page (`pipsim.viz.app`) in the same process after the command line is
read, so the command hands its presets over in one environment variable, `ENVIRONMENT`, as
JSON; the page starts its controls (and its first run) from them. A trainer can thus prepare
the run a room will see, and open it again the same, without touching a slider.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

ENVIRONMENT = "PIPSIM_VIZ_PRESETS"


def encode(values: dict[str, Any]) -> str:
    """The presets as the environment variable holds them."""
    return json.dumps(values, sort_keys=True)


def from_environment() -> dict[str, Any]:
    """The presets the command line set (none when the page is served some other way)."""
    text = os.environ.get(ENVIRONMENT, "")
    return json.loads(text) if text else {}


def apply(controls: dict[str, dict[str, Any]], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A copy of ``controls`` starting at ``values`` (sliders widened to hold them).

    A typology is shown in words (``vertical network``); keys the page has no control for
    are ignored: the command line checks its options before it gets here.
    """
    out = copy.deepcopy(controls)
    for name, value in values.items():
        spec = out.get(name)
        if spec is None:
            continue
        if spec["type"] == "Select":
            value = str(value).replace("_", " ")
        else:
            spec["min"], spec["max"] = min(spec["min"], value), max(spec["max"], value)
        spec["value"] = value
    return out
