"""Revenue and gross output of the plan's industries, linked to sector value added.

Most of the plan's industry targets are revenues or gross output, not value added.
Each such series :math:`R` starts from a documented 2020 level and follows a
weighted combination of sector nominal value added, its *link* :math:`L`:

.. math::

    L_t = \\sum_i w_i V_{t,i}, \\qquad R_t = R_{2020}\\,(L_t / L_{2020})^{\\varepsilon}

with :math:`V_{t,i}` nominal value added (100 million CNY), :math:`w_i \\ge 0` link
weights (only their ratios matter) and :math:`\\varepsilon` the elasticity.  From a later
base year a series may instead be anchored to a published level :math:`A` of year :math:`Y`
(:class:`RevenueAnchor`), :math:`R_t = A\\,(L_t / L_Y)^{\\varepsilon}` with :math:`L_Y` the link
at that year's sector levels (:func:`reference_point`).  The
parameters (base levels, weights, elasticities) live in ``model/data/revenue_links.csv``
under keys ``<series>.base_2020``, ``<series>.elasticity`` and
``<series>.weight.<sector key>``.

Everything here is a pure function over numpy arrays and mappings: no I/O.
:class:`RevenueOverrides` carries a scenario's overrides, checked where they were
read, with the parameters they give, down to the indicators.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from ..core.iamc import PHARMA_OF_MEDICINE
from ..core.sectors import INDEX, N_SECTORS

TRILLION_YUAN = 10_000.0    # 1 trillion yuan in 100 million CNY


@dataclass(frozen=True)
class RevenueSeries:
    key: str            # prefix of its parameters in revenue_links.csv
    variable: str       # IAMC variable of the results table
    label: str          # short human label for figures
    cluster: bool       # counted towards an industry cluster (trillion-yuan count)
    cluster_group: str = ""     # the plan's cluster it counts towards (CLUSTER_GROUPS); "": a cluster of its own


# The plan's grouping of clusters that more than one series stand for: key -> name.  The plan (Aug 2021)
# and the official counts since name one cluster "new-generation IT (including software and information
# services)": software and information services and new-generation IT in the plan's 2025 scope (two
# overlapping series with targets of their own) count once, when either reaches the threshold.
NGIT_INCL_SOFTWARE = "ngit_incl_software"
CLUSTER_GROUPS = {NGIT_INCL_SOFTWARE: "new-generation IT including software"}

# The series, in reporting order.  Clusters: those whose revenue the plan's cluster language covers,
# counted on the plan's grouping (cluster_groups).
SERIES: tuple[RevenueSeries, ...] = (
    RevenueSeries("software_info", "Revenue|Software and Information Services", "Software and information services",
                  True, NGIT_INCL_SOFTWARE),
    RevenueSeries("ngit", "Revenue|New-generation IT", "New-generation IT", True, NGIT_INCL_SOFTWARE),
    RevenueSeries("medicine_health", "Revenue|Medicine and Health", "Medicine and health", True),
    # An "of which" series: part of medicine and health, a sibling of it in the tree rather than a child,
    # because it is not a full breakdown of it (its complement is not reported).
    RevenueSeries("pharma_mfg", PHARMA_OF_MEDICINE,
                  "Pharmaceutical manufacturing", False),
    RevenueSeries("ic", "Revenue|Integrated Circuits", "Integrated circuits", False),
    RevenueSeries("cars", "Gross Output|Cars", "Car industry (gross output)", False),
    RevenueSeries("scitech", "Revenue|Science and Technology Services", "Science and technology services", True),
    # The 15th plan's two new trillion-yuan clusters (scored one by one against 1 trillion in 2030; not in the
    # count, whose grouping is the 14th plan's).
    RevenueSeries("ai", "Revenue|Artificial Intelligence", "Artificial intelligence", False),
    RevenueSeries("green_energy", "Revenue|Green Energy and Low-carbon", "Green energy and low-carbon", False),
)


@dataclass(frozen=True, eq=False)
class RevenueAnchor:
    """A published level a series is anchored to after a later base year.

    ``value``: the level of year ``year`` (100 million CNY); ``va_year``: ``(n_sectors,)`` the sector
    levels of that year on the base year's basis, which the link of that year is taken at;
    ``floor``: True when the figure is a lower bound ("over X"), which raises the carried level to it
    but never lowers it; ``floors``: further lower bounds (each a ``floor`` anchor, e.g. a partial year's
    cumulative revenue) that raise the level this anchor gives but never lower it.
    """

    value: float
    year: int
    va_year: np.ndarray
    floor: bool = False
    floors: tuple["RevenueAnchor", ...] = ()
    low: float | None = None            # the range the published figure stands for (its rounding, a bound's
    high: float | None = None           # reach), in the unit of value; None: the value alone

    def figures(self) -> tuple["RevenueAnchor", ...]:
        """The published figures this anchor rests on, in the order :class:`RevenueDraws` draws them:
        the anchor itself, then its ``floors``."""
        return (self,) + tuple(self.floors)


@dataclass(frozen=True, eq=False)
class RevenueDraws:
    """Drawn data of the revenue layer for a Monte Carlo run, the draws the first axis (data uncertainty).

    ``params``: parameter key (``<series>.base_2020``, ``<series>.elasticity``) -> ``(n_draws,)`` values that
    replace the scenario's; ``reference``: ``(n_draws, n_sectors)`` the 2020 sector levels a later base's links
    start from (None: the baseline's); ``figures``: series -> ``(n_draws, n_figures)`` the published figures its
    anchor rests on (:meth:`RevenueAnchor.figures`, in that order; a series left out keeps them as published).
    """

    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    reference: np.ndarray | None = None
    figures: Mapping[str, np.ndarray] = field(default_factory=dict)

    def parameters(self, params: Mapping[str, float]) -> dict[str, float | np.ndarray]:
        """``params`` with each drawn parameter as a column ``(n_draws, 1)``, to broadcast over the years."""
        return {**params, **{k: np.asarray(v, dtype=float)[:, None] for k, v in self.params.items()}}

    def select(self, keep: np.ndarray) -> "RevenueDraws":
        """The draws where ``keep`` ``(n_draws,)`` is True."""
        return RevenueDraws({k: v[keep] for k, v in self.params.items()},
                            None if self.reference is None else self.reference[keep],
                            {k: v[keep] for k, v in self.figures.items()})


def link_value_added(va_nominal: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The link :math:`L_t = \\sum_i w_i V_{t,i}`.

    Parameters
    ----------
    va_nominal : ``(n_years + 1, n_sectors)`` nominal value added, 100 million CNY.
    weights : ``(n_sectors,)`` non-negative link weights.

    Returns
    -------
    ``(n_years + 1,)`` link, 100 million CNY (weighted).
    """
    return np.asarray(va_nominal, dtype=float) @ np.asarray(weights, dtype=float)


def revenue_path(base_2020: float | np.ndarray, link: np.ndarray, elasticity: float | np.ndarray,
                 link_2020: float | np.ndarray | None = None) -> np.ndarray:
    """:math:`R_t = R_{2020}\\,(L_t/L_{2020})^{\\varepsilon}`; ``link[0]`` is the 2020 link unless
    ``link_2020`` gives it (a projection from a later base year, whose row 0 is not 2020).

    ``base_2020`` in 100 million CNY; ``link`` ``([n_draws,] n_years + 1)``; returns its shape, in the unit of
    ``base_2020``.  ``base_2020``, ``elasticity`` and ``link_2020`` are numbers or, per draw, columns
    ``(n_draws, 1)``.  ``R_2020`` is reproduced exactly.
    """
    link = np.asarray(link, dtype=float)
    ratio = link / (link[..., :1] if link_2020 is None else link_2020)
    return base_2020 * (ratio if np.ndim(elasticity) == 0 and elasticity == 1.0 else ratio ** elasticity)


def reference_point(base_2020: float, va_2020: np.ndarray, va_base: np.ndarray, weights: np.ndarray,
                    elasticity: float, anchor: RevenueAnchor) -> tuple[float, np.ndarray]:
    """The level and sector levels a series is scaled from, :math:`(R_{ref}, V_{ref})` with
    :math:`R_t = R_{ref}\\,(w \\cdot V_t / w \\cdot V_{ref})^{\\varepsilon}`, for a series with an anchor.

    The level is :math:`(A, V_Y)` for a level (``anchor.floor`` False) and the carried 2020 anchor
    :math:`(R_{2020}, V_{2020})` for a lower bound; every lower bound (the anchor if it is one, and
    ``anchor.floors``) raises it: of the candidates, the one with the highest base-year value
    :math:`R_{ref} (L_b / L_{ref})^{\\varepsilon}` (link :math:`L_b` at ``va_base``) is the reference,
    the level on a tie.  ``va_2020``, ``va_base``, ``weights`` are ``(n_sectors,)``; levels in 100 million CNY.
    """
    candidates = reference_candidates(base_2020, va_2020, anchor)
    return candidates[reference_index(candidates, va_base, weights, elasticity)]


def reference_candidates(base_2020: float, va_2020: np.ndarray,
                         anchor: RevenueAnchor) -> list[tuple[float, np.ndarray]]:
    """The :math:`(R_{ref}, V_{ref})` a series may be scaled from (:func:`reference_point`): first the level
    (the anchor's, or the carried 2020 anchor when the anchor is a lower bound), then every lower bound in
    order (the anchor if it is one, then ``anchor.floors``)."""
    level = (base_2020, np.asarray(va_2020, dtype=float)) if anchor.floor else (anchor.value, anchor.va_year)
    bounds = ((anchor,) if anchor.floor else ()) + tuple(anchor.floors)
    return [level] + [(b.value, b.va_year) for b in bounds]


def reference_index(candidates: Sequence[tuple[float, np.ndarray]], va_base: np.ndarray, weights: np.ndarray,
                    elasticity: float) -> int:
    """Which of ``candidates`` is the reference: the highest base-year value
    :math:`R_{ref} (L_b / L_{ref})^{\\varepsilon}`, the first (the level) on a tie."""
    if len(candidates) == 1:
        return 0
    link_base = float(np.asarray(va_base, dtype=float) @ weights)
    values = [r * (link_base / float(np.asarray(v, dtype=float) @ weights)) ** elasticity for r, v in candidates]
    return int(np.argmax(values))


def count_at_least(levels: np.ndarray, threshold: float) -> np.ndarray:
    """Number of series at or above ``threshold`` each year.

    ``levels`` ``(n_years + 1, n_series)``; returns ``(n_years + 1,)`` floats (counts).
    """
    return (np.asarray(levels, dtype=float) >= threshold).sum(axis=-1).astype(float)


class RevenueOverrides(Mapping):
    """Revenue-link overrides that have been checked, and the parameters they give.

    As a mapping it is the overrides, ``key -> value`` (what a scenario states);
    :attr:`parameters` is every parameter of the layer, read-only: the documented
    ``value`` of each row of ``defaults`` (``revenue_links.csv``) with the overrides
    applied.  Nothing is checked here: the overrides are checked once, where they
    enter (a scenario file, :func:`model.scenario.spec.ranged_overrides`; a direct caller,
    :func:`model.projection.indicators.checked_revenue_links`), and this object carries them
    down so the indicators use them as they are.
    """

    def __init__(self, defaults: Mapping[str, object], overrides: Mapping[str, float] | None = None):
        self._overrides = MappingProxyType({key: float(v) for key, v in (overrides or {}).items()})
        self.parameters: Mapping[str, float] = MappingProxyType(
            {key: self._overrides.get(key, float(row.value)) for key, row in defaults.items()})

    def __getitem__(self, key: str) -> float:
        return self._overrides[key]

    def __iter__(self):
        return iter(self._overrides)

    def __len__(self) -> int:
        return len(self._overrides)

    def __repr__(self) -> str:
        return f"RevenueOverrides({dict(self._overrides)!r})"


def link_weights(params: Mapping[str, float], series: str) -> np.ndarray:
    """``(n_sectors,)`` weights of ``series`` from keys ``<series>.weight.<sector>`` (others 0)."""
    w = np.zeros(N_SECTORS)
    prefix = f"{series}.weight."
    for key, value in params.items():
        if key.startswith(prefix):
            w[INDEX[key[len(prefix):]]] = value
    if not w.any():
        raise ValueError(f"series {series!r} has no positive link weight")
    return w


def _per_draw(link: np.ndarray) -> np.ndarray:
    """A link of the 2020 (or an anchor's) levels: a number, or per draw a column ``(n_draws, 1)``."""
    return link[..., None] if np.ndim(link) else link


def revenues(va_nominal: np.ndarray, params: Mapping[str, float | np.ndarray],
             va_2020: np.ndarray | None = None,
             anchors: Mapping[str, RevenueAnchor] | None = None,
             figures: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every series of :data:`SERIES`: ``key -> ([n_draws,] n_years + 1)`` levels, 100 million CNY.

    ``va_nominal`` ``([n_draws,] n_years + 1, n_sectors)`` with 2020 in row 0, or with a later base year
    in row 0 and the 2020 levels ``([n_draws,] n_sectors)`` the anchors refer to in ``va_2020``;
    ``params`` every parameter of the layer (:attr:`RevenueOverrides.parameters`; a drawn one a column
    ``(n_draws, 1)``, :meth:`RevenueDraws.parameters`); ``anchors`` the series anchored to a published level
    after a later base year (:func:`series_path`), ``figures`` their drawn figures (:class:`RevenueDraws`).
    """
    weights = np.column_stack([link_weights(params, s.key) for s in SERIES])        # (n_sectors, n_series)
    links = np.asarray(va_nominal, dtype=float) @ weights                          # one product for all series
    refs = None if va_2020 is None else np.asarray(va_2020, dtype=float) @ weights
    out = {s.key: revenue_path(params[f"{s.key}.base_2020"], links[..., j], params[f"{s.key}.elasticity"],
                               None if refs is None else _per_draw(refs[..., j]))
           for j, s in enumerate(SERIES) if not anchors or s.key not in anchors}
    for s in SERIES:
        if anchors and s.key in anchors:
            out[s.key] = series_path(va_nominal, params, s.key, va_2020, anchors[s.key], (figures or {}).get(s.key))
    return {s.key: out[s.key] for s in SERIES}


def base_row(va_nominal: np.ndarray) -> np.ndarray:
    """``(n_sectors,)`` the base year's levels: row 0 of ``va_nominal`` ``([n_draws,] n_years + 1,
    n_sectors)`` (every draw starts from the same base year)."""
    va = np.asarray(va_nominal, dtype=float)
    return va.reshape(-1, va.shape[-2], va.shape[-1])[0, 0]


def drawn_candidates(base_2020: float | np.ndarray, va_2020: np.ndarray, anchor: RevenueAnchor,
                     figures: np.ndarray | None = None) -> list[tuple[float | np.ndarray, np.ndarray]]:
    """The :math:`(R_{ref}, V_{ref})` of :func:`reference_candidates`, with the anchor's published figures
    replaced by drawn ones: ``figures`` ``(n_draws, n_figures)`` in the order of :meth:`RevenueAnchor.figures`
    (None: as published), each taken as a column ``(n_draws, 1)``."""
    if figures is None:
        return reference_candidates(base_2020, va_2020, anchor)
    values = [figures[:, i:i + 1] for i in range(figures.shape[1])]
    drawn = [(v, f.va_year) for v, f in zip(values, anchor.figures())]
    return ([(base_2020, np.asarray(va_2020, dtype=float))] + drawn) if anchor.floor else drawn


def series_path(va_nominal: np.ndarray, params: Mapping[str, float | np.ndarray], key: str,
                va_2020: np.ndarray | None = None, anchor: RevenueAnchor | None = None,
                figures: np.ndarray | None = None) -> np.ndarray:
    """One series of :data:`SERIES`, ``([n_draws,] n_years + 1)``, 100 million CNY (``va_2020``, the
    ``anchor`` of the series, if any, and its drawn ``figures`` as in :func:`revenues`).

    An anchored series is scaled from the candidate of :func:`reference_point` with the highest level: every
    candidate's path :math:`R_{ref} (L_t / L_{ref})^{\\varepsilon}` moves with the same :math:`L_t^{\\varepsilon}`,
    so the highest in the base year is the highest in every year, and the path is the element-wise maximum
    of the candidates' paths (per draw when figures, levels or parameters are drawn)."""
    w = link_weights(params, key)
    link = link_value_added(va_nominal, w)
    base, elasticity = params[f"{key}.base_2020"], params[f"{key}.elasticity"]
    if anchor is not None:
        paths = [revenue_path(level, link, elasticity, _per_draw(link_value_added(va_ref, w)))
                 for level, va_ref in drawn_candidates(base, va_2020, anchor, figures)]
        return functools.reduce(np.maximum, paths)
    return revenue_path(base, link, elasticity, None if va_2020 is None else _per_draw(link_value_added(va_2020, w)))


def cluster_groups(series: Sequence[RevenueSeries] = SERIES) -> dict[str, tuple[str, ...]]:
    """The plan's clusters among ``series``: cluster key -> the keys of the series standing for it, in
    reporting order (a series with ``cluster`` and no ``cluster_group`` is a cluster of its own)."""
    out: dict[str, tuple[str, ...]] = {}
    for s in series:
        if s.cluster:
            group = s.cluster_group or s.key
            out[group] = out.get(group, ()) + (s.key,)
    return out


def trillion_yuan_clusters(levels: Mapping[str, np.ndarray]) -> np.ndarray:
    """``([n_draws,] n_years + 1)`` count of the plan's clusters (:func:`cluster_groups`) at or above
    1 trillion yuan (:data:`TRILLION_YUAN`): a cluster that several series stand for counts once, when
    the largest of them reaches it, :math:`N_t = \\sum_c 1[\\max_{s \\in c} R_{t,s} \\ge 10^4]`."""
    stacked = np.stack([np.max(np.stack([levels[k] for k in keys], axis=-1), axis=-1)
                        for keys in cluster_groups().values()], axis=-1)
    return count_at_least(stacked, TRILLION_YUAN)
