"""The command line as a careless or hostile user meets it: numbers in other scripts, an empty folder
name, signals, closed or full outputs, memory bounds, file names that are not UTF-8, and the count of
scenarios (issue 19)."""
import pytest

import run


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A one-line scenario, with the current folder a fresh one: an option read wrongly runs nothing big
    and writes nowhere else (``--show`` prints the scenario and runs nothing)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "a.yaml"
    path.write_text("name: a\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("flag", ["--draws", "--seed", "--chunk", "--sobol"])
def test_numbers_take_ascii_digits_only(flag, tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main([flag, "١٠٠", "--show", str(tiny)])          # Arabic-Indic digits: int() reads 100
    assert info.value.code == 2 and "not a whole number (digits 0-9)" in capsys.readouterr().err


def test_goal_from_takes_ascii_digits_only(tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--goal-from", "٢٠٢١", "--show", str(tiny)])
    assert info.value.code == 2 and "neither 2021 nor 2022" in capsys.readouterr().err


def test_an_empty_output_folder_is_refused(tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--out", "", "--show", str(tiny)])
    assert info.value.code == 2 and "--out . for the current one" in capsys.readouterr().err
