#!/usr/bin/env python3
"""Benchmark: the same uncertainty analysis three ways, in one run, with ratios.

1. engine   -- ``model.analysis.montecarlo.run``: chunks of draws as arrays, streamed statistics;
2. loop     -- the same model called one draw at a time as a plain Python function
               (what a generic exploratory-modelling driver or a hand loop does);
3. kernel   -- a bare vectorised numpy transcription of the equations for the same
               draws, in the same slices (no abstractions; per-draw values kept for exact
               quantiles): the practical limit.

All three evaluate the plan's modelled 2025 targets for the same sampled parameters;
the script checks that they agree on P(met) before it prints timings.

    python benchmarks/montecarlo_bench.py [--draws 200000] [--loop-draws 1000] [--big 10000000]

``--big N`` also runs the engine on N draws and reports its peak memory (RSS).
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.analysis import montecarlo  # noqa: E402
from model.analysis.sampling import DEFAULT_CHUNK, data_ranges, sample  # noqa: E402
from model.baseline.calibration import build_baseline  # noqa: E402
from model.core.iamc import HIGHTECH_SHARE, share_of_gdp
from model.core.sectors import INDEX, KEYS, LEVEL1, mask  # noqa: E402
from model.core.years import level_row, n_steps  # noqa: E402
from model.equations.revenue import SERIES, link_weights, trillion_yuan_clusters  # noqa: E402
from model.projection.indicators import Indicators, revenue_link_parameters  # noqa: E402
from model.projection.simulate import Draws, project, stated_deflator, stated_growth  # noqa: E402
from model.scenario.loader import load_scenario  # noqa: E402
from model.targets.definitions import load_targets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def modelled(targets, horizon):
    return [t for t in targets if t.modelled and t.year <= horizon]


def loop(scenario, baseline, targets, draws: Draws) -> np.ndarray:
    """One draw at a time: the model as a plain function of one parameter set."""
    ts = modelled(targets, scenario.horizon)
    hits = np.zeros(len(ts))
    for i in range(draws.n):
        one = Draws(n=1, growth=draws.growth[i:i + 1], deflator=draws.deflator[i:i + 1],
                    vaccine_unwind=draws.vaccine_unwind[i:i + 1], revenue=_rows(draws, slice(i, i + 1)))
        ind = Indicators(project(scenario, baseline, one))
        for j, t in enumerate(ts):
            hits[j] += montecarlo.target_draws(t, ind, scenario.horizon)["met"][0]
    return hits / draws.n


def kernel(scenario, baseline, targets, draws: Draws, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """The equations written out in numpy, in slices of ``chunk`` draws (no projects or shocks).

    Per-draw target values are kept (all of them: exact quantiles at the end)."""
    ts = modelled(targets, scenario.horizon)
    values = [np.concatenate(parts) for parts in zip(*(
        _kernel_values(scenario, baseline, ts, Draws(n=min(chunk, draws.n - i), growth=draws.growth[i:i + chunk],
                                                     deflator=draws.deflator[i:i + chunk],
                                                     vaccine_unwind=draws.vaccine_unwind[i:i + chunk],
                                                     revenue=_rows(draws, slice(i, i + chunk))))
        for i in range(0, draws.n, chunk)))]
    p = np.zeros(len(ts))
    for j, (x, hit) in enumerate(values[i:i + 2] for i in range(0, len(values), 2)):
        p[j] = hit.mean()
        np.quantile(x, [0.1, 0.5, 0.9])                    # the same statistics the engine reports
    return p


def _rows(draws: Draws, rows: slice):
    """The drawn revenue data of ``rows`` (None without data uncertainty)."""
    return None if draws.revenue is None else draws.revenue.select(rows)


def _kernel_values(scenario, baseline, ts, draws: Draws) -> list[np.ndarray]:
    """[value, met] of each target, flattened, for one slice of draws."""
    n_years = n_steps(scenario.horizon)
    g = stated_growth(scenario, baseline) + draws.growth                   # (D, T, S)
    h = INDEX["mfg_hightech"]
    excess = (1 + g[:, 0, h]) / (1 + baseline.trend_growth[h])
    g[:, 1, h] = (1 + g[:, 1, h]) * excess ** (-draws.vaccine_unwind) - 1
    d = stated_deflator(scenario, baseline) + draws.deflator
    level = np.empty((draws.n, n_years + 1, len(KEYS)))
    level[:, 0] = baseline.va_2020
    level[:, 1:] = np.cumprod(1 + g, axis=1) * np.cumprod(1 + d, axis=1) * baseline.va_2020
    gdp = level.sum(axis=2)
    params = revenue_link_parameters()
    values = {HIGHTECH_SHARE: 100 * (level @ baseline.hightech_weights) / gdp}
    for var in LEVEL1:
        m = mask("manufacturing") if var.endswith("|Manufacturing") else np.array(
            [var.split("|", 1)[1] == _label(k) for k in KEYS])
        values[var] = level[..., m].sum(axis=-1)
        values[share_of_gdp(var)] = 100 * values[var] / gdp
    drawn = {} if draws.revenue is None else draws.revenue.params          # data uncertainty: per-draw bases
    for s in SERIES:
        link = level @ link_weights(params, s.key)
        ratio = link / link[:, :1]
        base = drawn[f"{s.key}.base_2020"][:, None] if f"{s.key}.base_2020" in drawn else params[f"{s.key}.base_2020"]
        values[s.variable] = base * ratio ** params[f"{s.key}.elasticity"]
    values["Clusters|Trillion-yuan"] = trillion_yuan_clusters({s.key: values[s.variable] for s in SERIES})
    out = []
    for t in ts:
        y = level_row(t.year)
        x = values[t.variable][:, y]
        hit = t.evaluate({v: values[v][:, y] for v in t.variables}).met     # the comparator's own rule
        out += [x, hit]
    return out


def _label(key: str) -> str:
    from model.core.sectors import SECTORS
    return next(s.variable.split("|", 1)[1] for s in SECTORS if s.key == key)


def peak_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM, reset by exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    ap.add_argument("--draws", type=int, default=200_000)
    ap.add_argument("--loop-draws", type=int, default=1_000)
    ap.add_argument("--big", type=int, default=0, help="also run the engine on this many draws (memory check)")
    ap.add_argument("--engine-only", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.engine_only:             # child process of --big: the engine alone, its own peak memory
        scenario = load_scenario(args.scenario)
        baseline = build_baseline(scenario.assumptions)
        _, t = timed(montecarlo.run, scenario, baseline, load_targets(), args.engine_only)
        print(f"engine : {args.engine_only:>10,} draws in {t:7.1f} s; peak resident memory {peak_mb():,.0f} MB "
              "(the whole process, Python and libraries included)")
        return 0

    scenario = load_scenario(args.scenario)
    assert not scenario.projects and not scenario.shocks, "the bare kernel covers scenarios without projects/shocks"
    baseline = build_baseline(scenario.assumptions)
    targets = load_targets()
    seed = scenario.uncertainty.seed
    draws = sample(scenario, args.draws, np.random.default_rng(seed),
                   data_ranges(scenario, baseline, scenario.revenue_links.parameters))

    engine, t_engine = timed(montecarlo.run, scenario, baseline, targets, args.draws, seed)
    p_kernel, t_kernel = timed(kernel, scenario, baseline, targets, draws)
    sub = Draws(n=args.loop_draws, growth=draws.growth[:args.loop_draws], deflator=draws.deflator[:args.loop_draws],
                vaccine_unwind=draws.vaccine_unwind[:args.loop_draws], revenue=_rows(draws, slice(args.loop_draws)))
    p_loop, t_loop = timed(loop, scenario, baseline, targets, sub)

    p_engine = engine.targets["p_met"].to_numpy()
    agree = np.allclose(p_engine, p_kernel, atol=2 / args.draws, rtol=0)   # knife-edge draws may round apart
    p_engine_sub = kernel(scenario, baseline, targets, sub)
    agree_loop = np.allclose(p_loop, p_engine_sub, atol=2 / args.loop_draws, rtol=0)
    per = {"engine": t_engine / args.draws, "loop": t_loop / args.loop_draws, "kernel": t_kernel / args.draws}
    print(f"scenario {scenario.name}, {len(p_engine)} modelled targets, seed {seed}")
    print(f"engine : {args.draws:>10,} draws in {t_engine:7.2f} s  ({1e6 * per['engine']:8.2f} us/draw)")
    print(f"kernel : {args.draws:>10,} draws in {t_kernel:7.2f} s  ({1e6 * per['kernel']:8.2f} us/draw)")
    print(f"loop   : {args.loop_draws:>10,} draws in {t_loop:7.2f} s  ({1e6 * per['loop']:8.2f} us/draw)")
    print(f"P(met) engine == kernel: {agree};  loop == kernel on its draws: {agree_loop}")
    print(f"engine speed-up over the one-draw loop: {per['loop'] / per['engine']:8.1f} x  (aim: >= 100 x)")
    print(f"engine time over the bare kernel:      {per['engine'] / per['kernel']:8.2f} x  (aim: <= 2 x)")
    if args.big:                     # in a fresh process, so the kernel's arrays do not count
        subprocess.run([sys.executable, __file__, "--scenario", str(args.scenario), "--engine-only", str(args.big)],
                       check=True)
    return 0 if agree and agree_loop else 1


if __name__ == "__main__":
    sys.exit(main())
