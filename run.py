"""Entry point: ``python run.py simulate --scenario kato-2025`` (see ``python run.py --help``)."""

import sys

from simulation.cli import main

if __name__ == "__main__":
    sys.exit(main())
