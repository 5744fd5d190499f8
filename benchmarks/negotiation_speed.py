"""How long a month takes when a rule weighs an offer by looking ahead on a copy of the world.

kato-2025 played as Japan (a PlaySession, as on the Play page); the US runs its shipped rules, among
them ``deal_seeker``, which projects its score six months ahead with and without the deal (and with a
counter-offer) whenever an offer is open to it. Japan proposes a 15% deal in month m; the next month
is the one the US weighs it in. For m = 1, 6, 12 and 20, prints the seconds of that month and of an
ordinary month.
Target: a month with an offer to weigh stays within the app's step target (p95 under 300 ms, issue 4)
at any point of a 24-month game; an ordinary month is not slowed by the table.

Usage: python benchmarks/negotiation_speed.py [--repeat 3]
The last line holds every figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.decisions import Decision  # noqa: E402
from simulation.session import PlaySession  # noqa: E402

TARGET_S = 0.3


def weighed_month_s(month: int) -> tuple[float, float]:
    """Seconds of the month after Japan's offer in ``month``, and of the month before the offer."""
    session = PlaySession("kato-2025", seats=("JP",))
    for _ in range(month - 1):
        session.step()
    started = time.perf_counter()
    session.step([Decision(step=month, actor="JP", action="propose_deal", target="US", rate_pct=15.0)])
    ordinary = time.perf_counter() - started
    started = time.perf_counter()
    session.step()
    return time.perf_counter() - started, ordinary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    for month in (1, 6, 12, 20):
        runs = [weighed_month_s(month) for _ in range(args.repeat)]
        weighed = statistics.median(r[0] for r in runs)
        ordinary = statistics.median(r[1] for r in runs)
        figures[month] = (weighed, ordinary)
        print(f"offer in month {month:>2}: the US weighs it in {weighed:.2f} s (an ordinary month: {ordinary:.3f} s)")
    worst = max(w for w, _ in figures.values())
    print(f"target: a month with an offer to weigh under {TARGET_S * 1000:.0f} ms: "
          f"{'met' if worst < TARGET_S else 'NOT met'} (worst {worst:.2f} s)")
    print("figures: " + ", ".join(f"m{m}={w:.2f}s/{o:.3f}s" for m, (w, o) in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
