"""Scenario discovery (PRIM): it finds the box where the outcome of interest lives, reports coverage and
density honestly along the peeling trajectory, and handles grids and names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.sweeps.discovery import card_pays, choose, prim


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"sale_bn": rng.uniform(0, 400, 3000), "tariff_pct": rng.uniform(0, 50, 3000),
                         "noise": rng.uniform(0, 1, 3000)})
    planted = (data.sale_bn < 100) & (data.tariff_pct > 30)
    of_interest = planted & (rng.uniform(size=len(data)) < 0.9) | (~planted & (rng.uniform(size=len(data)) < 0.05))
    trajectory = prim(data, of_interest.to_numpy())
    assert trajectory.density.is_monotonic_increasing and trajectory.coverage.is_monotonic_decreasing
    assert trajectory.iloc[0].coverage == 1 and trajectory.iloc[0].support == 1
    box = choose(trajectory)
    assert box.density > 0.8 and box.coverage >= 0.5
    low, high = (float(x) for x in box.sale_bn.split(" to "))
    assert low < 15 and 85 < high < 130
    low, high = (float(x) for x in box.tariff_pct.split(" to "))
    assert 25 < low < 35 and high > 48
    low, high = (float(x) for x in box.noise.split(" to "))
    assert low < 0.2 and high > 0.8  # a parameter that does not matter is barely peeled


def test_prim_peels_whole_grid_levels_and_names():
    grid = pd.DataFrame([(s, t, rule) for s in (50, 100, 200, 400) for t in (2.5, 10, 27.5, 50)
                         for rule in ("hold", "threaten_then_sell") for _ in range(5)],
                        columns=["sale_bn", "tariff_pct", "rule"])
    of_interest = ((grid.sale_bn <= 100) & (grid.rule == "threaten_then_sell")).to_numpy()
    box = choose(prim(grid, of_interest, min_support=0.01))
    assert box.density == 1.0 and box.coverage == 1.0
    assert box.rule == "threaten_then_sell" and box.sale_bn == "50 to 100"


def test_card_pays_compares_each_run_with_its_reference_in_the_same_replicate():
    class Results:  # the parts of SweepResults that card_pays reads
        manifest = {"reference": {"sale_bn": 0.0}, "steps": 3, "parameters": {"sale_bn": "decision.0.amount_bn",
                                                                            "tariff": "event.0.rate_pct"},
                    "better": {"score": "higher"}}
        points = pd.DataFrame({"point": [0, 1, 2, 3], "sale_bn": [0.0, 0.0, 100.0, 100.0], "tariff": [1.0, 2.0, 1.0, 2.0]})
        runs = pd.DataFrame({"point": [0, 0, 1, 1, 2, 2, 3, 3], "replicate": [0, 1] * 4, "step": 3,
                             "sale_bn": [0, 0, 0, 0, 100, 100, 100, 100.0], "tariff": [1, 1, 2, 2, 1, 1, 2, 2.0],
                             "score": [10, 20, 10, 20, 11, 19, 9, 21.0]})

    cases, better = card_pays(Results, "score")
    assert list(cases.columns) == ["tariff"]  # one sale size only: nothing to discover about it
    assert better.tolist() == [True, False, False, True]
