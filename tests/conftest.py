import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The calibration's solutions are stored in a folder of this test process (and of the commands it starts),
# empty at the start: the tests exercise the store without reading or filling the user's.
_STORE = tempfile.mkdtemp(prefix="beijing-scenarios-store-")
os.environ["BEIJING_SCENARIOS_CACHE"] = _STORE
atexit.register(shutil.rmtree, _STORE, ignore_errors=True)


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


# The one line LibreOffice writes on stderr on a machine without Java, which a conversion never needs.
HARMLESS_SOFFICE_STDERR = re.compile(r"^Warning: failed to launch javaldx - java may not function correctly$")


@pytest.fixture
def soffice(tmp_path):
    """Run LibreOffice headless with a profile of its own (two at once must not share one) and check that
    it converted without an error: ``soffice(*args) -> CompletedProcess``.  Skips, with the reason, where
    LibreOffice is not installed (``make test`` installs Debian's libreoffice-calc where apt-get is usable)."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make test` installs Debian's libreoffice-calc "
                    "where apt-get is usable")
    profile = (tmp_path / "lo-profile").as_uri()

    def run(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation={profile}", *args],
                              capture_output=True, text=True, timeout=300)
        noise = [line for line in proc.stderr.splitlines()
                 if line.strip() and not HARMLESS_SOFFICE_STDERR.match(line)]
        assert proc.returncode == 0 and not noise, (proc.returncode, proc.stdout, proc.stderr)
        assert " -> " in proc.stdout and "Error" not in proc.stdout, proc.stdout
        return proc
    return run


@pytest.fixture
def quick():
    """Options of a batch without goal-seeking, sensitivity, attribution and lever maps, and without
    figures (each tested elsewhere), to keep these tests short."""
    from model import batch
    return batch.RunOptions(analyses=False, figures=False)
