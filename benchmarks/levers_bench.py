#!/usr/bin/env python3
"""Benchmark: a two-lever map as one pass of draws against evaluating it point by point, in one run.

1. grid  -- ``model.analysis.levers.evaluate_grid``: every grid point a draw of the Monte Carlo
            engine, all modelled targets evaluated at once;
2. loop  -- the same points one at a time: the scenario with the two levers at their
            rates (``model.analysis.goalseek.with_lever_growth``), one deterministic projection,
            every target evaluated (what a hand loop over the grid does); run on a
            random sample of the points, timed per point.

The script checks that both agree on every sampled point (values and met flags), prints the check
and exits 1 when they disagree (timings are reported, never judged).  The loop is the model's own
one-scenario path, so a change of the model reaches both.

    python benchmarks/levers_bench.py [--n 101] [--loop-points 300] [--pair mfg_hightech mfg_other]
    python benchmarks/levers_bench.py --small      # the agreement check of `make test`, in a second
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.analysis.goalseek import with_lever_growth  # noqa: E402
from model.analysis.levers import BOUNDS, evaluate_grid, lever_maps  # noqa: E402
from model.baseline.calibration import build_baseline  # noqa: E402
from model.core.years import level_row  # noqa: E402
from model.projection.indicators import Indicators  # noqa: E402
from model.projection.simulate import project  # noqa: E402
from model.scenario.loader import load_scenario  # noqa: E402
from model.targets.definitions import load_targets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def one_point(scenario, baseline, pair, ra, rb, targets, last_year):
    """Every target at one grid point, by one deterministic run."""
    s = with_lever_growth(with_lever_growth(scenario, [pair[0]], ra, last_year), [pair[1]], rb, last_year)
    ind = Indicators(project(s, baseline), s.revenue_links)
    out = []
    for t in targets:
        e = t.evaluate({v: ind.value(v)[level_row(t.year)] for v in t.variables})
        out.append((float(e.value), bool(e.met)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    ap.add_argument("--pair", nargs=2, default=["mfg_hightech", "mfg_other"])
    ap.add_argument("--n", type=int, default=101, help="rates per lever")
    ap.add_argument("--loop-points", type=int, default=300)
    ap.add_argument("--small", action="store_true", help="11 rates per lever, 20 points in the loop")
    args = ap.parse_args(argv)
    if args.small:
        args.n, args.loop_points = 11, 20
    scenario = load_scenario(args.scenario)
    baseline = build_baseline(scenario.assumptions)
    targets = [t for t in load_targets() if t.modelled and t.year <= scenario.horizon]
    last_year = max(t.year for t in targets)
    rates = np.linspace(*BOUNDS, args.n)

    evaluate_grid(scenario, baseline, args.pair, targets, rates[:3], rates[:3], last_year)      # warm caches
    t0 = time.perf_counter()
    values, met = evaluate_grid(scenario, baseline, args.pair, targets, rates, rates, last_year)
    t_grid = time.perf_counter() - t0

    rng = np.random.default_rng(0)
    sample = rng.integers(0, args.n, size=(args.loop_points, 2))
    t0 = time.perf_counter()
    loop = [one_point(scenario, baseline, args.pair, rates[i], rates[j], targets, last_year) for i, j in sample]
    t_loop = time.perf_counter() - t0
    agree = all(np.isclose(values[t.id][j, i], v, rtol=1e-10) and met[t.id][j, i] == m
                for (i, j), point in zip(sample, loop) for t, (v, m) in zip(targets, point))

    t0 = time.perf_counter()
    maps = lever_maps(scenario, baseline, load_targets())
    t_maps = time.perf_counter() - t0

    points = args.n ** 2
    per_grid, per_loop = t_grid / points, t_loop / args.loop_points
    print(f"scenario {scenario.name}, pair {args.pair[0]} x {args.pair[1]}, {len(targets)} modelled targets")
    print(f"grid : {points:>7,} points in {t_grid:7.3f} s  ({1e6 * per_grid:8.2f} us/point)  (aim: < 1 s)")
    print(f"loop : {args.loop_points:>7,} points in {t_loop:7.3f} s  ({1e6 * per_loop:8.2f} us/point); "
          f"the whole grid would take {per_loop * points:6.1f} s")
    print(f"{'agree' if agree else 'DISAGREE'}: grid == loop on every sampled point and target")
    print(f"grid speed-up over the point-by-point loop: {per_loop / per_grid:8.1f} x  (aim: >= 100 x)")
    print(f"every declared map of the scenario ({len(maps)}), with its points: {t_maps:6.3f} s")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
