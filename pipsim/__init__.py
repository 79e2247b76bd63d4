"""pipsim: an agent-based simulator of trust and cooperation in productive integration projects.

The public API: `PIPModel` (one run, a Mesa model; or, with ``replications=R``, a block of R
runs advanced together), `Parameters` (its validated, frozen parameters, with typology
presets), `load_scenario` (a TOML scenario file, validated) and `run_sweep` (every run of a
scenario, in parallel, resumable, as DataFrames).
"""

from pipsim.model import PIPModel
from pipsim.parameters import TYPOLOGIES, Parameters
from pipsim.sweep.runner import run_sweep
from pipsim.sweep.scenario import load_scenario

__all__ = ["TYPOLOGIES", "PIPModel", "Parameters", "__version__", "load_scenario", "run_sweep"]
__version__ = "0.1.0"
