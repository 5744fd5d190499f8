"""The worker processes of sweeps and fan charts (simulation/workers.py): forked by one fork server that
read the model once for all of them, and still correct when that server cannot find this copy of the
model (each worker then reads it itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from simulation.workers import process_pool, start_all, stop

ROOT = Path(__file__).resolve().parents[1]


def where_the_model_was_read() -> tuple[int, int, int, bool]:
    """In a worker: its own pid, its parent's, the pid of the process that read the model, and whether
    the model was already in memory before this task. It then stays busy for a while, so that tasks
    sent together go to both workers (an idle worker could otherwise answer them all)."""
    import time

    from simulation import worker_preload

    time.sleep(0.5)
    return os.getpid(), os.getppid(), worker_preload.READ_BY_PID, "simulation.model" in sys.modules


def test_the_model_is_read_once_for_all_workers():
    pool = process_pool(2)
    try:
        start_all(pool, 2)
        tasks = [pool.submit(where_the_model_was_read) for _ in range(4)]   # sent together: both workers get some
        seen = {task.result(timeout=120) for task in tasks}
        workers = {pid for pid, *_ in seen}
        assert len(workers) == 2, "both workers should have answered"
        servers = {parent for _, parent, _, _ in seen}
        assert len(servers) == 1 and os.getpid() not in servers, "one fork server, not this process, forks them"
        assert {reader for _, _, reader, _ in seen} == servers, "the server read the model before forking"
        assert all(loaded for *_, loaded in seen)
    finally:
        stop(pool)


FROM_ELSEWHERE = """
import sys
sys.path.insert(0, sys.argv[1])        # this copy of the project, found by this process only
from simulation import workers
assert not workers._server_finds_this_code()
from simulation.sweeps import run_sweep
from simulation.sweeps.store import read_runs
spec = sys.argv[2] + "/spec.toml"
open(spec, "w").write('''
scenario = "kato-2025"
steps = 6
replicates = 3
metrics = ["model.us_10y"]
[parameters.tariff]
target = "event.0.rate_pct"
values = [2.5, 27.5]
''')
outcome = run_sweep(spec, sys.argv[2] + "/out", workers=2, progress=False)
print(outcome.ran, outcome.failed, read_runs(outcome.out)["model.us_10y"].round(9).tolist())
"""


def test_workers_read_the_model_themselves_when_the_server_would_not_find_it(tmp_path):
    """Started from another folder, with the project only on this process's own path: the fork server
    (whose path is its folder and $PYTHONPATH) would not find this copy, so it reads nothing ahead and
    each worker reads the model itself; the sweep runs as usual and gives the numbers of one process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", FROM_ELSEWHERE, str(ROOT), str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    ran, failed, values = done.stdout.split(" ", 2)
    assert (ran, failed) == ("6", "0")
    from simulation.sweeps import run_sweep
    from simulation.sweeps.store import read_runs

    (tmp_path / "here.toml").write_text((tmp_path / "spec.toml").read_text())
    here = run_sweep(tmp_path / "here.toml", tmp_path / "here", workers=1, progress=False)
    assert values.strip() == str(read_runs(here.out)["model.us_10y"].round(9).tolist())
