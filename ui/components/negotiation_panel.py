"""The negotiating table on a seat's screen: offers to and from the seat, with accept, reject and counter.

An answer is a move like any other: it joins the seat's queue for the next month (Play) or the round's
submission (class game), and the offer's terms apply only when that month is played. In a class game
an offer submitted this round shows at once on the partner's screen as "on the table when this round
is played", and the partner may accept it in the same round. The instructor sees every offer.

Everything shown here is data from the model (terms, fates, standings); nothing a person typed is
rendered as markup.
"""

from __future__ import annotations

from typing import Callable

import solara

from simulation.actions import TABLE, describe_terms
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.negotiation import OPEN, Offer, Standing
from simulation.policy import actor_name

FATES = {"accepted": "accepted", "rejected": "rejected", "countered": "countered", "expired": "expired unanswered",
         "replaced": "replaced by a newer offer"}
SMALL = {"font-size": "0.85em", "color": "#555"}


def offer_words(offer: Offer) -> str:
    """'Japan → United States: tariffs capped at 15% on all goods; ... (open until month 4)'."""
    terms = describe_terms(offer, "them")
    head = f"{_capital(actor_name(offer.proposer))} → {actor_name(offer.target)}: {terms}"
    if offer.status == OPEN:
        return f"{head} (made in month {offer.made_step}, open until month {offer.expires_step})"
    return f"{head} (month {offer.made_step}; {FATES.get(offer.status, offer.status)} in month {offer.closed_step})"


def pending_words(d: Decision) -> str:
    """A proposal submitted this round that the model has not played yet."""
    verb = "counters with" if d.action == "counter_offer" else "offers"
    return (f"{_capital(actor_name(d.actor))} {verb} {actor_name(d.target)}: {describe_terms(d, 'them')} "
            f"(on the table when this round is played)")


@solara.component
def NegotiationPanel(seat: str, offers: list[Offer], standings: dict[str, Standing], add: Callable[[Decision], None],
                     pending: list[Decision] | tuple = (), disabled: bool = False, continuous_update: bool = False):
    """Offers to and from ``seat`` (open ones first, with answers), then the table's standings.

    ``add`` queues a move and may raise ``UserError`` (shown under the panel); ``pending`` are proposals
    submitted this round in a class game, not yet played."""
    error, set_error = solara.use_state("")

    def answer(move) -> None:
        """Queue ``move``: a Decision, or a function that builds one (and may find a box empty)."""
        try:
            add(move() if callable(move) else move)
            set_error("")
        except UserError as problem:
            set_error(str(problem))

    mine = [o for o in offers if seat in (o.proposer, o.target)]
    to_me = [o for o in mine if o.status == OPEN and o.target == seat]
    with solara.Card("Negotiating table", margin=0, classes=["negotiation-panel"]), solara.Column(gap="6px"):
        if not mine and not pending:
            solara.Text("No offers yet. Propose a deal with the decision panel; it takes effect only if the "
                        "partner accepts.", classes=["no-offers"])
        for d in pending:
            solara.Text(pending_words(d), classes=["pending-offer"])
            if d.target == seat:  # answered in the same round: the offer is made first, then the answer
                Answers(seat, d.actor, answer, disabled)
        for offer in to_me:
            OfferToMe(seat, offer, answer, disabled, continuous_update)
        for offer in [o for o in mine if o.status == OPEN and o.proposer == seat]:
            solara.Text("Your offer: " + offer_words(offer), classes=["offer-from-me"])
        closed = [o for o in mine if o.status != OPEN]
        if closed:
            solara.Text("Earlier offers:", style=SMALL)
            for offer in closed[-5:][::-1]:
                solara.Text(offer_words(offer), classes=["closed-offer", f"offer-{offer.status}"], style=SMALL)
        if error:
            solara.Error(error, classes=["negotiation-error"])
        Standings(standings, seat)


@solara.component
def OfferToMe(seat: str, offer: Offer, answer, disabled: bool, continuous_update: bool = False):
    """One open offer to this seat: accept, reject, or counter with a cap and a hold pledge."""
    counter = TABLE["counter_offer"]
    cap, set_cap = solara.use_state(float(offer.rate_pct))
    months, set_months = solara.use_state(float(offer.hold_months))
    solara.Text("Offer to you: " + offer_words(offer), classes=["offer-to-me"])

    def move(action: str, **fields) -> Decision:
        return Decision(step=1, actor=seat, action=action, target=offer.proposer, **fields)

    def counter_move() -> Decision:
        if cap is None or months is None:
            raise UserError("the counter-offer's tariff cap and hold pledge must both be numbers")
        if not float(months).is_integer():
            raise UserError(f"'Hold pledge (months)' must be a whole number of months, got {months:g}")
        return move("counter_offer", rate_pct=float(cap), hold_months=int(months) or None,
                    sector=None if offer.sector == "all" else offer.sector)

    Answers(seat, offer.proposer, answer, disabled)
    with solara.Row():
        solara.InputFloat(label=f"Counter: {counter.spec('rate_pct').label}", value=cap, on_value=set_cap,
                          disabled=disabled, continuous_update=continuous_update)
        solara.InputFloat(label=counter.spec("hold_months").label, value=months, on_value=set_months,
                          disabled=disabled, continuous_update=continuous_update)
        solara.Button("Counter", outlined=True, disabled=disabled, classes=["counter-offer"],
                      on_click=lambda: answer(counter_move))


@solara.component
def Answers(seat: str, proposer: str, answer, disabled: bool):
    """Accept or reject the offer from ``proposer``: queued like any move."""
    with solara.Row():
        for action, word, style in (("accept_deal", "Accept", {"color": "primary"}),
                                    ("reject_deal", "Reject", {"outlined": True})):
            solara.Button(word, disabled=disabled, classes=[action.replace("_deal", "-offer")],
                          on_click=lambda action=action: answer(Decision(step=1, actor=seat, action=action,
                                                                         target=proposer)), **style)


@solara.component
def Standings(standings: dict[str, Standing], seat: str | None = None):
    """Each government with a standing threat or a record: the threat, its credibility and age."""
    rows = [(code, s) for code, s in standings.items()
            if s.threat_bn > 0 or s.threats_kept or s.threats_dropped or s.pledges_broken or code == seat]
    if not rows:
        return
    solara.Text("Threats and credibility:", style={**SMALL, "margin-top": "6px"})
    for code, s in rows:
        if s.threat_bn > 0:
            text = (f"{actor_name(code)}: threatens to sell ${s.threat_bn:,.0f}bn of Treasuries, "
                    f"{s.threat_credibility:.0%} credible, standing {s.threat_age_months} month"
                    f"{'s' if s.threat_age_months != 1 else ''} (carrying it out would cost it about "
                    f"${s.own_cost_bn:,.0f}bn)")
        else:
            text = f"{actor_name(code)}: no standing threat"
        record = f"record {s.record:.0%}"
        if s.threats_kept or s.threats_dropped or s.pledges_broken:
            record += f": {s.threats_kept} kept, {s.threats_dropped} walked back, {s.pledges_broken} pledges broken"
        solara.Text(f"{text}; {record}.", classes=["standing", f"standing-{code}"], style=SMALL)


@solara.component
def AllOffers(offers: list[Offer], pending: list[Decision] | tuple = (), standings: dict | None = None):
    """The instructor's view: every offer in the game with its fate, and those submitted this round."""
    with solara.Card("Negotiating table: every offer", margin=0, classes=["all-offers"]), solara.Column(gap="6px"):
        if not offers and not pending:
            solara.Text("No offers yet.")
        for d in pending:
            solara.Text(pending_words(d), classes=["pending-offer"])
        for offer in offers[::-1]:
            solara.Text(offer_words(offer), classes=["instructor-offer", f"offer-{offer.status}"])
        if standings:
            Standings(standings)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
