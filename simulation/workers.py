"""Worker processes on this machine, for work that runs many independent games: a sweep's chunks of
runs (``simulation.sweeps.execute``) and the Play page's fan chart (``simulation.fan_pool``).

Both need the same care, kept here in one place:

- workers are forked by a fork server (multiprocessing's 'forkserver'): a fresh interpreter, started
  from this one without copying it, that reads the model once (``simulation.worker_preload``) and then
  forks every worker from itself, so each worker is born with the model loaded instead of spending
  about 0.9 s of CPU reading it again. The server is single-threaded, so forking from it is safe
  whatever threads this process has (a web server has many). Where the platform has no fork server,
  workers are spawned and each reads the model itself;
- Ctrl-C belongs to the parent: the fork server and the workers start with SIGINT blocked
  (``sigint_held``), the server then ignores it and so does each worker, so a Ctrl-C while the model
  is still being read cannot kill either with a traceback;
- a worker exits by itself the moment its parent dies, even by SIGKILL, which no handler sees (it
  waits on the pipe its parent holds open); the fork server exits once the parent and all workers
  have gone;
- a worker's start-up objects are moved out of the garbage collector's view, and it collects less
  often, so it stays near its start-up memory however many runs it makes, at less cost per run.
"""

from __future__ import annotations

import gc
import importlib.machinery
import multiprocessing
import multiprocessing.forkserver
from multiprocessing import resource_tracker
import os
import signal
import site
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

PRELOAD = "simulation.worker_preload"   # what the fork server reads once for every worker


class sigint_held:
    """SIGINT blocked (held back, not lost) in this thread inside the block. A process started meanwhile
    inherits the block, so a Ctrl-C cannot reach a worker that is still importing: ``start_worker``
    ignores SIGINT and only then unblocks it. Here, a Ctrl-C that arrived meanwhile is delivered when
    the block ends."""

    def __enter__(self):
        self.held = hasattr(signal, "pthread_sigmask")   # not on Windows, which has no such signals
        if self.held:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        return self

    def __exit__(self, *exc):
        if self.held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        return False


def process_pool(workers: int, warm: Callable[[], object] | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started as described above; ``warm`` (a module-level function) runs
    in each worker after the model's code and calibration are read, before its first task. The fork
    server starts reading the model now, while the caller goes on with its own work; the workers start
    with ``start_all``."""
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=start_worker, initargs=(warm,))


def start_server() -> None:
    """Start the fork server now (if the platform has one and it is not running yet), so that it reads
    the model while this process goes on with its own start-up; pools made later use it."""
    _context()


def _context():
    """The fork server where the platform has one (started now if it is not running yet), else spawn."""
    # multiprocessing's resource tracker, started with the first process, unblocks SIGINT after starting
    # itself whatever the caller held back (Python 3.11), so it is started first, outside ``sigint_held``
    resource_tracker.ensure_running()
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD] if _server_finds_this_code() else [])
    with sigint_held():
        multiprocessing.forkserver.ensure_running()
    return context


def _server_finds_this_code() -> bool:
    """Whether the fork server, a new interpreter, would import the very model files this process runs.
    Python 3.11 gives it its working directory, $PYTHONPATH and the installed packages to import from,
    not this process's ``sys.path``: from elsewhere it could find another copy of the project, or none.
    Then it reads nothing ahead and each worker reads the model itself, as with spawn (slower, same code)."""
    try:
        here = os.getcwd()
    except FileNotFoundError:   # the working directory was deleted: the server would find nothing there
        return False
    installed = [p for p in sys.path if p.startswith((sys.prefix, sys.base_prefix, site.getuserbase()))]
    path = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)), *installed]
    found = importlib.machinery.PathFinder.find_spec("simulation", path)
    return bool(found and found.origin) and Path(found.origin).resolve() == Path(__file__).resolve().with_name("__init__.py")


def start_all(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start every worker now (a pool starts them on demand), with Ctrl-C held back while they are
    created. With the fork server this waits until the server has read the model (about 0.9 s after
    ``process_pool``), then forks them in a few milliseconds each."""
    with sigint_held():
        for _ in range(workers):
            pool.submit(ready)


def ready() -> bool:
    return True


def start_worker(warm: Callable[[], object] | None = None) -> None:
    """What every worker does first (see the module's docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):    # started with SIGINT blocked (see sigint_held): now harmless
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threading.Thread(target=_exit_with_parent, daemon=True, name="parent-watch").start()
    import simulation.runner  # noqa: F401  (already there when the fork server read it)
    from simulation.calibration import load_calibration

    load_calibration()
    if warm is not None:
        warm()
    # Everything imported so far lives as long as the worker. Moving it out of the garbage collector's
    # view makes full collections cheap, so they run often enough to free each finished model's
    # reference cycles: a worker stays at its start-up memory instead of growing ~30 MB over its
    # first ~500 runs.
    gc.freeze()
    # A run allocates tens of thousands of short-lived objects; collecting the youngest generation every
    # 10,000 allocations instead of 700 makes a kato-2025 run ~5% cheaper (16.0 -> 15.2 ms of CPU over 800
    # runs) for ~5 MB more memory, still flat (173 -> 178 MB before, 174 -> 183 MB after, then level).
    gc.set_threshold(10_000, 20, 20)


def _exit_with_parent() -> None:
    """Stop at once, mid-task, when the parent has gone (the parent that wanted the result is gone; a
    sweep's unwritten chunk is run again on resume). The parent holds one end of a pipe open until it
    exits, however it exits; a forked worker's own parent is the fork server, which outlives it."""
    multiprocessing.parent_process().join()
    os._exit(1)


def stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now, running tasks too (their results are not wanted any more)."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


def stop_server() -> None:
    """Stop the fork server now, once no pool is running (it goes by itself when this process ends). Its
    workers' resource use (CPU time, peak memory) then counts among this process's children, as a
    spawned worker's does when it ends: for the benchmarks."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.forkserver._forkserver._stop()
