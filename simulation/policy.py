"""Applying decisions to the world, with a plain-language headline for each.

Each action is one small function. Checks that depend on the state of the world (holdings, reserves,
a standing threat) are made here and refused with a ``DecisionError`` naming the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.decisions import Decision, home_economy
from simulation.errors import DecisionError
from simulation.treasuries import RESIDUAL
from simulation.world import CENTRAL_BANK_NAMES, ECONOMY_NAMES, FLOATING_CURRENCY

if TYPE_CHECKING:
    from simulation.model import TradeWarModel

ADJECTIVE = {"US": "US", "JP": "Japanese", "CN": "Chinese", "EA": "euro-area", "UK": "British",
             "CA": "Canadian", "MX": "Mexican", "KR": "Korean", "ROW": "rest-of-world"}


@dataclass(frozen=True)
class Event:
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


def _sale_problem(model, d):
    holder = home_economy(d.actor)
    held = model.ledger.holdings_bn[holder]
    if d.amount_bn > held + 1e-9:
        return f"{holder} holds {held:,.1f}bn of Treasuries (face value) and cannot sell {d.amount_bn:,.1f}bn"
    return None


def _purchase_problem(model, d):
    holder = home_economy(d.actor)
    cash, cost = model.governments[holder].cash_reserves_bn, d.amount_bn * model.ust_price
    if cost > cash + 1e-9:
        return f"{holder} has {cash:,.1f}bn of cash reserves and cannot pay {cost:,.1f}bn"
    return None


def _threat_problem(model, d):
    held = model.ledger.holdings_bn[d.actor]
    if d.amount_bn > held + 1e-9:
        return f"{d.actor} holds {held:,.1f}bn of Treasuries and cannot threaten to sell {d.amount_bn:,.1f}bn"
    return None


def _retraction_problem(model, d):
    return f"{d.actor} has no standing threat to retract" if model.governments[d.actor].threat_bn <= 0 else None


def _intervention_problem(model, d):
    economy = home_economy(d.actor)
    if d.amount_bn <= 0:
        return None
    reserves = model.governments[economy].cash_reserves_bn + model.ledger.holdings_bn[economy] * model.ust_price
    if d.amount_bn > reserves + 1e-9:
        return f"{economy} has {reserves:,.1f}bn of reserves and cannot sell {d.amount_bn:,.1f}bn of dollars"
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
    """An agreement: no tariff between the two exceeds the deal rate (or its pre-dispute level, if higher).

    The decision records a deal both sides accept (the 15% all-in US-Japan deal of July 2025); a deal
    only ever lowers tariffs. Asymmetric truces (Geneva, May 2025: 30% and 10%) are two set_tariff moves.
    """
    trade = model.trade
    for importer, exporter in ((d.actor, d.target), (d.target, d.actor)):
        current = trade.tariff_on(importer, exporter)
        base = trade.base_tariffs_pct[model.idx(exporter), model.idx(importer)]
        for k, sector in enumerate(model.sectors):
            capped = min(current[k], max(d.rate_pct, base[k]))
            if capped < current[k]:
                trade.set_tariff(importer, exporter, sector, float(capped), d.step)
    trade.agree(d.actor, d.target)
    for code in (d.actor, d.target):
        model.governments[code].threat_bn = 0.0  # a deal settles threats without a loss of face
    model.deals += 1
    detail = f"target={d.target} rate_pct={d.rate_pct:g}"
    return detail, (f"{actor_name(d.actor)} and {actor_name(d.target)} strike a deal: "
                    f"tariffs between them capped at {d.rate_pct:g}%")


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
    detail = f"amount_bn={d.amount_bn:g} proceeds_bn={proceeds:.1f} repatriate={str(brought_home).lower()}"
    use = " and brings the proceeds home" if brought_home else ", keeping the proceeds in dollars"
    return detail, f"{actor_name(d.actor)} sells ${d.amount_bn:,.0f}bn of US Treasuries{use}"


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
    government.threat_bn = d.amount_bn
    government.threat_step = d.step
    detail = f"amount_bn={d.amount_bn:g} credibility={government.credibility:.2f}"
    return detail, (f"{actor_name(d.actor)} warns it could sell ${d.amount_bn:,.0f}bn of US Treasuries "
                    f"(markets give it {government.credibility:.0%} credibility)")


def retract_threat(model, d):
    _require(model, d)
    government = model.governments[d.actor]
    government.threat_bn = 0.0
    government.credibility *= 1 - model.calibration.param("credibility.retraction_penalty")
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
    if d.amount_bn > 0:
        room = model.ledger.holdings_bn[economy] * model.ust_price - government.repo_bn
        if d.amount_bn > room + 1e-9:
            refuse(d, f"{economy} can pledge Treasuries worth {max(room, 0):,.1f}bn and cannot borrow {d.amount_bn:,.1f}bn")
        government.repo_bn += d.amount_bn
        home = keep_or_convert_dollars(model, d, economy, d.amount_bn, f"FX intervention: {d.actor}")
        use = " and sells them for its own currency" if home else ""
        return (f"amount_bn={d.amount_bn:g} repatriate={str(home).lower()}",
                f"{actor_name(d.actor)} borrows ${d.amount_bn:,.0f}bn from the Fed's repo facility against its Treasuries{use}")
    repay = -d.amount_bn
    if repay > government.repo_bn + 1e-9:
        refuse(d, f"{economy} owes the repo facility {government.repo_bn:,.1f}bn and cannot repay {repay:,.1f}bn")
    if repay > government.cash_reserves_bn + 1e-9:
        refuse(d, f"{economy} has {government.cash_reserves_bn:,.1f}bn of cash reserves and cannot repay {repay:,.1f}bn")
    government.repo_bn -= repay
    government.cash_reserves_bn -= repay
    return f"amount_bn={d.amount_bn:g}", f"{actor_name(d.actor)} repays ${repay:,.0f}bn to the Fed's repo facility"


HANDLERS = {
    "set_tariff": set_tariff, "trade_deal": trade_deal, "sell_treasuries": sell_treasuries,
    "buy_treasuries": buy_treasuries, "threaten_sale": threaten_sale, "retract_threat": retract_threat,
    "set_policy_rate": set_policy_rate, "fx_intervention": fx_intervention, "fima_repo": fima_repo,
}
# What each action needs from the state it is applied to (``problem``); actions not listed always apply.
LIMITS = {
    "sell_treasuries": _sale_problem, "buy_treasuries": _purchase_problem, "threaten_sale": _threat_problem,
    "retract_threat": _retraction_problem, "fx_intervention": _intervention_problem,
}
