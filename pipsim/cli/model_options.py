"""Every `Parameters` field as a command-line option, for ``run-once`` and ``story``.

The options are generated from the fields' metadata (``--field-name``, its type, range, unit
and meaning), so the command line never repeats a parameter's declaration. An option the
user does not give keeps the value of the ``--typology`` preset (`Parameters.from_overrides`).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from typing import Any

from pipsim.cli.common import Once, Options, UsageError, seed
from pipsim.parameters import FIELDS, TYPOLOGY_PRESETS, Parameters

ALIASES = {"project_months": ("months",)}  # extra option names of a field
PRESET_FIELDS = frozenset().union(*TYPOLOGY_PRESETS.values())
TRUE_WORDS = ("true", "yes", "1", "on")
FALSE_WORDS = ("false", "no", "0", "off")


def add_seed_option(group: Options) -> None:
    """``--seed N``: the run's random seed, drawn at random (and printed) if omitted."""
    group.add_argument(
        "--seed",
        type=seed,
        default=None,
        metavar="N",
        help="random seed (whole number ≥ 0); drawn at random and printed if omitted",
    )


def add_parameter_options(parser: argparse.ArgumentParser) -> None:
    """Add one option per `Parameters` field; an option not given is absent from the args."""
    group = parser.add_argument_group(
        "model parameters",
        "Every parameter of the model; an option you do not give keeps the value of the "
        "--typology preset. Booleans take true/false, yes/no or 1/0.",
    )
    for f in dataclasses.fields(Parameters):
        names = [option(f.name), *(f"--{alias}" for alias in ALIASES.get(f.name, ()))]
        group.add_argument(
            *names,
            dest=f.name,
            action=Once,
            default=argparse.SUPPRESS,
            help=_help(f),
            **_value_spec(f),
        )


def parameters_from_args(args: argparse.Namespace) -> Parameters:
    """The `Parameters` of the typology preset with the options the user gave on top.

    Raises:
        UsageError: if the values are invalid (the message names field, value and range).
    """
    given = {name: getattr(args, name) for name in FIELDS if hasattr(args, name)}
    try:
        return Parameters.from_overrides(given)
    except ValueError as error:
        raise UsageError(_with_options(str(error))) from error


def option(name: str) -> str:
    """The command-line option of a field name: ``staff_turnover`` -> ``--staff-turnover``."""
    return "--" + name.replace("_", "-")


def _with_options(message: str) -> str:
    """``message`` prefixed, as argparse does, by the option of the field it starts with."""
    match = re.match(r"(\w+)=", message)
    if match and match.group(1) in FIELDS:
        return f"argument {option(match.group(1))}: {message}"
    return message


def _value_spec(f: dataclasses.Field[Any]) -> dict[str, Any]:
    """The argparse ``type``/``choices``/``metavar`` of field ``f``."""
    if "choices" in f.metadata:
        return {"choices": f.metadata["choices"]}
    if f.default is None:  # an optional month: a whole number or "none"
        return {"type": _int_or_none, "metavar": "MONTH|none"}
    kind: type = type(f.default)
    if kind is bool:
        return {"type": _boolean, "metavar": "BOOL"}
    return {"type": kind, "metavar": "N" if kind is int else "X"}


def _help(f: dataclasses.Field[Any]) -> str:
    """Help text of field ``f``: its meaning, unit, allowed range and default."""
    meta = f.metadata
    facts = [meta["unit"]] if meta["unit"] else []
    if meta.get("low") is not None or meta.get("high") is not None:
        low, high = meta.get("low"), meta.get("high")
        span = f"{'-∞' if low is None else low}–{'∞' if high is None else high}"
        facts.append(span + (" or none" if f.default is None else ""))
    default = "none" if f.default is None else str(f.default).lower()
    if f.name in PRESET_FIELDS:
        cluster = getattr(Parameters.for_typology("cluster"), f.name)
        default = f"set by --typology; cluster: {str(cluster).lower()}"
    facts.append(f"default {default}")
    return f"{meta['doc']} ({'; '.join(facts)})".replace("%", "%%")


def _boolean(text: str) -> bool:
    """Parse true/false, yes/no, on/off or 1/0 (any case)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"invalid value {text!r}: give true/false, yes/no or 1/0")


def _int_or_none(text: str) -> int | None:
    """Parse a whole number, or ``none`` (any case) for no value."""
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: give a whole number or none"
        ) from None
