"""Governments whose rules decide nothing whatever they see get no observation built (a speed measure):
the results must be exactly those of building every observation, and a rule that reads what it sees
must always get it."""

import dataclasses

import pandas as pd

from agents.rules.base import Rule
from agents.rules.trade_policy import NoRetaliation
from agents.rules.treasury_policy import Hold
from simulation import run
from simulation.model import TradeWarModel


def _run_counting_observations(monkeypatch, seed: int):
    seen = []
    observe = TradeWarModel.observe

    def counting(self, actor, t):
        seen.append(actor)
        return observe(self, actor, t)

    monkeypatch.setattr(TradeWarModel, "observe", counting)
    result = run("kato-2025", seed=seed, decisions="examples/decisions/japan-sells.toml")
    monkeypatch.setattr(TradeWarModel, "observe", observe)
    return result, seen


def test_skipping_observations_leaves_every_number_unchanged(monkeypatch):
    skipped, seen_skipped = _run_counting_observations(monkeypatch, seed=4)
    monkeypatch.setattr(Hold, "observes", True)
    monkeypatch.setattr(NoRetaliation, "observes", True)
    full, seen_full = _run_counting_observations(monkeypatch, seed=4)
    assert "JP" in seen_full and "JP" not in seen_skipped   # JP holds and does not retaliate in kato-2025
    assert "FED" in seen_skipped                              # central banks always observe
    assert len(seen_skipped) < len(seen_full) / 1.5
    for table in ("model", "economies", "trade", "events", "drivers", "scores", "offers"):
        pd.testing.assert_frame_equal(getattr(skipped, table), getattr(full, table), check_exact=True)


def test_a_rule_that_writes_its_own_decide_observes_unless_it_says_otherwise():
    @dataclasses.dataclass
    class WatchfulHolder(Hold):
        def decide(self, obs):
            return []

    @dataclasses.dataclass
    class QuietHolder(Hold):
        observes = False

        def decide(self, obs):
            return []

    @dataclasses.dataclass
    class PlainHolder(Hold):
        pass

    assert Rule.observes and not Hold.observes and not NoRetaliation.observes
    assert WatchfulHolder.observes
    assert not QuietHolder.observes
    assert not PlainHolder.observes   # its decide is Hold's, which reads nothing
