import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def baseline():
    """The calibrated baseline with central assumptions (frozen: safe to share)."""
    from model.calibration import build_baseline
    return build_baseline()


@pytest.fixture
def write_yaml(tmp_path):
    """Write a scenario file into a fresh folder and return its path."""
    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
