r"""The satellite series at the 2025 jump-off: R&D spending and general public budget revenue with the
elasticities fitted on their published history, and the digital economy's weights.

Three steps, each one function:

1. :func:`fit_rd` and :func:`fit_budget`: the elasticity of each satellite to nominal GDP, fitted through the
   origin on the history of ``satellite_history.csv`` (:func:`model.equations.satellite.fit_through_origin`),
   each pair of years within one census basis of GDP.  The fitted coefficient must be the ``value`` of the
   parameter's row in ``satellites.csv`` (to its rounding), so the file and the fit cannot drift apart.
2. :func:`satellites_2025`: the 2025 level of each satellite (R&D: the latest published intensity times its
   year's GDP, carried to 2025 by the fitted relation; budget revenue: published) and its link.
3. :func:`digital_economy_weights_2025`: the digital economy as a weighted sum of sectors, like the high-tech
   and new-economy aggregates (:func:`model.baseline.calibration.hightech_weights`): fixed weights for ICT
   services and high-tech manufacturing (assumptions), and a common fraction of every other
   non-agricultural sector solved so that the 2025 partition reproduces the latest published level.

Only the 2025 jump-off has satellites: the fits use the record up to 2025, which the 2020 baseline must not
see (nothing published after mid-2021 enters it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..core.files import SATELLITE_HISTORY_FILE, SATELLITES_FILE
from ..core.problems import Problem
from ..core.sectors import INDEX, KEYS, N_SECTORS, mask
from ..equations.satellite import Satellite, fit_through_origin, linked_level
from .calibration import AssumptionsError, frozen
from .data import DataError, HistoryFigure, SatelliteParameter
from .data import history as default_history
from .data import satellites as default_satellites
from .realized import SAME, RealizedTable

SATELLITES = ("rd", "budget")                  # the satellite series, in reporting order
# Years left out of the budget-revenue fit: policy changes of the tax base rather than the economy.
BUDGET_POLICY_YEARS = (2019, 2020, 2022)       # tax and fee cuts; COVID-19; VAT credit refunds
ROUNDING = 5e-4                                # the fitted coefficients are written to three decimals
DIGITAL_ECONOMY = "digital_economy"


@dataclass(frozen=True)
class Fit:
    """An elasticity fitted through the origin: its key (``rd.elasticity``), coefficient, standard error,
    residual standard deviation and uncentred :math:`R^2` (:class:`model.equations.satellite.ThroughOriginFit`),
    and one row per year of the fit (the published growth, the fitted growth and the link's growth, %)."""

    key: str
    coefficient: float
    standard_error: float
    residual_sd: float
    r_squared: float
    rows: tuple[dict, ...]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(r["year"] for r in self.rows)

    def summary(self) -> str:
        years = self.years
        return (f"{self.coefficient:.3f} (standard error {self.standard_error:.3f}; n = {len(years)}: "
                f"{', '.join(map(str, years))}; uncentred R2 {self.r_squared:.3f}; residual sd "
                f"{100 * self.residual_sd:.2f} points of log growth)")


def _select(hist, key: str) -> list[HistoryFigure]:
    return [f for f in hist if f.key == key]


def gdp_levels(hist=None) -> tuple[dict[tuple[int, str], float], dict[tuple[int, str], float]]:
    """Nominal GDP (100 million CNY) by ``(year, census basis)``, twice: the published levels of the history
    (``va.gdp``), and the GDP each R&D intensity was computed on, spending / intensity as first published (the
    basis of the intensity row)."""
    hist = default_history() if hist is None else hist
    published = {(f.year, f.census_basis): f.value for f in _select(hist, "va.gdp")}
    spending = {f.year: f.value for f in _select(hist, "rd.spending")}
    implied = {(f.year, f.census_basis): spending[f.year] / (f.value / 100.0)
               for f in _select(hist, "rd.intensity") if f.year in spending}
    return published, implied


def gdp_growth(year: int, hist=None) -> tuple[float, str] | None:
    r"""Log growth of nominal GDP in ``year``, :math:`\ln(Y_y / Y_{y-1})`, and how it was measured: both levels
    published on one census basis (the newest basis that has both), else both implied by the R&D intensities
    of one basis (:func:`gdp_levels`); never a published level against an implied one, which would mix the
    revisions of two releases.  None when neither pair exists."""
    published, implied = gdp_levels(hist)
    for levels, how in ((published, "published"), (implied, "implied by the R&D intensity")):
        for basis in ("5th", "4th", "3rd", "2nd"):
            if (year, basis) in levels and (year - 1, basis) in levels:
                return float(np.log(levels[(year, basis)] / levels[(year - 1, basis)])), f"GDP {how}, {basis} basis"
    return None


def _fit(key: str, pairs: list[tuple[int, float, float, str]]) -> Fit:
    """The fit of ``pairs`` ``(year, log growth of the satellite, log growth of GDP, source)``."""
    x = np.array([p[2] for p in pairs])
    y = np.array([p[1] for p in pairs])
    f = fit_through_origin(x, y)
    rows = tuple({"observation": key, "year": yr, "published_pct": 100.0 * float(np.expm1(gy)),
                  "model_pct": 100.0 * float(np.expm1(fit)), "link_pct": 100.0 * float(np.expm1(gx)),
                  "residual_pp": 100.0 * float(e), "source": src}
                 for (yr, gy, gx, src), fit, e in zip(pairs, f.fitted, f.residuals))
    return Fit(key, f.coefficient, f.standard_error, f.residual_sd, f.r_squared, rows)


def _source(f: HistoryFigure) -> str:
    return f"{f.publisher}, {f.document}, {f.url} ({f.vintage})"


def fit_rd(hist=None) -> Fit:
    r"""The elasticity of R&D spending to nominal GDP: :math:`\ln(R_y/R_{y-1}) = \varepsilon \ln(Y_y/Y_{y-1})`
    for each pair of consecutive years whose intensities were first published on one census basis, GDP
    growth as :func:`gdp_growth` measures it."""
    hist = default_history() if hist is None else hist
    spending = {f.year: f for f in _select(hist, "rd.spending")}
    intensity = {f.year: f for f in _select(hist, "rd.intensity")}
    pairs = []
    for y in sorted(spending):
        if y - 1 in spending and y in intensity and y - 1 in intensity \
                and intensity[y].census_basis == intensity[y - 1].census_basis:
            link, how = gdp_growth(y, hist)
            pairs.append((y, float(np.log(spending[y].value / spending[y - 1].value)), link,
                          f"{_source(spending[y])}; {how}"))
    return _fit("rd.elasticity", pairs)


def fit_budget(hist=None, excluded: tuple[int, ...] = BUDGET_POLICY_YEARS) -> Fit:
    r"""The elasticity of general public budget revenue to nominal GDP:
    :math:`\ln(1 + g_y) = \varepsilon \ln(Y_y / Y_{y-1})` with :math:`g_y` the published headline growth and GDP
    growth as :func:`gdp_growth` measures it, the ``excluded`` policy years left out."""
    hist = default_history() if hist is None else hist
    pairs = []
    for f in sorted(_select(hist, "growth.budget_revenue"), key=lambda f: f.year):
        if f.year in excluded:
            continue
        found = gdp_growth(f.year, hist)
        if found is None:
            raise DataError([Problem(SATELLITE_HISTORY_FILE.name, None, "", f"growth.budget_revenue {f.year}: no "
                                     f"GDP of {f.year - 1} and {f.year} on one census basis to fit it on")])
        pairs.append((f.year, float(np.log1p(f.value / 100.0)), found[0], f"{_source(f)}; {found[1]}"))
    return _fit("budget.elasticity", pairs)


def fits(hist=None) -> dict[str, Fit]:
    """Every satellite fit, by satellite."""
    return {"rd": fit_rd(hist), "budget": fit_budget(hist)}


def check_fits(params: Mapping[str, SatelliteParameter], fitted: Mapping[str, Fit]) -> list[str]:
    """Problems: a fitted parameter whose ``value`` in ``satellites.csv`` is not the fit's coefficient (to
    :data:`ROUNDING`) or whose ``sd`` is not its standard error."""
    out = []
    for f in fitted.values():
        row = params[f.key]
        if abs(row.value - f.coefficient) > ROUNDING or abs(row.sd - f.standard_error) > ROUNDING:
            out.append(f"{f.key} is {row.value:g} (sd {row.sd:g}) but the fit on satellite_history.csv "
                       f"gives {f.coefficient:.4f} (standard error {f.standard_error:.4f})")
    return out


def link_weights(params: Mapping[str, float], name: str) -> np.ndarray:
    """``(n_sectors,)`` the link weights of satellite ``name``: ``<name>.weight.<sector>`` where given, 1 for
    every other sector (so without weight rows the link is nominal GDP)."""
    w = np.ones(N_SECTORS)
    prefix = f"{name}.weight."
    for key, value in params.items():
        if key.startswith(prefix):
            w[INDEX[key[len(prefix):]]] = value
    return w


def satellites_2025(va_2025: np.ndarray, table: RealizedTable, hist=None,
                    params: Mapping[str, SatelliteParameter] | None = None
                    ) -> tuple[dict[str, Satellite], tuple[dict, ...]]:
    r"""The satellites of the 2025 jump-off and their provenance rows (for ``base_year.csv``).

    R&D: the latest published intensity :math:`I_Y` (% of the GDP of its year and basis, 5th census for
    2024) gives :math:`R_Y = I_Y Y_Y` with :math:`Y_Y` the latest release of that year's level (the final
    verification of 2024, which the 2025 level is measured on; the communique's denominator, the preliminary
    level, was 0.35 % higher, well inside the drawn level factor), carried to 2025 by the fitted relation,
    :math:`R_{2025} = R_Y (Y_{2025}/Y_Y)^{\varepsilon}` on the published GDP of one basis.  Budget revenue:
    the published 2025 level.  The link of both is nominal GDP (:func:`link_weights`); its base is the
    2025 partition ``va_2025``.
    """
    hist = default_history() if hist is None else hist
    params = default_satellites() if params is None else params
    fitted = fits(hist)
    problems = check_fits(params, fitted)
    if problems:
        raise DataError([Problem(SATELLITES_FILE.name, None, "", p) for p in problems])
    values = {k: p.value for k, p in params.items()}
    gdp = gdp_levels(hist)[0]
    latest = max(_select(hist, "rd.intensity"), key=lambda f: f.year)
    year, basis = latest.year, latest.census_basis
    if (year, basis) not in gdp or (2025, basis) not in gdp:
        raise DataError([Problem(SATELLITE_HISTORY_FILE.name, None, "", f"rd.intensity {year} ({basis}-census "
                                 f"basis) needs the GDP of {year} and 2025 on that basis (va.gdp)")])
    level_year = latest.value / 100.0 * gdp[(year, basis)]
    eps = values["rd.elasticity"]
    rd_2025 = float(linked_level(level_year, gdp[(2025, basis)], gdp[(year, basis)], eps))
    budget = next(f for f in _select(hist, "budget.revenue") if f.year == 2025)
    out = {"rd": Satellite("rd", rd_2025, eps, frozen(link_weights(values, "rd"))),
           "budget": Satellite("budget", budget.value, values["budget.elasticity"],
                               frozen(link_weights(values, "budget")))}
    rows = (
        {"sector": "satellite.rd", "year": 2025, "value": rd_2025, "unit": "100 million CNY", "status": "derived",
         "derivation": f"R&D spending: {year} intensity {latest.value:g} % x {year} GDP {gdp[(year, basis)]:g} "
                       f"({basis}-census basis) = {level_year:.1f}, x (GDP_2025 / GDP_{year})^{eps:g} "
                       f"({gdp[(2025, basis)]:g} / {gdp[(year, basis)]:g}); {_source(latest)}"},
        {"sector": "satellite.rd.elasticity", "year": 2025, "value": eps, "unit": "dimensionless", "status": "fitted",
         "derivation": "elasticity of R&D spending to nominal GDP, fitted through the origin on log growth: "
                       + fitted["rd"].summary()},
        {"sector": "satellite.budget", "year": 2025, "value": budget.value, "unit": "100 million CNY",
         "status": "published", "derivation": f"general public budget revenue 2025; {_source(budget)}"},
        {"sector": "satellite.budget.elasticity", "year": 2025, "value": values["budget.elasticity"],
         "unit": "dimensionless", "status": "fitted",
         "derivation": "elasticity of general public budget revenue to nominal GDP, fitted through the origin on "
                       f"log growth, policy years {', '.join(map(str, BUDGET_POLICY_YEARS))} left out: "
                       + fitted["budget"].summary()},
    )
    return out, rows


def fit_rows(hist=None) -> tuple[dict, ...]:
    """One row per year of every satellite fit (published, fitted and link growth, %), for ``satellite_fit.csv``."""
    return tuple(r for f in fits(hist).values() for r in f.rows)


# ---------------------------------------------------------------- the digital economy
def digital_economy_level_2025(table: RealizedTable, gdp_2025: float) -> tuple[float, str]:
    r"""The 2025 digital-economy level the weights reproduce, and how it was obtained.

    The newest annual level of the 5th-census basis, a lower bound ("over 2.2 trillion" for 2024) counting
    as its value, carried to 2025 by the published growth of the following years (``growth.digital_economy``,
    current prices) where the record has them, else by nominal GDP growth; without a 5th-census level, the
    newest share of the 4th-census basis applied to 2025 GDP (the share carries across the revision)."""
    levels = [o for o in table.select("va.digital_economy", "annual") if o.census_basis == "5th"]
    if levels:
        o = max(levels, key=lambda o: (o.year, o.released))
        value, how = o.value, f"va.digital_economy {o.year} = {o.value:g} ({o.definition})"
        for y in range(o.year + 1, 2026):
            g = table.latest("growth.digital_economy", y)
            if g is not None:
                value *= 1.0 + g.value / 100.0
                how += f", x (1 + {g.value:g} %) (growth.digital_economy {y}; {g.publisher}, {g.document}, {g.url})"
            else:
                prev, cur = table.latest("va.gdp", y - 1, basis="5th"), table.latest("va.gdp", y, basis="5th")
                value *= cur.value / prev.value
                how += f", x nominal GDP growth {y} ({cur.value:g} / {prev.value:g})"
        return value, how + f"; {o.publisher}, {o.document}, {o.url} ({o.vintage})"
    shares = [o for o in table.select("share.digital_economy", "annual") if o.definition == SAME]
    o = max(shares, key=lambda o: (o.year, o.released))
    return o.value / 100.0 * gdp_2025, f"share.digital_economy {o.year} = {o.value:g} % x 2025 GDP"


def digital_economy_weights(va: np.ndarray, level: float, params: Mapping[str, float]) -> tuple[np.ndarray, float]:
    r"""The digital economy as fractions ``(n_sectors,)`` of the sectors ``va`` ``(n_sectors,)``: ICT services
    and high-tech manufacturing at their weights (``digital_economy.weight.*``), every other non-agricultural
    sector at a common fraction :math:`\delta` solved so that :math:`\sum_i w_i V_i` equals ``level``:

    .. math:: \delta = \frac{D - \sum_{i \in F} w_i V_i}{\sum_{i \notin F,\, i \ne agr} V_i}

    with :math:`F` the sectors of fixed weight.  Returns the weights and :math:`\delta`; a :math:`\delta`
    outside [0, 1] raises :class:`~model.baseline.calibration.AssumptionsError`.
    """
    w = np.zeros(N_SECTORS)
    fixed = np.zeros(N_SECTORS, dtype=bool)
    prefix = f"{DIGITAL_ECONOMY}.weight."
    for key, value in params.items():
        if key.startswith(prefix):
            w[INDEX[key[len(prefix):]]] = value
            fixed[INDEX[key[len(prefix):]]] = True
    rest = ~fixed & ~mask("agriculture")
    delta = (level - w @ va) / va[rest].sum()
    if not 0.0 <= delta <= 1.0:
        raise AssumptionsError(f"digital-economy fraction {delta:.3f} outside [0, 1]: check the digital-economy "
                               "weights")
    w[rest] = delta
    return w, float(delta)


def digital_economy_weights_2025(va_2025: np.ndarray, table: RealizedTable,
                                 params: Mapping[str, SatelliteParameter] | None = None) -> tuple[np.ndarray, dict]:
    """The digital economy's weights on the 2025 partition (:func:`digital_economy_weights` on the level of
    :func:`digital_economy_level_2025`) and their provenance row."""
    params = default_satellites() if params is None else params
    level, how = digital_economy_level_2025(table, float(np.sum(va_2025)))
    w, delta = digital_economy_weights(va_2025, level, {k: p.value for k, p in params.items()})
    fixed = ", ".join(f"{k} {w[INDEX[k]]:g}" for k in KEYS if f"{DIGITAL_ECONOMY}.weight.{k}" in params)
    row = {"sector": "digital_economy_fraction", "year": 2025, "value": delta, "unit": "fraction", "status": "derived",
           "derivation": f"share of every non-agricultural sector but {fixed} (assumptions) counted as digital "
                         f"economy, solved on the 2025 partition to reproduce {level:.1f} "
                         f"({100 * level / float(np.sum(va_2025)):.2f} % of GDP): {how}"}
    return frozen(w), row
