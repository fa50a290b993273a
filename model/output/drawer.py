"""A drawing process made ready while the model computes: matplotlib imported on a core that would idle.

A run of one scenario with figures computes for a second or so on one core before its first figure,
and the process that draws must then import matplotlib and the figure modules (a third of a second)
before it draws anything.  :func:`start` forks, at the start of such a run, a process (the drawer)
that imports them (and the modules that make its requests' jobs) meanwhile on the other core and then
waits.  :func:`draw` hands it a folder's
figures: a picklable function that makes the folder's :class:`~model.output.figure_files.FigureJob`
list from the data it is given (:func:`model.output.write.scenario_figures`, ``comparison_figures``),
so that the process asking never imports matplotlib.  For each request the drawer forks a process
(matplotlib already loaded) that makes the jobs, draws them on two processes in the house style
(:func:`~model.output.figure_files.draw_all`) and sends the files' bytes back; the caller writes them
into its folder.  The drawing code is the one a run without the drawer uses, so the files are the
same, byte for byte.

When no drawer runs (not started: ``--jobs 1``, a pool's workers, no ``fork``; or gone), :func:`draw`
draws in this process.  The drawer ends with :func:`stop`, or by itself when every process that
could ask it has ended (its lifeline pipe is closed).
"""
from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import shutil
import signal
import socket
import struct
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..core import forked
from .figure_files import FigureJob, draw_all

log = logging.getLogger(__name__)

#: The figures' house style (with the palette as the property cycle: :func:`house_style`).
FIGURE_STYLE = {
    "svg.hashsalt": "beijing-scenario-model",     # stable SVG ids
    "svg.fonttype": "none",                       # text as text: smaller, searchable, faster
}

_HEADER = struct.Struct("!Q")


def house_style():
    """The figures' house style (``plt.rc_context``): :data:`FIGURE_STYLE`, and anything not given a colour
    takes the house palette.  Imports matplotlib."""
    import matplotlib.pyplot as plt
    from matplotlib import cycler

    from ..output.plots import SCENARIO_PALETTE
    return plt.rc_context({**FIGURE_STYLE, "axes.prop_cycle": cycler(color=SCENARIO_PALETTE)})


def preload(modules: Sequence[str] = ()) -> None:
    """Import matplotlib, the figure modules and ``modules`` (by name: those whose functions the requests
    will name), and read the font list: what drawing the first figure would otherwise do (a forked process
    inherits it)."""
    import importlib

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    from matplotlib import font_manager

    from . import figures, plots_attribution, plots_backtest, plots_sensitivity  # noqa: F401
    for name in modules:
        importlib.import_module(name)
    font_manager.findfont(font_manager.FontProperties())


Jobs = Callable[[], Sequence[FigureJob]]


def draw(make_jobs: Jobs, folder: Path, processes: int | None = None) -> None:
    """Draw the figures ``make_jobs()`` describes into ``folder``: by the drawer when one runs (and
    ``processes`` is not 1), else here in the house style.  A figure that fails raises ``RuntimeError``
    (its traceback's last line)."""
    if _drawer is not None and processes != 1:
        files = _drawer.ask(make_jobs, processes)
        if files is not None:
            for name, data in files.items():
                (Path(folder) / name).write_bytes(data)
            return
    with house_style():
        draw_all(make_jobs(), Path(folder), processes)


@dataclass
class _Drawer:
    pid: int
    socket_path: str
    lifeline: int                     # the write end: the drawer ends when every copy of it is closed

    def ask(self, make_jobs: Jobs, processes: int | None) -> dict[str, bytes] | None:
        """The files the drawer drew for ``make_jobs``, or ``None`` when it cannot be asked (gone,
        refused): the caller draws them.  A figure that failed there raises ``RuntimeError`` here."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(self.socket_path)
                _send(conn, pickle.dumps((make_jobs, processes)))
                kind, value = pickle.loads(_receive(conn))
        except (OSError, EOFError, pickle.PickleError, AttributeError, TypeError) as exc:
            log.debug("the drawer could not be asked (%s): the figures are drawn here", exc)
            return None
        if kind == "error":
            raise RuntimeError(value)
        return value


_drawer: _Drawer | None = None


#: The modules whose functions make a folder's figure jobs (:mod:`model.output.write`), by name: the drawer
#: imports them while it waits (this module cannot import them: they import it).
JOB_MODULES = ("model.output.write",)


def start(modules: Sequence[str] = JOB_MODULES) -> bool:
    """Fork the drawer (once; not without ``fork``); whether one runs.  ``modules``: the modules, by name,
    whose functions the requests will name (imported by the drawer while it waits, :func:`preload`)."""
    global _drawer
    if _drawer is not None:
        return True
    if not hasattr(os, "fork") or not hasattr(socket, "AF_UNIX"):
        return False
    where = tempfile.mkdtemp(prefix="beijing-drawer-")
    path = os.path.join(where, "socket")
    try:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)                          # fails where the temporary folder's path is too long
        listener.listen(8)
        read_end, write_end = os.pipe()
        pid, mask = forked.fork()
    except OSError as exc:                           # no drawer: the figures are drawn where they are asked
        log.debug("no drawing process (%s): the figures are drawn in the run's processes", exc)
        shutil.rmtree(where, ignore_errors=True)
        return False
    if pid == 0:
        code = 0
        try:
            forked.child_signals(mask)               # ended by SIGTERM at once until it serves (see _serve)
            os.close(write_end)
            _serve(listener, read_end, where, modules)
        except BaseException:                      # noqa: BLE001 - the drawer leaves quietly; callers draw
            code = 1
        finally:
            os._exit(code)
    os.close(read_end)
    listener.close()
    _drawer = _Drawer(pid, path, write_end)
    return True


def stop() -> None:
    """End the drawer (and whatever it is drawing) and wait for it."""
    global _drawer
    if _drawer is None:
        return
    drawer, _drawer = _drawer, None
    with contextlib.suppress(OSError):
        os.close(drawer.lifeline)
    with contextlib.suppress(OSError):
        os.kill(drawer.pid, signal.SIGTERM)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(drawer.pid, 0)
    shutil.rmtree(os.path.dirname(drawer.socket_path), ignore_errors=True)


def running() -> bool:
    """Whether this process has a drawer to ask."""
    return _drawer is not None


# ---------------------------------------------------------------- the drawer's side
def _serve(listener: socket.socket, lifeline: int, where: str, modules: Sequence[str]) -> None:
    """The drawer: preload, then serve each request in a forked process until the lifeline closes or
    SIGTERM; the requests' processes are ended with it."""
    serving: set[int] = set()

    def end(*_):
        for pid in serving:                                  # killed and waited for: none outlives the drawer
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)               # the request's process and the one it forked
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        shutil.rmtree(where, ignore_errors=True)
        os._exit(0)
    signal.signal(signal.SIGTERM, end)                     # Ctrl-C ignored, SIGHUP ends it (child_signals)
    preload(modules)
    while True:
        ready, _, _ = select.select([listener, lifeline], [], [])
        if lifeline in ready:                                # every process that could ask has ended
            end()
        conn, _ = listener.accept()
        pid, mask = forked.fork()
        if pid == 0:
            try:
                forked.child_signals(mask)
                os.setpgid(0, 0)                             # a group of its own, ended as one
                listener.close()
                os.close(lifeline)
                _answer(conn)
            finally:
                os._exit(0)
        with contextlib.suppress(OSError):                  # on both sides: no moment without its group
            os.setpgid(pid, pid)
        conn.close()
        serving.add(pid)
        while serving:                                       # reap the requests already answered
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not done:
                break
            serving.discard(done)


def _answer(conn: socket.socket) -> None:
    """Draw one request into a temporary folder and send back its files (or the failure's last line)."""
    tmp = Path(tempfile.mkdtemp(prefix="beijing-figures-"))
    try:
        make_jobs, processes = pickle.loads(_receive(conn))
        with house_style():
            draw_all(make_jobs(), tmp, processes)
        reply = ("files", {p.name: p.read_bytes() for p in sorted(tmp.iterdir())})
    except BaseException:                                   # noqa: BLE001 - every failure goes to the caller
        reply = ("error", traceback.format_exc().strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with contextlib.suppress(OSError):
        _send(conn, pickle.dumps(reply))
    conn.close()


def _send(conn: socket.socket, data: bytes) -> None:
    conn.sendall(_HEADER.pack(len(data)) + data)


def _receive(conn: socket.socket) -> bytes:
    header = _exactly(conn, _HEADER.size)
    return _exactly(conn, _HEADER.unpack(header)[0])


def _exactly(conn: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
