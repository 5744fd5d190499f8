"""Time the Play page's fan chart on the server, without a browser.

The Play page's "Fan chart" button calls ``PlaySession.fan``: the players' moves so far, run to the end of
the game with many seeds, summarised as the 5th, 50th and 95th percentile of each key series. This times
that call for a kato-2025 game played as Japan, with Japan's threat and sale from
examples/decisions/japan-sells.toml already played, so the runs carry the players' decisions as on the page.

The seeds run on worker processes, one per core (``simulation/fan_pool.py``), which the Play page starts
when it opens. Printed: the first fan after the workers were started (as a player who clicks at once
would wait), the median, best and worst of N further calls (wall-clock), and the same fan run in this
process alone (``TRADEWAR_FAN_WORKERS=0``: what a one-core machine does), with the machine's load average
(the machine may be shared), and whether the target is met.
Target: 100 seeds in under 1 s (wall-clock median, with the workers).
Usage: python benchmarks/fan_speed.py [--seeds 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation import fan_pool  # noqa: E402
from simulation.decisions import read_decisions_file  # noqa: E402
from simulation.session import PlaySession  # noqa: E402

TARGET_S = 1.0
MOVES = Path(__file__).resolve().parents[1] / "examples" / "decisions" / "japan-sells.toml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    moves = read_decisions_file(MOVES, 24)
    session = PlaySession("kato-2025", seats=("JP",), decisions=moves, months_played=max(d.step for d in moves))
    session.fan(2)  # calibration files are read once per process
    load_before = os.getloadavg()[0]
    workers = fan_pool.workers_wanted()
    start = time.perf_counter()
    fan_pool.warm_up()
    session.fan(args.seeds)
    first = time.perf_counter() - start
    wall = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        pooled = session.fan(args.seeds)
        wall.append(time.perf_counter() - start)
    fan_pool.close()
    os.environ[fan_pool.WORKERS_ENV] = "0"
    start = time.perf_counter()
    alone = session.fan(args.seeds)
    alone_s = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    same = pooled.equals(alone)
    print(f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores")
    what = f"Play fan chart, kato-2025 as JP after {session.month} months, {args.seeds} seeds"
    print(f"{what}, {workers} worker processes: first call after starting them "
          f"{first:.2f} s; then {args.repeats} calls: median {statistics.median(wall):.2f} s, best {min(wall):.2f} s, "
          f"worst {max(wall):.2f} s")
    print(f"{what}, in one process: {alone_s:.2f} s; the same numbers as with the workers: {'yes' if same else 'NO'}")
    median = statistics.median(wall)
    verdict = "met" if median < TARGET_S else "NOT met"
    print(f"Target {args.seeds} seeds in under {TARGET_S:.0f} s (wall-clock median): {verdict} ({median:.2f} s)")
    sys.exit(0 if median < TARGET_S and same else 1)


if __name__ == "__main__":
    main()
