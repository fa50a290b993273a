"""What a run writes for gap attribution and lever maps."""
import pandas as pd
import pytest

import run
from model import batch
from model.analysis.levers import GRID


@pytest.mark.slow             # a whole batch with every figure
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
        assert (folder / f"waterfall_{target}.png").is_file()          # a change from the base year: drawn
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


def test_a_scenario_declares_lever_pairs_its_children_inherit_and_bad_ones_are_located(tmp_path):
    from model.scenario.loader import ScenarioError, load_scenario

    (tmp_path / "parent.yaml").write_text("name: parent\nlever_pairs:\n  - [finance, scitech]\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("name: child\nextends: parent\n", encoding="utf-8")
    assert load_scenario(tmp_path / "child.yaml").lever_pairs == (("finance", "scitech"),)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nlever_pairs:\n  - [finance, bank]\n  - [ict, ict]\n  - ict\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    text = str(info.value)
    assert "bad.yaml:3: lever_pairs.0: unknown sector 'bank'" in text and "'all'" not in text
    assert "bad.yaml:4: lever_pairs.1: sector 'ict' is listed twice" in text
    assert "bad.yaml:5: lever_pairs.2: got 'ict'; expected two sector keys" in text
