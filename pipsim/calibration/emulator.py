"""Gaussian-process emulators: a target's statistic predicted, with its uncertainty, between runs.

One emulator per calibration target (scikit-learn's `GaussianProcessRegressor`) over the
parameters scaled to the unit box. Its kernel is a constant times an anisotropic RBF (one
length-scale per parameter: a short one means the target responds to that parameter, a long
one that it hardly does: the screening's information, for free) plus a white-noise term for
what the parameters do not explain. The simulation's own noise at each training point, the
statistic's bootstrap variance, enters as that point's ``alpha`` (a known noise variance on
the kernel's diagonal), so a noisy point pulls the emulator less. Outputs are standardised
before fitting and predictions scaled back.

scikit-learn is imported here only, when a history matching runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipsim.calibration.targets import Prior

LENGTH_BOUNDS = (0.03, 30.0)  # in units of the prior range: from sharp to flat
NOISE_BOUNDS = (1e-6, 1.0)  # the white term, in units of the standardised output's variance
MIN_POINTS = 4  # fewer finite points than this and the target is not emulated (no rule-out)


def unit(priors: tuple[Prior, ...], values: np.ndarray) -> np.ndarray:
    """Parameter values (one column per prior) scaled to [0, 1] over the priors' ranges."""
    low = np.array([p.low for p in priors])
    high = np.array([p.high for p in priors])
    return (np.asarray(values, dtype=float) - low) / (high - low)


def from_unit(priors: tuple[Prior, ...], x: np.ndarray) -> np.ndarray:
    """Unit-box points back to parameter values (whole-number parameters rounded)."""
    low = np.array([p.low for p in priors])
    high = np.array([p.high for p in priors])
    values = low + np.asarray(x, dtype=float) * (high - low)
    for k, p in enumerate(priors):
        if p.integer:
            values[:, k] = np.round(values[:, k])
    return values


@dataclass
class Emulator:
    """A fitted emulator of one target: ``predict`` gives mean and variance at unit points."""

    target: str
    model: Any  # the fitted GaussianProcessRegressor, or None if too few points
    shift: float
    scale: float
    noise: float = 0.0  # the typical sampling variance of a new set's statistic (its own runs)

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, variance) of the statistic at unit points ``x``; variance inf if not emulated."""
        if self.model is None:
            return np.zeros(len(x)), np.full(len(x), np.inf)
        mean, sd = self.model.predict(x, return_std=True)
        return self.shift + self.scale * mean, (self.scale * sd) ** 2

    def length_scales(self) -> np.ndarray:
        """The fitted RBF length-scale per parameter (unit-box units; NaN if not emulated)."""
        if self.model is None:
            return np.array([np.nan])
        return np.atleast_1d(self.model.kernel_.k1.k2.length_scale)


def fit(target: str, x: np.ndarray, y: np.ndarray, variance: np.ndarray, seed: int) -> Emulator:
    """An emulator of ``target`` from unit points ``x``, statistics ``y`` and their variances.

    Points where the statistic is undefined (NaN: e.g. no run formed a project) are left out.
    """
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    keep = np.isfinite(y)
    if keep.sum() < MIN_POINTS:
        return Emulator(target, None, 0.0, 1.0)
    x, y = np.asarray(x, float)[keep], np.asarray(y, float)[keep]
    var = np.nan_to_num(np.asarray(variance, float)[keep], nan=0.0)
    shift, scale = float(np.mean(y)), float(np.std(y))
    scale = scale if scale > 0 else 1.0
    d = x.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), LENGTH_BOUNDS) + WhiteKernel(
        1e-2, NOISE_BOUNDS
    )
    model = GaussianProcessRegressor(
        kernel=kernel,
        alpha=var / scale**2 + 1e-8,
        normalize_y=False,
        n_restarts_optimizer=0,  # one optimisation from the start above: restarts cost 3x
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes that a length-scale sits at its bound: expected
        model.fit(x, (y - shift) / scale)
    return Emulator(target, model, shift, scale)
