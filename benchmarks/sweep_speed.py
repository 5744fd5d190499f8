"""Sweep speed: 1,000 runs of kato-2025 (24 steps) with 1 and 2 local workers, the same design through
mesa.batch_run with 2 processes, and peak memory for 200 vs 1,000 runs.

The design is Japan's sale size (10 values) x the US auto tariff (10 values) x replicates. Each
measurement runs in a fresh Python process, so start-up costs are counted and peak memory
(``ru_maxrss`` of that process and of its worker processes) belongs to that measurement alone.

Targets: parallel efficiency T1 / (2 * T2) >= 85%, from the median of --repeats measurements of each
(taken alternately, 3 by default: one measurement on a shared 2-core machine moves by a few points);
the 2-worker sweep faster than batch_run on the same design in the same session (ratio of wall times
> 1); peak worker memory flat in the number of runs (within 10%). Each target is printed with "met" or "NOT MET", and the script exits with status 1
if any is not met. The machine may be shared: absolute times then include other people's load, which
also blurs the ratios; the printout gives the load average before and after.

Usage: python benchmarks/sweep_speed.py [--runs 1000] [--memory-runs 200] [--repeats 3] [--skip-batch-run]
(--runs is rounded to a multiple of 100; --runs 100 is a quick check.)
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's code, not an installed copy

import mesa  # noqa: E402 -- note: importing mesa already imports mesa.batchrunner, which forces 'spawn' process-wide

ROOT = Path(__file__).resolve().parents[1]
SALES = [0, 50, 100, 150, 200, 250, 300, 350, 400, 450]
TARIFFS = [2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 32.5, 37.5, 42.5, 50.0]
METRICS = ["economies.JP.score", "model.us_10y", "model.usd_jpy", "economies.JP.ust_value_bn"]


def spec_text(replicates: int) -> str:
    return f"""
scenario = "kato-2025"
steps = 24
replicates = {replicates}
base_seed = 1
metrics = {json.dumps(METRICS)}
[[decision]]
step = 2
actor = "JP"
action = "sell_treasuries"
amount_bn = 100
[parameters.sale_bn]
target = "decision.0.amount_bn"
values = {json.dumps(SALES)}
[parameters.auto_tariff_pct]
target = "event.0.rate_pct"
values = {json.dumps(TARIFFS)}
"""


def peak_memory_mb() -> dict:
    """ru_maxrss (kB on Linux) of this process and of the largest waited-for child."""
    return {"parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


# -- children: each measurement runs in its own process ---------------------------------------------------
def child_ours(replicates: int, workers: int) -> dict:
    from simulation.sweeps import run_sweep
    from simulation.workers import stop_server

    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "bench.toml"
        spec.write_text(spec_text(replicates), encoding="utf-8")
        start = time.perf_counter()
        outcome = run_sweep(spec, Path(folder) / "out", workers=workers, progress=False)
        wall = time.perf_counter() - start
    stop_server()   # the workers are the fork server's children: they count among ours once it has ended
    return {"wall_s": wall, "runs": outcome.total_runs, "failed": outcome.failed, **peak_memory_mb()}


@functools.lru_cache(maxsize=1)
def kato():
    """The scenario, read once per process (so batch_run is not charged for re-reading it each run)."""
    from scenarios import load_scenario

    return load_scenario("kato-2025")


class TreasuryCardModel(mesa.Model):
    """kato-2025 as batch_run sees it: Japan's sale size and the US auto tariff are constructor
    arguments; the metrics are model reporters collected every step."""

    def __init__(self, sale_bn: float = 0.0, auto_tariff_pct: float = 27.5, seed: int = 0, steps: int = 24):
        from simulation.decisions import Decision
        from simulation.model import TradeWarModel

        super().__init__(seed=int(seed))
        scenario = kato().scenario
        events = list(scenario.events)
        events[0] = events[0].model_copy(update={"rate_pct": float(auto_tariff_pct)})
        scenario = scenario.model_copy(update={"events": events})
        decisions = [Decision(step=2, actor="JP", action="sell_treasuries", amount_bn=float(sale_bn))] if sale_bn else []
        self.inner = TradeWarModel(scenario, seed=int(seed), decisions=decisions, steps=steps)
        self.horizon = steps
        self.datacollector = mesa.DataCollector(model_reporters={
            "economies.JP.score": lambda m: float(m.inner.macro.score[1]),
            "model.us_10y": lambda m: m.inner.markets.prices()["us_10y"],
            "model.usd_jpy": lambda m: m.inner.markets.prices()["usd_jpy"],
            "economies.JP.ust_value_bn": lambda m: m.inner.ledger.holdings_bn["JP"] * m.inner.ust_price,
        })

    def step(self) -> None:
        self.inner.step()
        self.datacollector.collect(self)
        self.running = self.inner.month < self.horizon


def child_batch_run(replicates: int) -> dict:
    from mesa.batchrunner import batch_run

    from simulation.sweeps import derive_seed

    start = time.perf_counter()
    results = batch_run(TreasuryCardModel, parameters={
        "sale_bn": SALES, "auto_tariff_pct": TARIFFS, "seed": [derive_seed(1, 0, r) for r in range(replicates)],
    }, number_processes=2, iterations=1, max_steps=24, data_collection_period=-1, display_progress=False)
    wall = time.perf_counter() - start
    return {"wall_s": wall, "runs": len(results), **peak_memory_mb()}


# -- the parent -------------------------------------------------------------------------------------------
def measure(*args: str) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def median_run(measurements: list[dict]) -> dict:
    """The measurement with the median wall time (the lower middle one of an even number)."""
    return sorted(measurements, key=lambda r: r["wall_s"])[(len(measurements) - 1) // 2]


def line(label: str, r: dict) -> str:
    return (f"{label:<34} {r['runs']:>5} runs  {r['wall_s']:6.1f} s  ({r['process_s']:5.1f} s with interpreter start)"
            f"  {r['runs'] / r['wall_s']:5.1f} runs/s  peak RSS parent {r['parent_mb']:5.0f} MB,"
            f" largest worker {r['children_mb']:5.0f} MB")


EFFICIENCY_TARGET = 0.85
MEMORY_GROWTH_LIMIT = 1.10


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--memory-runs", type=int, default=200)
    parser.add_argument("--skip-batch-run", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, choices=range(1, 10), metavar="1-9",
                        help="measurements of each sweep (1 and 2 workers, alternately)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, replicates, *rest = args.child
        result = child_ours(int(replicates), int(rest[0])) if kind == "ours" else child_batch_run(int(replicates))
        print(json.dumps(result))
        return
    reps, small = max(1, args.runs // 100), max(1, args.memory_runs // 100)
    print(f"kato-2025, 24 steps, {reps * 100} runs (10 sale sizes x 10 tariffs x {reps} replicates), "
          f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}\n")
    results = []
    ones, twos = [], []
    for _ in range(args.repeats):   # alternately, so that a change in the machine's load touches both
        ones.append(measure("ours", str(reps), "1"))
        print(line("ours, 1 local worker", ones[-1]))
        twos.append(measure("ours", str(reps), "2"))
        print(line("ours, 2 local workers", twos[-1]))
    one, two = median_run(ones), median_run(twos)
    efficiency = one["wall_s"] / (2 * two["wall_s"])
    results.append(efficiency >= EFFICIENCY_TARGET)
    each = ", ".join(f"{a['wall_s'] / (2 * b['wall_s']):.1%}" for a, b in zip(ones, twos))
    print(f"\nparallel efficiency T1/(2*T2), from the median times of {args.repeats}: {efficiency:.1%} "
          f"(each pair: {each}; target >= {EFFICIENCY_TARGET:.0%}): {verdict(results[-1])}")
    if not args.skip_batch_run:
        batch = measure("batch_run", str(reps))
        print(line("mesa.batch_run, 2 processes", batch))
        ratio = batch["wall_s"] / two["wall_s"]
        results.append(ratio > 1.0)
        how = f"{ratio:.2f}x as fast as" if ratio > 1 else f"{1 / ratio:.2f}x slower than"
        print(f"ours (2 workers) is {how} batch_run (target: faster, ratio > 1): {verdict(results[-1])}")
    little = measure("ours", str(small), "2")
    print()
    print(line("ours, 2 local workers (memory)", little))
    growth = two["children_mb"] / little["children_mb"]
    results.append(growth <= MEMORY_GROWTH_LIMIT)
    print(f"ours, peak memory {small * 100} -> {reps * 100} runs: parent {little['parent_mb']:.0f} -> "
          f"{two['parent_mb']:.0f} MB, largest worker {little['children_mb']:.0f} -> {two['children_mb']:.0f} MB "
          f"(target: flat, within {MEMORY_GROWTH_LIMIT - 1:.0%}): {verdict(results[-1])}")
    if not args.skip_batch_run:
        batch_little = measure("batch_run", str(small))
        print(f"batch_run, peak memory {small * 100} -> {reps * 100} runs: largest worker "
              f"{batch_little['children_mb']:.0f} -> {batch['children_mb']:.0f} MB (Mesa 3.3.1 keeps every model: "
              "mesa/mesa#3179)")
    print(f"\nload average after: {os.getloadavg()[0]:.1f} (this benchmark's own workers count in it; a load "
          "average above the number of cores before the start means other work shared the machine)")
    print(f"{sum(results)} of {len(results)} targets met")
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
