"""Time one run of kato-2025 (24 steps, default population) in process, after import.

Prints the median and best of N runs. Target: under 150 ms per run.
Usage: python benchmarks/run_speed.py [--runs 20]
"""

import argparse
import statistics
import time

from scenarios import load_scenario
from simulation import run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    scenario = load_scenario("kato-2025")
    run(scenario, seed=0)  # warm-up: calibration files are read once per process
    times = []
    for seed in range(args.runs):
        start = time.perf_counter()
        run(scenario, seed=seed)
        times.append((time.perf_counter() - start) * 1000)
    print(f"kato-2025, 24 steps, {scenario.investors.count} investors, {args.runs} runs: "
          f"median {statistics.median(times):.1f} ms, best {min(times):.1f} ms, worst {max(times):.1f} ms per run")


if __name__ == "__main__":
    main()
