"""How much common random numbers buy: "a $100bn Japanese sale at step 2 vs holding" in kato-2025.

For each of R replicates the two policies are run with the same seed (common random numbers, the sweep's
``seeds = "common"``) and with a different seed per policy (``seeds = "independent"``, what a sweep did
before). The SD of the per-replicate difference in each metric says how precise a contrast is; the
squared ratio of the two SDs is how many times more replicates independent seeds need for the same
precision.

Usage: python benchmarks/paired_seeds.py [--replicates 40] [--steps 24]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's code, not an installed copy

from simulation.decisions import Decision  # noqa: E402
from simulation.runner import run  # noqa: E402
from simulation.sweeps import derive_seed  # noqa: E402

METRICS = {"JP score": ("economies", ("JP",), "score"), "US 10-year (%)": ("model", (), "us_10y"),
           "USD/JPY": ("model", (), "usd_jpy")}


def final(result) -> dict:
    return {name: float(result.series(table, keys, column)[-1]) for name, (table, keys, column) in METRICS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=40)
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--base-seed", type=int, default=2025)
    args = parser.parse_args()
    sale = [Decision(step=2, actor="JP", action="sell_treasuries", amount_bn=100.0)]
    paired, independent = [], []
    for r in range(args.replicates):
        common = derive_seed(args.base_seed, None, r)
        hold = final(run("kato-2025", steps=args.steps, seed=common))
        sell = final(run("kato-2025", steps=args.steps, seed=common, decisions=sale))
        paired.append({k: sell[k] - hold[k] for k in METRICS})
        hold_alone = final(run("kato-2025", steps=args.steps, seed=derive_seed(args.base_seed, 0, r)))
        sell_alone = final(run("kato-2025", steps=args.steps, seed=derive_seed(args.base_seed, 1, r), decisions=sale))
        independent.append({k: sell_alone[k] - hold_alone[k] for k in METRICS})
    print(f"kato-2025, {args.steps} steps: sale of $100bn at step 2 minus hold, {args.replicates} replicates\n")
    print(f"{'metric':<16} {'mean (paired)':>14} {'SD paired':>10} {'SD independent':>15} {'runs needed x':>14}")
    for name in METRICS:
        p = np.array([d[name] for d in paired])
        i = np.array([d[name] for d in independent])
        ratio = (i.std(ddof=1) / p.std(ddof=1)) ** 2 if p.std(ddof=1) > 0 else float("inf")
        print(f"{name:<16} {p.mean():>14.4f} {p.std(ddof=1):>10.4f} {i.std(ddof=1):>15.4f} {ratio:>14.1f}")


if __name__ == "__main__":
    main()
