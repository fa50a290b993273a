"""What a run writes for gap attribution and lever maps."""
import pandas as pd
import pytest

import run
from model import batch
from model.levers import GRID


def test_a_run_writes_attribution_waterfalls_and_lever_maps(tmp_path):
    path = tmp_path / "solo.yaml"
    path.write_text("name: solo\n", encoding="utf-8")
    options = batch.RunOptions(lever_pairs=(("finance", "scitech"),))
    (outcome,) = batch.run_batch([path], tmp_path / "out", ["test"], options)
    assert outcome.ok, outcome.problems
    folder = tmp_path / "out" / "solo"
    table = pd.read_csv(folder / "attribution.csv")
    assert list(table.columns) == ["target", "reference", "kind", "component", "contribution", "unit"]
    sums = table.groupby(["target", "kind"])["contribution"].sum().unstack()
    assert ((sums["sector"] - sums["input"]).abs() <= 1e-9 * sums["input"].abs().clip(lower=1)).all()
    for target in ("hightech_share", "manufacturing_share", "finance_first_pillar"):
        assert (folder / f"waterfall_{target}.png").is_file() and (folder / f"waterfall_{target}.svg").is_file()
    maps = pd.read_csv(folder / "levers.csv")
    for name in maps["map"]:
        grid = pd.read_csv(folder / f"{name}.csv")
        assert len(grid) == GRID * GRID
        assert (folder / f"{name}.png").is_file()
    assert "levers_finance_scitech" in set(maps["map"])
    stacked = pd.read_csv(tmp_path / "out" / "comparison" / "attribution.csv")
    assert set(stacked["scenario"]) == {"solo"}
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "why missed" in summary and "solo/attribution.csv" in summary


def test_the_command_line_takes_lever_pairs_and_refuses_bad_ones(capsys):
    assert run.parse_args(["--levers", "ict,finance", "--levers", "scitech, mfg_other"]).levers == [
        ("ict", "finance"), ("scitech", "mfg_other")]
    for bad, message in (("ict", "two sector keys"), ("ict,banking", "unknown sector 'banking'"),
                         ("ict,ict", "same sector twice")):
        with pytest.raises(SystemExit):
            run.parse_args(["--levers", bad])
        assert message in capsys.readouterr().err
