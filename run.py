#!/usr/bin/env python3
"""Run scenarios of the Beijing model: every ``scenarios/*.yaml`` into ``results/`` by default.

    python run.py [SCENARIO.yaml ...] [--out DIR]

Exit code 0 when every scenario ran, 1 when any failed (the others are still
written) or another run holds the output folder, 2 for a bad command line or an
unusable output folder, 130 when interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _whole(text: str, low: int, high: int, why: str = "") -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value:,} is outside [{low:,}, {high:,}]{why}")
    return value


def _draws(text: str) -> int:
    from model.scenario.parameters import UNCERTAINTY
    return _whole(text, 1, int(UNCERTAINTY["draws"].high), " (the limit of uncertainty.draws)")


def _seed(text: str) -> int:
    from model.scenario.parameters import UNCERTAINTY
    return _whole(text, 0, int(UNCERTAINTY["seed"].high), " (the limit of uncertainty.seed)")


def _chunk(text: str) -> int:
    from model.batch import MAX_CHUNK
    return _whole(text, 1, MAX_CHUNK, ": a larger chunk needs gigabytes of memory at long horizons and is "
                                      "not faster")


def _non_negative(text: str) -> int:
    return _whole(text, 0, 1 << 16, " (a larger base sample needs gigabytes of memory)")


def _sobol_size(text: str) -> int:
    from model.analysis.sensitivity import SOBOL_MIN_N
    value = _non_negative(text)
    if 0 < value < SOBOL_MIN_N:
        raise argparse.ArgumentTypeError(f"{value} is too small to estimate Sobol indices; use 0 (none) or at "
                                         f"least {SOBOL_MIN_N} (a power of 2 such as 1024)")
    return value


def _lever_pair(text: str) -> tuple[str, str]:
    from model.baseline.sectors import KEYS
    pair = tuple(k.strip() for k in text.split(","))
    if len(pair) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not two sector keys joined by a comma (e.g. ict,finance)")
    unknown = [k for k in pair if k not in KEYS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown sector {unknown[0]!r}; known: {', '.join(KEYS)}")
    if pair[0] == pair[1]:
        raise argparse.ArgumentTypeError(f"{text!r} names the same sector twice")
    return pair


def _target_set(text: str) -> str:
    from model.scenario.checking import suggest
    from model.targets.sets import SETS
    if text not in SETS:
        raise argparse.ArgumentTypeError(f"unknown target set {text!r}{suggest(text, SETS)}")
    return text


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path,
                        help="scenario files (default: every scenarios/*.yaml)")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="output folder (default: results/)")
    parser.add_argument("--show", action="store_true",
                        help="print each scenario's resolved parameters and its differences from its parent; "
                             "run nothing")
    parser.add_argument("--draws", type=_draws, help="Monte Carlo draws for scenarios with an uncertainty "
                        "block (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, help="seed of the Monte Carlo draws (default: the scenario's)")
    parser.add_argument("--chunk", type=_chunk, default=None, help="draws simulated at once (memory bound)")
    parser.add_argument("--sobol", type=_sobol_size, default=0, metavar="N",
                        help="also compute Sobol indices with base sample size N (SALib; e.g. 1024)")
    parser.add_argument("--goal-from", type=int, choices=(2021, 2022), default=2022,
                        help="first year of the constant lever growth in goal-seeking (default 2022: "
                             "2021 keeps its calibration)")
    parser.add_argument("--levers", type=_lever_pair, action="append", default=[], metavar="A,B",
                        help="also draw the two-lever map of sectors A and B (repeatable; the pairs declared in "
                             "targets.yaml are always drawn)")
    parser.add_argument("--targets", type=_target_set, metavar="SET",
                        help="score every scenario against this target set (e.g. plan15; default: each "
                             "scenario's `targets:` key)")
    parser.add_argument("--no-figures", dest="figures", action="store_false",
                        help="write the tables only, no PNG/SVG figures (faster; the summary says figures were "
                             "skipped)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    import matplotlib
    matplotlib.use("Agg")           # figures go to files only: no display needed, no window opened
    try:
        return _run(args, argv)
    except KeyboardInterrupt:
        print("interrupted: the scenarios written so far are complete, earlier results are kept, and the next "
              "run cleans up", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    from model.batch import RunOptions, run_batch
    from model.output.report import OutputLocked
    from model.analysis.sampling import DEFAULT_CHUNK

    paths = args.scenarios or sorted((ROOT / "scenarios").glob("*.yaml"))
    if not paths:
        print("no scenario files given and none in scenarios/", file=sys.stderr)
        return 2
    if args.show:
        from model.batch import show_scenarios
        text, failed = show_scenarios(paths)
        print(text, end="")
        return 1 if failed else 0
    options = RunOptions(args.draws, args.seed, args.chunk or DEFAULT_CHUNK, args.sobol, args.goal_from,
                         tuple(args.levers), args.targets, figures=args.figures)
    try:
        outcomes = run_batch(paths, args.out, ["run.py", *argv], options)
    except OutputLocked as exc:
        print(f"not run: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"not run: cannot use the output folder {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for o in outcomes:
        if o.ok:
            print(f"ok      {o.name:24s} -> {o.folder}")
        else:
            print(f"FAILED  {o.file}", file=sys.stderr)
            for p in o.problems:
                print(f"  {p}", file=sys.stderr)
        for w in o.warnings:
            print(f"  warning: {w}", file=sys.stderr)
    failed = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} scenarios written to {args.out}"
          + (f"; {failed} failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
