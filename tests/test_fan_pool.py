"""The fan chart's runs on worker processes: the same numbers as in one process, a game with a person's own
rule kept in this process, a killed worker survived, a wrong setting said in one sentence."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation import fan_pool
from simulation.errors import UserError
from simulation.session import PlaySession

ROOT = Path(__file__).resolve().parents[1]
THREAT_THEN_SALE = [[("JP", "threaten_sale", 100.0)], [("JP", "sell_treasuries", 50.0)]]


@pytest.fixture
def two_workers(monkeypatch):
    """Fans on two worker processes (also on a one-core machine), stopped after the test."""
    fan_pool.close()
    monkeypatch.setenv(fan_pool.WORKERS_ENV, "2")
    yield
    fan_pool.close()


def played(seats=("JP",), scenario="kato-2025") -> PlaySession:
    from simulation.decisions import Decision

    session = PlaySession(scenario, seats=seats, seed=3, steps=12)
    for month in THREAT_THEN_SALE:
        session.step([Decision(step=1, actor=a, action=act, amount_bn=amount) for a, act, amount in month])
    return session


def in_one_process(session: PlaySession, seeds: int, monkeypatch) -> pd.DataFrame:
    fan_pool.close()
    monkeypatch.setenv(fan_pool.WORKERS_ENV, "0")
    try:
        return session.fan(seeds)
    finally:
        monkeypatch.setenv(fan_pool.WORKERS_ENV, "2")


def test_workers_give_exactly_the_numbers_of_one_process(two_workers, monkeypatch):
    session = played()
    pooled = session.fan(11)          # odd, so the two workers' shares differ in size
    assert fan_pool._pool is not None, "eleven seeds should have gone to the workers"
    pd.testing.assert_frame_equal(pooled, in_one_process(session, 11, monkeypatch), check_exact=True)


def test_a_game_with_a_persons_own_rule_runs_its_fan_here(two_workers, monkeypatch):
    from agents.rules.user_rules import load_rule_file
    from scenarios import load_scenario, with_rule

    load_rule_file(ROOT / "examples" / "rules" / "cautious_seller.py")
    mine = with_rule(load_scenario("kato-2025"), "JP", "treasury", "cautious_seller")
    session = PlaySession(mine, seats=("US",), seed=3, steps=8)
    fan = session.fan(10)
    assert fan_pool._pool is None, "a worker process does not have the person's rule file"
    pd.testing.assert_frame_equal(fan, in_one_process(session, 10, monkeypatch), check_exact=True)


def test_a_killed_worker_costs_the_fan_nothing(two_workers, monkeypatch):
    session = played()
    session.fan(8)
    victim = next(iter(fan_pool._pool._processes.values()))
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=10)
    survived = session.fan(8)
    pd.testing.assert_frame_equal(survived, in_one_process(session, 8, monkeypatch), check_exact=True)


def test_a_few_seeds_run_here_and_the_loaded_scenario_travels(two_workers):
    session = played()
    session.fan(3)
    assert fan_pool._pool is None
    copy = pickle.loads(pickle.dumps(session.loaded))
    assert copy.scenario == session.loaded.scenario and copy.sha256 == session.loaded.sha256


@pytest.mark.parametrize("value", ["two", "-1", "1000"])
def test_a_wrong_worker_count_is_one_sentence(monkeypatch, value):
    monkeypatch.setenv(fan_pool.WORKERS_ENV, value)
    with pytest.raises(UserError, match=f"{fan_pool.WORKERS_ENV} must be a whole number from 0 to 64"):
        fan_pool.workers_wanted()
    done = subprocess.run([sys.executable, "run.py", "play", "--port", "8767"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, fan_pool.WORKERS_ENV: value})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"{fan_pool.WORKERS_ENV} must be a whole number" in done.stderr


@pytest.mark.parametrize("ending", ["exits", "is killed"])
def test_no_worker_outlives_the_server(ending):
    """The workers go with the process that started them, whether it exits or is killed (SIGKILL)."""
    script = ("import os, sys, time\n"
              "from simulation import fan_pool\n"
              "def main():\n"
              "    fan_pool.warm_up()\n"
              "    while not (fan_pool._pool and len(fan_pool._pool._processes) == 2):\n"
              "        time.sleep(0.05)\n"
              "    print(' '.join(str(p) for p in fan_pool._pool._processes), flush=True)\n"
              "    time.sleep(0 if sys.argv[1] == 'exits' else 60)\n"
              "if __name__ == '__main__':\n"
              "    main()\n")
    server = subprocess.Popen([sys.executable, "-c", script, ending.split()[-1]], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, fan_pool.WORKERS_ENV: "2"})
    workers = [int(pid) for pid in server.stdout.readline().split()]
    assert len(workers) == 2
    if ending == "is killed":
        server.kill()
    server.wait(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    # (a worker's command line is its fork server's, or spawn's; a pid reused since is someone else's)
    assert not any(Path(f"/proc/{pid}").exists() and "multiprocessing" in Path(f"/proc/{pid}/cmdline").read_text()
                   for pid in workers)
