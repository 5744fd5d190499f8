"""The one table of actions: who may take each, its fields (type, unit, bounds), its family, and its words.

Every part of the product that needs to know about an action reads it here: checking a decision
(``simulation/decisions.py``), applying it (``simulation/policy.py`` looks up the handler by name),
which decisions of a month override a rule's (the family), the decision panel and the class game's
forms (labels, help, fields), the list of queued moves (``describe``) and the docs' table
(``python run.py actions`` prints it). Adding an action means adding one ``Action`` below and one handler
in ``simulation/policy.py``.

Field values live on the ``Decision`` record (``amount_bn``, ``rate_pct``, ``target``, ``sector``,
``hold_months``); an action names the ones it requires and the ones it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from simulation.world import CENTRAL_BANKS, ECONOMY_NAMES

GOVERNMENT, CENTRAL_BANK, ANY = "government", "central bank", "any"
# Where a decision comes from: a decisions file, a scenario script (or an instructor's breaking news),
# a behaviour rule, or a person playing a seat.
ORIGINS = ("file", "scenario", "rule", "player")


@dataclass(frozen=True)
class FieldSpec:
    """One input of an action: its name on the Decision, its type, unit and bounds, and its words."""

    name: str
    kind: str                 # "number" | "months" | "economy" | "sector" | "bool"
    label: str                # what a form calls it
    unit: str = ""
    low: float | None = None  # inclusive bounds (numbers and months)
    high: float | None = None
    positive: bool = False    # a number that must be above zero
    nonzero: bool = False     # a signed number that must not be zero
    default: float | str | None = None
    help: str = ""
    noun: str = "a number"    # what the value is, for messages: "a tariff", "a policy rate"

    def bounds_text(self) -> str:
        if self.positive:
            return f"a positive number of {self.unit}"
        if self.nonzero:
            return f"a non-zero number of {self.unit}"
        if self.low is not None:
            return f"{self.noun} between {self.low:g} and {self.high:g} {self.unit}".rstrip()
        return ""


MAX_TARIFF_PCT = 1000.0
POLICY_RATE_RANGE_PCT = (-2.0, 30.0)   # the lowest and highest policy rate a decision may set
MAX_HOLD_MONTHS = 60

AMOUNT = FieldSpec("amount_bn", "number", "Amount (USD bn)", "USD billions", positive=True, default=100.0,
                   help="face value of Treasuries, USD billions")
TARIFF = FieldSpec("rate_pct", "number", "Tariff (%)", "percent", 0.0, MAX_TARIFF_PCT, default=10.0,
                   help="the tariff rate, percent", noun="a tariff")
CAP = FieldSpec("rate_pct", "number", "Tariff cap (%)", "percent", 0.0, MAX_TARIFF_PCT, default=15.0,
                help="no tariff between the two sides above this (or its pre-dispute level, if higher)",
                noun="a tariff")
POLICY_RATE = FieldSpec("rate_pct", "number", "Policy rate (%)", "percent", *POLICY_RATE_RANGE_PCT, default=4.0,
                        help="the central bank's policy rate, percent", noun="a policy rate")
INTERVENTION = FieldSpec("amount_bn", "number", "Intervention (USD bn)", "USD billions", nonzero=True, default=20.0,
                         help="positive sells dollars for the home currency, negative buys dollars")
REPO = FieldSpec("amount_bn", "number", "Repo (USD bn)", "USD billions", nonzero=True, default=50.0,
                 help="positive borrows dollars, negative repays")
REPATRIATE = FieldSpec("repatriate", "bool", "Bring the dollars home", default=False,
                       help="convert the dollars raised into the home currency (default: keep them as dollar cash)")
PARTNER = FieldSpec("target", "economy", "Partner", help="the other economy")
SECTOR = FieldSpec("sector", "sector", "Sector", default="all", help="one sector, or all of them")
HOLD = FieldSpec("hold_months", "months", "Hold pledge (months)", "months", 0, MAX_HOLD_MONTHS, default=0,
                 help="both sides pledge not to sell US Treasuries for this many months once the deal is in force",
                 noun="a number of months")


@dataclass(frozen=True)
class Action:
    """One action: everything the product knows about it except how it changes the world (its handler)."""

    name: str
    who: str                            # GOVERNMENT | CENTRAL_BANK | ANY
    required: tuple[FieldSpec, ...]
    optional: tuple[FieldSpec, ...]
    family: str                         # a given decision overrides a rule's decision of the same family
    group: str                          # the decision panel's section: tariffs, treasuries, deals, rates, currency
    label: str                          # the choice as a form shows it
    help: str                           # one sentence for the form and the docs
    describe: Callable[..., str]        # plain words for a queued move (takes the Decision)
    origins: tuple[str, ...] = ORIGINS  # who may issue it
    refusal: str = ""                   # the sentence given to an origin that may not
    phase: int = 0                      # order within a month: moves, then offers, then answers to offers
    extra_check: Callable[..., None] | None = None   # (decision, fail) for checks the fields cannot express

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return self.required + self.optional

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def spec(self, name: str) -> FieldSpec | None:
        return self._specs_by_name.get(name)

    @cached_property
    def _specs_by_name(self) -> dict[str, FieldSpec]:
        """Field name -> its spec (the first, if two shared a name), made once: every decision a rule makes
        is checked field by field, about thirty a run."""
        specs: dict[str, FieldSpec] = {}
        for f in self.fields:
            specs.setdefault(f.name, f)
        return specs


# -- plain words for queued moves --------------------------------------------------------------------
def _name(code: str) -> str:
    return ECONOMY_NAMES.get(code, code)


def _goods(d) -> str:
    from simulation.policy import ADJECTIVE

    goods = "all goods" if d.sector in (None, "all") else d.sector
    return f"{ADJECTIVE.get(d.target, d.target)} {goods}"


def describe_terms(d, between: str = "you") -> str:
    """An offer's terms in words: 'tariffs between you capped at 15% on all goods; neither side sells
    US Treasuries for 6 months' (``between`` = "them" for a third person's view)."""
    goods = "all goods" if d.sector in (None, "all") else d.sector
    text = f"tariffs between {between} capped at {d.rate_pct:g}% on {goods}"
    if d.hold_months:
        text += f"; neither side sells US Treasuries for {d.hold_months} months"
    return text


def _fx_words(d) -> str:
    side = "sell dollars for the home currency" if d.amount_bn > 0 else "buy dollars"
    return f"Currency intervention: {side}, ${abs(d.amount_bn):,g}bn"


def _home(d) -> str:
    return " and sell the dollars for the home currency" if d.repatriate else ""


def _repo_words(d) -> str:
    if d.amount_bn < 0:
        return f"Repay ${-d.amount_bn:,g}bn to the Fed's repo facility"
    return f"Borrow ${d.amount_bn:,g}bn from the Fed's repo facility against Treasuries{_home(d)}"


def _not_dollar(d, fail) -> None:
    if CENTRAL_BANKS.get(d.actor, d.actor) == "US":
        fail(f"the dollar is the United States' own currency; {d.action} is for other economies and their central banks")


_DEAL_TERMS = ((PARTNER, CAP), (SECTOR, HOLD))

TABLE: dict[str, Action] = {a.name: a for a in (
    Action("set_tariff", GOVERNMENT, (PARTNER, TARIFF), (SECTOR,), "tariffs", "tariffs", "Set a tariff",
           "Sets your tariff on one partner's goods, in one sector or all of them.",
           lambda d: f"Tariff on {_goods(d)}: {d.rate_pct:g}%"),
    Action("threaten_sale", GOVERNMENT, (AMOUNT,), (), "treasuries", "treasuries", "Threaten to sell",
           "Warns that you could sell this much of your US Treasuries; markets price part of it at once.",
           lambda d: f"Threaten to sell ${d.amount_bn:,g}bn of US Treasuries"),
    Action("sell_treasuries", ANY, (AMOUNT,), (REPATRIATE,), "treasuries", "treasuries", "Sell",
           "Sells US Treasuries; the dollars stay in the reserves unless brought home (repatriate).",
           lambda d: f"Sell ${d.amount_bn:,g}bn of US Treasuries{_home(d)}"),
    Action("buy_treasuries", ANY, (AMOUNT,), (), "treasuries", "treasuries", "Buy",
           "Buys US Treasuries with cash reserves.",
           lambda d: f"Buy ${d.amount_bn:,g}bn of US Treasuries"),
    Action("retract_threat", GOVERNMENT, (), (), "treasuries", "treasuries", "Withdraw a threat",
           "Withdraws your standing threat to sell Treasuries (your record suffers).",
           lambda d: "Withdraw the threat to sell Treasuries"),
    Action("propose_deal", GOVERNMENT, *_DEAL_TERMS, "negotiation", "deals", "Propose a deal",
           "Offers a partner a deal; it takes effect only if the partner accepts before the offer expires.",
           lambda d: f"Offer {_name(d.target)} a deal: {describe_terms(d)}", phase=1),
    Action("counter_offer", GOVERNMENT, *_DEAL_TERMS, "negotiation", "deals", "Counter an offer",
           "Turns down the partner's open offer and offers these terms instead.",
           lambda d: f"Counter {_name(d.target)}'s offer: {describe_terms(d)}", phase=1),
    Action("accept_deal", GOVERNMENT, (PARTNER,), (), "negotiation", "deals", "Accept an offer",
           "Accepts the partner's open offer: its terms apply from this month.",
           lambda d: f"Accept {_name(d.target)}'s offer", phase=2),
    Action("reject_deal", GOVERNMENT, (PARTNER,), (), "negotiation", "deals", "Reject an offer",
           "Turns down the partner's open offer; nothing changes.",
           lambda d: f"Reject {_name(d.target)}'s offer", phase=2),
    Action("trade_deal", GOVERNMENT, (PARTNER, CAP), (), "tariffs", "deals", "Impose an agreed deal",
           "A deal both sides have already agreed, put in force by a scenario script or an instructor.",
           lambda d: f"Agreed deal with {_name(d.target)}: tariffs between you capped at {d.rate_pct:g}%",
           origins=("scenario",),
           refusal="a deal needs both sides: use propose_deal (target, rate_pct) and it takes effect when "
                   "the partner accepts; trade_deal is for agreements a scenario script or an instructor puts "
                   "in force"),
    Action("set_policy_rate", CENTRAL_BANK, (POLICY_RATE,), (), "monetary", "rates", "Set the policy rate",
           "Sets your central bank's policy rate.", lambda d: f"Policy rate: {d.rate_pct:g}%"),
    Action("fx_intervention", CENTRAL_BANK, (INTERVENTION,), (), "currency", "currency", "Intervene in the currency market",
           "Sells (positive) or buys (negative) dollars against your currency.", _fx_words,
           extra_check=_not_dollar),
    Action("fima_repo", ANY, (REPO,), (REPATRIATE,), "fima_repo", "treasuries", "Borrow dollars against them (Fed repo)",
           "Borrows dollars from the Fed's FIMA repo facility against your Treasuries (positive) or repays "
           "(negative): dollars without selling.",
           _repo_words,
           extra_check=_not_dollar),
)}

VALUE_FIELDS: tuple[str, ...] = ("amount_bn", "rate_pct", "target", "sector", "repatriate", "hold_months")
NUMBER_FIELDS: tuple[str, ...] = ("amount_bn", "rate_pct")
WHOLE_FIELDS: tuple[str, ...] = ("hold_months",)


def actions_in(group: str, kind: str) -> list[Action]:
    """The actions of one decision-panel section that a seat of ``kind`` may take, in table order."""
    return [a for a in TABLE.values() if a.group == group and a.who in (kind, ANY) and "player" in a.origins]


def family(action: str) -> str:
    """Decisions of one family override a rule's decision of the same family in the same month."""
    return TABLE[action].family if action in TABLE else action


def phase(action: str) -> int:
    return TABLE[action].phase if action in TABLE else 0


def markdown_table() -> str:
    """The decision table for the README and docs/scenarios.md (``python run.py actions``)."""
    rows = ["| action | who | fields (required; *optional*) | what it does |", "|---|---|---|---|"]
    for a in TABLE.values():
        names = [f"`{f.name}`" for f in a.required] + [f"*`{f.name}`*" for f in a.optional]
        who = a.who if a.origins == ORIGINS else f"{a.who} (scenario script or instructor only)"
        rows.append(f"| `{a.name}` | {who} | {', '.join(names) or '—'} | {a.help} |")
    return "\n".join(rows)
