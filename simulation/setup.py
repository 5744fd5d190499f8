"""What a run's set-up reads from its scenario and calibration alone (``RunSetUp``), worked out once for them.

Every run of one scenario with one calibration starts from the same numbers: the calibrated reserves,
holdings and policy rates, each seat's rules by name with their parameters, the score weights with the
roles' objectives, the investor groups' sizes and parameters, the script's decisions. The first run of a
scenario and calibration works them out (``set_up_for``) and the runs after it share them, read-only. Each
run still makes its own agents, its own rule objects (a rule may keep state on itself), the seeded draws of
its investors' traits, and copies of whatever it changes in place. Two things are written after the set-up
is made, each once and with the same value by whichever run comes first: the start's expected rates
(``RunSetUp.start_expectations``) and a built-in rule's values to copy (``RuleSlot._made``). The set-ups of
the 64 scenario-and-calibration pairs used last are kept (``KeptByIdentity``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from agents.investors import split_counts
from agents.rules import make_rule
from simulation.calibration import Calibration
from simulation.decisions import home_economy
from simulation.errors import UserError
from simulation.macro import Macro
from simulation.world import CENTRAL_BANKS, ECONOMIES, FX_QUOTES, RATE_COLUMNS, index_of

# Investor-rule parameters whose defaults come from the calibration files (a scenario may still set them).
CALIBRATED_INVESTOR_DEFAULTS = {
    "fundamentalist_bond_fund": {"reversion_per_month": "bonds.fundamentalist_reversion_monthly"},
    "chartist_bond_fund": {"feedback": "bonds.chartist_feedback"},
    "yen_carry_trader": {"size_bn": "carry.size_bn"},
    "value_equity_investor": {"reversion_per_month": "equity.fundamentalist_reversion_monthly"},
    "momentum_equity_investor": {"feedback": "equity.momentum_feedback"},
}


class RuleSlot:
    """A rule a scenario gives a seat or an investor group: its name (None: a person plays the seat), kind,
    parameters, and where the scenario gives it (for the sentence if it cannot be made)."""

    def __init__(self, rule: str | None, kind: str, params: dict, where: str):
        self.rule, self.kind, self.params, self.where = rule, kind, params, where
        self._made: tuple[type, dict] | None = None   # the first rule's class and values, when they may be copied

    def make(self):
        """A new rule object for one run (None for a person's seat): rules may keep state, so no two runs
        share one. A built-in rule whose values, once made, are all plain (numbers, text, None: every shipped
        rule's but one) is made and checked once; the runs after take a new object with those values, which
        is what making it again gives. A user's rule, or one holding a list or a dict, is made every time."""
        if self.rule is None:
            return None
        if self._made is not None:
            cls, values = self._made
            rule = object.__new__(cls)
            rule.__dict__.update(values)
            return rule
        rule = make_rule(self.rule, self.kind, self.params, where=self.where)
        if built_in(type(rule)) and all(type(value) in PLAIN for value in vars(rule).values()):
            self._made = (type(rule), dict(vars(rule)))
        return rule


PLAIN = (int, float, str, bool, type(None))   # values a rule object may share with a copy of it


def built_in(rule_class: type) -> bool:
    """Whether a rule class is one of the model's own (not from a user's rules file)."""
    return getattr(rule_class, "source_file", None) is None


class GovernmentStart(NamedTuple):
    """A government at the start: its reserves outside Treasuries, credibility and three rule slots."""

    code: str
    cash_reserves_bn: float
    credibility: float
    rules: tuple[RuleSlot, RuleSlot, RuleSlot]   # trade, Treasury, negotiation (Government's order)


class BankStart(NamedTuple):
    """A central bank at the start: its economy, policy rate and rule."""

    bank_id: str
    economy: str
    policy_rate_pct: float
    rule: RuleSlot


class SeatPlace(NamedTuple):
    """What a seat's observations read about where it sits that no run changes (``SeatFacts`` without the
    run's own agents)."""

    economy: str                   # the seat's economy (a central bank's is its home economy)
    at: int                        # the economy's index in ECONOMIES
    home_quote: str                # its currency's quote against the dollar ("" for an economy without one)
    neutral_real_rate_pct: float   # the economy's neutral real rate


class RunSetUp:
    """What every run of ``scenario`` with ``calibration`` starts from (see the module's docstring). Shared
    by those runs and never changed by one, but for ``start_expectations``, which a run fills once."""

    def __init__(self, scenario, calibration: Calibration):
        p, where = calibration.param, f"scenario {scenario.id}"
        self.scenario, self.calibration = scenario, calibration
        # The calibration numbers the model reads every month (a look-up by name costs more than the
        # arithmetic it feeds), under the model's attribute names.
        self.model_numbers = {
            "ust_duration_years": p("bonds.ust_duration_years"),
            "neutral_real_rate_pct": {e: p("bonds.neutral_real_rate_pct", e) for e in ECONOMIES},
            "threat_deadline_months": p("credibility.deadline_months"),
            "threat_decay_per_month": p("credibility.decay_per_month"),
            "fima_spread_pp": p("repo.fima_spread_pp"),
            "global_rate_weight": p("macro.global_rate_weight"),
        }
        self.macro = self._macro_with_objectives(scenario, calibration)
        # 2024 net exports, what the markets compare each month's with (read-only: every run reads this one).
        self.base_net_exports_bn = self.macro.base_exports_bn - self.macro.base_imports_bn
        self.base_net_exports_bn.flags.writeable = False
        self.official_holdings_bn = {e: calibration.economy(e, "ust_holdings_bn") for e in ECONOMIES}
        self.fund_holdings_bn = p("bonds.fund_holdings_bn")
        self.debt_outstanding_bn = calibration.economy("ALL", "treasury_debt_outstanding_bn")
        self.governments = tuple(self._government(scenario, calibration, code) for code in ECONOMIES)
        self.banks = tuple(
            BankStart(bank, economy, calibration.markets[RATE_COLUMNS[bank]],
                      _slot(scenario.central_bank(bank), "monetary", f"{where}, central_banks.{bank}"))
            for bank, economy in CENTRAL_BANKS.items())
        self.seat_places = {actor: _place(actor, self.model_numbers["neutral_real_rate_pct"])
                            for actor in (*ECONOMIES, *CENTRAL_BANKS)}
        self.offer_expiry_months = p("negotiation.offer_expiry_months")
        self.investors = self._investor_groups(scenario, calibration)
        self.carry_ust_share = p("carry.ust_share")
        self.scripted = tuple(event.to_decision() for event in scenario.events)   # frozen, shared by every run
        # The policy rates markets expect at the start, when they depend on the start alone: filled by the
        # first run whose central banks' projections are all built in (``TradeWarModel._start_expectations``).
        self.start_expectations: dict[str, float] | None = None

    @staticmethod
    def _macro_with_objectives(scenario, calibration: Calibration) -> Macro:
        """The macro state at the start with the roles' score weights set and scaled, read-only: each run
        takes a copy (``Macro.run_copy``) with its own weights, which a session may set again mid-game."""
        macro = Macro.at_start(calibration)
        for seat in scenario.roles:
            if seat in ECONOMIES or seat in CENTRAL_BANKS:
                set_objectives(macro, scenario, seat)
        inputs = macro.score_inputs()   # scales the weights once, for every run
        for array in (*macro.weights.values(), *macro.mandate.values(), inputs.scaled_weights, inputs.scaled_mandate):
            array.flags.writeable = False
        return macro

    def _government(self, scenario, calibration: Calibration, code: str) -> GovernmentStart:
        setup, where = scenario.government(code), f"scenario {scenario.id}, governments.{code}"
        reserves = calibration.economy(code, "fx_reserves_bn")
        credibility = setup.credibility if setup.credibility is not None else calibration.param("credibility.initial")
        return GovernmentStart(code, max(reserves - self.official_holdings_bn[code], 0.0), credibility,
                               (_slot(setup.trade, "trade", f"{where}.trade"),
                                _slot(setup.treasury, "treasury", f"{where}.treasury"),
                                _slot(setup.negotiation, "negotiation", f"{where}.negotiation")))

    @staticmethod
    def _investor_groups(scenario, calibration: Calibration) -> tuple[tuple[RuleSlot, int], ...]:
        """Each investor group's rule and size, in the order of their names (the order their traits are
        drawn in), with the calibrated defaults of the parameters the scenario leaves out."""
        setup = scenario.investors
        counts = split_counts(setup.count, setup.mix)
        groups = []
        for name in sorted(counts):
            params = dict(setup.params.get(name, {}))
            for parameter, calibrated in CALIBRATED_INVESTOR_DEFAULTS.get(name, {}).items():
                params.setdefault(parameter, calibration.param(calibrated))  # unless the scenario sets it
            groups.append((RuleSlot(name, "investor", params, f"scenario {scenario.id}, investors"), counts[name]))
        return tuple(groups)


def set_objectives(macro: Macro, scenario, seat: str) -> None:
    """A role's score weights set on ``macro``; a weight the role leaves out keeps the calibrated default."""
    weights = {k: v for k, v in scenario.objectives(seat).model_dump().items() if v is not None}
    try:
        macro.set_objectives(seat, weights)
    except KeyError as error:
        raise UserError(f"scenario {scenario.id}, roles.{seat}.objectives: {error.args[0]}") from None


def _slot(choice, kind: str, where: str) -> RuleSlot:
    """A scenario's rule choice (None: a person plays the seat) as a slot, with its own copy of the
    parameters (a scenario is frozen; its parameter dicts are read as they are when its first run starts)."""
    if choice is None:
        return RuleSlot(None, kind, {}, where)
    return RuleSlot(choice.rule, kind, dict(choice.params), where)


def _place(actor: str, neutral_real_rate_pct: dict[str, float]) -> SeatPlace:
    economy = home_economy(actor)
    return SeatPlace(economy, index_of(economy), FX_QUOTES[economy][0] if economy in FX_QUOTES else "",
                     neutral_real_rate_pct[economy])


class KeptByIdentity:
    """``make(*objects)``, worked out once for the same objects (by identity) and kept: for what a run reads
    from objects that never change once made (a scenario is a frozen record; a changed scenario or
    calibration is a new object). Each kept value is stored with its objects, so no other object can take
    their identities while it is kept. The ``limit`` values used last are kept (a sweep makes a scenario
    per variant; a set-up whose calibration is a variant too holds about 140 kB), the oldest forgotten.
    Threads may share it: at worst two work out the same value."""

    def __init__(self, make, limit: int = 64):
        self.make, self.limit = make, limit
        self._kept: OrderedDict[tuple[int, ...], tuple[tuple, object]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, *objects):
        key = tuple(map(id, objects))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept[1]
        value = self.make(*objects)
        with self._lock:
            self._kept[key] = (objects, value)
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return value


# The set-up every run of a scenario with a calibration starts from, worked out by its first run.
set_up_for = KeptByIdentity(RunSetUp)
