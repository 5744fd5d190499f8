"""The runs of a fan chart (one game, many seeds) spread over this machine's cores.

A fan chart runs the players' moves with a hundred seeds; one after another that takes over a second
of one core. Each seed's run is independent and fully fixed by its inputs, so the seeds are split
into one contiguous share per worker process and the series come back in seed order: the numbers are
the same as in one process, whatever the number of workers.

The worker processes (``simulation.workers``) are started once per server, when a page that offers a
fan chart opens (``warm_up``), and serve every later fan. They run shipped code only: a game whose
seats use a person's own rule file (which may have been edited since the workers started, or exist
only in this process) runs its fan here, in this process, as it does when there is one core or
``TRADEWAR_FAN_WORKERS=0``.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from simulation.errors import UserError
from simulation.workers import process_pool, start_all, stop

WORKERS_ENV = "TRADEWAR_FAN_WORKERS"   # how many worker processes (default: one per core; 0 = none)
MAX_WORKERS = 8
FEWEST_SEEDS = 8                       # below this, starting the parallel work costs more than it saves

_pool = None
_pool_workers = 0
_lock = threading.Lock()


def workers_wanted() -> int:
    """How many worker processes fans use: ``$TRADEWAR_FAN_WORKERS`` if set, else one per core
    (at most ``MAX_WORKERS``); fewer than two means fans run in this process."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if not text:
        return min(os.cpu_count() or 1, MAX_WORKERS)
    if not text.isdigit() or int(text) > 64:
        raise UserError(f"{WORKERS_ENV} must be a whole number from 0 to 64 (0: fans run in the server's "
                        f"own process), got '{text}'")
    return int(text)


def warm_up() -> None:
    """Start the workers now (if fans use them), so the first fan does not wait for their start-up. In
    a thread of its own: the fork server takes about a second to read the model before it forks them,
    and the page that asked should not wait for that (a fan asked for meanwhile waits for the pool)."""
    threading.Thread(target=_start_quietly, daemon=True, name="fan-workers-start").start()


def _start_quietly() -> None:
    try:
        _workers_pool()
    except UserError:
        pass   # a wrong $TRADEWAR_FAN_WORKERS: the fan that needs the workers says so in one sentence


def model_series(loaded, columns: tuple[str, ...], steps: int, seeds: list[int], decisions: list,
                 seats: tuple[str, ...]) -> list[dict[str, np.ndarray]]:
    """``runner.model_series`` for each seed in ``seeds``, in that order: on the workers when there are
    any and the game uses shipped rules only, else here."""
    pool, workers = _workers_pool() if len(seeds) >= FEWEST_SEEDS and _shipped_rules_only(loaded) else (None, 0)
    if pool is None:
        return _series_for_seeds(loaded, columns, steps, seeds, decisions, seats)
    size = -(-len(seeds) // workers)      # contiguous shares, one per worker
    shares = [seeds[i:i + size] for i in range(0, len(seeds), size)]
    try:
        futures = [pool.submit(_series_for_seeds, loaded, columns, steps, share, decisions, seats) for share in shares]
        return [paths for future in futures for paths in future.result()]
    except BrokenProcessPool:
        # a worker was killed (out of memory, or by hand): start afresh next time, answer from here now
        with _lock:
            _forget_pool(pool)
        return _series_for_seeds(loaded, columns, steps, seeds, decisions, seats)


def close() -> None:
    """Stop the workers (they also stop by themselves when this process ends)."""
    with _lock:
        if _pool is not None:
            _forget_pool(_pool)


def _series_for_seeds(loaded, columns, steps, seeds, decisions, seats) -> list[dict[str, np.ndarray]]:
    from simulation.runner import model_series as one

    return [one(loaded, columns, steps, seed, list(decisions), seats) for seed in seeds]


def _shipped_rules_only(loaded) -> bool:
    from simulation.runner import rule_files

    return not rule_files(loaded.scenario)


def _workers_pool():
    """The shared pool and its number of workers, started on first use; (None, 0) if fans use none."""
    global _pool, _pool_workers
    with _lock:
        if _pool is None:
            wanted = workers_wanted()
            if wanted < 2:
                return None, 0
            _pool, _pool_workers = process_pool(wanted), wanted
            start_all(_pool, wanted)
        return _pool, _pool_workers


def _forget_pool(pool) -> None:
    global _pool, _pool_workers
    if _pool is pool:
        _pool, _pool_workers = None, 0
    stop(pool)
