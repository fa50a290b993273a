"""``python -m model``: the command line of :mod:`model.cli`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m model"))
