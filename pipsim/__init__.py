"""pipsim: an agent-based simulator of trust and cooperation in productive integration projects.

The public API: `PIPModel` (one run, a Mesa model) and `Parameters` (its validated, frozen
parameters, with typology presets).
"""

from pipsim.model import PIPModel
from pipsim.parameters import TYPOLOGIES, Parameters

__all__ = ["TYPOLOGIES", "PIPModel", "Parameters", "__version__"]
__version__ = "0.1.0"
