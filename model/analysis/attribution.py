"""Why a target value differs from its reference: exact attribution by sector and by input.

For every evaluated target of a scenario the difference between the scenario's value
and a *reference* value is split into contributions that add up to it with no
residual (:func:`attribute`):

* **by sector** (:mod:`model.analysis.sector_split`): through the numerator and the denominator
  (GDP) of a share, through the link weights of a revenue, through the leader and the
  runner-ups of a rank;
* **by input** (this module): the scenario's inputs, in groups (:data:`INPUT_GROUPS`),
  are switched from the reference's values to its own; the Shapley value over the
  groups gives each group its average marginal effect over every order of switching.

The reference is the scenario's parent (``Scenario.parent``, the chain without its
last file); for a scenario without a parent, the base year 2020: by sector, the
target's 2020 value; by input, a *frozen* economy with the same base year (no real
growth, no price change, no shocks, no projects, no vaccine unwind), whose value
in any year is its 2020 value.

The 2^k input combinations are evaluated through the Monte Carlo engine
(:func:`model.projection.simulate.project` with :class:`model.projection.simulate.Draws`): for each
combination of the groups that change the structure of the model (base year,
trend, shocks, projects, revenue links) one call evaluates every combination of
the groups that enter as draws (real growth, prices, the vaccine unwind).

Pure computation: nothing here writes files.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis.sector_split import sector_contributions
from ..baseline.baselines import baseline_for
from ..baseline.calibration import Baseline
from ..core.years import BASE_YEAR, level_row, n_steps
from ..equations.attribution_math import shapley
from ..projection.indicators import Indicators
from ..projection.simulate import Draws, Projection, project, stated_deflator, stated_growth
from ..scenario.loader import Layered, Scenario
from ..targets.definitions import Target

ATTRIBUTION_COLUMNS = ("target", "reference", "kind", "component", "contribution", "unit")
SECTOR, INPUT = "sector", "input"
BASE_REFERENCE = str(BASE_YEAR)          # the reference of a scenario without a parent

# Input groups, in reporting order: name -> what it switches.
INPUT_GROUPS: dict[str, str] = {
    "real growth": "the growth paths (calibrated 2021, trend, the scenario's `growth`)",
    "prices": "the deflator paths (`deflator`)",
    "base year": "the 2020 partition, cross-cutting weights and calibrated 2021 rates (`assumptions`)",
    "trend": "the trend design (`trend`) and the trend paths, deflator and relative price drifts it reads "
             "(`assumptions`)",
    "vaccine unwind": "`vaccine_unwind`",
    "shocks": "`shocks`",
    "projects": "`projects`",
    "revenue links": "`revenue_links`",
}
_DRAWN = ("real growth", "prices", "vaccine unwind")          # enter as draws of one engine call
_BASELINE_FIELDS = {"base year": ("va_2020", "hightech_weights", "new_economy_weights", "growth_2021", "base_year",
                                   "revenue_reference", "revenue_anchors", "census", "digital_economy_weights",
                                   "satellites"),
                    "trend": ("trend_growth", "trend_paths", "trend_deflator", "price_drifts", "price_half_life")}
# Baseline fields no equation reads (the reference range only bounds the Monte Carlo's draws of the reference)
_METADATA = ("provenance", "trend_fit", "moments", "assumptions", "revenue_reference_range", "satellite_fit")


def _same(a, b) -> bool:
    """Equal values: arrays element-wise, mappings key by key, dataclasses field by field."""
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    return bool(np.array_equal(a, b))


# ------------------------------------------------------------------ the quantity attributed
def attributed_value(t: Target, ind: Indicators, year: int | None = None, row: int | None = None) -> np.ndarray:
    """What is attributed for ``t``: its value, or for ``rank`` its lead over the largest other
    (the gap), at ``year`` (or level ``row``); ``(...)`` over any leading draw axis."""
    r = level_row(t.year if year is None else year) if row is None else row
    e = t.evaluate({v: ind.value(v)[..., r] for v in t.variables})
    return e.gap if not t.comparator.gap_from_value else e.value


# ------------------------------------------------------------------ the reference inputs
def frozen(scenario: Scenario) -> Scenario:
    """The base-year reference of ``scenario``: no real growth and no price change in any year,
    no shocks, no projects, no vaccine unwind; every level stays at its 2020 value."""
    zero = np.zeros_like(scenario.growth.set)
    zero.setflags(write=False)
    layered = Layered(zero, zero)
    return dataclasses.replace(scenario, name=BASE_REFERENCE, growth=layered, deflator=layered, vaccine_unwind=0.0,
                               shocks=(), projects=(), parent=None)


def _fit(layered: Layered, rows: int) -> Layered:
    """``layered`` cut or extended (silent cells) to ``rows`` years."""
    have = layered.set.shape[0]
    if have >= rows:
        return Layered(layered.set[:rows], layered.add[:rows])
    pad = rows - have
    return Layered(np.vstack([layered.set, np.full((pad, layered.set.shape[1]), np.nan)]),
                   np.vstack([layered.add, np.zeros((pad, layered.add.shape[1]))]))


def _on_horizon(s: Scenario, horizon: int) -> Scenario:
    rows = n_steps(horizon)
    return dataclasses.replace(s, horizon=horizon, growth=_fit(s.growth, rows), deflator=_fit(s.deflator, rows),
                               shocks=tuple(e for e in s.shocks if e.year <= horizon))


def _differs(group: str, a: Scenario, b: Scenario, ba: Baseline, bb: Baseline) -> bool:
    if group in _BASELINE_FIELDS:
        return (any(not _same(getattr(ba, f), getattr(bb, f)) for f in _BASELINE_FIELDS[group])
                or (group == "trend" and a.trend != b.trend))
    if group == "real growth":
        return not (np.array_equal(a.growth.set, b.growth.set, equal_nan=True)
                    and np.array_equal(a.growth.add, b.growth.add))
    if group == "prices":
        return not (np.array_equal(a.deflator.set, b.deflator.set, equal_nan=True)
                    and np.array_equal(a.deflator.add, b.deflator.add))
    if group == "vaccine unwind":
        return a.vaccine_unwind != b.vaccine_unwind
    if group == "shocks":
        return a.shocks != b.shocks
    if group == "projects":
        return a.projects != b.projects
    return dict(a.revenue_links) != dict(b.revenue_links)


def input_worths(scenario: Scenario, baseline: Baseline, reference: Scenario, reference_baseline: Baseline,
                 targets: Sequence[Target], groups: Sequence[str]) -> np.ndarray:
    """Worth of every coalition of the input ``groups``: ``(2**k, n_targets)`` attributed values
    (:func:`attributed_value`) with the groups of the coalition at the scenario's inputs and the
    others at the reference's.  Both scenarios must share the horizon."""
    k = len(groups)
    bit = {g: 1 << i for i, g in enumerate(groups)}
    drawn = [g for g in groups if g in _DRAWN]
    fixed = [g for g in groups if g not in _DRAWN]
    out = np.empty((2 ** k, len(targets)))
    inner = [sum(bit[g] for j, g in enumerate(drawn) if (m >> j) & 1) for m in range(2 ** len(drawn))]
    for mf in range(2 ** len(fixed)):
        outer = sum(bit[g] for j, g in enumerate(fixed) if (mf >> j) & 1)
        on = {g for g in fixed if outer & bit[g]}
        b = dataclasses.replace(reference_baseline, **{f: getattr(baseline, f) for g in on
                                                       for f in _BASELINE_FIELDS.get(g, ())})
        carrier = dataclasses.replace(
            scenario, trend=scenario.trend if "trend" in on else reference.trend,
            shocks=scenario.shocks if "shocks" in on else reference.shocks,
            projects=scenario.projects if "projects" in on else reference.projects,
            revenue_links=scenario.revenue_links if "revenue links" in on else reference.revenue_links)
        g_own, d_own = stated_growth(carrier, b), stated_deflator(carrier, b)
        same_trend = dataclasses.replace(reference, trend=carrier.trend)    # the trend switches with its group
        g_ref, d_ref = stated_growth(same_trend, b), stated_deflator(same_trend, b)
        masks = [outer | m for m in inner]
        draws = Draws(n=len(masks),
                      growth=np.stack([np.zeros_like(g_own) if m & bit.get("real growth", 0) else g_ref - g_own
                                       for m in masks]),
                      deflator=np.stack([np.zeros_like(d_own) if m & bit.get("prices", 0) else d_ref - d_own
                                         for m in masks]),
                      vaccine_unwind=np.array([scenario.vaccine_unwind if m & bit.get("vaccine unwind", 0)
                                               else reference.vaccine_unwind for m in masks]))
        ind = Indicators(project(carrier, b, draws), carrier.revenue_links)
        for j, t in enumerate(targets):
            out[masks, j] = attributed_value(t, ind)
        ind.release()
    return out


def input_contributions(scenario: Scenario, baseline: Baseline, reference: Scenario, reference_baseline: Baseline,
                        targets: Sequence[Target]) -> pd.DataFrame:
    """Shapley value of each input group, ``(target, component, contribution)`` rows; every group
    of :data:`INPUT_GROUPS` is listed, 0 for a group whose inputs the two scenarios share (a
    dummy player: leaving it out of the enumeration changes no other value)."""
    horizon = min(scenario.horizon, reference.horizon)
    s, r = _on_horizon(scenario, horizon), _on_horizon(reference, horizon)
    active = [g for g in INPUT_GROUPS if _differs(g, s, r, baseline, reference_baseline)]
    phi = np.zeros((len(INPUT_GROUPS), len(targets)))
    if active:
        worths = input_worths(s, baseline, r, reference_baseline, targets, active)
        idx = [list(INPUT_GROUPS).index(g) for g in active]
        phi[idx] = shapley(worths)
    return pd.DataFrame([{"target": t.id, "component": g, "contribution": float(phi[i, j])}
                         for j, t in enumerate(targets) for i, g in enumerate(INPUT_GROUPS)])


# ------------------------------------------------------------------ both kinds, one table
def attribute(scenario: Scenario, baseline: Baseline, targets: Sequence[Target],
              projection: Projection | None = None, reference: Scenario | None = None,
              reference_baseline: Baseline | None = None,
              reference_projection: Projection | None = None) -> pd.DataFrame:
    """The attribution table of ``scenario``'s ``targets`` against its reference.

    Parameters
    ----------
    scenario, baseline
        The scenario and its calibrated baseline.
    targets
        The targets to attribute: modelled, of a year within both horizons (others are skipped).
    projection
        The scenario's deterministic projection (computed when not given).
    reference, reference_baseline, reference_projection
        The reference (default: ``scenario.parent`` with a baseline built from its
        ``assumptions``); ``None`` and no parent: the base year 2020 (:func:`frozen`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ATTRIBUTION_COLUMNS`; per target, the ``sector`` rows and the ``input`` rows
        each sum to the scenario's value minus the reference value (the lead over the
        largest other for ``rank``), in the target's unit, to floating-point precision.
    """

    projection = project(scenario, baseline) if projection is None else projection
    reference = scenario.parent if reference is None else reference
    if reference is None:
        ref_name, ref_scenario, ref_baseline, ref_projection, ref_row = str(baseline.base_year), frozen(scenario), \
            baseline, projection, 0        # row 0 holds the base year's levels (a later base: held flat to it)
    else:
        ref_name = reference.name
        ref_baseline = baseline_for(reference.assumptions, reference.base, reference.census) \
            if reference_baseline is None \
            else reference_baseline
        ref_projection = project(reference, ref_baseline) if reference_projection is None else reference_projection
        ref_scenario, ref_row = reference, None
    horizon = min(scenario.horizon, ref_scenario.horizon)
    chosen = [t for t in targets if t.modelled and t.year <= horizon]
    if not chosen:
        return pd.DataFrame(columns=list(ATTRIBUTION_COLUMNS))
    rows = []
    own_links = scenario.revenue_links
    ref_links = scenario.revenue_links if reference is None else ref_scenario.revenue_links
    for t in chosen:
        parts = sector_contributions(t, projection, own_links, ref_projection, ref_links,
                                     level_row(t.year) if ref_row is None else ref_row)
        rows += [{"target": t.id, "reference": ref_name, "kind": SECTOR, "component": c, "contribution": v,
                  "unit": t.unit} for c, v in parts.items()]
    by_input = input_contributions(scenario, baseline, ref_scenario, ref_baseline, chosen)
    unit = {t.id: t.unit for t in chosen}
    rows += [{"target": r.target, "reference": ref_name, "kind": INPUT, "component": r.component,
              "contribution": r.contribution, "unit": unit[r.target]} for r in by_input.itertuples(index=False)]
    out = pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS))
    order = {t.id: i for i, t in enumerate(chosen)}
    return out.sort_values(["target", "kind"], key=lambda c: c.map(order) if c.name == "target" else
                           c.map({SECTOR: 0, INPUT: 1}), kind="stable").reset_index(drop=True)


def differences(scenario: Scenario, baseline: Baseline, targets: Sequence[Target],
                projection: Projection, reference_projection: Projection, reference_row: int | None = None,
                reference_links: Mapping[str, float] | None = None) -> dict[str, float]:
    """Scenario value minus reference value of each target (what each kind of rows sums to)."""
    own = Indicators(projection, scenario.revenue_links)
    ref = Indicators(reference_projection, scenario.revenue_links if reference_links is None else reference_links)
    return {t.id: float(attributed_value(t, own) - attributed_value(t, ref, row=reference_row))
            for t in targets if t.modelled and t.year <= scenario.horizon}


def largest_contributors(table: pd.DataFrame, target: str, n: int = 2) -> pd.DataFrame:
    """The ``n`` rows of each kind with the largest absolute contribution to ``target`` (largest first,
    ties in table order)."""
    rows = table[table["target"] == target]
    return rows.iloc[_largest_of_each_kind(rows["kind"].tolist(), rows["contribution"].to_numpy(dtype=float), n)]


def _largest_of_each_kind(kinds: Sequence, contributions: np.ndarray, n: int) -> list[int]:
    """Positions of the ``n`` largest ``|contributions|`` of each kind, largest first (a stable sort: ties
    keep their order; NaN last); rows without a kind are left out."""
    size = np.abs(contributions)
    order = sorted(range(len(size)), key=lambda i: (bool(np.isnan(size[i])), -size[i]))
    taken: dict = {}
    out = []
    for i in order:
        kind = kinds[i]
        if pd.isna(kind) or taken.get(kind, 0) >= n:
            continue
        taken[kind] = taken.get(kind, 0) + 1
        out.append(i)
    return out


def _number(x: float) -> str:
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+.3g}"


def contributor_notes(table: pd.DataFrame, targets: Sequence[str], n: int = 2) -> dict[str, str]:
    """For each of ``targets``, its ``n`` largest contributors of each kind in words, e.g.
    ``"change from baseline -0.65 pp; by input: real growth -0.9 pp, vaccine unwind +0.3 pp; by
    sector: ..."`` (targets without rows are left out)."""
    out = {}
    for target in targets:
        rows = table[table["target"] == target]
        if rows.empty:
            continue
        unit = "pp" if rows["unit"].iloc[0] == "%" else rows["unit"].iloc[0]
        top = largest_contributors(rows, target, n)
        parts = [f"change from {rows['reference'].iloc[0]} {_number(input_total(rows))} {unit}"]
        for kind in (INPUT, SECTOR):
            chosen = nonzero_of_kind(top, kind)
            if chosen:
                parts.append(f"by {kind}: " + ", ".join(f"{c} {_number(v)} {unit}" for c, v in chosen))
        out[target] = "; ".join(parts)
    return out


def nonzero_of_kind(rows: pd.DataFrame, kind: str) -> list[tuple[str, float]]:
    """``(component, contribution)`` of the rows of ``kind`` whose contribution is not zero, in order."""
    return [(c, v) for k, c, v in zip(rows["kind"], rows["component"], rows["contribution"]) if k == kind and v != 0]


def input_total(rows: pd.DataFrame) -> float:
    """The sum of the contributions by input of one target's rows (what they add up to: its change from
    the reference; NaN counted as zero)."""
    return rows.loc[rows["kind"] == INPUT, "contribution"].sum()


#: The targets whose decomposition each scenario draws as waterfalls (or, all zero, says "no change").
HEADLINE_TARGETS = ("hightech_share", "manufacturing_share", "finance_first_pillar")


def no_change(table: pd.DataFrame, target: str) -> bool:
    """Whether ``target``'s decomposition (:func:`model.analysis.attribution.attribute`) is all zero:
    every contribution, by input and by sector, below half the last digit a waterfall writes (0.005 pp
    for a share, 0.5 in other units), so that its figure would show nothing but "+0" bars.  Such a
    target gets no figure; the report says "no change" instead."""
    rows = table[table["target"] == target]
    if rows.empty:
        return False
    tolerance = 0.005 if rows["unit"].iloc[0] == "%" else 0.5
    return bool((rows["contribution"].abs() < tolerance).all())
