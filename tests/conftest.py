import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def baseline():
    """The calibrated baseline with central assumptions (frozen: safe to share)."""
    from model.baseline.calibration import build_baseline
    return build_baseline()


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """One run of every shipped scenario (``run.py`` with its defaults, every figure drawn) for the
    whole session: ``(exit code, output folder)``.  Tests read the folder and never write into it.
    Only tests/test_cli.py uses it: under ``make test`` (``--dist loadfile``) one worker makes it."""
    import run
    out = tmp_path_factory.mktemp("shipped")
    return run.main(["--out", str(out)]), out


@pytest.fixture
def write_yaml(tmp_path):
    """Write a scenario file into a fresh folder and return its path."""
    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
