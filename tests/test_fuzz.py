"""Generated scenario documents through the loader, the projection and the batch (the slow set).

``make test ARGS="-m 'not slow'"`` leaves these out; ``make test`` runs them.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scenario import check_document, deep, documents, dump

from model import batch
from model.baseline.calibration import build_baseline
from model.projection.results import timeseries
from model.projection.simulate import project
from model.targets.definitions import load_targets
from model.targets.scorecard import evaluate

pytestmark = pytest.mark.slow
BASELINES = {}
SUMMARY = {"documents": 0, "loaded": 0}


def projected(scenario):
    """The scenario's table; a calibration that cannot honour its assumptions is a ValueError (reported
    by the batch as the scenario's `assumptions:` problem)."""
    key = tuple(sorted(scenario.assumptions.items()))
    if key not in BASELINES:
        try:
            BASELINES[key] = build_baseline(scenario.assumptions)
        except ValueError:
            BASELINES[key] = None
    if BASELINES[key] is None:
        return None
    return timeseries(project(scenario, BASELINES[key]), scenario.name, revenue_links=scenario.revenue_links)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(documents, documents, deep()))
def test_generated_documents_load_or_fail_located_and_project_in_domain(tmp_path_factory, doc):
    SUMMARY["documents"] += 1
    scenario = check_document(tmp_path_factory.mktemp("f") / "doc.yaml", dump(doc))
    if scenario is None:
        return
    SUMMARY["loaded"] += 1
    table = projected(scenario)
    if table is None:
        return
    assert np.isfinite(table["value"]).all()
    for variable, years in table.groupby("variable")["year"]:
        first = 2025 if variable.startswith("Growth (5-year average)|") else (
            2021 if variable.startswith("Growth|") else 2020)
        assert sorted(years) == list(range(first, scenario.horizon + 1)), variable
    levels = table[table["variable"].str.startswith(("GDP", "Value Added|", "Real "))]
    assert (levels["value"] > 0).all()
    evaluate(table, load_targets())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(documents, deep()), min_size=1, max_size=4), st.booleans())
def test_generated_batches_fail_scenario_by_scenario(tmp_path_factory, monkeypatch, docs, figures):
    """Half the batches, as hypothesis draws them, draw their figures: the figure code meets the
    generated scenarios that load, and ``--no-figures`` batches are checked alike."""
    folder = tmp_path_factory.mktemp("batch")
    paths = [folder / "good.yaml"]
    paths[0].write_text("name: good\n", encoding="utf-8")
    for i, doc in enumerate(docs):
        paths.append(folder / f"doc{i}.yaml")
        paths[-1].write_text(dump(doc), encoding="utf-8")
    outcomes = batch.run_batch(paths, folder / "out", ["fuzz"], batch.RunOptions(draws=64, figures=figures,
                                                                                  analyses=False))
    assert outcomes[0].ok and len(outcomes) == len(paths)
    for o in outcomes:
        assert all(p.startswith(o.file) and "internal error" not in p for p in o.problems), o.problems
    assert (folder / "out" / "comparison" / "manifest.json").exists()
    assert (folder / "out" / "comparison" / "shares_by_scenario.png").exists() == figures
    assert "in progress" not in (folder / "out" / "summary.md").read_text(encoding="utf-8")
