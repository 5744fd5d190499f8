"""The negotiating table: offers between governments, their fate, and the pledges deals create.

A deal needs two sides. One government proposes terms (``propose_deal``); the partner accepts, rejects
or counters (which rejects and proposes new terms back). An offer left unanswered expires after
``negotiation.offer_expiry_months``. Accepted terms cap the tariffs between the two (as an agreed
``trade_deal`` does), settle both sides' threats, and may add a pledge that neither side sells US
Treasuries for some months; a holder that sells during its pledge breaks it, in public.

The book is part of the world: it changes only through decisions, so replaying a run's decisions
rebuilds it exactly, and every offer keeps its fate for the record and the class export.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from simulation.decisions import SharedWhenCopied

OPEN, ACCEPTED, REJECTED, COUNTERED, EXPIRED, REPLACED = "open", "accepted", "rejected", "countered", "expired", "replaced"


@dataclass(frozen=True)
class Offer(SharedWhenCopied):
    """Terms one government put to another, and what became of them."""

    number: int               # 1, 2, ... in the order offers were made
    proposer: str
    target: str
    rate_pct: float           # tariff cap between the two
    sector: str               # "all" or one sector
    hold_months: int          # months neither side sells Treasuries once in force (0 = no pledge)
    made_step: int
    expires_step: int         # the last month it can be accepted in
    status: str = OPEN
    closed_step: int | None = None
    origin: str = ""          # who made it: player, rule, file, scenario

    def to_record(self) -> dict:
        return {"offer": self.number, "proposer": self.proposer, "target": self.target, "rate_pct": self.rate_pct,
                "sector": self.sector, "hold_months": self.hold_months, "made_step": self.made_step,
                "expires_step": self.expires_step, "status": self.status, "closed_step": self.closed_step,
                "origin": self.origin}


@dataclass(frozen=True)
class Pledge:
    """A promise not to sell US Treasuries until ``until_step`` (inclusive), given in a deal."""

    holder: str
    counterpart: str
    offer: int
    until_step: int
    broken_step: int | None = None


class NegotiationBook:
    """Every offer made so far (open and closed) and the pledges in force."""

    def __init__(self, expiry_months: int):
        self.expiry_months = int(expiry_months)
        self.offers: list[Offer] = []
        self.pledges: list[Pledge] = []

    # -- reading ----------------------------------------------------------------------------------
    def open_offer(self, proposer: str, target: str) -> Offer | None:
        """The latest open offer from ``proposer`` to ``target`` (there is at most one)."""
        return next((o for o in reversed(self.offers)
                     if o.status == OPEN and o.proposer == proposer and o.target == target), None)

    def open_offers(self, seat: str | None = None) -> list[Offer]:
        """Open offers to or from ``seat`` (all of them when ``seat`` is None), oldest first."""
        return [o for o in self.offers if o.status == OPEN and (seat is None or seat in (o.proposer, o.target))]

    def active_pledge(self, holder: str, step: int) -> Pledge | None:
        return next((p for p in self.pledges if p.holder == holder and p.broken_step is None
                     and step <= p.until_step), None)

    # -- changing (called by the decision handlers and the month's bookkeeping) -------------------
    def propose(self, proposer: str, target: str, rate_pct: float, sector: str, hold_months: int, step: int,
                origin: str) -> tuple[Offer, Offer | None]:
        """A new offer; an open offer the proposer had made to the same partner is replaced by it."""
        old = self.open_offer(proposer, target)
        if old is not None:
            self._close(old, REPLACED, step)
        offer = Offer(len(self.offers) + 1, proposer, target, float(rate_pct), sector, int(hold_months), step,
                      step + self.expiry_months, origin=origin)
        self.offers.append(offer)
        return offer, old

    def close(self, offer: Offer, status: str, step: int) -> Offer:
        return self._close(offer, status, step)

    def pledge(self, offer: Offer, step: int) -> list[Pledge]:
        """Both sides' pledges for an accepted offer with a hold term (from the month it takes effect)."""
        if offer.hold_months <= 0:
            return []
        made = [Pledge(holder, other, offer.number, step + offer.hold_months - 1)
                for holder, other in ((offer.proposer, offer.target), (offer.target, offer.proposer))]
        self.pledges.extend(made)
        return made

    def break_pledge(self, pledge: Pledge, step: int) -> Pledge:
        broken = replace(pledge, broken_step=step)
        self.pledges[self.pledges.index(pledge)] = broken
        return broken

    def expire(self, step: int) -> list[Offer]:
        """Offers whose last month was ``step`` and that nobody answered: they lapse now."""
        return [self._close(o, EXPIRED, step) for o in list(self.offers) if o.status == OPEN and o.expires_step <= step]

    def _close(self, offer: Offer, status: str, step: int) -> Offer:
        closed = replace(offer, status=status, closed_step=step)
        self.offers[offer.number - 1] = closed
        return closed


@dataclass(frozen=True)
class Standing:
    """A government's standing at the table: its threat (if any), how far it is believed, and its record."""

    threat_bn: float
    threat_credibility: float  # 0..1, this threat's (record x its own cost); 0 with no threat
    threat_age_months: int
    record: float              # 0..1, the government's credibility from threats kept, dropped and pledges broken
    threats_kept: int
    threats_dropped: int
    pledges_broken: int
    own_cost_bn: float         # what carrying the threat out would cost it, as estimated when made


def standings(model) -> dict[str, Standing]:
    """Every government's standing at the end of the last month played, for the pages."""
    out = {}
    for code, g in model.governments.items():
        threat = g.threat_bn > 0
        out[code] = Standing(float(g.threat_bn), float(g.threat_credibility) if threat else 0.0,
                             model.month - g.threat_step if threat else 0, float(g.credibility),
                             g.threats_kept, g.threats_dropped, g.pledges_broken,
                             float(g.threat_cost.total_bn) if threat and g.threat_cost else 0.0)
    return out
