"""Command line: run scenarios of the Beijing model, every ``scenarios/*.yaml`` into ``results/`` by default.

The same :func:`main` behind ``beijing-scenarios`` (the installed command), ``python -m model``
and ``python run.py`` (a checkout).  This module owns the terminal: the model logs and calls
back (:class:`model.batch.Progress`), and only this module prints.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, TextIO

from . import __version__
from .core import cache, forked
from .core.files import TOOL
from .core.problems import printable

if TYPE_CHECKING:
    from .batch import Progress

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent                   # the checkout, when the package runs from one
DIST = TOOL                             # the distribution name of pyproject.toml (and the command)
SHIPPED = PACKAGE / "shipped_scenarios"  # the wheel's copy of scenarios/ (absent in a checkout)

DESCRIPTION = "Run scenarios of the Beijing model: every scenarios/*.yaml into results/ unless told otherwise."

EXIT_CODES = """\
exit codes:
  0    every scenario ran
  1    a scenario failed (the others are still written; each problem is printed with
       file:line), a data file of the model cannot be used (nothing is run), or another
       run holds the output folder
  2    bad command line, an output folder that cannot be used, or a missing optional
       package (SALib for --sobol)
  74   an output could not be written: the output folder's device is full or read-only,
       or standard output is closed (a pipe) or full
  129  stopped by SIGHUP (the terminal closed)
  130  interrupted (Ctrl-C)
  143  stopped by SIGTERM"""

EPILOG = f"""\
examples:
  %(prog)s                                   every scenarios/*.yaml -> results/
  %(prog)s scenarios/plan.yaml --out /tmp/res
  %(prog)s --show scenarios/plan.yaml        resolved parameters, no run
  %(prog)s --draws 100000 --seed 1 --sobol 1024
  %(prog)s -q scenarios/*.yaml; echo $?      errors only; the exit code tells the rest

Without scenario files, the command runs scenarios/*.yaml of the current folder, or, where
there is none, the scenarios shipped with the package. Progress goes to stderr when it is a
terminal (--progress / --no-progress decide otherwise); warnings are printed and also kept in
each scenario's manifest.json and in DIR/summary.md.

{EXIT_CODES}
"""


WHOLE = re.compile(r"[+-]?[0-9]+(_[0-9]+)*")      # ASCII digits only (int() also takes other scripts' digits)


def _whole(text: str, low: int, high: int, why: str = "") -> int:
    if not WHOLE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (digits 0-9)")
    value = int(text.replace("_", ""))
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value:,} is outside [{low:,}, {high:,}]{why}")
    return value


def _draws(text: str) -> int:
    from .core.parameters import UNCERTAINTY
    return _whole(text, 1, int(UNCERTAINTY["draws"].high), " (the limit of uncertainty.draws)")


def _seed(text: str) -> int:
    from .core.parameters import UNCERTAINTY
    return _whole(text, 0, int(UNCERTAINTY["seed"].high), " (the limit of uncertainty.seed)")


def _chunk(text: str) -> int:
    from .batch import MAX_CHUNK
    return _whole(text, 1, MAX_CHUNK, ": a larger chunk needs gigabytes of memory at long horizons and is "
                                      "not faster")


def _sobol_size(text: str) -> int:
    from .analysis.memory import MEMORY_BOUND, gib, largest_sobol, sobol_peak_bytes
    from .analysis.sensitivity import SOBOL_MIN_N
    largest = largest_sobol()
    if WHOLE.fullmatch(text) and int(text.replace("_", "")) > largest:
        value = int(text.replace("_", ""))
        raise argparse.ArgumentTypeError(f"{value:,} needs about {gib(sobol_peak_bytes(value))} of memory, above the "
                                         f"bound of {gib(MEMORY_BOUND)}: at most {largest:,} (the largest power of "
                                         f"2 within it is {1 << (largest.bit_length() - 1):,})")
    value = _whole(text, 0, largest)
    if 0 < value < SOBOL_MIN_N:
        raise argparse.ArgumentTypeError(f"{value} is too small to estimate Sobol indices; use 0 (none) or at "
                                         f"least {SOBOL_MIN_N} (a power of 2 such as 1024)")
    return value


def _goal_from(text: str) -> int:
    if text not in ("2021", "2022"):
        raise argparse.ArgumentTypeError(f"{text!r} is neither 2021 nor 2022")
    return int(text)


def _out_folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; give a folder (--out . for the current one)")
    return Path(text)


def _target_set(text: str) -> str:
    from model.core.problems import suggest
    from model.core.target_sets import SETS
    if text not in SETS:
        raise argparse.ArgumentTypeError(f"unknown target set {text!r}{suggest(text, SETS)}")
    return text


def _jobs(text: str) -> int:
    return _whole(text, 1, 1024)


def _lever_pair(text: str) -> tuple[str, str]:
    from .core.sectors import KEYS
    pair = tuple(k.strip() for k in text.split(","))
    if len(pair) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not two sector keys joined by a comma (e.g. ict,finance)")
    unknown = [k for k in pair if k not in KEYS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown sector {unknown[0]!r}; known: {', '.join(KEYS)}")
    if pair[0] == pair[1]:
        raise argparse.ArgumentTypeError(f"{text!r} names the same sector twice")
    return pair


def parse_args(argv: list[str], prog: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", type=Path,
                        help="scenario files (default: every scenarios/*.yaml, see below)")
    parser.add_argument("--out", type=_out_folder, default=Path("results"),
                        help="output folder (default: results/ in the current folder)")
    parser.add_argument("--show", action="store_true",
                        help="print each scenario's resolved parameters and its differences from its parent; "
                             "run nothing")
    parser.add_argument("--draws", type=_draws, help="Monte Carlo draws for scenarios with an uncertainty "
                        "block (default: the scenario's)")
    parser.add_argument("--seed", type=_seed, help="seed of the Monte Carlo draws (default: the scenario's)")
    parser.add_argument("--chunk", type=_chunk, default=None, help="draws simulated at once (memory bound)")
    parser.add_argument("--sobol", type=_sobol_size, default=0, metavar="N",
                        help="also compute Sobol indices with base sample size N (needs SALib: the "
                             f"'{DIST}[sensitivity]' extra; e.g. 1024)")
    parser.add_argument("--goal-from", type=_goal_from, default=2022, metavar="{2021,2022}",
                        help="first year of the constant lever growth in goal-seeking (default 2022: "
                             "2021 keeps its calibration)")
    parser.add_argument("--levers", type=_lever_pair, action="append", default=[], metavar="A,B",
                        help="also draw the two-lever map of sectors A and B (repeatable; the pairs declared in "
                             "targets.yaml are always drawn)")
    from model.core.target_sets import SETS  # the ground floor's registry (light: no numpy)
    parser.add_argument("--targets", type=_target_set, metavar="SET",
                        help=f"score every scenario against this target set ({', '.join(SETS)}; default: each "
                             "scenario's `targets:` key)")
    parser.add_argument("--no-figures", dest="figures", action="store_false",
                        help="write the tables only, no PNG/SVG figures (faster; the summary says figures were "
                             "skipped)")
    parser.add_argument("--no-analyses", dest="analyses", action="store_false",
                        help="the projection, scorecard, P(met) and backtest only: no goal-seeking, sensitivity, "
                             "attribution or lever maps (a quick loop while editing a scenario)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                        help="scenarios computed at once, on as many worker processes (default: the number of "
                             "cores this process may use; fewer if the memory bound needs it); the outputs are "
                             "the same with any number")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="solve the calibration's problems again instead of reading their solutions from the "
                             f"store of earlier runs (${cache.ENV}, default ~/.cache/beijing-scenarios; the outputs "
                             "are the same either way)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show progress on stderr (default: only when stderr is a terminal and without -q)")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="also print the model's log: each step of each scenario and its time, and the "
                               "traceback of an internal error")
    loudness.add_argument("-q", "--quiet", action="store_true",
                          help="print errors only: no progress, no warnings (they stay in each manifest.json and "
                               "in summary.md), no list of what was written")
    parser.add_argument("--version", action=_Version, help="print the version (and git commit) and exit")
    return parser.parse_args(argv)


class _Version(argparse.Action):
    """``--version``: asks git only when given."""

    def __init__(self, option_strings, dest, help=None):   # noqa: A002 (argparse's name)
        super().__init__(option_strings, dest, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def version_text() -> str:
    """``beijing-scenarios X.Y.Z``, with the git commit when the package runs from a checkout."""
    commit = _git_commit()
    return f"{DIST} {__version__}" + (f" (git {commit})" if commit else "")


def _git_commit() -> str | None:
    """The checkout's commit (``+`` appended with uncommitted changes), ``None`` outside a git checkout."""
    if not (ROOT / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def default_scenarios(cwd: Path | None = None) -> list[Path]:
    """Every ``scenarios/*.yaml`` of ``cwd`` (default: the current folder) if there is one;
    otherwise the shipped scenarios: the checkout's ``scenarios/`` (a checkout or an editable
    install) or the copy an installed wheel carries (:data:`SHIPPED`)."""
    local = (cwd or Path.cwd()) / "scenarios"
    if local.is_dir():
        return sorted(local.glob("*.yaml"))
    return sorted(shipped_scenarios_folder().glob("*.yaml"))


def shipped_scenarios_folder() -> Path:
    """Where the scenarios shipped with the package are (see :func:`default_scenarios`)."""
    return SHIPPED if SHIPPED.is_dir() else ROOT / "scenarios"


# ---------------------------------------------------------------- the terminal: progress and log

def progress_text(event: Progress, elapsed: float) -> str:
    """One line for a :class:`model.batch.Progress` event; ``elapsed``: seconds since its step began.

    With draws: the draws done, their rate and the time left at that rate, e.g.
    ``[2/8] plan: Monte Carlo 8,192 of 10,000 draws (82 %), 41,000 draws/s, 0:00:01 left``.
    """
    head = f"[{event.index}/{event.count}] {event.name}: {event.step}"
    if not event.total:
        return head
    text = f"{head} {event.done:,} of {event.total:,} draws ({100 * event.done // event.total} %)"
    if event.done and elapsed > 0:
        rate = event.done / elapsed
        left = round((event.total - event.done) / rate)
        text += f", {rate:,.0f} draws/s, {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d} left"
    return text


class ProgressLine:
    """A one-line progress display on ``stream`` (a terminal): each event rewrites the line.

    Called with :class:`model.batch.Progress` events (from the workers of a batch too, interleaved: each
    step's rate is measured from its own start).  Draw counts are shown at most every
    ``interval`` seconds (a step change and the last chunk always); :meth:`clear` wipes the line
    before anything else is printed.  Nothing here raises: a display must not stop a run.
    """

    def __init__(self, stream: TextIO, clock=time.monotonic, interval: float = 0.2):
        self.stream, self.clock, self.interval = stream, clock, interval
        self.key, self.started, self.shown, self.visible = None, 0.0, -float("inf"), False
        self.starts: dict[tuple, float] = {}     # when each step began (the workers of a batch interleave)

    def __call__(self, event: Progress) -> None:
        now = self.clock()
        key = (event.index, event.name, event.step)
        if key != self.key:
            self.key, self.started = key, self.starts.setdefault(key, now)
        elif now - self.shown < self.interval and event.done < event.total:
            return
        self.shown = now
        width = max(20, shutil.get_terminal_size().columns - 1)
        self._write("\r" + progress_text(event, now - self.started)[:width] + "\x1b[K")
        self.visible = True

    def clear(self) -> None:
        if self.visible:
            self._write("\r\x1b[K")
            self.visible = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):      # a closed or broken stream: no display, the run goes on
            pass


class _Log(logging.StreamHandler):
    """Prints log records on stderr: the ``model`` hierarchy from ``own_level``, other libraries'
    (matplotlib, PIL, ...) from ``other_level``; clears the progress line first."""

    def __init__(self, stream: TextIO, own_level: int, other_level: int, progress: ProgressLine | None):
        super().__init__(stream)
        self.own_level, self.other_level, self.progress = own_level, other_level, progress
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == "model" or record.name.startswith("model.")
        return record.levelno >= (self.own_level if own else self.other_level)

    def emit(self, record: logging.LogRecord) -> None:
        if self.progress is not None:
            self.progress.clear()
        super().emit(record)


@contextmanager
def _terminal(args: argparse.Namespace, stream: TextIO) -> Iterator[ProgressLine | None]:
    """Logging set for this run, and Python's warnings shown through it (``py.warnings``, as
    another library's log), restored after it; yields the progress display (``None``: none)."""
    show = args.progress if args.progress is not None else (not args.quiet and _is_terminal(stream))
    progress = ProgressLine(stream) if show else None
    own = logging.DEBUG if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    handler = _Log(stream, own, logging.ERROR if args.quiet else logging.WARNING, progress)
    model_logger, root = logging.getLogger("model"), logging.getLogger()
    saved = model_logger.level
    model_logger.setLevel(own)
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _log_warning
            yield progress
    finally:
        if progress is not None:
            progress.clear()
        root.removeHandler(handler)
        model_logger.setLevel(saved)


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """``warnings.showwarning`` for a run: the warning as a log record (which clears the progress
    line first, and which ``-q`` drops)."""
    text = warnings.formatwarning(message, category, filename, lineno, line).rstrip()
    logging.getLogger("py.warnings").warning("%s", text)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- the command

# Signals that stop a run like Ctrl-C, and the exit code of each (128 + the signal's number, as a shell reports it).
STOPPING = {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129}
OUTPUT_ERROR = 74           # EX_IOERR of sysexits.h: an output could not be written (full device, closed pipe)


class Stopped(KeyboardInterrupt):
    """A signal of :data:`STOPPING` arrived: the run stops as on Ctrl-C (cleanups of ``except
    BaseException`` and ``finally`` run; ``except Exception`` does not catch it)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` (once: a second signal while the run cleans up
    is ignored); the previous handlers are restored after.  Only the main thread can set handlers."""
    installed = {}

    def stop(signum, frame):
        for sig in installed:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signal.Signals(signum).name)

    if threading.current_thread() is threading.main_thread():
        for name in STOPPING:
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:   # ignored (nohup, &): stay so
                installed[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, previous in installed.items():
            signal.signal(sig, previous)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    ``prog`` names the command in ``--help`` and in each manifest's record of the command
    (default: ``beijing-scenarios``).  Ctrl-C, SIGTERM and SIGHUP stop the run from its first moment
    with one line saying what is kept (:data:`STOPPING` gives the exit codes); an output that cannot
    be written (a full device, a closed pipe) ends it with one line and :data:`OUTPUT_ERROR`."""
    journal: list = []           # the batch's Journal, once there is one
    try:
        with _stop_on_signals():
            argv = sys.argv[1:] if argv is None else argv
            prog = prog or DIST
            args = parse_args(argv, prog)
            # figures go to files only: no display needed, no window opened (matplotlib reads it when it is
            # first imported, by the first figure: a run without figures does not import it)
            os.environ["MPLBACKEND"] = "Agg"
            if "matplotlib" in sys.modules:        # already imported (a test, a notebook): set it there
                sys.modules["matplotlib"].use("Agg")
            with _terminal(args, sys.stderr) as progress, (nullcontext() if args.cache else cache.switched_off()):
                return _run(args, [prog, *argv], progress, journal)
    except KeyboardInterrupt as exc:
        name = exc.name if isinstance(exc, Stopped) else "SIGINT"
        kept = journal[0].kept() if journal else "nothing was written"
        what = "interrupted (Ctrl-C)" if name == "SIGINT" else f"stopped by {name}"
        _say(f"{what}: {kept}")
        return STOPPING[name]


def run(prog: str | None = None) -> None:
    """The command's entry point (``beijing-scenarios``, ``python -m model``, ``run.py``): :func:`main`, then
    leave at once with its exit code.  Every output is written and closed by then, and the log and the
    standard streams are flushed here; what is skipped is the interpreter's clean-up of the run's heap
    (a fifth of a second after a run, which writes nothing).  :func:`main` returns instead, for callers
    in the same process."""
    code = main(prog=prog)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _say(text: str) -> None:
    """One line on stderr, if stderr can take it."""
    try:
        print(printable(text), file=sys.stderr)
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """After stdout failed: point it at the null device, so the interpreter's last flush raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _missing_extra(args: argparse.Namespace) -> str | None:
    """Why an option cannot run here (an optional package not installed), or ``None``."""
    if args.sobol:
        try:
            import SALib.analyze.sobol  # noqa: F401
            import SALib.sample.sobol  # noqa: F401
        except ImportError:
            return (f"--sobol needs SALib, which is not installed; install the extra with "
                    f"pip install '{DIST}[sensitivity]' (in a checkout: pip install -e '.[sensitivity]')")
    return None


def _run(args: argparse.Namespace, command: list[str], progress: ProgressLine | None, journal: list) -> int:
    paths = args.scenarios or default_scenarios()
    # a scenario run alone with figures: the drawing process starts now and imports matplotlib and the figure
    # modules on another core while this one imports the model and computes (model/output/drawer.py)
    early = len(paths) == 1 and args.figures and not args.show and args.jobs != 1 and forked.may_fork()
    if early:
        from .output import drawer
        drawer.start()
    try:
        return _run_batch(args, paths, command, progress, journal)
    finally:
        if early:
            drawer.stop()


def _run_batch(args: argparse.Namespace, paths: list[Path], command: list[str], progress: ProgressLine | None,
               journal: list) -> int:
    from . import batch
    from .analysis.sampling import DEFAULT_CHUNK
    from .output.atomic import OutputLocked

    if not paths:
        print("no scenario files given and none in scenarios/", file=sys.stderr)
        return 2
    if args.show:
        text, failed = batch.show_scenarios(paths)
        return _stdout(lambda: print(text, end="")) or (1 if failed else 0)
    missing = _missing_extra(args)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    options = batch.RunOptions(args.draws, args.seed, args.chunk or DEFAULT_CHUNK, args.sobol, args.goal_from,
                               tuple(args.levers), args.targets, figures=args.figures, analyses=args.analyses)
    journal.append(batch.Journal())
    try:
        try:
            outcomes = batch.run_batch(paths, args.out, command, options, progress=progress, journal=journal[0],
                                       jobs=args.jobs or batch.cpu_count(),
                                       scored=_ScorecardPrinter(progress) if len(paths) == 1 and not args.quiet
                                       else None)
        finally:
            if progress is not None:      # before anything else is printed
                progress.clear()
    except OutputLocked as exc:
        print(f"not run: {exc}", file=sys.stderr)
        return 1
    except batch.OutputError as exc:
        _say(f"output error: {exc}; {journal[0].kept()}")
        return OUTPUT_ERROR
    except OSError as exc:
        print(printable(f"not run: cannot use the output folder {args.out}: {exc.strerror or exc}"), file=sys.stderr)
        return 2
    return _stdout(lambda: _report(outcomes, args.out, args.quiet)) or (1 if any(not o.ok for o in outcomes) else 0)


class _ScorecardPrinter:
    """Prints a scenario's scorecard (stdout) as soon as it is computed, before its analyses and its
    folder: the quick look of one scenario being edited.  A failure to print is left to the end
    (:func:`_stdout`), it does not stop the run."""

    def __init__(self, progress: ProgressLine | None):
        self.progress = progress

    def __call__(self, name: str, card) -> None:
        if self.progress is not None:
            self.progress.clear()
        try:
            print(printable(scorecard_text(name, card)), flush=True)
        except (OSError, ValueError):
            pass


def scorecard_text(name: str, card) -> str:
    """A scorecard for the terminal: the verdict (:func:`model.output.verdict.verdict_words`, as the ``ok``
    line says it) and one line a target: its year, the target, the projection, the gap, the status and
    P(met) where a Monte Carlo ran."""
    from .output.comparison import format_gap, format_probability, format_value
    from .output.verdict import verdict_words
    verdict = f"{name}: {verdict_words(card)}"
    has_p = "p_met" in card and card["p_met"].notna().any()
    rows = [("target", "year", "target", "projected", "gap", "status") + (("P(met) %",) if has_p else ())]
    for r in card.to_dict("records"):
        unit = str(r.get("unit") or "")
        value = str(r.get("target_value"))
        numeric = value.replace(".", "", 1).isdigit()
        target = f"{'>= ' if r.get('comparator') == '>=' else ''}{value}" + (f" {unit}" if numeric and unit else "")
        gap = format_gap(r.get("gap"), unit)
        rows.append((str(r["target"]), str(r["year"]), target, format_value(r.get("projected_value"), unit),
                     gap + (" pp" if gap and unit.startswith("%") else ""), str(r["status"]))
                    + ((format_probability(r.get("p_met")),) if has_p else ()))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  " + "  ".join(c.ljust(w) if i in (0, 2, 5) else c.rjust(w)
                              for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    return "\n".join([verdict, *lines])


def _stdout(write) -> int:
    """Call ``write`` (which prints); :data:`OUTPUT_ERROR` with one line on stderr if stdout fails (a
    closed pipe, a full device), else 0."""
    try:
        write()
        sys.stdout.flush()
    except OSError as exc:
        _quiet_stdout()
        _say(f"output error: cannot write to standard output: {exc.strerror or exc}")
        return OUTPUT_ERROR
    return 0


def _report(outcomes, out: Path, quiet: bool) -> None:
    """What was written (stdout), what failed and the warnings (stderr); the last line names the
    summary and the report; each scenario written says its verdict (:func:`model.output.verdict.read_verdict`).
    Quiet: the failures only.  Only scenario files are counted: a data file
    or the batch's outputs that failed are listed, not counted."""
    from .output.verdict import read_verdict
    width = max([24] + [len(o.name) for o in outcomes if o.ok])      # the arrows in one column
    for o in outcomes:
        if o.ok and not quiet:
            verdict = read_verdict(o.folder / "scorecard.csv") if o.kind == "scenario" else ""
            print(printable(f"ok      {o.name:{width}s} -> {o.folder}" + (f"  ({verdict})" if verdict else "")))
        elif not o.ok:
            print(printable(f"FAILED  {o.file}"), file=sys.stderr)
            for p in o.problems:
                print(printable(f"  {p}"), file=sys.stderr)
        if not quiet:
            for w in o.warnings:
                print(printable(f"  warning: {w}"), file=sys.stderr)
    scenarios = [o for o in outcomes if o.kind == "scenario"]
    if not scenarios and outcomes:
        print("not run: a data file of the model cannot be used (above); no scenario ran and nothing was written",
              file=sys.stderr)
        return
    if quiet:
        return
    failed = sum(not o.ok for o in scenarios)
    print(printable(f"{len(scenarios) - failed} of {len(scenarios)} scenarios written to {out}"
                    + (f"; {failed} failed" if failed else "")))
    from .output.owned import in_the_way
    found = [f"{what} {out / name}" for what, name in (("summary:", "summary.md"), ("report:", "report.html"))
             if (out / name).is_file() and in_the_way(out / name) is None]     # the tool's own only
    if found:
        print(printable("; ".join(found)))
