"""``python -m model``: the command line of :mod:`model.cli`."""
from .cli import run

if __name__ == "__main__":
    run(prog="python -m model")
