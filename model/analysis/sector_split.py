r"""A target's change split over sectors, exactly (no residual).

The change of a target between two states (a scenario and its reference; ``s`` and
``r`` below) is split by the way its variable is built from sector value added:

* **share of GDP** :math:`S = 100\,N/G`, numerator :math:`N = \sum_i N_i`, GDP
  :math:`G = \sum_i V_i`: log-mean Divisia (LMDI-I),

  .. math:: \Delta S = \sum_i \frac{L(S_s, S_r)}{L(N_s, N_r)}\,\Delta N_i
            \;-\; \sum_i \frac{L(S_s, S_r)}{L(G_s, G_r)}\,\Delta V_i,
            \qquad L(a, b) = \frac{a - b}{\ln a - \ln b},\; L(a, a) = a,

  exact because :math:`\sum_i \Delta N_i / L(N_s, N_r) = \ln(N_s/N_r)`; components
  ``<sector> (numerator)`` and ``<sector> (GDP)``.  :math:`N_i` is the sector's value
  added counted in the aggregate (its weight times its value added, with each project
  counted at its own share).
* **revenue or output** :math:`R = R_0 (L_t/L_0)^{\varepsilon} + O`, link
  :math:`L_t = \sum_i A_{t,i}`, :math:`A_{t,i} = w_i V_{t,i}`, :math:`O` the output of
  projects named for the series (:mod:`model.equations.revenue`): LMDI on the linked part,

  .. math:: \Delta R = \sum_i L(R^L_s, R^L_r)\,\bar\varepsilon\,\frac{\Delta A_{t,i}}{L(L_{t,s}, L_{t,r})}
            + L(R^L_s, R^L_r)\big(\Delta\ln R_0 + \bar x\,\Delta\varepsilon - \bar\varepsilon\,\Delta\ln L_0\big)
            + \sum_i \Delta O_i,

  with :math:`x = \ln(L_t/L_0)` and bars the means of the two states (exact:
  :math:`\Delta(\varepsilon x) = \bar\varepsilon\,\Delta x + \bar x\,\Delta\varepsilon`);
  components ``<sector> (link)``, ``base year and link parameters`` and
  ``<sector> (project output)``.
* **trillion-yuan cluster count** (a step function): the Shapley value over the
  sectors (each switching its link part and project output) and one more player,
  ``base year and link parameters`` (the series' 2020 levels, elasticities and 2020
  links); components ``<sector> (link)``.
* **rank** (the lead of the variable over the largest other): the leader's own change,
  ``<key> (leader)``, and the Shapley value over the other variables of
  :math:`-\max_j V_j`, ``<key> (runner-up)`` (a variable that is never the largest
  gets 0).
* **value added or GDP** :math:`\sum_i V_i` over some sectors: each sector's change.
* **real GDP growth** over :math:`m` years (``Growth|Real GDP``, :math:`m = 1`; the five-year
  average, :math:`m = 5`), :math:`A = 100\,(G - 1)`, :math:`G = (Q_t/Q_{t-m})^{1/m}`, :math:`Q = \sum_i Q_i`
  real GDP: log-mean Divisia on both ends,

  .. math:: \Delta A = \frac{100\,L(G_s, G_r)}{m} \sum_i \Big(\frac{\Delta Q_{t,i}}{L(Q_{t,s}, Q_{t,r})}
            - \frac{\Delta Q_{t-m,i}}{L(Q_{t-m,s}, Q_{t-m,r})}\Big),

  exact as above; components ``<sector>``.  Against the base year (a scenario without a parent) the
  reference is the frozen economy, whose levels stay at the base year's, so its growth is 0.

Pure functions of two projections; the reference state is a projection and a level
row (the base year for a scenario without a parent).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..core.iamc import CLUSTER_VARIABLE, REAL_GDP_GROWTH, REAL_GDP_GROWTH_5Y, is_share_of_gdp
from ..core.sectors import INDEX, KEYS, N_SECTORS, PARENTS, SECTORS, mask
from ..core.years import level_row
from ..equations.attribution_math import log_mean, shapley
from ..equations.revenue import SERIES, base_row, cluster_groups, link_weights, reference_point, trillion_yuan_clusters
from ..projection.indicators import PLAN_PERIOD_YEARS, Indicators, revenue_link_parameters
from ..projection.simulate import Projection
from ..targets.definitions import Target

LINK_PARAMETERS = "base year and link parameters"
UNSPLIT = "not split by sector"
_KEY_OF = {**{s.variable: s.key for s in SECTORS}, **{v: g for v, g in PARENTS.items()}, "GDP": "gdp"}
_SERIES_OF = {s.variable: s for s in SERIES}
_GROWTH_SPAN = {REAL_GDP_GROWTH: 1, REAL_GDP_GROWTH_5Y: PLAN_PERIOD_YEARS}    # years a growth rate spans


# ------------------------------------------------------------------ parts of each kind of variable
def share_numerator(p: Projection, variable: str) -> np.ndarray:
    """The numerator of a share of GDP (``Share of GDP|<name>``, ``Share of GDP (Cross-cutting)|<name>``) by
    sector, ``([n_draws,] n_years + 1, n_sectors)``, 100 million CNY: the sector's value added times its
    weight in the aggregate, a project counted at its own share (as
    :class:`model.projection.indicators.Indicators` counts it)."""
    name = variable.split("|", 1)[1]
    va = np.asarray(p.va_nominal, dtype=float)
    if name in ("High-tech", "New Economy"):
        weights = p.hightech_weights if name == "High-tech" else p.new_economy_weights
        shares = p.project_hightech if name == "High-tech" else np.maximum(
            p.project_hightech, p.new_economy_weights[p.project_sectors])
        parts = va * weights
        price = np.moveaxis(p.price_index[..., p.project_sectors], -1, -2)     # (..., n_projects, n_years + 1)
        project_va = p.project_va_real * price
        for j, sector in enumerate(p.project_sectors):
            parts[..., sector] += (shares[j] - weights[sector]) * project_va[..., j, :]
        return parts
    var = "Value Added|" + name
    m = mask(PARENTS[var]) if var in PARENTS else np.arange(N_SECTORS) == INDEX[_KEY_OF[var]]
    return va * m


def series_parts(p: Projection, links: Mapping[str, float] | None, key: str,
                 row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """One revenue-layer series in level row ``row``, by sector: link parts :math:`A_{t,i}`,
    2020 link parts :math:`A_{0,i}` (from the projection's ``revenue_reference`` after a later base year;
    for a series anchored to a published level, the link parts of the anchor's year and the anchor),
    project output :math:`O_i` (each ``(n_sectors,)``, 100
    million CNY), the 2020 level :math:`R_0` and the elasticity :math:`\\varepsilon`.

    :math:`R = R_0 (\\sum_i A_{t,i} / \\sum_i A_{0,i})^{\\varepsilon} + \\sum_i O_i`; projects
    naming the series are taken out of the link and counted at their gross output
    (:func:`model.projection.indicators.revenue_levels`)."""
    params = revenue_link_parameters(links)
    w = link_weights(params, key)
    va = np.array(p.va_nominal, dtype=float)
    output = np.zeros(N_SECTORS)
    chosen = [j for j, k in enumerate(p.project_revenue_series) if k == key]
    if chosen:
        price = np.moveaxis(p.price_index[..., p.project_sectors], -1, -2)
        for j in chosen:
            sector = p.project_sectors[j]
            va[..., sector] -= p.project_va_real[j] * price[j]
            output[sector] += p.project_output_real[j, row] * price[j, row]
    va_2020 = va[0] if p.revenue_reference is None else np.asarray(p.revenue_reference, dtype=float)
    level, elasticity = params[f"{key}.base_2020"], params[f"{key}.elasticity"]
    anchor = p.revenue_anchors.get(key)
    if anchor is not None:      # anchored to a published level after a later base year
        level, va_2020 = reference_point(level, va_2020, base_row(va), w, elasticity, anchor)
    return (w * va[row], w * va_2020, output, level, elasticity)


# ------------------------------------------------------------------ the splits
def _share(t, p, ref, row, ref_row) -> dict[str, float]:
    n_s, n_r = share_numerator(p, t.variable)[row], share_numerator(ref, t.variable)[ref_row]
    v_s, v_r = np.asarray(p.va_nominal)[row], np.asarray(ref.va_nominal)[ref_row]
    s_s, s_r = 100.0 * n_s.sum() / v_s.sum(), 100.0 * n_r.sum() / v_r.sum()
    scale = log_mean(s_s, s_r)
    through_n = scale / log_mean(n_s.sum(), n_r.sum()) * (n_s - n_r)
    through_g = -scale / log_mean(v_s.sum(), v_r.sum()) * (v_s - v_r)
    out = {f"{KEYS[i]} (numerator)": float(through_n[i]) for i in range(N_SECTORS) if n_s[i] or n_r[i]}
    out.update({f"{KEYS[i]} (GDP)": float(through_g[i]) for i in range(N_SECTORS)})
    return out


def _revenue(t, p, links, ref, ref_links, row, ref_row) -> dict[str, float]:
    key = _SERIES_OF[t.variable].key
    a_s, a0_s, o_s, base_s, e_s = series_parts(p, links, key, row)
    a_r, a0_r, o_r, base_r, e_r = series_parts(ref, ref_links, key, ref_row)
    x_s, x_r = np.log(a_s.sum() / a0_s.sum()), np.log(a_r.sum() / a0_r.sum())
    rl_s, rl_r = base_s * np.exp(e_s * x_s), base_r * np.exp(e_r * x_r)
    scale = log_mean(rl_s, rl_r)
    e_bar, x_bar = (e_s + e_r) / 2, (x_s + x_r) / 2
    through_link = scale * e_bar * (a_s - a_r) / log_mean(a_s.sum(), a_r.sum())
    rest = scale * (np.log(base_s / base_r) + x_bar * (e_s - e_r) - e_bar * np.log(a0_s.sum() / a0_r.sum()))
    out = {f"{KEYS[i]} (link)": float(through_link[i]) for i in range(N_SECTORS) if a_s[i] or a_r[i]}
    out[LINK_PARAMETERS] = float(rest)
    out.update({f"{KEYS[i]} (project output)": float(o_s[i] - o_r[i]) for i in range(N_SECTORS) if o_s[i] or o_r[i]})
    return out


def _clusters(p, links, ref, ref_links, row, ref_row) -> dict[str, float]:
    k = N_SECTORS + 1                                        # the sectors and the link parameters
    masks = (np.arange(2 ** k)[:, None] >> np.arange(k)) & 1 == 1
    sector_on, params_on = masks[:, :N_SECTORS], masks[:, N_SECTORS]
    levels = {}
    for key in (key for keys in cluster_groups().values() for key in keys):
        a_s, a0_s, o_s, b_s, e_s = series_parts(p, links, key, row)
        a_r, a0_r, o_r, b_r, e_r = series_parts(ref, ref_links, key, ref_row)
        link = np.where(sector_on, a_s, a_r).sum(axis=1)
        base_link = np.where(params_on, a0_s.sum(), a0_r.sum())
        levels[key] = (np.where(params_on, b_s, b_r) * (link / base_link) ** np.where(params_on, e_s, e_r)
                       + np.where(sector_on, o_s, o_r).sum(axis=1))
    count = trillion_yuan_clusters(levels)                   # on the plan's grouping, for every coalition
    phi = shapley(count)
    out = {f"{KEYS[i]} (link)": float(phi[i]) for i in range(N_SECTORS)}
    out[LINK_PARAMETERS] = float(phi[N_SECTORS])
    return out


def _rank(t, ind, ref_ind, row, ref_row) -> dict[str, float]:
    others = t.comparator.reads()
    own = np.array([ind.value(v)[row] for v in others])
    ref = np.array([ref_ind.value(v)[ref_row] for v in others])
    k = len(others)
    masks = (np.arange(2 ** k)[:, None] >> np.arange(k)) & 1 == 1
    phi = shapley(-np.where(masks, own, ref).max(axis=1))
    out = {f"{_KEY_OF.get(t.variable, t.variable)} (leader)":
           float(ind.value(t.variable)[row] - ref_ind.value(t.variable)[ref_row])}
    out.update({f"{_KEY_OF.get(v, v)} (runner-up)": float(phi[i]) for i, v in enumerate(others)})
    return out


def _growth(p, ref, row, ref_row, span: int) -> dict[str, float]:
    """Real GDP growth over ``span`` years ending in ``row``, against ``ref`` ending in ``ref_row``; the
    base row (``ref_row`` < ``span``) is its own start: the frozen economy of the base year."""
    q_s, q_r = np.asarray(p.va_real, dtype=float), np.asarray(ref.va_real, dtype=float)
    ref_start = ref_row - span if ref_row >= span else ref_row
    end_s, end_r, start_s, start_r = q_s[row], q_r[ref_row], q_s[row - span], q_r[ref_start]
    g_s = (end_s.sum() / start_s.sum()) ** (1.0 / span)
    g_r = (end_r.sum() / start_r.sum()) ** (1.0 / span)
    scale = 100.0 * log_mean(g_s, g_r) / span
    parts = scale * ((end_s - end_r) / log_mean(end_s.sum(), end_r.sum())
                     - (start_s - start_r) / log_mean(start_s.sum(), start_r.sum()))
    return {KEYS[i]: float(parts[i]) for i in range(N_SECTORS)}


def sector_contributions(t: Target, p: Projection, links: Mapping[str, float] | None, ref: Projection,
                         ref_links: Mapping[str, float] | None, ref_row: int) -> dict[str, float]:
    """``component -> contribution`` of the change of ``t`` from ``ref`` (level row ``ref_row``) to
    ``p`` (its target year), in the target's unit; the contributions sum to the change of the
    attributed value (:func:`model.analysis.attribution.attributed_value`) to floating-point precision."""
    row = level_row(t.year)
    if not t.comparator.gap_from_value:
        return _rank(t, Indicators(p, links), Indicators(ref, ref_links), row, ref_row)
    if is_share_of_gdp(t.variable):
        return _share(t, p, ref, row, ref_row)
    if t.variable == CLUSTER_VARIABLE:
        return _clusters(p, links, ref, ref_links, row, ref_row)
    if t.variable in _SERIES_OF:
        return _revenue(t, p, links, ref, ref_links, row, ref_row)
    if t.variable in _GROWTH_SPAN:
        return _growth(p, ref, row, ref_row, _GROWTH_SPAN[t.variable])
    if t.variable in _KEY_OF:
        m = (np.ones(N_SECTORS, dtype=bool) if t.variable == "GDP" else
             mask(PARENTS[t.variable]) if t.variable in PARENTS else np.arange(N_SECTORS) == INDEX[_KEY_OF[t.variable]])
        change = np.asarray(p.va_nominal)[row] - np.asarray(ref.va_nominal)[ref_row]
        return {KEYS[i]: float(change[i]) for i in np.flatnonzero(m)}
    return {UNSPLIT: float(Indicators(p, links).value(t.variable)[row]
                           - Indicators(ref, ref_links).value(t.variable)[ref_row])}
