"""Per-step time and peak memory for 1,000, 10,000 and 100,000 investors (kato-2025).

Each size runs in a fresh subprocess so peak memory (ru_maxrss) belongs to that size alone.
Targets: at most 20 ms per step at 10,000 investors, and linear growth.
Usage: python benchmarks/population_scaling.py [--steps 24]
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's code, not an installed copy


def measure(count: int, steps: int) -> dict:
    from scenarios import load_scenario
    from simulation.model import TradeWarModel

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scenario = load_scenario("kato-2025").scenario
    scenario = scenario.model_copy(update={"investors": scenario.investors.model_copy(update={"count": count})})
    start = time.perf_counter()
    model = TradeWarModel(scenario, seed=1, steps=steps)
    build = time.perf_counter() - start
    per_step = []
    for _ in range(steps):
        t = time.perf_counter()
        model.step()
        per_step.append(time.perf_counter() - t)
    per_step.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"investors": count, "build_ms": build * 1000, "median_step_ms": per_step[len(per_step) // 2] * 1000,
            "peak_rss_mb": peak / 1024, "model_rss_mb": (peak - base) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.steps)))
        return
    print(f"{'investors':>10} {'build ms':>9} {'median step ms':>15} {'peak RSS MB':>12}")
    for count in (1_000, 10_000, 100_000):
        out = subprocess.run([sys.executable, __file__, "--one", str(count), "--steps", str(args.steps)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['investors']:>10,} {r['build_ms']:>9.1f} {r['median_step_ms']:>15.2f} {r['peak_rss_mb']:>12.1f}")


if __name__ == "__main__":
    main()
