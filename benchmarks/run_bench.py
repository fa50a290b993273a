#!/usr/bin/env python3
"""Benchmark of the edit loop and the batch, in one run, each figure beside its aim.

1. One scenario being edited (a file extending ``baseline``), as ``run.py my.yaml`` runs it, each time in a
   fresh process: seconds from the start to the scorecard and its verdict on screen (aim <= 1 s), to the
   scenario's tables written and to the end of the run without figures (every table, the comparison, the
   summary, the report and the workbook: aim <= 1.5 s), and to the end of the run with every figure
   (aim <= 3 s).  The median of ``--repeat`` runs, and the fastest.  The benchmark has a store of the
   calibration's solutions of its own (``BEIJING_SCENARIOS_CACHE``, model/core/cache.py), empty at the
   start: a first run without figures fills it and is reported apart (the first run after a change of the
   code or the data); the edit loop's runs then read it, as they do on a user's machine.
2. The shipped batch (every ``scenarios/*.yaml``) with one job and with one job per core, run one after
   the other (``--batch-repeat`` pairs, three by default, each in turn starting with the other: the ratio
   is their median), the wall times and their ratio (aim <= 0.55), and the peak resident memory of the
   largest process of each (the batch's or a worker's).
   The two results folders must hold the same files, byte for byte but for each manifest's record of the
   command (which names the folder and ``--jobs``).  Both batches run without the store of solutions:
   each solves every calibration.
3. The machine beside the runs: a fixed pure-Python loop is timed just before and just after every run, on
   every core at once, and each part prints the median and the range of those readings, with the
   processor time of the runs (all their processes, user and system): the same work takes more of it when
   a shared machine is slow.

The model's bytecode is compiled first (``compileall``), as the set-up (``make run``, ``make test``) and pip
for an installed package do: a machine that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise compile the
model's modules again in every process of every run, and time that no installed copy spends.

Timings are reported, never judged: the machine may be busy (say so when you quote them).  The exit code
is 1 only when the outputs disagree: the two batches' files, or the edited scenario's tables with and
without figures.

    python benchmarks/run_bench.py [--repeat 3] [--batch-repeat 3] [--jobs N] [--no-batch-figures]
                                   [--scenarios a.yaml ...]
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EDITED = """\
# A scenario being edited: the baseline with one more point of ICT growth.
extends: baseline
name: my_edit
growth:
  ict: "+1pp"
"""

# The aims of the edit loop and the batch (seconds; the batch's ratio of wall times).
AIM_SCORECARD, AIM_TABLES, AIM_FIGURES, AIM_RATIO = 1.0, 1.5, 3.0, 0.55

WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
           "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print('peak-rss-kib', r.ru_maxrss, 'cpu-seconds', r.ru_utime + r.ru_stime, file=sys.stderr); "
           "sys.exit(code)")


#: The packages whose versions the timings depend on (matplotlib 3.11 drew the same figures a fifth slower than 3.10).
STACK = ("numpy", "scipy", "pandas", "matplotlib")


def stack() -> str:
    """The installed versions of :data:`STACK`, as the runs import them and their manifests record them
    (:func:`model.output.write.package_versions`): ``numpy 2.4.6, ...``."""
    from model.output.write import package_versions
    versions = package_versions()
    return ", ".join(f"{name} {versions[name]}" for name in STACK)


def reference_seconds(cores: int | None = None) -> float:
    """The machine's speed at this moment: one run of a fixed pure-Python loop in this process (about a tenth
    of a second), with ``cores - 1`` forked processes running the same loop meanwhile (default: every core
    this process may use busy, as in a run with figures or a batch on a pool).  A shared machine gives the
    same code more or less time from minute to minute (seen: the loop alone from 0.08 to 0.16 s within an
    hour), and its cores may slow each other when all are busy (seen: a two-job batch using 38
    processor-seconds at one moment and 49 at another, while the loop alone took its usual time); so
    :func:`timed_run` times it beside every run, and the runs' times are read against the median of those
    readings, not against a best case."""
    from model.pool import cpu_count
    children = []
    for _ in range((cpu_count() if cores is None else cores) - 1 if hasattr(os, "fork") else 0):
        pid = os.fork()
        if pid == 0:
            try:
                sum(i * i for i in range(2_000_000))
            finally:
                os._exit(0)
        children.append(pid)
    start = time.perf_counter()
    sum(i * i for i in range(2_000_000))
    elapsed = time.perf_counter() - start
    for pid in children:
        os.waitpid(pid, 0)
    return elapsed


def machine(runs: list[dict]) -> str:
    """The reference loop beside ``runs`` (:func:`timed_run`): its median and range."""
    readings = sorted(r for run in runs for r in run["reference"])
    return (f"reference loop beside these runs {statistics.median(readings):.3f} s "
            f"(from {readings[0]:.3f} to {readings[-1]:.3f} s; every core running it at once)")


def timed_run(args: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run ``run.py args`` in a fresh process; the seconds at which its first stdout line, the comparison
    step (its scenarios' folders written: the log of ``-v``) and its end came, the peak resident memory of
    its largest process (KiB, Linux), the processor time of all its processes (user and system, seconds),
    the reference loop just before and just after it (:func:`reference_seconds`), its exit code and output."""
    command = [sys.executable, "-c", WRAPPER, sys.executable, str(ROOT / "run.py"), *args, "-v"]
    before = reference_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
    seen: dict = {"first_line": None, "tables": None, "peak_kib": None, "cpu": None, "out": [], "err": []}

    def read_out():
        for line in proc.stdout:
            if seen["first_line"] is None:
                seen["first_line"] = time.perf_counter() - start
            seen["out"].append(line)

    def read_err():
        for line in proc.stderr:
            if seen["tables"] is None and ": backtest and comparison" in line:
                seen["tables"] = time.perf_counter() - start
            if line.startswith("peak-rss-kib"):
                words = line.split()
                seen["peak_kib"], seen["cpu"] = int(words[1]), float(words[3])
            else:
                seen["err"].append(line)

    readers = [threading.Thread(target=read_out), threading.Thread(target=read_err)]
    for r in readers:
        r.start()
    code = proc.wait()
    for r in readers:
        r.join()
    seen["end"] = time.perf_counter() - start
    seen["code"] = code
    seen["reference"] = (before, reference_seconds())
    return seen


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a results folder and its bytes, each manifest without its record of the command
    (the lock file, which holds a process id, left out)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name == ".lock":
            continue
        data = p.read_bytes()
        if p.name == "manifest.json":
            record = json.loads(data)
            record.pop("command", None)
            data = json.dumps(record, sort_keys=True).encode()
        out[p.relative_to(folder).as_posix()] = data
    return out


def differences(a: Path, b: Path, only: set[str] | None = None) -> list[str]:
    fa, fb = folder_files(a), folder_files(b)
    if only is not None:
        fa, fb = ({k: v for k, v in f.items() if k in only} for f in (fa, fb))
    return sorted(set(fa) ^ set(fb)) + sorted(k for k in set(fa) & set(fb) if fa[k] != fb[k])


def verdict(value: float, aim: float) -> str:
    return f"{'within' if value <= aim else 'ABOVE'} the aim"


def median_and_best(runs: list[dict], key: str) -> tuple[float, float]:
    values = [r[key] for r in runs if r[key] is not None]
    return (statistics.median(values), min(values)) if values else (float("nan"), float("nan"))


def main(argv=None) -> int:
    from model.batch import cpu_count
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the edited scenario (median and fastest)")
    ap.add_argument("--jobs", type=int, default=cpu_count(), help="jobs of the parallel batch (default: the cores)")
    ap.add_argument("--batch-repeat", type=int, default=3,
                    help="pairs of batch runs (one job and all jobs, in turn first); the ratio is their median "
                         "(default 3; 1 with --quick)")
    ap.add_argument("--no-batch-figures", dest="batch_figures", action="store_false",
                    help="the batches without figures (quicker)")
    ap.add_argument("--scenarios", nargs="*", type=Path, default=None,
                    help="the batch's scenario files (default: every scenarios/*.yaml)")
    ap.add_argument("--quick", action="store_true", help="one run of the edited scenario, no run with figures, the "
                                                         "batch without figures: the agreement checks only")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeat, args.batch_figures, args.batch_repeat = 1, False, 1
    problems: list[str] = []
    compiled = compileall.compile_dir(str(ROOT / "model"), quiet=2)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    reference = reference_seconds()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_count()} usable), Python "
          f"{platform.python_version()}, {stack()}; load average at the start {load:.2f}; reference loop "
          f"{reference:.3f} s; "
          + ("the model's bytecode compiled" if compiled else "the model's bytecode could NOT be written (each run "
                                                               "compiles the model at its start)"))

    with tempfile.TemporaryDirectory(prefix="run-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "edit").mkdir()
        (tmp / "edit" / "baseline.yaml").write_bytes((ROOT / "scenarios" / "baseline.yaml").read_bytes())
        (tmp / "edit" / "my_edit.yaml").write_text(EDITED, encoding="utf-8")
        edited = str(tmp / "edit" / "my_edit.yaml")

        store = {"BEIJING_SCENARIOS_CACHE": str(tmp / "store")}      # empty: the first run fills it
        cold = timed_run([edited, "--no-figures", "--out", str(tmp / "cold")], tmp, store)
        tables, figures = [], []
        for i in range(args.repeat):
            tables.append(timed_run([edited, "--no-figures", "--out", str(tmp / f"tables{i}")], tmp, store))
            if not args.quick:
                figures.append(timed_run([edited, "--out", str(tmp / f"figures{i}")], tmp, store))
        for run in [cold] + tables + figures:
            if run["code"] != 0:
                problems.append(f"the edited scenario's run failed (exit {run['code']}): {''.join(run['err'][-5:])}")
        scenario_tables = {k for k in folder_files(tmp / "tables0") if k.startswith("my_edit/")}
        diff = differences(tmp / "tables0", tmp / "figures0", scenario_tables) if figures else []
        if diff:
            problems.append(f"the scenario's tables differ with and without figures: {', '.join(diff[:5])}")
        diff = differences(tmp / "cold", tmp / "tables0")
        if diff:
            problems.append(f"the files differ between the run that filled the store and one that read it: "
                            f"{', '.join(diff[:5])}")
        first, first_best = median_and_best(tables, "first_line")
        written, written_best = median_and_best(tables, "tables")
        end, end_best = median_and_best(tables, "end")
        fig, fig_best = median_and_best(figures, "end")
        print(f"\none scenario extending baseline, the first run (the calibration solved, the store filled): "
              f"scorecard {cold['first_line']:.2f} s, every table {cold['end']:.2f} s; the same files as the "
              f"runs from the store: {'no' if diff else 'yes'}")
        print(f"the edit loop (median of {args.repeat} runs, fastest in brackets):")
        print(f"  scorecard and verdict on screen   {first:6.2f} s  ({first_best:.2f})   aim <= {AIM_SCORECARD:g} s: "
              f"{verdict(first, AIM_SCORECARD)}")
        print(f"  its tables written                {written:6.2f} s  ({written_best:.2f})")
        print(f"  every table (run without figures) {end:6.2f} s  ({end_best:.2f})   aim <= {AIM_TABLES:g} s: "
              f"{verdict(end, AIM_TABLES)}")
        if figures:
            print(f"  with every figure                 {fig:6.2f} s  ({fig_best:.2f})   aim <= {AIM_FIGURES:g} s: "
                  f"{verdict(fig, AIM_FIGURES)}")
        cpu = "; ".join(f"{what} {statistics.median(r['cpu'] for r in runs):.2f} s" for what, runs in
                        (("without figures", tables), ("with every figure", figures)) if runs and
                        all(r["cpu"] is not None for r in runs))
        if cpu:
            print(f"  processor time of a run, all its processes (median): {cpu}")
        print(f"  the machine: {machine(tables + figures)}")

        paths = [str(p.resolve()) for p in (args.scenarios or sorted((ROOT / "scenarios").glob("*.yaml")))]
        extra = [] if args.batch_figures else ["--no-figures"]
        off = {"BEIJING_SCENARIOS_CACHE": "off"}          # both batches solve every calibration: like with like
        pairs, diff = [], []
        for i in range(args.batch_repeat):
            # each pair one after the other, the first run of the next pair the second of this one: a machine
            # that slows down (or speeds up) while the pairs run favours neither
            runs = [("1", tmp / f"jobs1_{i}"), (str(args.jobs), tmp / f"jobsN_{i}")]
            timed = {jobs: timed_run([*paths, "--out", str(out), "--jobs", jobs, *extra], tmp, off)
                     for jobs, out in (runs if i % 2 == 0 else runs[::-1])}
            one, many = timed["1"], timed[str(args.jobs)]
            pairs.append((one, many))
            for name, run in (("one job", one), (f"{args.jobs} jobs", many)):
                if run["code"] != 0:
                    problems.append(f"the batch with {name} failed (exit {run['code']}): {''.join(run['err'][-5:])}")
            diff = diff or differences(tmp / f"jobs1_{i}", tmp / f"jobsN_{i}")
        if diff:
            problems.append(f"the batch's files differ between one job and {args.jobs}: {', '.join(diff[:8])}")
        ratios = [many["end"] / one["end"] for one, many in pairs]
        ratio = statistics.median(ratios)
        files = len(folder_files(tmp / "jobs1_0"))
        print(f"\nthe batch: {len(paths)} scenarios, {'with' if args.batch_figures else 'without'} figures, "
              f"{files} files" + (f"; {len(pairs)} pairs of runs" if len(pairs) > 1 else ""))
        for one, many in pairs:
            for name, run in (("one job", one), (f"{args.jobs} jobs", many)):
                print(f"  {name:16s}{run['end']:7.1f} s   processor time {run['cpu'] or 0:6.1f} s   peak resident "
                      f"memory of the largest process {(run['peak_kib'] or 0) / 1024:6.0f} MiB")
        print(f"  ratio             {ratio:7.2f}     aim <= {AIM_RATIO:g}: {verdict(ratio, AIM_RATIO)}"
              + (f"  (median of {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""))
        print(f"  the same files, byte for byte (manifests but their command): {'yes' if not diff else 'NO'}")
        print(f"  the machine: {machine([run for pair in pairs for run in pair])}")
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end {load_end:.2f}; reference loop {reference_seconds():.3f} s (timings on a busy "
          "or throttled machine are slower than on an idle one: compare runs with the reference loop beside them)")
    for p in problems:
        print(f"DISAGREE: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
