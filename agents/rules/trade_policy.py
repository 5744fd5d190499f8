"""Trade-policy rules for governments: how an economy answers the tariffs others put on its goods."""

from __future__ import annotations

import dataclasses

from agents.rules.base import Rule, param, register
from agents.rules.observation import Observation
from simulation.decisions import Decision
from simulation.world import SECTORS


@register
@dataclasses.dataclass
class NoRetaliation(Rule):
    """Never answers tariffs with tariffs.

    Japan's line in 2025: it negotiated and did not retaliate (Reuters coverage of the 2025 talks).
    """

    name = "no_retaliation"
    kind = "trade"
    summary = "Never retaliates; keeps its own tariffs where they are."

    def decide(self, obs: Observation) -> list[Decision]:
        return []


@register
@dataclasses.dataclass
class TitForTat(Rule):
    """Mirrors each partner's tariff changes on our goods, sector by sector, one month later.

    When a partner raises its tariff on our autos by 25 points above where it started, we raise ours on
    its autos by ``share`` x 25 points above where ours started; when it lowers, we lower. After
    Axelrod's tit-for-tat (The Evolution of Cooperation, 1984); China's 2025 answers to US tariffs
    (34% for 34%, then 125% for 145%) were close to it.
    """

    name = "tit_for_tat"
    kind = "trade"
    summary = "Matches each partner's tariff increases (and cuts) on our goods, sector by sector."
    share: float = param(1.0, 0.0, 2.0, "fraction", "how much of the partner's increase we mirror")
    min_change_pct: float = param(0.5, 0.0, 100.0, "percentage points", "ignore smaller mismatches")

    def decide(self, obs: Observation) -> list[Decision]:
        decisions = []
        for partner, theirs in obs.tariffs_on_me.items():
            their_base = obs.base_tariffs_on_me[partner]
            ours, our_base = obs.my_tariffs[partner], obs.base_my_tariffs[partner]
            for k, sector in enumerate(SECTORS):
                wanted = our_base[k] + self.share * max(theirs[k] - their_base[k], 0.0)
                if abs(wanted - ours[k]) >= self.min_change_pct:
                    decisions.append(Decision(
                        step=obs.step, actor=obs.actor, action="set_tariff", target=partner,
                        sector=sector, rate_pct=round(min(wanted, 1000.0), 2), origin="rule",
                        note=f"{self.name}: answers {partner}'s {theirs[k]:.1f}% on our {sector}",
                    ))
        return decisions
