"""Packaging: the wheel builds without setuptools warnings, carries the data and the shipped scenarios
(the very files of scenarios/), and installed into a fresh environment gives a working command.

The build is offline (no build isolation, no index): it needs setuptools >= 77, which the test extra
installs; the fresh environment borrows the dependencies of this one through a .pth file.
"""
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import model
from model import cli

ROOT = cli.ROOT
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "model", "scenarios")   # what a build reads


def test_every_file_in_scenarios_is_one_the_wheel_carries():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^"model\.shipped_scenarios" = \["\*\.yaml"\]$', text, re.M)
    assert [p.name for p in (ROOT / "scenarios").iterdir() if p.suffix != ".yaml"] == []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built offline from a copy of the sources: (path, build log)."""
    version = tuple(int(x) for x in re.findall(r"\d+", metadata.version("setuptools"))[:2])
    if version < (77, 0):
        pytest.skip(f"building needs setuptools >= 77 (the licence as an SPDX string), this environment has "
                    f"{metadata.version('setuptools')}: pip install -e '.[test]'")
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(tmp / "dist"), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    built, = (tmp / "dist").glob("beijing_scenarios-*.whl")
    return built, proc.stdout + proc.stderr


slow = pytest.mark.slow


@slow
def test_build_has_no_setuptools_warnings(wheel):
    _, log = wheel
    assert not re.findall(r".*Warning\b.*", log)       # SetuptoolsDeprecationWarning, "Package would be ignored"


@slow
def test_wheel_carries_data_scenarios_licence_and_command(wheel):
    built, _ = wheel
    with zipfile.ZipFile(built) as z:
        names = set(z.namelist())
        shipped = {Path(n).name: z.read(n) for n in names if n.startswith("model/shipped_scenarios/")}
        data = {Path(n).name: z.read(n) for n in names if n.startswith("model/data/")}
        definitions = {n.removeprefix("model/"): z.read(n) for n in names if n.startswith("model/definitions/")}
        schema = z.read("model/scenario/scenario.schema.json") if "model/scenario/scenario.schema.json" in names \
            else None
        info = next(n for n in names if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
        entry_points = z.read(f"{info}/entry_points.txt").decode()
        meta = z.read(f"{info}/METADATA").decode()
        assert f"{info}/licenses/LICENSE" in names
    assert shipped == {p.name: p.read_bytes() for p in (ROOT / "scenarios").glob("*.yaml")}    # no drift
    assert data == {p.name: p.read_bytes() for p in (ROOT / "model" / "data").iterdir() if p.is_file()}
    assert definitions == {p.relative_to(ROOT / "model").as_posix(): p.read_bytes()      # the variable codelist
                           for p in (ROOT / "model" / "definitions").rglob("*.yaml")}
    assert schema == (ROOT / "model" / "scenario" / "scenario.schema.json").read_bytes()   # the editors' schema
    assert "beijing-scenarios = model.cli:run" in entry_points
    assert "License-Expression: MIT" in meta
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "scenarios/"))]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh environment with the wheel installed (no dependencies: those of this environment are
    put on its path after the install): its bin folder."""
    built, _ = wheel
    env = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    python = env / "bin" / "python"
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", str(built)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    here = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]   # this one's packages
    (Path(site) / "dependencies.pth").write_text("\n".join(here) + "\n", encoding="utf-8")
    return env / "bin", Path(site)


def command(installed, tmp_path, *args):
    """Run the installed command in an empty folder (no scenarios/ there)."""
    bin_dir, _ = installed
    return subprocess.run([str(bin_dir / "beijing-scenarios"), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)


@slow
def test_installed_command_runs_from_its_own_copy(installed, tmp_path):
    bin_dir, site = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import model; print(model.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).parent == site / "model"
    version = command(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"beijing-scenarios {model.__version__}"  # no git
    module = subprocess.run([str(bin_dir / "python"), "-m", "model", "--help"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert module.returncode == 0 and "exit codes:" in module.stdout


@slow
def test_installed_command_shows_and_runs_the_shipped_scenarios(installed, tmp_path):
    _, site = installed
    shown = command(installed, tmp_path, "--show")
    assert shown.returncode == 0, shown.stderr
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert re.search(rf"^  files: {re.escape(str(site / 'model' / 'shipped_scenarios' / path.name))}( |$)",
                         shown.stdout, re.M), path.name
    ran = command(installed, tmp_path, str(site / "model" / "shipped_scenarios" / "plan.yaml"), "--draws", "200")
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "results" / "plan" / "timeseries.csv").stat().st_size > 0
    assert ran.stdout.splitlines()[-1].startswith(f"summary: {Path('results') / 'summary.md'}")


# --- what `make run` installs is what `make test` tests ------------------------------------------------------------

def _requirements(dist: str) -> list:
    """The requirements of the installed distribution ``dist`` that apply here without extras."""
    from packaging.requirements import Requirement
    found = [Requirement(r) for r in metadata.requires(dist) or []]
    return [r for r in found if r.marker is None or r.marker.evaluate({"extra": ""})]


def _past(spec) -> list:
    """Versions past each upper bound of the specifier set ``spec``: the bound itself (for ``<``), the next
    patch, minor and major releases after it, and one far beyond."""
    from packaging.version import Version
    out = []
    for clause in spec:
        if clause.operator in ("<", "<="):
            v = Version(clause.version)
            major, minor, micro = (list(v.release) + [0, 0])[:3]
            out += [v, Version(f"{major}.{minor}.{micro + 1}"), Version(f"{major}.{minor + 1}"),
                    Version(f"{major + 1}"), Version(f"{major + 100}")]
    return out


def _installed_closure(names) -> tuple[set, set]:
    """The installed distributions that ``names`` (canonical names) bring, with theirs, and those of ``names``
    (or of their dependencies) that are not installed."""
    from packaging.utils import canonicalize_name
    todo, seen, missing = list(names), set(), set()
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            todo += [canonicalize_name(r.name) for r in _requirements(dist)]
        except metadata.PackageNotFoundError:
            missing.add(dist)
    return seen - missing, missing


def test_the_run_set_up_installs_no_version_that_the_test_set_up_cannot_test():
    """`make run` installs the package's own dependencies; `make test` adds the iamc extra, whose packages (and
    theirs) put upper bounds on some of them (pyam: matplotlib below 3.11; nomenclature-iamc: pandas below 3).
    pip takes the newest version a range admits, so a version the extra excludes and the package admits is what
    a fresh `make run` computes with, and no test ever ran it.  Every upper bound that a package installed only
    for the tests puts on a dependency of the package must therefore be one the package's own range keeps too
    (bounds among the package's own dependencies, such as scipy's on numpy, hold for both set-ups)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    try:
        import tomllib
    except ImportError:                       # Python 3.10: tomli, a dependency of pytest there
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ours = {canonicalize_name(r.name): r.specifier for r in map(Requirement, project["dependencies"])}
    iamc = {canonicalize_name(r.name) for r in map(Requirement, project["optional-dependencies"]["iamc"])
            if r.marker is None or r.marker.evaluate()}
    tests_side, missing = _installed_closure(iamc)
    if "pyam-iamc" in missing:
        if os.environ.get("REQUIRE_PYAM") == "1":
            pytest.fail("REQUIRE_PYAM=1 but the iamc extra is not installed: pip install -e '.[test,iamc]'")
        pytest.skip("the iamc extra is not installed (`make test` installs it)")
    run_side = _installed_closure(ours)[0]
    only_tests = tests_side - run_side
    checked = set()
    for dist in sorted(only_tests):
        for r in _requirements(dist):
            name = canonicalize_name(r.name)
            if name not in ours:
                continue
            for v in _past(r.specifier):
                if v not in r.specifier:      # excluded by the test set-up: the package must exclude it too
                    checked.add(name)
                    assert v not in ours[name], (
                        f"{dist} requires {r.name}{r.specifier}, so `make test` never tests {r.name} {v}; "
                        f"pyproject.toml's {r.name}{ours[name]} lets `make run` install it")
    assert checked >= {"matplotlib", "pandas"}
