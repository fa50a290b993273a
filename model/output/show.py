"""``run.py --show``: a scenario's fully resolved parameters and what differs from its parent."""
from __future__ import annotations

import numpy as np

from ..baseline.calibration import Baseline
from ..core.sectors import KEYS
from ..projection.simulate import growth_paths
from ..scenario.loader import Scenario, scenario_from_dict
from ..scenario.spec import Project, Shock


def _runs(years: np.ndarray, mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous year runs where ``mask`` is true."""
    out, start = [], None
    for i, (y, m) in enumerate(zip(years, mask)):
        if m and start is None:
            start = y
        if not m and start is not None:
            out.append((start, years[i - 1]))
            start = None
    if start is not None:
        out.append((start, years[-1]))
    return out


def _path(rates: np.ndarray) -> str:
    """A run of yearly rates (fractions) as percent, in year order, each value once where it repeats in
    consecutive years: ``5.00/4.00/3.00`` for a falling path, ``2.00`` for a flat one."""
    shown = [f"{100 * x:.2f}" for x in rates]
    return "/".join(s for k, s in enumerate(shown) if k == 0 or s != shown[k - 1])


def _table(title: str, years: np.ndarray, rates: np.ndarray, touched: np.ndarray) -> list[str]:
    lines = [title, "  " + f"{'sector':18s}" + "".join(f"{y:>9d}" for y in years)]
    for i, k in enumerate(KEYS):
        cells = "".join(f"{100 * rates[r, i]:8.2f}{'*' if touched[r, i] else ' '}" for r in range(len(years)))
        lines.append(f"  {k:18s}{cells}")
    return lines


def _entry_text(e) -> str:
    if isinstance(e, Shock):
        return (f"{e.name}: {e.year}, {100 * e.growth_loss:g} pp of growth lost in "
                f"{'all sectors' if len(e.sectors) == len(KEYS) else ', '.join(e.sectors)}; "
                f"{100 * e.recovered:g} % regained over {e.recovery_years} years")
    assert isinstance(e, Project)
    return (f"{e.name}: {e.sector}, from {e.start}, {e.gross_output:g} (100 million CNY/yr, 2020 prices) at full "
            f"output after {e.ramp_years} years, value added {100 * e.value_added_ratio:g} % of output")


def describe(scenario: Scenario, baseline: Baseline, parent_baseline: Baseline | None = None) -> str:
    """Text report: resolved paths (``*``: set in the chain), shocks, projects, differences from the parent."""
    years, g, d = growth_paths(scenario, baseline)
    chain = " <- ".join(s.file for s in reversed(scenario.chain))
    out = [f"Scenario {scenario.name}: {scenario.description}".rstrip(": "), f"  files: {chain}",
           f"  base {scenario.base}; horizon {scenario.horizon}; vaccine_unwind {100 * scenario.vaccine_unwind:g} %"
           + (" (no effect from this base)" if scenario.base != years[0] else "") + f"; target set {scenario.targets}",
           "  assumptions: " + ", ".join(f"{k} = {v:g}" for k, v in sorted(baseline.assumptions.items())), ""]
    first = int(np.searchsorted(years[1:], scenario.base + 1))      # the rows after the base year
    out += _table("Real growth, % per year (* set or changed by a scenario file; unmarked: trend or calibrated)",
                  years[1 + first:], g[first:], scenario.growth.touched()[first:])
    out += [""] + _table("Deflator growth, % per year", years[1 + first:], d[first:],
                         scenario.deflator.touched()[first:])
    for title, entries in (("Shocks", scenario.shocks), ("Projects", scenario.projects)):
        out += ["", f"{title}:"] + ([f"  {_entry_text(e)}" for e in entries] or ["  none"])
    out += ["", differences(scenario, baseline, parent_baseline)]
    return "\n".join(out) + "\n"


def differences(scenario: Scenario, baseline: Baseline, parent_baseline: Baseline | None = None) -> str:
    """What this file changes relative to its parent (or to the defaults, without a parent)."""
    parent = scenario.parent
    label = parent.name if parent else "the defaults (no parent)"
    lines = [f"Differences from {label}:"]
    if parent is None:
        parent = scenario_from_dict({"name": "defaults", "horizon": scenario.horizon}, "defaults.yaml")
    pb = parent_baseline or baseline
    years, g, d = growth_paths(scenario, baseline)
    pyears, pg, pd_ = growth_paths(parent, pb)
    n = min(len(years), len(pyears)) - 1
    for param, mine, theirs in (("growth", g, pg), ("deflator", d, pd_)):
        for i, k in enumerate(KEYS):
            diff = ~np.isclose(mine[:n, i], theirs[:n, i], rtol=0, atol=1e-12)
            for a, b in _runs(years[1:n + 1], diff):
                r0, r1 = a - years[1], b - years[1]
                span = f"{a}" if a == b else f"{a}-{b}"
                before, after = (_path(a[r0:r1 + 1, i]) for a in (theirs, mine))
                lines.append(f"  {param}.{k} {span}: {before} -> {after} %/yr")
    if scenario.horizon != parent.horizon:
        lines.append(f"  horizon: {parent.horizon} -> {scenario.horizon}")
    if scenario.vaccine_unwind != parent.vaccine_unwind:
        lines.append(f"  vaccine_unwind: {100 * parent.vaccine_unwind:g} -> {100 * scenario.vaccine_unwind:g} %")
    for k in sorted(set(scenario.assumptions) | set(parent.assumptions)):
        if scenario.assumptions.get(k) != parent.assumptions.get(k):
            lines.append(f"  assumptions.{k}: {parent.assumptions.get(k, 'central')} -> "
                         f"{scenario.assumptions.get(k, 'central')}")
    for what in ("shocks", "projects"):
        mine_, theirs_ = ({e.name: e for e in getattr(s, what)} for s in (scenario, parent))
        for name in sorted(set(mine_) | set(theirs_)):
            a, b = theirs_.get(name), mine_.get(name)
            if a is None:
                lines.append(f"  {what} + {_entry_text(b)}")
            elif b is None:
                lines.append(f"  {what} - {name} (removed)")
            elif _entry_text(a) != _entry_text(b):
                lines.append(f"  {what} ~ {_entry_text(b)}")
    if len(lines) == 1:
        lines.append("  none")
    return "\n".join(lines)
