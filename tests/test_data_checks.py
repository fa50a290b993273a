"""Data files fail with their line, before anything runs; targets are checked against what they measure;
realized figures against their neighbours."""
import re
import shutil
import sys

import pytest

import run
from model.baseline import data, realized
from model.core import target_sets
from model.core.files import DATA_DIR
from model.targets.definitions import TargetsError, read_targets

CSV_FILES = ("figures.csv", "assumptions.csv", "assumptions_2025.csv", "revenue_links.csv", "satellites.csv",
             "satellite_history.csv", "realized.csv")


def _clear_caches():
    """Forget everything the model has read or built from its data files: every cached function of the
    package (the readers, the baselines, the target sets, the model's variables)."""
    for name, module in list(sys.modules.items()):
        if name == "model" or name.startswith("model."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of ``model/data`` that the model reads instead (break a file of it); the caches of what was
    read are cleared before and after."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    for module, name in ((data, "FIGURES_FILE"), (data, "ASSUMPTIONS_FILE"), (data, "ASSUMPTIONS_2025_FILE"),
                         (data, "REVENUE_LINKS_FILE"), (data, "SATELLITES_FILE"), (data, "SATELLITE_HISTORY_FILE"),
                         (realized, "REALIZED_FILE")):
        monkeypatch.setattr(module, name, copy / getattr(module, name).name)
    monkeypatch.setattr(target_sets, "DATA_DIR", copy)
    _clear_caches()
    yield copy
    monkeypatch.undo()
    _clear_caches()


def edit_line(path, line, edit):
    """Replace line ``line`` (1-based) of ``path`` by ``edit(bytes of the line)``."""
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = edit(lines[line - 1])
    path.write_bytes(b"\n".join(lines))


def run_tiny(tmp_path, capsys):
    """Run a one-line scenario, tables only; the exit code and what was printed on stderr."""
    scenario = tmp_path / "a.yaml"
    scenario.write_text("name: a\n", encoding="utf-8")
    code = run.main([str(scenario), "--out", str(tmp_path / "out"), "--no-figures", "--no-analyses"])
    return code, capsys.readouterr()


# ---------------------------------------------------------------- every data file, before anything runs
@pytest.mark.parametrize("name", CSV_FILES)
def test_a_byte_that_is_not_utf8_stops_the_batch_with_its_file_and_line(name, data_copy, tmp_path, capsys):
    edit_line(data_copy / name, 3, lambda text: text[:5] + b"\xff" + text[5:])
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1 and "Traceback" not in printed.err and "internal error" not in printed.err
    assert f"{name}:3: byte 0xff at column 6 is not UTF-8: save the file as UTF-8" in printed.err
    assert f"FAILED  {data_copy / name}" in printed.err
    assert "not run: a data file of the model cannot be used" in printed.err
    assert "scenarios written" not in printed.out
    assert not (tmp_path / "out").exists()


def test_a_header_only_realized_file_stops_the_batch(data_copy, tmp_path, capsys):
    path = data_copy / "realized.csv"
    path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1 and "realized.csv:2: no rows: the file has its header only" in printed.err
    assert "backtest" not in printed.err and not (tmp_path / "out").exists()


def test_a_missing_column_and_a_bad_number_are_located(data_copy, tmp_path, capsys):
    edit_line(data_copy / "figures.csv", 1, lambda text: text.replace(b"vintage", b"vintge"))
    edit_line(data_copy / "revenue_links.csv", 2, lambda text: b",".join([text.split(b",")[0], b"x"]
                                                                          + text.split(b",")[2:]))
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1
    assert "figures.csv:1: header: columns" in printed.err and "did you mean 'vintage' for 'vintge'?" in printed.err
    assert "revenue_links.csv:2: value 'x' is not a number" in printed.err
    assert not (tmp_path / "out").exists()


def test_a_target_set_that_cannot_be_read_as_utf8_has_its_line(data_copy, tmp_path, capsys):
    edit_line(data_copy / "targets.yaml", 40, lambda text: text + b" \xe9")
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1 and "targets.yaml:40: byte 0xe9 at column" in printed.err
    assert not (tmp_path / "out").exists()


def test_a_typo_in_a_targets_variable_stops_the_batch_with_its_line(data_copy, tmp_path, capsys):
    path = data_copy / "targets.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("variable: Share of GDP|Manufacturing",
                                                             "variable: Share of GDP|Manufactoring", 1),
                    encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "Manufactoring" in text)
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1 and "KeyError" not in printed.err and "internal error" not in printed.err
    assert (f"targets.yaml:{line}: target 2 (manufacturing_share): variable 'Share of GDP|Manufactoring' is not a "
            "series the model projects; did you mean 'Share of GDP|Manufacturing'?" in printed.err)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- targets against what they measure
def targets_with(tmp_path, old, new, name="targets.yaml"):
    """A copy of a shipped target set with ``old`` (its first occurrence) replaced by ``new``; the line."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n", 0, text.index(new)) + 1


def test_the_shipped_target_sets_pass_the_checks():
    for name in target_sets.SETS:
        read_targets(target_sets.set_file(name))


NUMBER = r"[\d,.]+"          # a number of the central baseline: it moves with the model, the message does not


@pytest.mark.parametrize("old,new,message", [
    ("value: 30\n", "value: 0.30\n", rf"target 0 \(hightech_share\): value 0.3 % is far below the variable's "
                                     rf"{NUMBER} % in 2020: a fraction\? shares are in percent \(write 30 for 30 %\)"),
    ("value: 13\n", "value: 130\n", r"target 2 \(manufacturing_share\): value 130 is not a share of GDP in percent "
                                    r"\(0 to 100\)"),
    ("value: 13\n", "value: 0.13\n", rf"target 2 \(manufacturing_share\): value 0.13 % is below a tenth of the "
                                     rf"central path's {NUMBER} % in 2025: a fraction\?"),
    ("value: 30000\n", "value: 3000\n", rf"target 4 \(software_revenue\): value 3,000 is not within a factor of 5 of "
                                        rf"the central baseline's {NUMBER} 100 million CNY/yr in 2025: check the "
                                        r"number and its unit \(100 million CNY: 1 trillion yuan = 10,000\)"),
    ("value: 4000\n", "value: 40000\n", r"target 7 \(pharma_revenue\): value 40,000 is not within a factor of 5"),
])
def test_an_implausible_target_value_is_located(tmp_path, old, new, message):
    path, line = targets_with(tmp_path, old, new)
    with pytest.raises(TargetsError) as info:
        read_targets(path)
    assert len(info.value.problems) == 1
    assert re.match(rf"targets.yaml:{line}: {message}", str(info.value.problems[0]))


def test_a_targets_unit_must_be_its_variables(tmp_path):
    path, _ = targets_with(tmp_path, "value: 30000\n", "value: 30000\n")
    text = path.read_text(encoding="utf-8")
    start = text.index("id: software_revenue")
    unit_at = text.index('unit: "100 million CNY"', start) if 'unit: "100 million CNY"' in text[start:] else \
        text.index("unit: 100 million CNY", start)
    end = text.index("\n", unit_at)
    path.write_text(text[:unit_at] + 'unit: "%"' + text[end:], encoding="utf-8")
    line = text.count("\n", 0, unit_at) + 1
    with pytest.raises(TargetsError, match=rf"targets.yaml:{line}: target 4 \(software_revenue\): unit '%' is "
                                           r"not the unit of 'Revenue\|Software and Information Services', "
                                           r"'100 million CNY/yr'"):
        read_targets(path)


def test_a_growth_target_written_as_a_fraction_is_located(tmp_path):
    path, line = targets_with(tmp_path, "value: 4.5\n", "value: 0.045\n", "targets_plan15.yaml")
    with pytest.raises(TargetsError, match=rf"targets_plan15.yaml:{line}: .*value 0.045 % is below a tenth of the "
                                           r"central path's"):
        read_targets(path)


def test_a_rank_among_unknown_variables_is_located(tmp_path):
    path, line = targets_with(tmp_path, "    - Value Added|Construction\n", "    - Value Added|Constructions\n")
    with pytest.raises(TargetsError, match=rf"targets.yaml:{line}: .*among: 'Value Added\|Constructions' is not a "):
        read_targets(path)


# ---------------------------------------------------------------- realized figures against their neighbours
def realized_with(tmp_path, key, year, factor, basis="4th"):
    """A copy of realized.csv with the value of ``key`` (annual, ``year``, ``basis``) multiplied; its line."""
    import csv
    rows = list(csv.DictReader(open(DATA_DIR / "realized.csv", encoding="utf-8", newline="")))
    index = next(i for i, r in enumerate(rows) if r["key"] == key and r["year"] == str(year)
                 and r["period"] == "annual" and r["census_basis"] == basis)
    rows[index]["value"] = f"{float(rows[index]['value']) * factor:g}"
    path = tmp_path / "realized.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path, index + 2        # no quoted field spans lines in the file


@pytest.mark.parametrize("key,year,factor", [("va.gdp", 2022, 1e4), ("va.tertiary", 2021, 1e-3),
                                             ("share.digital_economy", 2022, 0.01)])
def test_a_realized_figure_far_off_its_neighbours_is_located(tmp_path, key, year, factor):
    path, line = realized_with(tmp_path, key, year, factor)
    with pytest.raises(realized.RealizedDataError) as info:
        realized.load_realized(path)
    assert len(info.value.problems) == 1
    assert str(info.value.problems[0]).startswith(f"realized.csv:{line}: value: ")
    assert "more than 3 times off: check the number and its unit" in str(info.value.problems[0])


def test_a_growth_rate_above_the_bound_is_located(tmp_path):
    path, line = realized_with(tmp_path, "growth.gdp", 2022, 1e4)
    with pytest.raises(realized.RealizedDataError, match=rf"realized.csv:{line}: value: growth of 7,?000 % in 2022"):
        realized.load_realized(path)


def test_the_backtest_never_meets_a_level_off_by_ten_thousand(data_copy, tmp_path, capsys):
    """The record's GDP level x 10^4 turned the backtest's level error from 3.9 % into 103,326 % with no word."""
    path, line = realized_with(tmp_path, "va.gdp", 2022, 1e4)
    shutil.copy(path, data_copy / "realized.csv")
    code, printed = run_tiny(tmp_path, capsys)
    assert code == 1 and f"realized.csv:{line}: value: " in printed.err
    assert not (tmp_path / "out").exists()
