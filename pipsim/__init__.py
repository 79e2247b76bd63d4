"""pipsim: an agent-based simulator of trust and cooperation in productive integration projects.

The public API: `PIPModel` (one run, a Mesa model; or, with ``replications=R``, a block of R
runs advanced together), `Parameters` (its validated, frozen parameters, with typology
presets), `load_scenario` (a TOML scenario file, validated) and `run_sweep` (every run of a
scenario, in parallel, resumable, as DataFrames).

Reading results, for a notebook: `load_runs` and `load_timeseries` (a sweep's tables),
`summarize` (its summary tables and figures), `distributions`, `probabilities` and
`wilson_interval` (outcome statistics), `analyse_duration` (the shortest project length
meeting the log frame), `sample_evaluate_analyse`, `analyse_sensitivity`, `noise_shares` and
`flag_indices` (SALib's indices, how much is noise, which to distrust), and `discover`,
`prim_box`, `cart_tree` and `feature_scores` (scenario discovery). All but `Parameters` are
imported when first used, so ``import pipsim`` (and ``pipsim --help``) stays quick.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pipsim.parameters import TYPOLOGIES, Parameters

if TYPE_CHECKING:  # what type checkers see; at run time each is imported on first use
    from pipsim.model import PIPModel as PIPModel
    from pipsim.sweep.runner import run_sweep as run_sweep
    from pipsim.sweep.scenario import load_scenario as load_scenario

_LAZY = {  # name: (module, attribute), imported on first use
    "PIPModel": ("pipsim.model", "PIPModel"),  # Mesa, numba and the compiled rules
    "run_sweep": ("pipsim.sweep.runner", "run_sweep"),
    "load_scenario": ("pipsim.sweep.scenario", "load_scenario"),
    "load_runs": ("pipsim.sweep.results", "load_runs"),
    "load_timeseries": ("pipsim.sweep.results", "load_timeseries"),
    "summarize": ("pipsim.analysis.summary", "summarize"),
    "distributions": ("pipsim.analysis.stats", "distributions"),
    "probabilities": ("pipsim.analysis.stats", "probabilities"),
    "wilson_interval": ("pipsim.analysis.stats", "wilson_interval"),
    "analyse_duration": ("pipsim.analysis.duration", "analyse"),
    "sample_evaluate_analyse": ("pipsim.analysis.sensitivity", "sample_evaluate_analyse"),
    "analyse_sensitivity": ("pipsim.analysis.sensitivity", "analyse"),
    "noise_shares": ("pipsim.analysis.sensitivity", "noise"),
    "flag_indices": ("pipsim.analysis.sensitivity", "flag_indices"),
    "discover": ("pipsim.analysis.discovery", "discover"),
    "prim_box": ("pipsim.analysis.discovery", "prim_box"),
    "cart_tree": ("pipsim.analysis.trees", "cart_tree"),
    "feature_scores": ("pipsim.analysis.trees", "feature_scores"),
}


def __getattr__(name: str) -> Any:
    """The model and the analysis functions, imported when first asked for."""
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipsim' has no attribute {name!r}")


__all__ = ["TYPOLOGIES", "Parameters", "__version__", *sorted(_LAZY)]
__version__ = "0.1.0"
