"""Counterparts with motives: a US administration that bends to market stress, a government that weighs
offers by its own projected score, and a Japanese negotiator that plays the card, offers and walks back.

None of these rules knows who Japan is or what a Treasury sale is for: the first reacts to US markets
whatever moved them, the second to its own score with and without a deal, the third to the tariffs on
its goods. Whether Japan's card ever pays is what they produce together.
"""

from __future__ import annotations

import dataclasses
import math

from agents.rules.base import Rule, choice, param, register
from agents.rules.observation import Observation
from agents.rules.treasury_policy import average_tariff_on_me
from simulation.decisions import Decision
from simulation.world import ECONOMIES, SECTORS


def us_market_stress(obs: Observation, months: int) -> dict[str, float]:
    """How US markets moved over the last ``months`` months (1 or 2) up to the start of this step:
    the 10-year yield's rise (bp), the S&P 500's fall (percent) and the dollar's slide against the yen
    and the euro (percent, averaged). Empty if the history is shorter than that."""
    if len(obs.prices_months_ago) < months:
        return {}
    now, then = obs.prices, obs.prices_months_ago[months - 1]
    dollar = (math.log(then["usd_jpy"] / now["usd_jpy"]) + math.log(now["eur_usd"] / then["eur_usd"])) / 2
    return {"yield_rise_bp": (now["us_10y"] - then["us_10y"]) * 100.0,
            "equity_fall_pct": -math.log(now["sp500"] / then["sp500"]) * 100.0,
            "dollar_slide_pct": dollar * 100.0}


WORDS = {"yield_rise_bp": "10-year yield up {:.0f} bp", "equity_fall_pct": "S&P 500 down {:.1f}%",
         "dollar_slide_pct": "dollar down {:.1f}%"}


@register
@dataclasses.dataclass
class MarketStressPause(Rule):
    """Pauses its tariffs when US markets sell off together; otherwise holds them.

    On 9 April 2025, a week after the 'Liberation Day' tariffs, the US paused its country-specific
    'reciprocal' rates for 90 days (all partners but China), keeping the 10% baseline and the car tariffs.
    The pause followed the biggest weekly rise in the 10-year yield since 2001 (about +50 bp), a 12% fall
    in the S&P 500 from 2 to 8 April and the dollar index's slide below 100 (history-2025.md, table B2;
    the President said bond-market jitters weighed: 'people were getting a little queasy').

    Each month it measures the US 10-year yield's rise, the S&P 500's fall and the dollar's slide over the
    last one and two months. When at least ``signals_needed`` of the three pass their thresholds (the bond
    market's among them when ``bond_signal_required``: the President said of the pause that people were
    getting "yippy" and that the bond market was "very tricky", 9 April 2025), it cuts
    every tariff it charges above the agreed level by ``cut_share`` of the excess (except on ``exempt``),
    then waits ``cooldown_months`` before it will pause again. It reacts to the markets, whoever moved them.
    """

    name = "market_stress_pause"
    kind = "trade"
    summary = "Cuts its tariffs when US bonds sell off together with stocks or the dollar; otherwise holds."
    yield_jump_bp: float = param(40.0, 1.0, 500.0, "bp over one or two months", "10-year yield rise that counts as stress")
    equity_fall_pct: float = param(10.0, 0.5, 90.0, "percent over one or two months", "S&P 500 fall that counts as stress")
    dollar_slide_pct: float = param(4.0, 0.5, 50.0, "percent over one or two months", "dollar fall that counts as stress")
    signals_needed: float = param(2, 1, 3, "signals", "how many of the three must flash at once")
    bond_signal_required: float = param(1, 0, 1, "0 or 1", "1: the yield rise must be one of the signals")
    cut_share: float = param(0.5, 0.0, 1.0, "fraction", "share of each tariff's excess over the agreed level removed")
    cooldown_months: float = param(6, 0, 24, "months", "no second pause for this long")
    exempt: str = choice("CN", ECONOMIES + ("none",), "a partner left out of the pause (China in April 2025)")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._paused_at: int | None = None

    def stressed(self, obs: Observation) -> tuple[bool, str]:
        """Whether enough signals flash over one or two months, and which."""
        limits = {"yield_rise_bp": self.yield_jump_bp, "equity_fall_pct": self.equity_fall_pct,
                  "dollar_slide_pct": self.dollar_slide_pct}
        for months in (1, 2):
            moves = us_market_stress(obs, months)
            flashing = [WORDS[name].format(moves[name]) for name, limit in limits.items()
                        if moves and moves[name] >= limit]
            bonds = bool(moves) and moves["yield_rise_bp"] >= self.yield_jump_bp
            if len(flashing) >= self.signals_needed and (bonds or not self.bond_signal_required):
                return True, f"{', '.join(flashing)} over {months} month{'s' if months > 1 else ''}"
        return False, ""

    def decide(self, obs: Observation) -> list[Decision]:
        if self._paused_at is not None and obs.step - self._paused_at < self.cooldown_months:
            return []
        stressed, why = self.stressed(obs)
        if not stressed:
            return []
        decisions = []
        for partner, ours in obs.my_tariffs.items():
            if partner == self.exempt:
                continue
            agreed = obs.base_my_tariffs[partner]
            for k, sector in enumerate(SECTORS):
                excess = ours[k] - agreed[k]
                if excess > 0.05:
                    decisions.append(Decision(step=obs.step, actor=obs.actor, action="set_tariff", target=partner,
                                              sector=sector, rate_pct=round(ours[k] - self.cut_share * excess, 2),
                                              origin="rule", note=f"{self.name}: market stress ({why})"))
        if decisions:
            self._paused_at = obs.step
        return decisions


@register
@dataclasses.dataclass
class DealSeeker(Rule):
    """Accepts an offer when its own projected score is higher with the deal than without; otherwise
    counters with terms that would be, or rejects.

    A government that bargains by its objectives, as the 2025 talks were described on both sides (each
    deal announced as a win at home). The projection is the model's own: a copy of the world run
    ``horizon_months`` ahead with and without the deal (``Observation.project``), so everything the
    model knows counts — a deal that settles a partner's credible threat also lowers US yields.
    A counter-offer moves the offered cap ``counter_share`` of the way back toward our current tariff.
    """

    name = "deal_seeker"
    kind = "negotiation"
    summary = "Accepts an offer when its projected score is higher with the deal; otherwise counters or rejects."
    horizon_months: float = param(6, 1, 24, "months", "how far ahead it projects its score")
    min_gain: float = param(0.0, -10.0, 10.0, "score points", "how much better the deal must leave it")
    counter_share: float = param(0.5, 0.0, 1.0, "fraction", "0 = never counter; how far a counter moves back")

    def decide(self, obs: Observation) -> list[Decision]:
        if obs.project is None:  # inside someone's projection: no look-ahead within a look-ahead
            return []
        answered = set()
        decisions = []
        for offer in obs.offers_to_me:
            if offer.proposer in answered:
                continue
            answered.add(offer.proposer)
            decisions.append(self.answer(obs, offer))
        return decisions

    def answer(self, obs: Observation, offer) -> Decision:
        months = int(self.horizon_months)
        without = obs.project([], months)
        accept = Decision(step=obs.step, actor=obs.actor, action="accept_deal", target=offer.proposer, origin="rule")
        gain = obs.project([accept], months) - without
        if gain >= self.min_gain:
            return dataclasses.replace(accept, note=f"{self.name}: projected score {gain:+.2f} with the deal")
        counter = self.counter_terms(obs, offer)
        if counter is not None:
            both = [Decision(step=obs.step, actor=offer.proposer, action="propose_deal", target=obs.actor,
                             rate_pct=counter, sector=offer.sector, hold_months=offer.hold_months, origin="rule"),
                    accept]
            counter_gain = obs.project(both, months) - without
            if counter_gain >= self.min_gain:
                return Decision(step=obs.step, actor=obs.actor, action="counter_offer", target=offer.proposer,
                                rate_pct=counter, sector=None if offer.sector == "all" else offer.sector,
                                hold_months=offer.hold_months or None, origin="rule",
                                note=f"{self.name}: {gain:+.2f} as offered, {counter_gain:+.2f} at {counter:g}%")
        return Decision(step=obs.step, actor=obs.actor, action="reject_deal", target=offer.proposer, origin="rule",
                        note=f"{self.name}: projected score {gain:+.2f} with the deal")

    def counter_terms(self, obs: Observation, offer) -> float | None:
        """A cap ``counter_share`` of the way from the offer back to our highest tariff on the proposer."""
        ours = max(obs.my_tariffs.get(offer.proposer, (0.0,)))
        if self.counter_share <= 0 or ours <= offer.rate_pct + 0.5:
            return None
        return round(offer.rate_pct + self.counter_share * (ours - offer.rate_pct), 1)


@register
@dataclasses.dataclass
class JapaneseNegotiator(Rule):
    """Plays the card, offers a deal, walks the card back, and sells only if told to.

    Japan in 2025: Finance Minister Kato said on 2 May that Japan's Treasuries 'exist as a card' in the
    tariff talks and on 4 May that selling them was not being considered as a means of negotiation;
    Japan kept negotiating and on 22 July settled at 15% on its goods, cars included (history-2025.md,
    tables B and B3). When the partner's average tariff on our goods is above ``trigger_tariff_pct`` it
    threatens to sell ``threat_bn`` (0: no threat) and offers a cap of ``offer_rate_pct`` with a pledge
    to hold Treasuries for ``hold_months``. It accepts a counter-offer up to ``accept_up_to_pct``, and
    offers again when an offer lapses or is turned down. If the threat has stood ``walk_back_months``
    with no deal it sells ``sell_bn`` (0: never) or, when it will not sell, walks the threat back.
    """

    name = "japanese_negotiator"
    kind = "negotiation"
    summary = "Threatens a sale, offers a deal with a pledge to hold Treasuries, then sells or walks the threat back."
    partner: str = choice("US", ECONOMIES, "whose tariffs we negotiate")
    trigger_tariff_pct: float = param(15.0, 0.0, 1000.0, "percent", "average tariff on our goods that starts talks")
    threat_bn: float = param(0.0, 0.0, 5000.0, "USD bn", "size of the threatened sale (0 = no threat)")
    sell_bn: float = param(0.0, 0.0, 5000.0, "USD bn", "sale if the threat is ignored (0 = walk it back instead)")
    walk_back_months: float = param(1, 1, 24, "months", "how long the threat stands before it is carried out or dropped")
    offer_rate_pct: float = param(15.0, 0.0, 1000.0, "percent", "the tariff cap offered")
    hold_months: float = param(6, 0, 60, "months", "pledge not to sell Treasuries once the deal is in force")
    accept_up_to_pct: float = param(20.0, 0.0, 1000.0, "percent", "highest counter-offered cap it accepts")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._card_played = False
        self._sold = False

    def decide(self, obs: Observation) -> list[Decision]:
        def move(action: str, **fields) -> Decision:
            return Decision(step=obs.step, actor=obs.actor, action=action, origin="rule", note=f"{self.name}", **fields)

        if average_tariff_on_me(obs, self.partner) <= self.trigger_tariff_pct:
            return []
        decisions = []
        counter = next((o for o in obs.offers_to_me if o.proposer == self.partner), None)
        if counter is not None:
            verb = "accept_deal" if counter.rate_pct <= self.accept_up_to_pct else "reject_deal"
            decisions.append(move(verb, target=self.partner))
        elif not any(o.target == self.partner for o in obs.offers_from_me):
            decisions.append(move("propose_deal", target=self.partner, rate_pct=self.offer_rate_pct,
                                  hold_months=int(self.hold_months) or None))
        decisions.extend(self.card(obs, move))
        return decisions

    def card(self, obs: Observation, move) -> list[Decision]:
        """The Treasury card: played once, then carried out or walked back."""
        if not self._card_played and self.threat_bn > 0 and obs.threat_bn == 0:
            self._card_played = True
            return [move("threaten_sale", amount_bn=min(self.threat_bn, obs.ust_holdings_bn))]
        if obs.threat_bn > 0 and obs.threat_age_months >= self.walk_back_months:
            if self.sell_bn > 0 and not self._sold and obs.pledged_until_step < obs.step:
                self._sold = True
                return [move("sell_treasuries", amount_bn=min(self.sell_bn, obs.ust_holdings_bn))]
            return [move("retract_threat")]  # what is left of the threat after a sale is dropped too
        return []
