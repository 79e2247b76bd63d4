"""Parameters: defaults are valid, the object is frozen, presets build, bad values are named."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipsim.parameters import FIELDS, TYPOLOGIES, TYPOLOGY_PRESETS, Parameters

NUMERIC_FIELDS = [
    name
    for name, f in FIELDS.items()
    if "choices" not in f.metadata and not isinstance(f.default, bool)
]
BOOL_FIELDS = [name for name, f in FIELDS.items() if isinstance(f.default, bool)]


def _is_int_field(name: str) -> bool:
    f = FIELDS[name]
    return isinstance(f.default, int) or f.default is None


def test_defaults_are_valid():
    p = Parameters()
    assert p.typology == "cluster"
    assert p.total_months == p.project_months + p.post_project_months


def test_every_field_is_declared_with_unit_and_meaning():
    for name, f in FIELDS.items():
        assert "doc" in f.metadata and f.metadata["doc"], name
        assert "unit" in f.metadata, name
        if "choices" not in f.metadata:
            low, high = f.metadata["low"], f.metadata["high"]
            if f.default is not None and low is not None:
                assert low <= f.default <= high, name


def test_declared_types_match_the_defaults():
    # validation infers a field's kind from its default: a float field with an int default
    # would silently refuse fractional values
    for name, f in FIELDS.items():
        declared = str(f.type)
        if declared == "float":
            assert isinstance(f.default, float), name
        elif declared == "int":
            assert isinstance(f.default, int) and not isinstance(f.default, bool), name
        elif declared == "bool":
            assert isinstance(f.default, bool), name


def test_numpy_floats_are_accepted():
    assert Parameters(appropriability=np.float64(0.5)).appropriability == 0.5


def test_numpy_integers_are_whole_numbers():
    assert Parameters(n_enterprises=np.int64(30)).n_enterprises == 30


def test_parameters_are_frozen():
    p = Parameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.staff_turnover = 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.typology = "vertical_network"
    assert p.staff_turnover == Parameters().staff_turnover


def test_to_dict_round_trips():
    p = Parameters.for_typology("vertical_network", project_months=48)
    d = p.to_dict()
    assert list(d) == list(FIELDS)
    assert Parameters(**d) == p


@pytest.mark.parametrize("typology", TYPOLOGIES)
def test_every_typology_preset_builds(typology):
    p = Parameters.for_typology(typology)
    assert p.typology == typology
    for name, value in TYPOLOGY_PRESETS[typology].items():
        assert getattr(p, name) == value, name


def test_typology_presets_cover_exactly_the_typologies():
    assert set(TYPOLOGY_PRESETS) == set(TYPOLOGIES)


def test_default_is_the_cluster_preset():
    assert Parameters() == Parameters.for_typology("cluster")


def test_typologies_differ_in_appropriability_as_in_table_1():
    # networks appropriate most of a joint benefit, territories least
    a = {t: Parameters.for_typology(t).appropriability for t in TYPOLOGIES}
    assert a["horizontal_network"] > a["cluster"] > a["local_environment"]
    assert a["vertical_network"] > a["cluster"]


def test_overrides_apply_on_top_of_a_preset():
    p = Parameters.for_typology("horizontal_network", staff_turnover=0.4, pilots=False)
    assert p.staff_turnover == 0.4
    assert p.pilots is False
    assert p.n_enterprises == TYPOLOGY_PRESETS["horizontal_network"]["n_enterprises"]


def test_unknown_override_names_raise():
    with pytest.raises(ValueError, match="staf_turnover"):
        Parameters.for_typology("cluster", staf_turnover=0.2)


def test_unknown_typology_raises():
    with pytest.raises(ValueError, match="bogus"):
        Parameters.for_typology("bogus")


# --- messages name the field, the value and what is allowed ----------------------------------
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (dict(staff_turnover=1.5), ["staff_turnover", "1.5", "0.0", "1.0"]),
        (dict(staff_turnover=-0.1), ["staff_turnover", "-0.1", "0.0", "1.0"]),
        (dict(project_months=0), ["project_months", "0", "1", "240"]),
        (dict(typology="bogus"), ["typology", "bogus", *TYPOLOGIES]),
        (
            dict(n_enterprises=40, initial_participants=41),
            ["initial_participants", "41", "n_enterprises", "40"],
        ),
        (dict(n_enterprises=2.5), ["n_enterprises", "2.5", "whole number"]),
        (dict(pilots=1), ["pilots", "1", "true or false"]),
        (dict(appropriability=float("nan")), ["appropriability", "nan", "finite"]),
        (dict(appropriability=float("inf")), ["appropriability", "inf", "finite"]),
        (dict(appropriability="0.5"), ["appropriability", "0.5", "number"]),
        (dict(n_technicians=None), ["n_technicians", "None"]),
        (
            dict(n_enterprises=10, initial_participants=5, n_lead_firms=11),
            ["n_lead_firms", "11", "n_enterprises"],
        ),
        (dict(share_micro=0.6, share_small=0.3, share_medium=0.2), ["share_micro", "1.1"]),
        (
            dict(project_months=6, launch_months=3, close_out_months=4),
            ["launch_months", "close_out_months", "7", "project_months", "6"],
        ),
        (dict(political_crisis_month=0), ["political_crisis_month", "0", "1", "480"]),
        (dict(political_crisis_month=True), ["political_crisis_month", "True"]),
    ],
)
def test_invalid_values_raise_naming_field_value_and_range(kwargs, expected):
    with pytest.raises(ValueError) as excinfo:
        Parameters(**kwargs)
    message = str(excinfo.value)
    for part in expected:
        assert part in message, (part, message)


@pytest.mark.parametrize("name", NUMERIC_FIELDS)
def test_values_above_the_range_raise(name):
    high = FIELDS[name].metadata["high"]
    value = int(high) + 1 if _is_int_field(name) else high + 0.5
    with pytest.raises(ValueError, match=name):
        Parameters(**{name: value})


@pytest.mark.parametrize(
    "name", [n for n in NUMERIC_FIELDS if FIELDS[n].metadata["low"] is not None]
)
def test_values_below_the_range_raise(name):
    low = FIELDS[name].metadata["low"]
    value = int(low) - 1 if _is_int_field(name) else low - 0.5
    with pytest.raises(ValueError, match=name):
        Parameters(**{name: value})


@pytest.mark.parametrize("name", [n for n in NUMERIC_FIELDS if _is_int_field(n)])
def test_int_fields_reject_fractions(name):
    with pytest.raises(ValueError, match=name):
        Parameters(**{name: 2.5})


@pytest.mark.parametrize("name", BOOL_FIELDS)
def test_bool_fields_reject_numbers(name):
    for value in (1, 0, "yes"):
        with pytest.raises(ValueError, match=name):
            Parameters(**{name: value})
    assert getattr(Parameters(**{name: False}), name) is False


@pytest.mark.parametrize("name", [n for n in NUMERIC_FIELDS if not _is_int_field(n)])
def test_float_fields_accept_whole_numbers_and_bounds(name):
    low, high = FIELDS[name].metadata["low"], FIELDS[name].metadata["high"]
    # the bounds are inclusive (shares, trust's gain and loss ratio are checked alone: their sum
    # and their product have rules of their own)
    others = dict(share_micro=0.0, share_small=0.0, share_medium=0.0)
    partner = {"trust_loss_ratio": {"trust_gain": 0.0}, "trust_gain": {"trust_loss_ratio": 1.0}}
    others |= partner.get(name, {})
    for value in (low, high):
        p = Parameters(**{**others, name: value})
        assert getattr(p, name) == value
    if float(high).is_integer():
        assert getattr(Parameters(**{**others, name: int(high)}), name) == high


def test_crisis_month_may_be_none_or_a_month():
    assert Parameters().political_crisis_month is None
    assert Parameters(political_crisis_month=5).political_crisis_month == 5


def test_launch_and_close_out_may_fill_the_project():
    p = Parameters(project_months=9, launch_months=3, close_out_months=6)
    assert p.launch_months + p.close_out_months == p.project_months


def test_all_participants_may_start():
    p = Parameters(n_enterprises=30, initial_participants=30)
    assert p.initial_participants == p.n_enterprises
