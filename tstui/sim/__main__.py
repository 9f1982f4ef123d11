"""``python -m tstui.sim``."""

import sys

from tstui.sim.cli import run_cli

if __name__ == "__main__":
    sys.exit(run_cli(sys.argv[1:]))
