"""The benchmarks cannot pass while wrong: each compares its engine with the model's own path
and exits 1 when they disagree; `make test` runs them at a small size, so a drift between the engine and
the model fails the build."""
import importlib.util
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def bench(name):
    """A benchmark script as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name, *args):
    return subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


@pytest.mark.parametrize("scenario", ["baseline", "downside", "manufacturing_revival", "baseline_2030"])
def test_the_monte_carlo_engine_agrees_with_the_model(scenario):
    """Scenarios with shocks (downside), projects (manufacturing_revival) and a 2025 jump-off."""
    proc = run("montecarlo_bench", "--small", "--scenario", f"scenarios/{scenario}.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = [line for line in proc.stdout.splitlines() if line.startswith(("agree", "DISAGREE"))]
    assert len(checks) == 4 and all(line.startswith("agree:") for line in checks)


def test_the_lever_grid_agrees_with_the_model():
    proc = run("levers_bench", "--small")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "agree: grid == loop on every sampled point and target" in proc.stdout


def test_a_monte_carlo_engine_that_drifts_fails_the_benchmark(monkeypatch, capsys):
    """The engine drops one draw more than the model would (a bookkeeping slip): exit 1, DISAGREE."""
    from model.analysis import montecarlo
    real = montecarlo.in_domain

    def in_domain(projection):
        keep = real(projection).copy()
        keep[0] = False
        return keep
    monkeypatch.setattr(montecarlo, "in_domain", in_domain)
    assert bench("montecarlo_bench").main(["--small"]) == 1
    assert "DISAGREE: P(met): engine == arrays" in capsys.readouterr().out


def test_a_lever_grid_that_drifts_fails_the_benchmark(monkeypatch, capsys):
    module = bench("levers_bench")
    real = module.evaluate_grid

    def shifted(*args, **kwargs):
        values, met = real(*args, **kwargs)
        return {k: np.asarray(v) + 1e-6 for k, v in values.items()}, met
    monkeypatch.setattr(module, "evaluate_grid", shifted)
    assert module.main(["--small"]) == 1
    assert "DISAGREE: grid == loop" in capsys.readouterr().out


@pytest.mark.slow
def test_the_issue_benchmark_checks_its_outputs_and_prints_each_aim(tmp_path):
    proc = run("run_bench", "--quick", "--scenarios", "scenarios/plan.yaml", "scenarios/baseline.yaml",
               "scenarios/downside.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for aim in ("aim <= 1 s", "aim <= 1.5 s", "aim <= 0.55"):
        assert aim in proc.stdout
    assert "the same files, byte for byte (manifests but their command): yes" in proc.stdout
    assert "the store filled" in proc.stdout and "the same files as the runs from the store: yes" in proc.stdout
    assert proc.stdout.count("the machine: reference loop beside these runs") == 2      # the edit loop, the batch
    assert f"matplotlib {metadata.version('matplotlib')};" in proc.stdout.splitlines()[0]
    assert "processor time of a run, all its processes (median): without figures" in proc.stdout
    assert len([line for line in proc.stdout.splitlines() if "s   processor time " in line]) == 2     # each batch run


def test_the_issue_benchmark_reads_its_runs_against_the_machine_beside_them():
    module = bench("run_bench")
    runs = [{"reference": (0.09, 0.16)}, {"reference": (0.12, 0.10)}, {"reference": (0.14, 0.13)}]
    assert module.machine(runs) == ("reference loop beside these runs 0.125 s (from 0.090 to 0.160 s; every core "
                                    "running it at once)")
    assert module.reference_seconds() > 0 and module.reference_seconds(1) > 0


def test_the_issue_benchmark_names_the_versions_its_timings_depend_on():
    assert bench("run_bench").stack() == ", ".join(f"{name} {metadata.version(name)}"
                                                   for name in ("numpy", "scipy", "pandas", "matplotlib"))
