"""Worker processes on this machine, for work that runs many independent games: a sweep's chunks of
runs (``simulation.sweeps.execute``) and the Play page's fan chart (``simulation.fan_pool``).

Both need the same care, kept here in one place:

- workers are started with 'spawn', which Mesa forces on import anyway and which is safe whatever
  threads the parent has (a web server has many); each imports the model once;
- Ctrl-C belongs to the parent: workers start with SIGINT blocked (``sigint_held``) and then ignore it,
  so a Ctrl-C while a worker is still importing cannot kill it with a traceback;
- a worker exits by itself when its parent dies, even by SIGKILL, which no handler sees;
- a worker's start-up objects are moved out of the garbage collector's view, and it collects less
  often, so it stays near its start-up memory however many runs it makes, at less cost per run.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

PARENT_CHECK_S = 1.0


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
    in each worker after the model's code and calibration are read, before its first task."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker, initargs=(warm,))


def start_all(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start every worker now (a pool starts them on demand), so that their start-up overlaps the
    parent's own work; with Ctrl-C held back while they are created."""
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
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    import simulation.runner  # noqa: F401
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


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent has gone is reparented: then stop at once, mid-task (the parent that wanted
    the result is gone; a sweep's unwritten chunk is run again on resume)."""
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
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
