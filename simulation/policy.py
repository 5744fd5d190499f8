"""Applying decisions to the world, with a plain-language headline for each.

Each action is one small function. Checks that depend on the state of the world (holdings, reserves,
a standing threat) are made here and refused with a ``DecisionError`` naming the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.actions import TABLE
from simulation.credibility import sale_cost, threat_credibility
from simulation.decisions import Decision, SharedWhenCopied, home_economy
from simulation.errors import DecisionError
from simulation.treasuries import RESIDUAL
from simulation.world import CENTRAL_BANK_NAMES, ECONOMY_NAMES, FLOATING_CURRENCY

if TYPE_CHECKING:
    from simulation.model import TradeWarModel

ADJECTIVE = {"US": "US", "JP": "Japanese", "CN": "Chinese", "EA": "euro-area", "UK": "British",
             "CA": "Canadian", "MX": "Mexican", "KR": "Korean", "ROW": "rest-of-world"}


@dataclass(frozen=True)
class Event(SharedWhenCopied):
    step: int
    actor: str
    action: str
    detail: str
    headline: str


def actor_name(actor: str) -> str:
    return CENTRAL_BANK_NAMES.get(actor, ECONOMY_NAMES.get(actor, actor))


def describe_cause(cause: str) -> str:
    """Plain words for a recorded cause: 'official sales: JP' -> "Japan's Treasury sales"."""
    kind, _, actor = cause.partition(": ")
    if not actor:
        return cause
    owner = actor_name(actor)
    owner = owner[:1].upper() + owner[1:]
    what = {"official sales": "Treasury sales", "threat": "threat to sell Treasuries",
            "FX intervention": "currency intervention"}.get(kind, kind)
    return f"{owner}'s {what}"


def apply_decision(model: "TradeWarModel", d: Decision) -> Event:
    handler = HANDLERS[d.action]
    detail, headline = handler(model, d)
    if d.origin == "scenario" and d.note:
        headline = d.note  # scripted "breaking news" keeps its own words
    return Event(d.step, d.actor, d.action, detail, headline[:1].upper() + headline[1:])


def refuse(d: Decision, problem: str) -> None:
    raise DecisionError(f"decision ({d.label()}): {problem}")


def problem(model, d: Decision) -> str | None:
    """Why the model, as it stands, cannot apply ``d`` (selling more Treasuries than are held, paying
    more than the cash reserves, retracting no threat), or None. The handlers below refuse with it, and
    the class game checks a round's decisions with it against the state at the start of the month."""
    check = LIMITS.get(d.action)
    return None if check is None else check(model, d)


# -- what a balance sheet allows: the one statement of these limits ------------------------------------
TOLERANCE_BN = 1e-9   # amounts typed as the whole holding, give or take float rounding, are allowed


def amount_bounds_bn(action: str, holdings_bn: float, cash_bn: float | None, repo_bn: float | None,
                     ust_price: float) -> tuple[float | None, float | None] | None:
    """The lowest and highest ``amount_bn`` a holder may give ``action`` (None: no bound on that side,
    or not known), from its Treasuries (face value), cash reserves and repo debt; None for actions
    without a balance-sheet limit. The engine refuses outside these bounds (``problem``) and the
    decision panel offers exactly them (``seat_view.allowed_moves``)."""
    if action in ("sell_treasuries", "threaten_sale"):
        return 0.0, holdings_bn
    if action == "buy_treasuries":
        return 0.0, None if cash_bn is None else cash_bn / ust_price
    if action == "fx_intervention":      # cash first, then Treasuries sold at today's price
        return None, None if cash_bn is None else cash_bn + holdings_bn * ust_price
    if action == "fima_repo":   # repay at most what is owed and what cash there is; borrow what the holdings secure
        repayable = None if repo_bn is None else repo_bn if cash_bn is None else min(repo_bn, cash_bn)
        return (None if repayable is None else -repayable), holdings_bn * ust_price - (repo_bn or 0.0)
    return None


def _bounds_in(model, d) -> tuple[float | None, float | None]:
    economy = home_economy(d.actor)
    government = model.governments[economy]
    return amount_bounds_bn(d.action, model.ledger.holdings_bn[economy], government.cash_reserves_bn,
                            government.repo_bn, model.ust_price)


def _above(d, bounds) -> bool:
    return bounds[1] is not None and d.amount_bn > bounds[1] + TOLERANCE_BN


def _sale_problem(model, d):
    holder, bounds = home_economy(d.actor), _bounds_in(model, d)
    if _above(d, bounds):
        return f"{holder} holds {bounds[1]:,.1f}bn of Treasuries (face value) and cannot sell {d.amount_bn:,.1f}bn"
    return None


def _purchase_problem(model, d):
    holder = home_economy(d.actor)
    if _above(d, _bounds_in(model, d)):
        cash, cost = model.governments[holder].cash_reserves_bn, d.amount_bn * model.ust_price
        return f"{holder} has {cash:,.1f}bn of cash reserves and cannot pay {cost:,.1f}bn"
    return None


def _threat_problem(model, d):
    bounds = _bounds_in(model, d)
    if _above(d, bounds):
        return f"{d.actor} holds {bounds[1]:,.1f}bn of Treasuries and cannot threaten to sell {d.amount_bn:,.1f}bn"
    return None


def _retraction_problem(model, d):
    return f"{d.actor} has no standing threat to retract" if model.governments[d.actor].threat_bn <= 0 else None


def _intervention_problem(model, d):
    bounds = _bounds_in(model, d)
    if d.amount_bn > 0 and _above(d, bounds):
        return f"{home_economy(d.actor)} has {bounds[1]:,.1f}bn of reserves and cannot sell {d.amount_bn:,.1f}bn of dollars"
    return None


def _repo_problem(model, d):
    economy, bounds = home_economy(d.actor), _bounds_in(model, d)
    if _above(d, bounds):
        return f"{economy} can pledge Treasuries worth {max(bounds[1], 0):,.1f}bn and cannot borrow {d.amount_bn:,.1f}bn"
    if d.amount_bn < bounds[0] - TOLERANCE_BN:
        government = model.governments[economy]
        if -d.amount_bn > government.repo_bn + TOLERANCE_BN:
            return f"{economy} owes the repo facility {government.repo_bn:,.1f}bn and cannot repay {-d.amount_bn:,.1f}bn"
        return f"{economy} has {government.cash_reserves_bn:,.1f}bn of cash reserves and cannot repay {-d.amount_bn:,.1f}bn"
    return None


def _require(model, d: Decision) -> None:
    why = problem(model, d)
    if why:
        refuse(d, why)


# -- trade ----------------------------------------------------------------------------------------
def set_tariff(model, d):
    sector = d.sector or "all"
    current = model.trade.tariff_on(d.actor, d.target)
    before = current.mean() if sector == "all" else current[model.sectors.index(sector)]
    model.trade.set_tariff(importer=d.actor, exporter=d.target, sector=sector, rate_pct=d.rate_pct, step=d.step)
    goods = {"all": "goods", "other": "other goods"}.get(sector, sector)
    goods = f"{ADJECTIVE[d.target]} {goods}" if sector != "other" else f"other {ADJECTIVE[d.target]} goods"
    verb = "raises" if d.rate_pct > before else "cuts" if d.rate_pct < before else "sets"
    detail = f"target={d.target} sector={sector} rate_pct={d.rate_pct:g}"
    return detail, f"{actor_name(d.actor)} {verb} its tariff on {goods} to {d.rate_pct:g}%"


def trade_deal(model, d):
    """A deal both sides have agreed, put in force by a scenario script or an instructor (the 15% all-in
    US-Japan deal of July 2025). Players reach deals through propose_deal and accept_deal instead.
    Asymmetric truces (Geneva, May 2025: 30% and 10%) are two set_tariff moves."""
    cap_tariffs(model, d.actor, d.target, d.rate_pct, "all", d.step)
    detail = f"target={d.target} rate_pct={d.rate_pct:g}"
    return detail, (f"{actor_name(d.actor)} and {actor_name(d.target)} strike a deal: "
                    f"tariffs between them capped at {d.rate_pct:g}%")


def cap_tariffs(model, a: str, b: str, rate_pct: float, sector: str, step: int) -> None:
    """Put a deal in force: no tariff between ``a`` and ``b`` (in ``sector``, or all) exceeds ``rate_pct``
    or its pre-dispute level, if that is higher; a deal only ever lowers tariffs. The pair's agreed
    levels move to the new ones, and the deal settles both sides' threats without a loss of face."""
    trade = model.trade
    for importer, exporter in ((a, b), (b, a)):
        current = trade.tariff_on(importer, exporter)
        base = trade.base_tariffs_pct[model.idx(exporter), model.idx(importer)]
        for k, name in enumerate(model.sectors):
            if sector not in ("all", name):
                continue
            capped = min(current[k], max(rate_pct, base[k]))
            if capped < current[k]:
                trade.set_tariff(importer, exporter, name, float(capped), step)
    trade.agree(a, b)
    for code in (a, b):
        model.governments[code].threat_bn = 0.0
    model.deals += 1


# -- negotiation ----------------------------------------------------------------------------------
def propose_deal(model, d):
    offer, replaced = model.negotiation.propose(d.actor, d.target, d.rate_pct, d.sector or "all",
                                                d.hold_months or 0, d.step, d.origin)
    detail = f"offer={offer.number} target={d.target} rate_pct={d.rate_pct:g} sector={offer.sector} " \
             f"hold_months={offer.hold_months} expires_step={offer.expires_step}"
    article = "a new" if replaced else "an"
    return detail, (f"{actor_name(d.actor)} makes {actor_name(d.target)} {article} offer: "
                    f"{_terms(offer)} (open until month {offer.expires_step})")


def counter_offer(model, d):
    theirs = _their_offer(model, d, "counter")
    model.negotiation.close(theirs, "countered", d.step)
    detail, _ = propose_deal(model, d)
    mine = model.negotiation.open_offer(d.actor, d.target)
    return f"countered={theirs.number} {detail}", (
        f"{actor_name(d.actor)} turns down {actor_name(d.target)}'s {theirs.rate_pct:g}% offer and counters: "
        f"{_terms(mine)}")


def accept_deal(model, d):
    offer = _their_offer(model, d, "accept")
    model.negotiation.close(offer, "accepted", d.step)
    cap_tariffs(model, offer.proposer, offer.target, offer.rate_pct, offer.sector, d.step)
    model.negotiation.pledge(offer, d.step)
    detail = f"offer={offer.number} proposer={offer.proposer} rate_pct={offer.rate_pct:g} sector={offer.sector} " \
             f"hold_months={offer.hold_months}"
    return detail, (f"{actor_name(d.actor)} accepts {actor_name(offer.proposer)}'s offer: deal struck, "
                    f"{_terms(offer)}")


def reject_deal(model, d):
    offer = _their_offer(model, d, "reject")
    model.negotiation.close(offer, "rejected", d.step)
    return f"offer={offer.number}", (f"{actor_name(d.actor)} rejects {actor_name(offer.proposer)}'s offer "
                                     f"({_terms(offer)}); nothing changes")


def _their_offer(model, d, verb: str):
    offer = model.negotiation.open_offer(d.target, d.actor)
    if offer is None:
        refuse(d, f"there is no open offer from {d.target} to {d.actor} to {verb}"
                  + ("; use propose_deal to make one" if verb == "counter" else ""))
    return offer


def _terms(offer) -> str:
    goods = "all goods" if offer.sector == "all" else offer.sector
    text = f"tariffs between them capped at {offer.rate_pct:g}% on {goods}"
    if offer.hold_months:
        text += f", and neither sells US Treasuries for {offer.hold_months} months"
    return text


# -- Treasuries -----------------------------------------------------------------------------------
def sell_treasuries(model, d, cause: str | None = None):
    _require(model, d)
    holder = home_economy(d.actor)
    proceeds = model.sell_official(d.actor, holder, d.amount_bn)
    government = model.governments[holder]
    brought_home = keep_or_convert_dollars(model, d, holder, proceeds, cause or f"official sales: {d.actor}")
    if government.threat_bn > 0:
        government.credibility += model.calibration.param("credibility.fulfilment_gain") * (1 - government.credibility)
        government.threat_bn = max(government.threat_bn - d.amount_bn, 0.0)
        government.threats_kept += 1
    detail = f"amount_bn={d.amount_bn:g} proceeds_bn={proceeds:.1f} repatriate={str(brought_home).lower()}"
    use = " and brings the proceeds home" if brought_home else ", keeping the proceeds in dollars"
    _check_pledge(model, holder, d)
    return detail, f"{actor_name(d.actor)} sells ${d.amount_bn:,.0f}bn of US Treasuries{use}"


def _check_pledge(model, holder: str, d) -> None:
    """A sale during a deal's pledge breaks it, in public: the seller's record suffers."""
    pledge = model.negotiation.active_pledge(holder, d.step)
    if pledge is None:
        return
    model.negotiation.break_pledge(pledge, d.step)
    government = model.governments[holder]
    government.credibility *= 1 - model.calibration.param("credibility.broken_pledge_penalty")
    government.pledges_broken += 1
    model.side_events.append(Event(
        d.step, holder, "broken_pledge", f"counterpart={pledge.counterpart} offer={pledge.offer} "
        f"credibility={government.credibility:.2f}",
        f"{_capital(actor_name(holder))} breaks its pledge to {actor_name(pledge.counterpart)} not to sell Treasuries "
        f"until month {pledge.until_step}; its credibility falls to {government.credibility:.0%}"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]




def keep_or_convert_dollars(model, d, economy: str, amount_bn: float, cause: str) -> bool:
    """Dollars raised by a sale or a repo loan stay in the reserves as cash unless the decision says
    ``repatriate = true``: then they are sold for the home currency (a purchase of yen, say), which is an
    FX intervention in all but name. Returns whether they were converted.

    Keeping dollars is the default because that is what official sellers have done: reserve managers sell
    Treasuries to hold dollar cash or bills, or to fund an intervention decided separately (Japan in
    2022 and 2024; foreign central banks' $109bn of sales in March 2020 raised dollars, MOF and NY Fed)."""
    convert = bool(d.repatriate) and economy in FLOATING_CURRENCY
    government = model.governments[economy]
    if convert:
        government.reserves_spent_bn += amount_bn
        model.buy_home_currency(economy, cause, amount_bn)
    else:
        government.cash_reserves_bn += amount_bn
    return convert


def buy_treasuries(model, d):
    holder = home_economy(d.actor)
    government = model.governments[holder]
    _require(model, d)
    cost = d.amount_bn * model.ust_price
    government.cash_reserves_bn -= cost
    model.ledger.transfer(RESIDUAL, holder, d.amount_bn)
    model.ledger.record_official(d.actor, -d.amount_bn)
    model.official_sales_bn[d.actor] = model.official_sales_bn.get(d.actor, 0.0) - cost
    return f"amount_bn={d.amount_bn:g}", f"{actor_name(d.actor)} buys ${d.amount_bn:,.0f}bn of US Treasuries"


def threaten_sale(model, d):
    _require(model, d)
    government = model.governments[d.actor]
    cost = sale_cost(model, d.actor, d.amount_bn)
    government.threat_bn = d.amount_bn
    government.threat_step = d.step
    government.threat_credibility = threat_credibility(model.calibration, government.credibility, cost)
    government.threat_cost = cost
    detail = (f"amount_bn={d.amount_bn:g} credibility={government.threat_credibility:.2f} "
              f"record={government.credibility:.2f} own_cost_bn={cost.total_bn:.0f}")
    return detail, (f"{actor_name(d.actor)} warns it could sell ${d.amount_bn:,.0f}bn of US Treasuries "
                    f"(markets give it {government.threat_credibility:.0%} credibility: carrying it out would cost "
                    f"it about ${cost.total_bn:,.0f}bn, {cost.share_of_gdp_pct:.1f}% of GDP)")


def retract_threat(model, d):
    _require(model, d)
    government = model.governments[d.actor]
    government.threat_bn = 0.0
    government.credibility *= 1 - model.calibration.param("credibility.retraction_penalty")
    government.threats_dropped += 1
    detail = f"credibility={government.credibility:.2f}"
    return detail, f"{actor_name(d.actor)} walks back its threat to sell Treasuries"


# -- central banks --------------------------------------------------------------------------------
def set_policy_rate(model, d):
    bank = model.central_banks[d.actor]
    before = bank.policy_rate_pct
    bank.policy_rate_pct = d.rate_pct
    change_bp = (d.rate_pct - before) * 100
    verb = "raises" if change_bp > 0 else "cuts" if change_bp < 0 else "holds"
    by = f" by {abs(change_bp):.0f}bp" if change_bp else ""
    return f"rate_pct={d.rate_pct:g}", f"{actor_name(d.actor)} {verb} its policy rate{by} to {d.rate_pct:g}%"


def fx_intervention(model, d):
    economy = home_economy(d.actor)
    government = model.governments[economy]
    cause = f"FX intervention: {d.actor}"
    _require(model, d)
    if d.amount_bn > 0:
        from_cash = min(government.cash_reserves_bn, d.amount_bn)
        government.cash_reserves_bn -= from_cash
        rest = d.amount_bn - from_cash
        if rest > 1e-12:  # the rest is raised by selling Treasuries, at the price the sale itself produces
            proceeds = model.sell_official(d.actor, economy, rest / model.ust_price)
            government.cash_reserves_bn += proceeds - rest
    else:
        government.cash_reserves_bn += -d.amount_bn
    government.reserves_spent_bn += d.amount_bn
    if economy in FLOATING_CURRENCY:
        model.buy_home_currency(economy, cause, d.amount_bn)
    currency = FLOATING_CURRENCY.get(economy, "home currency")
    side = f"sells ${d.amount_bn:,.0f}bn to support the {currency}" if d.amount_bn > 0 else \
        f"buys ${-d.amount_bn:,.0f}bn to weaken the {currency}"
    return f"amount_bn={d.amount_bn:g}", f"{actor_name(d.actor)} intervenes: {side}"


def fima_repo(model, d):
    """Borrow dollars from the Fed's FIMA repo facility against Treasuries (positive amount), or repay
    (negative). The Treasuries are not sold, so no supply reaches the market; the loan costs the repo
    rate each month (New York Fed, FIMA Repo Facility, announced 31 March 2020, standing since July 2021)."""
    economy = home_economy(d.actor)
    government = model.governments[economy]
    _require(model, d)
    if d.amount_bn > 0:
        government.repo_bn += d.amount_bn
        home = keep_or_convert_dollars(model, d, economy, d.amount_bn, f"FX intervention: {d.actor}")
        use = " and sells them for its own currency" if home else ""
        return (f"amount_bn={d.amount_bn:g} repatriate={str(home).lower()}",
                f"{actor_name(d.actor)} borrows ${d.amount_bn:,.0f}bn from the Fed's repo facility against its Treasuries{use}")
    repay = -d.amount_bn
    government.repo_bn -= repay
    government.cash_reserves_bn -= repay
    return f"amount_bn={d.amount_bn:g}", f"{actor_name(d.actor)} repays ${repay:,.0f}bn to the Fed's repo facility"


# How each action of the table (simulation/actions.py) changes the world: one handler per action name.
HANDLERS = {name: globals()[name] for name in TABLE}
# What each action needs from the state it is applied to (``problem``); actions not listed always apply.
LIMITS = {
    "sell_treasuries": _sale_problem, "buy_treasuries": _purchase_problem, "threaten_sale": _threat_problem,
    "retract_threat": _retraction_problem, "fx_intervention": _intervention_problem, "fima_repo": _repo_problem,
}
