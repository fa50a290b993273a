#!/usr/bin/env python3
"""Benchmark: the same uncertainty analysis three ways, in one run, with ratios; exits 1 if they disagree.

1. engine   -- ``model.analysis.montecarlo.run``: chunks of draws as arrays, streamed statistics;
2. arrays   -- the model's own vectorised functions (sampling, projection, indicators, the targets'
               evaluation) over the same draws in the same chunks, every per-draw value kept (exact
               P(met) and quantiles, no streaming): what the engine costs beyond the model itself;
3. loop     -- the same model called one draw at a time (``Draws`` of one), what a generic
               exploratory-modelling driver or a hand loop does.

No equation is copied here: the references are the model's own paths, so a change of the model (a new
price drift, a trend design, projects, shocks) reaches all three, and a disagreement is a bug of the
engine's bookkeeping.  The script checks that the engine's P(met) equals the arrays' exactly (same
draws, same arithmetic), that its streamed quantiles are within their stated resolution of the exact
ones, and that the loop's values and met flags equal the arrays' on its draws; it prints every check and
exits 1 when one fails (timings are reported, never judged).

    python benchmarks/montecarlo_bench.py [--draws 200000] [--loop-draws 1000] [--big 10000000]
    python benchmarks/montecarlo_bench.py --small          # a second or two: the agreement checks of `make test`

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

from model.analysis import montecarlo, parameter_draws  # noqa: E402
from model.analysis.sampling import DEFAULT_CHUNK, chunks, data_ranges  # noqa: E402
from model.baseline.baselines import baseline_for  # noqa: E402
from model.projection.indicators import Indicators, checked_revenue_links  # noqa: E402
from model.projection.simulate import Draws, in_domain, project, select_draws  # noqa: E402
from model.scenario.loader import load_scenario  # noqa: E402
from model.targets.sets import load_set  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def modelled(scenario, targets, reported):
    """The targets the engine evaluates (its own rule)."""
    return [t for t in targets if t.modelled and t.year <= scenario.horizon
            and all(v in reported for v in t.variables)]


class Arrays:
    """The model's vectorised path over the engine's draws (the same stream, chunks and exclusions as
    :func:`model.analysis.montecarlo.run`), keeping every draw: ``values`` and ``met`` per target id, and
    the first chunk (its draws, its drawn parameters, which of them were kept) for the loop."""

    def __init__(self, scenario, baseline, targets, n: int, seed: int, chunk: int):
        links = checked_revenue_links(scenario.revenue_links)
        det = project(scenario, baseline)
        self.targets = modelled(scenario, targets, Indicators(det, links))
        chunk = montecarlo.chunk_size(chunk, scenario.horizon)
        data = data_ranges(scenario, baseline, links.parameters)
        drawn = parameter_draws.declared(det, links)
        parameter_rng = parameter_draws.generator(seed)
        values = {t.id: [] for t in self.targets}
        met = {t.id: [] for t in self.targets}
        self.first = None
        for sample in chunks(scenario, n, np.random.default_rng(seed), chunk, data):
            projection = project(scenario, baseline, sample)
            drawn_values = parameter_draws.draw(drawn, sample.n, parameter_rng)
            keep = in_domain(projection) & (sample.valid if sample.valid is not None else True)
            if self.first is None:
                self.first = (sample, drawn_values, keep)
            if not keep.all():
                projection = select_draws(projection, keep)
                drawn_values = {k: v[keep] for k, v in drawn_values.items()}
            ind = Indicators(projection, links, drawn_values)
            for t in self.targets:
                d = montecarlo.target_draws(t, ind, scenario.horizon)
                values[t.id].append(np.asarray(d["value"], dtype=float))
                met[t.id].append(np.asarray(d["met"], dtype=bool))
        self.values = {k: np.concatenate(v) for k, v in values.items()}
        self.met = {k: np.concatenate(v) for k, v in met.items()}

    def p_met(self) -> np.ndarray:
        return np.array([self.met[t.id].mean() if len(self.met[t.id]) else np.nan for t in self.targets])


def one_draw(draws: Draws, i: int) -> Draws:
    """Draw ``i`` of ``draws`` alone."""
    row = slice(i, i + 1)

    def cut(a):
        return None if a is None else a[row]
    return Draws(n=1, growth=cut(draws.growth), deflator=cut(draws.deflator), vaccine_unwind=cut(draws.vaccine_unwind),
                 shock_loss={k: v[row] for k, v in draws.shock_loss.items()},
                 shock_recovered={k: v[row] for k, v in draws.shock_recovered.items()}, valid=cut(draws.valid),
                 revenue=None if draws.revenue is None else draws.revenue.select(np.arange(draws.n) == i))


def loop(scenario, baseline, arrays: Arrays, k: int) -> dict[str, list[tuple[float, bool]]]:
    """The first ``k`` kept draws of the first chunk, one at a time: each target's (value, met)."""
    links = checked_revenue_links(scenario.revenue_links)
    sample, drawn_values, keep = arrays.first
    out: dict[str, list[tuple[float, bool]]] = {t.id: [] for t in arrays.targets}
    for i in np.flatnonzero(keep)[:k]:
        ind = Indicators(project(scenario, baseline, one_draw(sample, int(i))), links,
                         {key: v[i:i + 1] for key, v in drawn_values.items()})
        for t in arrays.targets:
            d = montecarlo.target_draws(t, ind, scenario.horizon)
            out[t.id].append((float(np.ravel(d["value"])[0]), bool(np.ravel(d["met"])[0])))
    return out


def checks(engine, arrays: Arrays, looped) -> list[tuple[str, bool]]:
    """Each agreement check with its outcome."""
    table = engine.targets.set_index("target")
    ids = [t.id for t in arrays.targets]
    out = [("the engine and the arrays evaluate the same targets", list(table.index) == ids)]
    if not out[0][1]:
        return out
    p_engine = table.loc[ids, "p_met"].to_numpy(dtype=float)
    out.append(("P(met): engine == arrays (same draws, exactly)",
                bool(np.allclose(p_engine, arrays.p_met(), rtol=1e-12, atol=0, equal_nan=True))))
    worst = 0.0
    for t in arrays.targets:
        x = arrays.values[t.id]
        if not len(x):
            continue
        row = table.loc[t.id]
        for q in (0.1, 0.5, 0.9):          # the engine's promise: within half a bin of numpy.quantile
            exact = float(np.quantile(x, q))
            off = abs(float(row[f"value_p{int(q * 100)}"]) - exact) / max(float(row["resolution"]), 1e-300)
            worst = max(worst, off)
    out.append((f"quantiles 10/50/90: engine within half a bin of the exact ones (worst {worst:.2f} bins)",
                worst <= 0.5 + 1e-6))
    same = all(np.isclose(v, arrays.values[tid][j], rtol=1e-9, atol=1e-12, equal_nan=True)
               and m == bool(arrays.met[tid][j]) for tid, pairs in looped.items() for j, (v, m) in enumerate(pairs))
    out.append((f"one draw at a time == arrays on its {len(next(iter(looped.values()), []))} draws "
                "(values and met flags)", bool(same)))
    return out


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
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    ap.add_argument("--small", action="store_true", help="2,000 draws in chunks of 512, 25 one at a time: the "
                                                         "agreement checks in a second or two")
    ap.add_argument("--big", type=int, default=0, help="also run the engine on this many draws (memory check)")
    ap.add_argument("--engine-only", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.small:
        args.draws, args.loop_draws, args.chunk = 2_000, 25, 512
    scenario = load_scenario(args.scenario)
    if scenario.uncertainty is None:
        print(f"{scenario.name} has no uncertainty block: nothing to compare", file=sys.stderr)
        return 2
    baseline = baseline_for(scenario.assumptions, scenario.base, scenario.census)
    targets = tuple(load_set(scenario.targets))
    if args.engine_only:             # child process of --big: the engine alone, its own peak memory
        _, t = timed(montecarlo.run, scenario, baseline, targets, args.engine_only, None, args.chunk,
                     scenario.revenue_links)
        print(f"engine : {args.engine_only:>10,} draws in {t:7.1f} s; peak resident memory {peak_mb():,.0f} MB "
              "(the whole process, Python and libraries included)")
        return 0
    seed = scenario.uncertainty.seed
    engine, t_engine = timed(montecarlo.run, scenario, baseline, targets, args.draws, seed, args.chunk,
                             scenario.revenue_links)
    arrays, t_arrays = timed(Arrays, scenario, baseline, targets, args.draws, seed, args.chunk)
    looped, t_loop = timed(loop, scenario, baseline, arrays, args.loop_draws)
    n_loop = len(next(iter(looped.values()), []))
    per = {"engine": t_engine / args.draws, "arrays": t_arrays / args.draws, "loop": t_loop / max(n_loop, 1)}
    print(f"scenario {scenario.name}, {len(arrays.targets)} modelled targets, seed {seed}, chunks of "
          f"{montecarlo.chunk_size(args.chunk, scenario.horizon):,}")
    print(f"engine : {args.draws:>10,} draws in {t_engine:7.2f} s  ({1e6 * per['engine']:8.2f} us/draw)")
    print(f"arrays : {args.draws:>10,} draws in {t_arrays:7.2f} s  ({1e6 * per['arrays']:8.2f} us/draw)")
    print(f"loop   : {n_loop:>10,} draws in {t_loop:7.2f} s  ({1e6 * per['loop']:8.2f} us/draw)")
    results = checks(engine, arrays, looped)
    for what, ok in results:
        print(f"{'agree' if ok else 'DISAGREE'}: {what}")
    print(f"engine speed-up over the one-draw loop: {per['loop'] / per['engine']:8.1f} x  (aim: >= 100 x)")
    print(f"engine time over the model's arrays:   {per['engine'] / per['arrays']:8.2f} x  (aim: <= 2 x)")
    if args.big:                     # in a fresh process, so the arrays do not count
        subprocess.run([sys.executable, __file__, "--scenario", str(args.scenario), "--engine-only", str(args.big)],
                       check=True)
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
