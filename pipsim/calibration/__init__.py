"""Calibration: fit the model's assumption constants to the patterns the source document reports.

Pattern-oriented: each target is a pattern the document reports, as a statistic of one
scenario's runs with an accepted range (`targets`). The parameters the targets respond to are
found by Morris screening (`screening`); approximate Bayesian computation with sequential Monte
Carlo (pyabc) then draws the parameter sets whose simulated statistics fall inside the ranges
(`abc`), with the distance of `statistics`. `outputs` writes the posterior, its table and the
posterior predictive check, held-out targets included.

Calibration v2 (a targets file with ``method = "history_matching"``): history matching in waves
(`waves`) with Gaussian-process emulators (`emulator`), ruling parameter sets out by their
implausibility (`implausibility`: the distance from each pattern's centre in standard deviations
of the reading, the runs and the emulator); it ends with an ensemble of accepted sets in the
format `ensemble` defines. `recovery` checks either method on known values.
"""
