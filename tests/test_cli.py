"""run.py end to end, in-process, into temporary folders."""
import json
import shutil

import pandas as pd
import pytest

import run
from model.results import COLUMNS

SCENARIOS = sorted((run.ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    code = run.main(["--out", str(out)])
    return code, out


def test_shipped_scenarios_run(shipped):
    code, out = shipped
    assert code == 0
    assert SCENARIOS
    for path in SCENARIOS:
        import yaml
        name = yaml.safe_load(path.read_text(encoding="utf-8")).get("name", path.stem)
        folder = out / name
        for f in ("timeseries.csv", "shares.png", "shares.svg", "manifest.json", "base_year.csv",
                  "calibration_2021.csv", "trend_fit.csv"):
            assert (folder / f).stat().st_size > 0, f
        df = pd.read_csv(folder / "timeseries.csv")
        assert tuple(df.columns) == COLUMNS
        assert set(df["scenario"]) == {name}
        assert df["value"].notna().all()


def test_manifest_records_inputs(shipped):
    _, out = shipped
    record = json.loads((out / "baseline" / "manifest.json").read_text())
    assert len(record["scenario"]["sha256"]) == 64
    assert set(record["data_files"]) >= {"figures.csv", "assumptions.csv", "targets.yaml"}
    assert record["resolved_parameters"]["horizon"] == 2025
    assert "numpy" in record["packages"]


def test_outputs_are_deterministic(shipped, tmp_path):
    _, out = shipped
    assert run.main(["--out", str(tmp_path)]) == 0
    for f in sorted((out / "baseline").iterdir()):
        again = tmp_path / "baseline" / f.name
        if f.name == "manifest.json":       # records the command line, whose --out differs here
            first, second = json.loads(f.read_text()), json.loads(again.read_text())
            assert first.pop("command") != second.pop("command")
            assert first == second
        else:
            assert again.read_bytes() == f.read_bytes(), f.name


def test_broken_scenario_reported_others_still_run(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\ngrowth:\n  finanse: 5\n", encoding="utf-8")
    out = tmp_path / "out"
    code = run.main([str(SCENARIOS[0]), str(broken), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{broken}:3: growth.finanse: unknown key 'finanse'; did you mean 'finance'?" in err
    assert "Traceback" not in err
    assert (out / "baseline" / "timeseries.csv").exists()
    assert not (out / "broken").exists()


def test_failure_keeps_earlier_results(tmp_path):
    out = tmp_path / "out"
    good = tmp_path / "case.yaml"
    good.write_text("name: case\n", encoding="utf-8")
    assert run.main([str(good), "--out", str(out)]) == 0
    before = (out / "case" / "timeseries.csv").read_bytes()
    good.write_text("name: case\nhorizon: 1999\n", encoding="utf-8")
    assert run.main([str(good), "--out", str(out)]) == 1
    assert (out / "case" / "timeseries.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_duplicate_names_in_one_batch(tmp_path, capsys):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("name: same\n", encoding="utf-8")
    b.write_text("name: same\n", encoding="utf-8")
    assert run.main([str(a), str(b), "--out", str(tmp_path / "out")]) == 1
    assert "names must differ" in capsys.readouterr().err


def test_assumption_override_changes_partition(tmp_path):
    s = tmp_path / "hi.yaml"
    s.write_text("name: hi\nassumptions:\n  va.industry_2020: 4800\n", encoding="utf-8")
    assert run.main([str(s), "--out", str(tmp_path)]) == 0
    df = pd.read_csv(tmp_path / "hi" / "timeseries.csv")
    row = df[(df.variable == "Value Added|Construction") & (df.year == 2020)]
    assert row["value"].item() == pytest.approx(5716.4 - 4800)


def test_bad_command_line(capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--no-such-flag"])
    assert info.value.code == 2


def test_command_line_script(tmp_path):
    """The real entry point, as a user runs it."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, str(run.ROOT / "run.py"), str(SCENARIOS[0]), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 scenarios written" in proc.stdout


def test_timeseries_loads_in_pyam(shipped):
    pyam = pytest.importorskip("pyam")
    _, out = shipped
    df = pyam.IamDataFrame(pd.read_csv(out / "baseline" / "timeseries.csv"))
    assert "Share of GDP|High-tech" in df.variable


def test_show_prints_resolved_parameters_and_differences(capsys):
    assert run.main(["--show", str(run.ROOT / "scenarios" / "finance_deepening.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Differences from baseline:" in out
    assert "growth.finance 2022-2025:" in out
    assert "finance_deepening.yaml <- " in out


def test_show_of_a_broken_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("horizon: 1999\n", encoding="utf-8")
    assert run.main(["--show", str(bad)]) == 1
    assert "cannot be shown" in capsys.readouterr().out


def test_warnings_are_printed_and_recorded(tmp_path, capsys):
    s = tmp_path / "wild.yaml"
    s.write_text("growth:\n  finance: 30\n", encoding="utf-8")
    assert run.main([str(s), "--out", str(tmp_path / "out")]) == 0
    assert "wild.yaml:2: growth.finance" in capsys.readouterr().err
    record = json.loads((tmp_path / "out" / "wild" / "manifest.json").read_text())
    assert any("finance" in w for w in record["warnings"])
