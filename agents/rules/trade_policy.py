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
    observes = False   # decides nothing, whatever it sees

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
            if theirs == their_base and ours == our_base and self.min_change_pct > 0:
                continue   # the partner has not moved and neither have we: no sector needs an answer
            for k, sector in enumerate(SECTORS):
                wanted = our_base[k] + self.share * max(theirs[k] - their_base[k], 0.0)
                if abs(wanted - ours[k]) >= self.min_change_pct:
                    decisions.append(Decision(
                        step=obs.step, actor=obs.actor, action="set_tariff", target=partner,
                        sector=sector, rate_pct=round(min(wanted, 1000.0), 2), origin="rule",
                        note=f"{self.name}: answers {partner}'s {theirs[k]:.1f}% on our {sector}",
                    ))
        return decisions


@register
@dataclasses.dataclass
class ProportionalRetaliation(Rule):
    """Answers a partner's average tariff increase on our goods with a fraction of it, on all its goods.

    Less targeted than tit-for-tat: one across-the-board rate, the way Canada and the EU sized their
    2025 counter-tariff lists to a share of the trade hit (strtrade.com retaliation tracker).
    """

    name = "proportional_retaliation"
    kind = "trade"
    summary = "Puts a fraction of a partner's average tariff increase on all of that partner's goods."
    share: float = param(0.5, 0.0, 2.0, "fraction", "how much of the partner's average increase we answer")
    min_change_pct: float = param(1.0, 0.0, 100.0, "percentage points", "ignore smaller mismatches")

    def decide(self, obs: Observation) -> list[Decision]:
        decisions = []
        for partner, theirs in obs.tariffs_on_me.items():
            increase = sum(max(t - b, 0.0) for t, b in zip(theirs, obs.base_tariffs_on_me[partner])) / len(theirs)
            ours, our_base = obs.my_tariffs[partner], obs.base_my_tariffs[partner]
            wanted = [min(b + self.share * increase, 1000.0) for b in our_base]
            if max(abs(w - o) for w, o in zip(wanted, ours)) >= self.min_change_pct:
                for sector, rate in zip(SECTORS, wanted):
                    decisions.append(Decision(
                        step=obs.step, actor=obs.actor, action="set_tariff", target=partner, sector=sector,
                        rate_pct=round(rate, 2), origin="rule",
                        note=f"{self.name}: {partner} raised its tariffs on us by {increase:.1f} points on average"))
        return decisions


@register
@dataclasses.dataclass
class EscalateThenNegotiate(Rule):
    """Hits back hard at once, then de-escalates after a while to open talks.

    Matches a partner's increases in full for ``negotiate_after_months``, then cuts its own tariffs on
    that partner to ``deal_rate_pct`` (never below where they started) and stops escalating: the 2025
    China path (125% in April, 10% after the Geneva talks in May; theweek.com, Fox Business). A rule can only
    cut its own tariffs; whether the partner follows is the partner's decision.
    """

    name = "escalate_then_negotiate"
    kind = "trade"
    summary = "Retaliates in full at once, then cuts its own tariffs to open talks after a few months."
    negotiate_after_months: float = param(2, 0, 24, "months", "how long the escalation lasts")
    deal_rate_pct: float = param(10.0, 0.0, 1000.0, "percent", "the tariff it offers once talks open")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._provoked_since: dict[str, int] = {}

    def decide(self, obs: Observation) -> list[Decision]:
        decisions = []
        mirror = TitForTat(share=1.0).decide(obs)
        for partner, theirs in obs.tariffs_on_me.items():
            provoked = any(t - b > 0.5 for t, b in zip(theirs, obs.base_tariffs_on_me[partner]))
            if not provoked:
                self._provoked_since.pop(partner, None)
                continue
            since = self._provoked_since.setdefault(partner, obs.step)
            if obs.step - since < self.negotiate_after_months:
                decisions.extend(d for d in mirror if d.target == partner)
                continue
            ours, base = obs.my_tariffs[partner], obs.base_my_tariffs[partner]
            for k, sector in enumerate(SECTORS):
                offer = max(min(ours[k], self.deal_rate_pct), base[k])
                if offer < ours[k] - 1e-9:
                    decisions.append(Decision(step=obs.step, actor=obs.actor, action="set_tariff", target=partner,
                                              sector=sector, rate_pct=round(offer, 2), origin="rule",
                                              note=f"{self.name}: de-escalating to open talks with {partner}"))
        return decisions
