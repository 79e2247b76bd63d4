"""Calibration v2: the implausibility on hand-made numbers, emulators, the ensemble file, waves."""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipsim.calibration import ensemble as ens
from pipsim.calibration.emulator import fit, from_unit, unit
from pipsim.calibration.implausibility import (
    bootstrap_variance,
    implausibility,
    largest,
    pseudo_likelihood,
    reading_sd,
    reading_sds,
    statistic_of,
)
from pipsim.calibration.statistics import statistic
from pipsim.calibration.targets import Target, load_targets
from pipsim.calibration.waves import history_match

ROOT = Path(__file__).resolve().parents[1]


def target(low: float, high: float, centre: float | None, statistic: str = "probability") -> Target:
    return Target(
        "t", "calibration", "s", "q", "r", "sc", "success", statistic, low, high, centre=centre
    )


# --- the implausibility ---------------------------------------------------------------------
def test_implausibility_counts_reading_sds_on_each_side_of_the_centre():
    t = target(0.5, 0.95, 0.7)  # 0.1 below the centre, 0.125 above (the range is ± 2 sd)
    assert reading_sd(t, 0.9) == pytest.approx(0.125)
    assert reading_sd(t, 0.6) == pytest.approx(0.1)
    assert implausibility(0.9, t) == pytest.approx(0.2 / 0.125)
    assert implausibility(0.5, t) == pytest.approx(2.0)
    assert implausibility(0.7, t) == 0.0
    # inside the range, a set nearer the centre is less implausible: the ranges discriminate
    assert implausibility(0.65, t) < implausibility(0.55, t)


def test_the_runs_variance_and_the_emulators_widen_the_denominator():
    t = target(0.5, 0.95, 0.7)
    assert implausibility(0.9, t, var_runs=0.0025) == pytest.approx(0.2 / math.sqrt(0.018125))
    both = implausibility(0.9, t, var_runs=0.0025, var_emulator=0.01)
    assert both == pytest.approx(0.2 / math.sqrt(0.028125))


def test_a_centre_on_a_bound_borrows_the_other_side_and_nan_is_ruled_out():
    t = target(0.0, 0.25, 0.0)
    assert reading_sd(t, -0.1) == pytest.approx(0.125)
    assert implausibility(-0.1, t) == pytest.approx(0.8)
    assert implausibility(math.nan, t) == math.inf
    values = np.array([-0.1, 0.0, 0.2])
    assert list(reading_sds(t, values)) == [reading_sd(t, v) for v in values]
    no_centre = target(0.2, 0.6, None)
    assert no_centre.middle == pytest.approx(0.4)


def test_largest_and_the_pseudo_likelihood():
    assert largest({"a": 1.0, "b": 2.5}) == 2.5
    assert pseudo_likelihood({"a": 1.0, "b": 2.0}) == pytest.approx(math.exp(-2.5))
    assert pseudo_likelihood({"a": math.inf}) == 0.0


def test_bootstrap_variances_match_the_textbook():
    rng = np.random.default_rng(1)
    coin = np.array([1.0, 0.0] * 25)  # p = 0.5 over 50 runs: variance 0.25 / 50
    var = bootstrap_variance(coin, "probability", rng, resamples=2000)
    assert var == pytest.approx(0.005, rel=0.15)
    normal = rng.standard_normal(400)
    assert bootstrap_variance(normal, "mean", rng, resamples=2000) == pytest.approx(
        np.var(normal) / 400, rel=0.15
    )
    # a baseline run on the same seeds that moves with the scenario cancels out
    assert bootstrap_variance(normal, "mean", rng, baseline=normal - 1.0) == pytest.approx(0.0)
    assert math.isnan(bootstrap_variance(np.full(10, np.nan), "median", rng))


def test_vectorised_statistics_agree_with_the_targets_statistics():
    rng = np.random.default_rng(2)
    runs = pd.DataFrame(
        {
            "success": rng.random(30) > 0.4,
            "months": np.where(rng.random(30) > 0.2, rng.integers(5, 40, 30), np.nan),
            "failed": rng.integers(0, 3, 30),
            "run": rng.integers(3, 9, 30),
        }
    )
    cases = [
        (dict(outcome="success", statistic="probability"), runs["success"].astype(float)),
        (dict(outcome="months", statistic="probability", at_most=18.0), runs["months"]),
        (dict(outcome="months", statistic="median"), runs["months"]),
        (dict(outcome="months", statistic="mean"), runs["months"]),
    ]
    for extra, column in cases:
        t = dataclasses.replace(target(0, 1, 0.5), **extra)
        found = statistic_of(column.to_numpy(float), t.statistic, t.at_most)
        assert found == pytest.approx(statistic({"sc": runs}, t))
    t = dataclasses.replace(target(0, 1, 0.5, "ratio"), outcome="failed", denominator="run")
    pair = np.stack([runs["failed"].to_numpy(float), runs["run"].to_numpy(float)])
    assert statistic_of(pair, "ratio", None) == pytest.approx(statistic({"sc": runs}, t))


# --- emulators ------------------------------------------------------------------------------
def test_an_emulator_learns_a_smooth_response_and_says_where_it_is_unsure():
    rng = np.random.default_rng(3)
    x = rng.random((40, 2))
    y = 0.2 + 0.6 * x[:, 0]  # the second parameter does nothing
    e = fit("t", x, y, np.full(40, 1e-4), seed=1)
    mean, var = e.predict(np.array([[0.5, 0.5], [0.1, 0.9]]))
    assert mean == pytest.approx([0.5, 0.26], abs=0.03)
    assert np.all(var < 0.01)
    scales = e.length_scales()
    assert scales[0] < scales[1]  # it responds to the first parameter, not the second
    few = fit("t", x[:3], y[:3], np.zeros(3), seed=1)
    assert np.all(np.isinf(few.predict(x)[1]))  # too few points: it rules nothing out


def test_unit_box_round_trip_rounds_whole_numbers():
    c = load_targets(ROOT / "calibration" / "targets_v2.toml")
    values = np.array([[p.low + 0.3 * (p.high - p.low) for p in c.priors]])
    back = from_unit(c.priors, unit(c.priors, values))
    for k, p in enumerate(c.priors):
        expected = round(values[0, k]) if p.integer else values[0, k]
        assert back[0, k] == pytest.approx(expected)


# --- the ensemble file: the calibration's side ----------------------------------------------
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trust_gain": [0.02, 0.05, 0.08],
            "successes_before_project": [0, 1, 2],
            "weight": [1.0, 2.0, 1.0],
            "member": [0, 1, 2],
            "representative": [False, True, False],
        }
    )


def test_what_the_calibration_writes_the_ensemble_reads(tmp_path):
    path = tmp_path / "ensemble.csv"
    data = ens.write(frame(), targets="v2", seed=3)
    path.write_bytes(data)
    assert ens.facts(data) == {"format": ens.FORMAT, "targets": "v2", "seed": "3"}
    back = ens.load(path)
    assert back.names == ("trust_gain", "successes_before_project")  # bookkeeping read past
    assert back.weights == pytest.approx((0.25, 0.5, 0.25))
    assert back.rows[1] == {"trust_gain": 0.05, "successes_before_project": 1}
    assert type(back.rows[1]["successes_before_project"]) is int
    table = ens.frame_of(back)
    assert list(table.columns) == ["trust_gain", "successes_before_project", "weight"]
    marked = pd.read_csv(path, comment="#")["representative"]
    assert marked.tolist() == [False, True, False]


def test_a_written_ensemble_out_of_range_is_refused_on_reading(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(ens.write(frame().assign(trust_gain=[0.02, 0.5, 0.08])))
    with pytest.raises(ens.EnsembleError, match="trust_gain"):
        ens.load(path)


def test_the_representative_is_the_weighted_medoid_and_the_effective_size_kish():
    f = pd.DataFrame({"trust_gain": [0.0, 0.5, 0.6, 1.0], "weight": [1.0, 1.0, 1.0, 1.0]})
    one, zero = np.array([1.0]), np.array([0.0])
    assert ens.representative(f, ["trust_gain"], zero, one) in (1, 2)
    f["weight"] = [10.0, 1.0, 1.0, 0.1]  # a member carrying most of the weight is the medoid
    assert ens.representative(f, ["trust_gain"], zero, one) == 0
    assert ens.effective_size(np.ones(4)) == pytest.approx(4.0)
    assert ens.effective_size(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)


# --- the waves, end to end ------------------------------------------------------------------
def toy():
    c = load_targets(ROOT / "calibration" / "toy_waves.toml")
    small = dataclasses.replace(c.waves, first_wave=6, per_wave=4, ensemble=6, candidates=500)
    return dataclasses.replace(c, replications=4, waves=small, predictive_draws=1)


def test_a_tiny_history_matching_writes_an_ensemble_below_the_cutoff(tmp_path):
    c = toy()
    found = history_match(c, tmp_path / "hm", say=lambda _: None)
    points = pd.read_parquet(tmp_path / "hm" / "points.parquet")
    assert len(points) == 6 + 4 + 6  # two waves and the ensemble's
    assert found.runs == len(points) * 4
    assert len(found.ensemble) >= 1
    final = points[points["wave"] == 3]
    assert len(found.ensemble) == int((final["implausibility"] < c.waves.cutoff).sum())
    back = ens.load(tmp_path / "hm" / "ensemble.csv")
    marked = pd.read_csv(tmp_path / "hm" / "ensemble.csv", comment="#")["representative"]
    assert marked.sum() == 1
    assert len(set(back.weights)) == 1  # equal weights unless the file asks otherwise
    assert found.effective_size == pytest.approx(len(back))
    assert 1.0 <= found.effective_size_likelihood <= len(back)
    assert set(found.table["parameter"]) == {"pilot_success_rate", "trust_gain"}
    assert {"at_bound", "q05", "q95", "representative"} <= set(found.table.columns)
    assert found.check is not None and set(found.check["set"]) == {"calibration", "validation"}
    liked = dataclasses.replace(c, waves=dataclasses.replace(c.waves, weights="likelihood"))
    other = history_match(liked, tmp_path / "lk", say=lambda _: None, check=False)
    final = pd.read_parquet(tmp_path / "lk" / "points.parquet").query("wave == 3")
    kept = final[final["implausibility"] < c.waves.cutoff]
    assert list(other.ensemble["weight"]) == pytest.approx(list(kept["likelihood"]))


class Stop(Exception):
    pass


def test_an_interrupted_history_matching_resumes_to_the_same_ensemble(tmp_path, monkeypatch):
    from pipsim.calibration import waves

    monkeypatch.setattr(waves, "CHUNK", 2)  # written every two sets
    c = toy()
    whole = history_match(c, tmp_path / "whole", say=lambda _: None, check=False)
    calls = []

    def dying(function, items):
        if not isinstance(function, partial):  # the emulators' fits: not counted
            yield from map(function, items)
            return
        for item in items:
            if len(calls) == 8:  # midway through wave 2: 6 sets of wave 1, 2 of wave 2 written
                raise Stop
            calls.append(item)
            yield function(item)

    with pytest.raises(Stop):
        history_match(c, tmp_path / "cut", say=lambda _: None, mapper=dying, check=False)
    saved = pd.read_parquet(tmp_path / "cut" / "points.parquet")
    assert len(saved) == 8  # the chunk written before the interruption is kept
    said: list[str] = []
    bars: dict[str, list[int]] = {}

    def bar(label: str, total: int):
        bars[label] = [total]
        return bars[label].append

    again = history_match(c, tmp_path / "cut", say=said.append, bar=bar, check=False)
    assert any("resuming" in line for line in said)
    pd.testing.assert_frame_equal(again.ensemble, whole.ensemble)
    assert again.representative == whole.representative
    # a bar a wave, each counting its sets to its total; what was saved counts at once
    assert list(bars) == ["wave 1: sets", "wave 2: sets", "ensemble: sets"]
    assert bars["wave 1: sets"] == [6, 6] and bars["wave 2: sets"] == [4, 2, 2]
    assert all(sum(ticks[1:]) == ticks[0] for ticks in bars.values())


@pytest.mark.slow  # about 40 s on a loaded machine
def test_recovery_finds_a_known_pilot_success_rate_on_the_toy(tmp_path):
    """Reduced recovery: synthetic centres at known values; the truth lies in the 90% interval."""
    from pipsim.calibration import recovery

    c = toy()
    c = dataclasses.replace(
        c,
        replications=8,
        waves=dataclasses.replace(c.waves, first_wave=10, per_wave=6, ensemble=16),
    )
    truths = recovery.known_sets(c, 2, seed=5)
    assert all(0.3 + 0.2 * 0.7 <= t["pilot_success_rate"] <= 0.3 + 0.8 * 0.7 for t in truths)
    found = []
    for k, truth in enumerate(truths):
        known = recovery.synthetic(c, truth, blocks=4)
        assert all(t.low <= t.middle <= t.high for t in known.fitted)
        matched = history_match(known, tmp_path / f"set-{k}", say=lambda _: None, check=False)
        found.append(recovery.covered(matched.table, truth).assign(set=k))
    pooled = recovery.coverage(found)
    rate = pooled.set_index("parameter").loc["pilot_success_rate"]
    assert rate["coverage"] == 1.0  # both truths inside their 90% intervals
    assert rate["narrowed"] < 0.9  # and the interval is narrower than the prior


@pytest.mark.slow  # about 20 s: the toy's full sizes, the check and the figures
def test_the_command_runs_a_history_matching_and_refuses_another_targets_file(tmp_path, capsys):
    from pipsim.cli import main

    out = tmp_path / "hm"
    assert main(["calibrate", str(ROOT / "calibration" / "toy_waves.toml"), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "history matching" in said and "Ensemble:" in said and "Predictive check" in said
    assert (out / "ensemble.csv").exists() and (out / "figures" / "posterior_pairs.png").exists()
    ens.load(out / "ensemble.csv")
    other = ROOT / "calibration" / "toy.toml"
    assert main(["calibrate", str(other), "--out", str(out)]) == 2
    assert "another targets file" in capsys.readouterr().err
