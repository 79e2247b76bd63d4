"""``python -m pipsim``: the same command line as the ``pipsim`` script."""

import sys

from pipsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
