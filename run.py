"""Run the Beijing model from a checkout: ``python run.py --help`` (the same command as ``beijing-scenarios``)."""
from model.cli import ROOT, main, parse_args, run  # noqa: F401  (run.main, run.ROOT, run.parse_args stay importable)

if __name__ == "__main__":
    run(prog="run.py")
