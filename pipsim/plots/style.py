"""The look every figure shares: the Okabe-Ito palette and how parameters and values are named.

Figures are built with `matplotlib.figure.Figure`, never `pyplot`, so drawing selects no GUI
backend and keeps no global state; they render on a machine without a display. Colours are
the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies; line styles differ too. Labels name parameters in words, with their units, read
from the parameters' own declaration (`pipsim.parameters.FIELDS`).
"""

from __future__ import annotations

import numpy as np

from pipsim.parameters import FIELDS

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

MONTHS_LABEL = "months since launch"


def axis_label(name: str) -> str:
    """Axis label of a parameter: ``staff_turnover`` -> ``staff turnover (per year)``.

    A unit the name already ends with is not repeated (``project_months`` -> ``project months``).
    """
    unit = FIELDS[name].metadata.get("unit", "") if name in FIELDS else ""
    words = name.replace("_", " ")
    if not unit or words.endswith(unit) or unit == "switch":
        return words
    return f"{words} ({unit.replace('0-1', '0–1')})"


def value_label(value: object) -> str:
    """A design value as a tick label: ``local_environment`` -> ``local environment``, 0.3."""
    if isinstance(value, str):
        return value.replace("_", " ")
    if isinstance(value, float | np.floating) and not isinstance(value, bool):
        return f"{value:.3g}"
    return str(value)
