"""The store of the calibration's solutions (model/core/cache.py): a run from the store is the run that
solves, bit for bit; any change of the problem is a new entry; a broken or unwritable store costs a solve,
never a wrong answer or an error."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from model.core import cache
from tests.batches import results_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def counting(value):
    calls = []

    def solve():
        calls.append(1)
        return np.array(value, dtype=float)
    return solve, calls


def test_a_stored_solution_is_returned_without_solving(store):
    solve, calls = counting([0.1, 1 / 3, -2e-17])
    first = cache.solution("p", (np.arange(3.0), "x"), solve)
    second = cache.solution("p", (np.arange(3.0), "x"), solve)
    assert len(calls) == 1
    assert first.tobytes() == second.tobytes()          # bit for bit
    assert len(list(store.glob("p-*.npy"))) == 1


@pytest.mark.parametrize("other", [
    (np.arange(3.0) + 1e-15, "x"),                      # a value in the last bits
    (np.arange(3.0).astype(np.float32), "x"),           # the dtype
    (np.arange(3.0).reshape(3, 1), "x"),                # the shape
    (np.arange(3.0), "y"),                              # a setting
    (np.arange(3.0),),                                  # an input fewer
])
def test_any_change_of_the_inputs_is_a_new_problem(store, other):
    solve, calls = counting([1.0])
    cache.solution("p", (np.arange(3.0), "x"), solve)
    cache.solution("p", other, solve)
    assert len(calls) == 2


def test_the_code_and_the_solvers_versions_are_part_of_the_key(store, monkeypatch):
    before = cache.key("p", (np.arange(2.0),))
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of the code")
    assert cache.key("p", (np.arange(2.0),)) != before
    assert cache.key("q", (np.arange(2.0),)) != cache.key("p", (np.arange(2.0),))


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY truncated", b"not an array at all",
                                     "object", "matrix"])
def test_an_unreadable_entry_is_solved_again_and_replaced(store, content):
    solve, calls = counting([4.0, 5.0])
    cache.solution("p", ("a",), solve)
    (entry,) = store.glob("p-*.npy")
    if content == "object":
        np.save(entry, np.array(["text"], dtype=object), allow_pickle=True)
    elif content == "matrix":
        np.save(entry, np.ones((2, 2)))
    else:
        entry.write_bytes(content)
    again = cache.solution("p", ("a",), solve)
    assert len(calls) == 2 and again.tolist() == [4.0, 5.0]
    assert np.load(entry).tolist() == [4.0, 5.0]         # the entry is whole again


def test_a_store_that_cannot_be_written_costs_a_solve_not_an_error(tmp_path, monkeypatch):
    blocked = tmp_path / "a file"
    blocked.write_text("in the way")
    monkeypatch.setenv(cache.ENV, str(blocked / "store"))
    solve, calls = counting([1.5])
    assert cache.solution("p", ("a",), solve).tolist() == [1.5]
    assert cache.solution("p", ("a",), solve).tolist() == [1.5]
    assert len(calls) == 2 and blocked.read_text() == "in the way"


@pytest.mark.parametrize("setting", ["off", "OFF", "0", ""])
def test_off_keeps_nothing(tmp_path, monkeypatch, setting):
    monkeypatch.setenv(cache.ENV, setting)
    assert cache.folder() is None
    solve, calls = counting([1.0])
    cache.solution("p", ("a",), solve)
    cache.solution("p", ("a",), solve)
    assert len(calls) == 2


def test_switched_off_inside_the_block_only(store):
    solve, calls = counting([1.0])
    with cache.switched_off():
        cache.solution("p", ("a",), solve)
        assert cache.folder() is None
    assert not store.exists()
    cache.solution("p", ("a",), solve)
    assert store.exists() and len(calls) == 2


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "beijing-scenarios"


def test_the_store_is_trimmed_to_the_recently_used(store, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 6)
    for i in range(6):
        cache.solution("p", (f"problem {i}",), counting([float(i)])[0])
        os.utime(next(store.glob(f"p-{cache.key('p', (f'problem {i}',))}.npy")), (i, i))
    cache.solution("p", ("problem 0",), counting([0.0])[0])    # read: now the most recently used
    cache.solution("p", ("problem 6",), counting([6.0])[0])    # a seventh: the store is trimmed
    left = {p.name for p in store.glob("*.npy")}
    assert len(left) == 3
    assert f"p-{cache.key('p', ('problem 0',))}.npy" in left
    assert f"p-{cache.key('p', ('problem 6',))}.npy" in left
    assert f"p-{cache.key('p', ('problem 1',))}.npy" not in left


def test_a_baseline_from_the_store_is_the_solved_baseline_bit_for_bit(store, monkeypatch):
    """The calibration's two problems (the trend fit, the 2021 calibration) read back from the store
    give the same baseline, array for array, without calling a solver."""
    from scipy import optimize

    from model.baseline import calibration
    calibration._SOLVED.clear()
    solved = calibration.build_baseline()
    assert {p.name.split("-")[0] for p in store.glob("*.npy")} == {"trend_bvls", "calibration_2021_slsqp"}

    def no_solver(*args, **kwargs):
        raise AssertionError("a solver was called although the store holds the solution")
    monkeypatch.setattr(optimize, "minimize", no_solver)
    monkeypatch.setattr(optimize, "lsq_linear", no_solver)
    calibration._SOLVED.clear()
    stored = calibration.build_baseline()
    for field in ("va_2020", "growth_2021", "trend_growth", "price_drifts", "new_economy_weights"):
        assert getattr(stored, field).tobytes() == getattr(solved, field).tobytes(), field
    assert stored.moments == solved.moments and stored.trend_fit == solved.trend_fit


def test_a_run_from_the_store_does_not_import_the_solvers_before_its_scorecard(store, tmp_path):
    """In a fresh process, with the store filled by an earlier one: the baseline is built and the
    scenario projected and scored without importing scipy.optimize (the edit loop's first second)."""
    program = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        from model.baseline.baselines import baseline_for
        from model.projection.simulate import project
        from model.scenario.loader import load_scenario
        scenario = load_scenario({os.path.join(ROOT, "scenarios", "baseline.yaml")!r})
        project(scenario, baseline_for(scenario.assumptions, scenario.base, scenario.census))
        print("scipy.optimize" in sys.modules)
    """)
    env = {**os.environ, cache.ENV: str(store)}
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"]


@pytest.mark.slow
def test_the_command_line_writes_the_same_files_from_the_store_and_without_it(store, tmp_path):
    """``run.py`` three times on a scenario being edited: with an empty store (it solves and fills it), from
    the store, and with ``--no-cache`` (it solves, the store untouched): the same files, byte for byte (each
    manifest's record of the command aside)."""
    import shutil
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(os.path.join(ROOT, "scenarios", "baseline.yaml"), folder)
    (folder / "edit.yaml").write_text("extends: baseline\nname: edit\ngrowth: {ict: '+1pp'}\n", encoding="utf-8")
    env = {**os.environ, cache.ENV: str(store)}
    outs = {}
    for name, extra in (("cold", []), ("warm", []), ("off", ["--no-cache"])):
        before = sorted(p.name for p in store.glob("*.npy")) if store.exists() else []
        subprocess.run([sys.executable, os.path.join(ROOT, "run.py"), str(folder / "edit.yaml"), "--no-figures",
                        "-q", "--out", str(tmp_path / name), *extra], env=env, check=True, capture_output=True)
        after = sorted(p.name for p in store.glob("*.npy"))
        if name == "cold":
            assert after, "the first run kept no solution"
        else:
            assert after == before, f"the {name} run changed the store"
        outs[name] = results_files(tmp_path / name)
    assert len(outs["cold"]) > 20
    for name in ("warm", "off"):
        assert sorted(outs[name]) == sorted(outs["cold"])
        assert [f for f in outs["cold"] if outs[name][f] != outs["cold"][f]] == [], name
