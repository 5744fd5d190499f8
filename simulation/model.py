"""The model: one Mesa model whose step is one month, read top to bottom in ``step``.

    decisions (scripted, given, rules) -> apply them -> trade -> markets -> macro -> record

A run is data: scenario + seed + model version + the log of decisions given from outside (a file or
players). Rules are deterministic given the seed, so replaying that log reproduces every number.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from copy import deepcopy
from typing import NamedTuple

import mesa
import numpy as np

from agents import CentralBank, Government, InvestorGroup, InvestorPopulation
from agents.rules import Observation
from agents.rules.observation import FIELD_ORDER
from simulation.actions import family, phase
from simulation.calibration import Calibration, calibration_for
from simulation.decisions import Decision, check, fit_to_limits
from simulation.markets import MarketInputs, Markets
from simulation.negotiation import NegotiationBook
from simulation.policy import Event, actor_name, apply_decision, describe_cause
from simulation.recording import Recorder
from simulation.setup import built_in, set_objectives, set_up_for
from simulation.trade import TradeNetwork
from simulation.treasuries import CARRY, RESIDUAL, TreasuryLedger, price_index
from simulation.world import CENTRAL_BANKS, ECONOMIES, FLOATING_CURRENCY, SECTORS, index_of


# What a seat's fixed observation fields (``TradeWarModel._fixed_fields``) hold for the fields ``observe``
# sets every time: a test checks that no observation keeps it.
TO_BE_SET = "<set by observe>"

# Each economy's trading partners with their index in ECONOMIES, in that order (what every observation lists).
PARTNERS = {economy: [(p, index_of(p)) for p in ECONOMIES if p != economy] for economy in ECONOMIES}
# The economies whose currency floats, with their index in ECONOMIES.
FLOATING_AT = tuple((economy, index_of(economy)) for economy in FLOATING_CURRENCY)
# The index of the US and of Japan in ECONOMIES (the economies with their own long yield and stock index).
US_AT, JP_AT = index_of("US"), index_of("JP")

# The moves that make a headline: market, threshold, its unit, and its name in the headline.
BIG_MOVES = (("us_10y", 25.0, "bp", "US 10-year yield"), ("usd_jpy", 3.0, "%", "Dollar-yen"),
             ("sp500", 5.0, "%", "S&P 500"), ("nikkei225", 5.0, "%", "Nikkei 225"))


class MonthEnd(NamedTuple):
    """What the world holds at the end of a month (the set-up's is month 0) that the month's last steps
    and its record all read: computed once, after the markets, from nothing that changes before the record.
    The next month starts from it too: its seats see these reserves, and its trade and investors start from
    these exchange rates and this Treasury price (prices move only inside the markets' step, and reserves
    only through decisions, which come after the seats have looked). The model's own ``ust_price``,
    ``reserves_value_bn()`` and ``fx_log_by_economy()`` stay live for readers at other times."""

    ust_price: float          # the Treasury price index (start = 1)
    reserves_bn: np.ndarray   # reserves at market value net of repo, in ECONOMIES order (never changed)
    carry_position_bn: float  # the yen carry traders' total position
    fx_log: np.ndarray        # each economy's currency per dollar, log change since the start (never changed)
    month: int                # the month it closes (0: the start)


class SeatFacts(NamedTuple):
    """What an actor's observation reads about its seat that never changes during a run."""

    economy: str                   # the seat's economy (a central bank's is its home economy)
    at: int                        # the economy's index in ECONOMIES
    government: Government         # the economy's government
    bank: CentralBank | None       # the economy's own central bank, if it has one
    home_quote: str                # its currency's quote against the dollar (FX_QUOTES; "" for an economy without one)
    neutral_real_rate_pct: float   # the economy's neutral real rate


def _closes_before_last(history: list[dict[str, float]]) -> tuple[dict[str, float], ...]:
    """Copies of the closing prices of the month before last and of the one before that, newest first.
    ``history``'s newest entry is the end of last month, so these are the two entries before it. A run's
    first month has none before it, and its second month only the start's."""
    if len(history) > 2:
        return dict(history[-2]), dict(history[-3])
    return tuple([dict(closes) for closes in history[:-1]])   # the first two months: none, or the start's


class TradeWarModel(mesa.Model):
    """Governments, central banks and investors on a trade network; one step = one month."""

    sectors = SECTORS

    def __init__(self, scenario, seed: int = 0, decisions: list[Decision] | None = None,
                 steps: int | None = None, calibration: Calibration | None = None, record_model_only: bool = False,
                 record_series: tuple[tuple[str, tuple[str, ...], str], ...] = ()):
        super().__init__(seed=int(seed))
        self.scenario = scenario
        self.seed_value = int(seed)
        self.steps_total = int(steps if steps is not None else scenario.steps)
        self.month = 0
        self.calibration_given = calibration   # as passed (None: the scenario's preset), for projections' copies
        where = f"scenario {scenario.id}, [calibration]"
        if calibration is None:
            self.calibration = calibration_for(scenario.calibration_preset, tuple(sorted(scenario.calibration.items())),
                                               where)
        else:
            self.calibration = calibration.with_preset(scenario.calibration_preset).with_overrides(scenario.calibration,
                                                                                                   where=where)
        self._scripted, self._external = [], ()
        self.external = sorted(decisions or [], key=lambda d: d.step)
        for d in self.external:
            check(d, self.steps_total)
        self.set_up = set_up_for(scenario, self.calibration)   # what every run of these starts from
        self.scripted = [d for d in self.set_up.scripted if d.step <= self.steps_total]
        self._news_by_step = _by_step(scenario.news)   # the scenario's breaking news, by month
        self.decision_log: list[Decision] = []
        self.events: list[Event] = []
        self.side_events: list[Event] = []    # events a handler adds beside its decision's own (a broken pledge)
        self.replay_until = 0                 # a projection's copy: months before this replay the log, no rules
        self.projecting = False               # True in a projection's copy (its rules do not project again)
        self._deciding = False                # True while this month's decisions are being collected
        self._base = None                     # the world at the end of a past month, for projections
        self.price_history: list[dict[str, float]] = []   # prices at the end of each month (0 = the start)
        self.month_end: MonthEnd | None = None            # set once the start's markets are made
        self._build_world()
        # model_only and picked: see Recorder
        self.recorder = Recorder(self, model_only=record_model_only, picked=record_series)
        self.price_history.append(self.markets.prices())
        self.month_end = self._month_end()
        self.recorder.record()

    # The script's decisions and those given from outside (a decisions file, a session's players and shocks).
    # Each month takes its own (``_collect_decisions``) from both indexed by month, which is worked out again
    # whenever either is set: so ``external`` is a tuple, added to by setting it anew, never changed in place.
    @property
    def scripted(self) -> list[Decision]:
        return self._scripted

    @scripted.setter
    def scripted(self, decisions: list[Decision]) -> None:
        self._scripted = decisions
        self._given_by_step = _by_step([*self._scripted, *self._external])

    @property
    def external(self) -> tuple[Decision, ...]:
        return self._external

    @external.setter
    def external(self, decisions) -> None:
        self._external = tuple(decisions)
        self._given_by_step = _by_step([*self._scripted, *self._external])

    # -- construction -----------------------------------------------------------------------------
    def _build_world(self) -> None:
        """The world at the start: what every run of this scenario and calibration starts from is worked out
        once (``simulation/setup.py``); this run makes its own agents and rules, draws its investors and
        copies what it changes in place."""
        cal, set_up = self.calibration, self.set_up
        # The calibration numbers the model reads every month (ust_duration_years, neutral_real_rate_pct,
        # threat_deadline_months, threat_decay_per_month, fima_spread_pp, global_rate_weight: RunSetUp), the
        # one dict among them this run's own.
        vars(self).update(set_up.model_numbers)
        self.neutral_real_rate_pct = dict(self.neutral_real_rate_pct)
        self.trade = TradeNetwork.at_start(cal)
        self.macro = set_up.macro.run_copy()   # started on the 2024 trade, with the roles' objectives set
        self.base_net_exports_bn = set_up.base_net_exports_bn   # 2024, what markets compare with
        self.ledger = TreasuryLedger(set_up.official_holdings_bn, set_up.fund_holdings_bn, 0.0,
                                     set_up.debt_outstanding_bn)
        self.governments: dict[str, Government] = {}
        for g in set_up.governments:
            trade, treasury, negotiation = g.rules
            self.governments[g.code] = Government(self, g.code, cash_reserves_bn=g.cash_reserves_bn,
                                                  credibility=g.credibility, trade_rule=trade.make(),
                                                  treasury_rule=treasury.make(), negotiation_rule=negotiation.make())
        self.central_banks: dict[str, CentralBank] = {
            b.bank_id: CentralBank(self, b.bank_id, b.economy, b.policy_rate_pct, b.rule.make()) for b in set_up.banks}
        # Each economy's central bank, if it has one of its own (the first listed, as observations expect).
        self.bank_of: dict[str, CentralBank] = {}
        for bank in self.central_banks.values():
            self.bank_of.setdefault(bank.economy, bank)
        self._seat_facts = {actor: self._facts_of(actor) for actor in set_up.seat_places}
        self.official_sales_bn: dict[str, float] = {}
        self.home_purchases_bn: dict[tuple[str, str], float] = {}
        self.deals = 0
        self.negotiation = NegotiationBook(set_up.offer_expiry_months)
        self.markets = Markets(cal, self.rng, self.macro.inflation_pct)
        self.start_prices = self.markets.prices()
        self._start_prices_named = {k + "_start": v for k, v in self.start_prices.items()}   # as views show them
        # The markets' starting yield, copied here because every Treasury price the model reads divides by it.
        self.ust_start_yield_pct = self.markets.start["us_10y"]
        # Every seat with (agent, actor), in the order they decide: the governments, then the central banks.
        self._seats = [(g, code) for code, g in self.governments.items()] + \
                      [(bank, bank_id) for bank_id, bank in self.central_banks.items()]
        self._observations: dict[str, Observation] = {}
        self._view_step, self._view = -1, {}
        self._tariff_tuple_cache: dict[str, tuple[int, tuple]] = {}   # see _tariff_tuples
        self._tariff_tables_kept: tuple = (None, None, None)            # see tariff_tables
        self._partner_tariffs_cache: dict[str, tuple] = {}   # see _partner_tariffs
        self.markets.start_expectations = self._start_expectations()
        self.investors = self._build_investors()
        self.reserves0_bn = self.reserves_value_bn()

    def _facts_of(self, actor: str) -> SeatFacts:
        """What an actor's observation reads about its seat that never changes during a run (``SeatFacts``)."""
        place = self.set_up.seat_places[actor]
        return SeatFacts(place.economy, place.at, self.governments[place.economy], self.bank_of.get(place.economy),
                         place.home_quote, place.neutral_real_rate_pct)

    def _set_objectives(self, seat: str) -> None:
        """A role's score weights (the scenario's) set again on this run's macro state; a weight the role
        leaves out keeps the calibrated default. (A run starts with them set: ``RunSetUp``.)"""
        set_objectives(self.macro, self.scenario, seat)

    def _start_expectations(self) -> dict[str, float]:
        """The policy rates markets expect at the start, from each central bank's projection of what it sees
        at the start. What a bank sees at the start is the same in every run of a scenario and calibration,
        and a built-in projection depends on nothing else, so when every bank's is built in (a person's bank
        is projected by the built-in reaction function) the first run's expectations serve the runs after
        it. A bank with a user's rule is asked in every run: its rule may keep state."""
        set_up = self.set_up
        all_built_in = all(_projects_as_built(bank.rule) for bank in self.central_banks.values())
        if all_built_in and set_up.start_expectations is not None:
            return dict(set_up.start_expectations)
        expected = self.markets.expected_rates(self.policy_rates(), self.policy_paths(0))
        if all_built_in:
            set_up.start_expectations = dict(expected)
        return expected

    def _build_investors(self) -> InvestorPopulation:
        set_up = self.set_up
        groups = [InvestorGroup(self, rule.make(), count) for rule, count in set_up.investors]
        population = InvestorPopulation(groups, self.ledger)
        population.start(self.markets.view(self.policy_rates()))
        # Carry traders hold part of their positions in Treasuries, bought from the residual holders.
        self.ledger.transfer(RESIDUAL, CARRY, set_up.carry_ust_share * population.carry_position_bn())
        return population

    # -- the month --------------------------------------------------------------------------------
    def step(self) -> None:
        """One month: decisions, then trade, markets, macro, and the record."""
        self.month += 1
        t = self.month
        self.official_sales_bn, self.home_purchases_bn, self.deals = {}, {}, 0
        tariff_before, _ = self.tariff_tables()
        version_before = self.trade.tariff_version
        for news in self._news_by_step.get(t, ()):
            self.events.append(Event(t, "news", "breaking_news", "", news.headline))
        for decision in sorted(self.decisions_for(t), key=lambda d: phase(d.action)):
            self.events.append(apply_decision(self, decision))
            self.events.extend(self.side_events)
            self.side_events.clear()
            self.decision_log.append(decision)
        self.events.extend(self._expire_offers(t))
        self._age_threats(t)
        self._charge_repo_interest()
        self.markets.begin_month(self.ledger.cumulative_official_sales_bn)
        # Prices move only inside the markets' step, so the month's trade and markets start from the exchange
        # rates and the Treasury price last month closed with (its MonthEnd).
        start = self.month_end
        self.trade.update(t, start.fx_log, self.macro.cyclical_log_ratio())
        inputs = self._market_inputs(tariff_before if self.trade.tariff_version != version_before else None)
        self.investors.price = start.ust_price
        prices = self.markets.step(inputs, self.investors)
        end = self.month_end = self._month_end()
        self.macro.update(t, self.trade, self._yield_changes(prices), self._equity_changes(prices), self.markets.risk,
                          self.reserves_valuation_change_bn(end.reserves_bn), end.fx_log)
        self.events.extend(self._market_events(t, start.carry_position_bn))
        self.price_history.append(prices)
        self.recorder.record()

    def decisions_for(self, t: int) -> list[Decision]:
        """This month's decisions: scripted events, then given decisions, then rules for the rest.

        A decision given from outside overrides a rule's decision of the same family (and target) by the
        same actor. A deal accepted this month binds both sides: neither side's rule may answer the
        other's old tariffs in the same month."""
        self._deciding = True
        try:
            return self._collect_decisions(t)
        finally:
            self._deciding = False

    def _collect_decisions(self, t: int) -> list[Decision]:
        replaying = t < self.replay_until  # a projection replays what happened, exactly, before it looks ahead
        given = self._given_by_step.get(t, [])   # the script's, then those given from outside
        taken = {(d.actor, family(d.action), d.target) for d in given}
        ruled = []
        self._observations = {}
        for agent, actor in self._seats:
            if not agent.observes:
                continue   # its rules decide nothing whatever they see (or a person plays it): no observation
            obs = self._observations[actor] = self.observe(actor, t)
            decided = agent.decide(obs)   # when replaying, rules still observe (their memory), the log decides
            if replaying or not decided:
                continue
            for d in decided:
                d = self._fit_rule_decision(d)
                if d is None:
                    continue
                check(d, self.steps_total)
                if (actor, family(d.action), d.target) not in taken:
                    ruled.append(d)
        bound = {pair for d in given + ruled if d.action in ("trade_deal", "accept_deal")
                 for pair in ((d.actor, d.target), (d.target, d.actor))}
        ruled = [d for d in ruled if not (d.action == "set_tariff" and (d.actor, d.target) in bound)]
        if replaying:
            return [d for d in self.decision_log_to_replay if d.step == t]
        return given + ruled

    def _fit_rule_decision(self, d: Decision) -> Decision | None:
        """A computer-played seat never makes a decision that would be refused: its numbers are brought
        within the limits of a decision and of what the actor holds; a decision left empty is dropped."""
        d = fit_to_limits(d)
        if d is None or d.amount_bn is None or d.amount_bn <= 0:
            return d
        holder = CENTRAL_BANKS.get(d.actor, d.actor)
        if holder not in self.governments:
            return d   # an unknown actor: the decision's check refuses it in a sentence
        room = self._room_bn(d.action, holder)
        if room is None or d.amount_bn <= room:
            return d
        if room <= 1e-9:
            return None
        return dataclasses.replace(d, amount_bn=float(room))

    def _room_bn(self, action: str, holder: str) -> float | None:
        """The most an amount of ``action`` can be for ``holder`` given what it holds (None: no limit here)."""
        if action in ("sell_treasuries", "threaten_sale"):
            return self.ledger.holdings_bn[holder]
        government = self.governments[holder]
        if action == "buy_treasuries":
            return government.cash_reserves_bn / self.ust_price
        if action == "fx_intervention":
            return government.cash_reserves_bn + self.ledger.holdings_bn[holder] * self.ust_price
        if action == "fima_repo":
            return self.ledger.holdings_bn[holder] * self.ust_price - government.repo_bn
        return None

    def run(self, steps: int | None = None) -> None:
        for _ in range(steps if steps is not None else self.steps_total - self.month):
            self.step()

    def release(self) -> None:
        """Let Mesa forget this finished model. Mesa 3.3.1 keeps every model ever built in a class-level
        counter (``Agent._ids``, mesa/mesa#3179, fixed after 3.3.1), so a process running thousands of
        models would grow by ~0.4 MB a run. The model stays usable for reading its results."""
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    # -- bookkeeping used by decisions ------------------------------------------------------------
    def sell_official(self, actor: str, holder: str, face_bn: float) -> float:
        """Move Treasuries from an official holder to the market; returns the proceeds (USD bn).

        The seller pays its own impact: the block is placed at the price its own order produces (the
        month's yield plus the rise its sale causes, on top of what it already sold this month)."""
        self.ledger.transfer(holder, "US investors and the Fed", face_bn)
        self.ledger.record_official(actor, face_bn)
        sold_before = max(self.official_sales_bn.get(actor, 0.0), 0.0)
        impact_bp = self.markets.own_impact_bp(sold_before, face_bn * self.ust_price)
        price = price_index(self.markets.us_10y + impact_bp / 100.0, self.ust_start_yield_pct, self.ust_duration_years)
        proceeds = face_bn * price
        self.official_sales_bn[actor] = self.official_sales_bn.get(actor, 0.0) + proceeds
        return proceeds

    def _charge_repo_interest(self) -> None:
        """Dollars borrowed from the Fed's FIMA repo facility cost the repo rate each month, paid in cash."""
        rate = self.central_banks["FED"].policy_rate_pct + self.fima_spread_pp
        for government in self.governments.values():
            if government.repo_bn > 0:
                government.cash_reserves_bn -= government.repo_bn * rate / 1200.0

    def buy_home_currency(self, economy: str, cause: str, amount_bn: float) -> None:
        key = (economy, cause)
        self.home_purchases_bn[key] = self.home_purchases_bn.get(key, 0.0) + amount_bn

    def _age_threats(self, t: int) -> None:
        """A threat not carried out by its deadline loses credibility every month it stands, and so does
        the record of the government that made it."""
        deadline, kept = self.threat_deadline_months, 1 - self.threat_decay_per_month
        for code, government in self.governments.items():
            if government.threat_bn > 0 and t - government.threat_step > deadline:
                government.credibility *= kept
                government.threat_credibility *= kept
                if t - government.threat_step == int(deadline) + 1:
                    self.events.append(Event(t, code, "threat_fading",
                                             f"credibility={government.threat_credibility:.2f}",
                                             f"Markets start to doubt {actor_name(code)}'s threat to sell Treasuries"))

    def _expire_offers(self, t: int) -> list[Event]:
        """Offers nobody answered by their last month lapse, with a headline."""
        if not self.negotiation.offers:   # in most games, most months, no offer has been made at all
            return []
        return [Event(t, o.proposer, "offer_expired", f"offer={o.number} target={o.target}",
                      f"{_capital(actor_name(o.proposer))}'s offer to {actor_name(o.target)} "
                      f"({o.rate_pct:g}% cap) expires unanswered")
                for o in self.negotiation.expire(t)]

    # -- looking ahead ----------------------------------------------------------------------------
    def project_score(self, seat: str, extra: list[Decision], months: int) -> float:
        """``seat``'s score after ``months`` months from the month being decided (this month during a step,
        the next one between steps) if ``extra`` decisions are added to it: a copy of the world as it
        stood at the end of last month, run ahead with every rule as it is (rules in the copy do not look
        ahead again; what other players decide this month is not known, so only the scenario's script
        and ``extra`` are given). For rules that weigh an offer."""
        t = self.month if self._deciding else self.month + 1
        copy = self._projection_base(t)._world_copy()
        copy.recorder = Recorder(copy, model_only=True)   # the projection reads the score, not the tables
        copy.release()
        # The copy may run past the game's last month, so a deal weighed near the end is judged on the
        # same horizon as one weighed at the start.
        copy.steps_total = max(self.steps_total, t + months - 1)
        copy.scripted = [d for d in self.scripted if d.step >= t]
        copy.external = [dataclasses.replace(d, step=t) for d in extra]
        copy.run(months)
        return float(copy.seat_score(seat))

    def _world_copy(self) -> "TradeWarModel":
        """A deep copy of this world for a projection to run ahead, without what the copy does not need:
        the recorder (a projection reads the score, not the history) and the caches of the month's
        observations and their views, which the copy builds again for its own months (copying the
        tariff tables' tuples those caches hold took half the time of a copy)."""
        left_out = {"recorder": None, "_observations": {}, "_view_step": -1, "_view": {},
                    "_tariff_tuple_cache": {}, "_partner_tariffs_cache": {}, "_observation_fields": {},
                    "_tariff_tables_kept": (None, None, None)}
        kept = {name: getattr(self, name) for name in left_out}
        try:
            for name, empty in left_out.items():
                setattr(self, name, empty)
            return deepcopy(self, {id(self.set_up): self.set_up})   # the set-up is shared, never changed
        finally:
            for name, value in kept.items():
                setattr(self, name, value)

    def _projection_base(self, t: int) -> "TradeWarModel":
        """The world at the end of month t - 1, rebuilt from this run's log (exact, because a run is data).
        It is kept and moved forward month by month as the run goes on (the log only grows), so a
        projection costs a copy and its own months, not a replay of the whole game."""
        if self._base is None or self._base.month > t - 1:
            self._base = TradeWarModel(self.scenario, seed=self.seed_value, steps=self.steps_total,
                                       calibration=self.calibration_given, record_model_only=True)
            self._base.release()
            self._base.projecting = True
            self._base.scripted = []             # the log it replays holds the script's decisions already
        base = self._base
        if base.month < t - 1:
            base.replay_until = t
            base.decision_log_to_replay = [d for d in self.decision_log if base.month < d.step < t]
            base.run(t - 1 - base.month)
        return base

    # -- scores -----------------------------------------------------------------------------------
    def seat_score(self, seat: str) -> float:
        """A seat's score now (100 at the start): a government by its economy code, or a central bank."""
        return self.macro.seat_score(seat)

    def seat_score_parts(self, seat: str) -> dict[str, float]:
        """A seat's score terms now (the score is 100 plus their sum)."""
        return self.macro.seat_parts(seat)

    def seat_weights(self, seat: str) -> dict[str, float]:
        """The weights of a seat's score: its role's objectives, or the calibrated defaults."""
        return self.macro.seat_weights(seat)

    def scores_frame(self):
        """Every seat's score and its parts at every step so far (``step, seat, part, value``)."""
        return self.recorder.scores_frame()

    # -- views ------------------------------------------------------------------------------------
    @property
    def ust_price(self) -> float:
        return price_index(self.markets.us_10y, self.ust_start_yield_pct, self.ust_duration_years)

    def idx(self, economy: str) -> int:
        return index_of(economy)

    def policy_rates(self) -> dict[str, float]:
        return {bank.economy: bank.policy_rate_pct for bank in self.central_banks.values()}

    def fx_log_by_economy(self) -> np.ndarray:
        out = np.zeros(len(ECONOMIES))
        for e, i in FLOATING_AT:
            out[i] = self.markets.fx_log(e)
        return out

    def reserves_value_bn(self, price: float | None = None) -> np.ndarray:
        """Reserves at market value, net of what is owed to the FIMA repo facility, at the Treasury price
        ``price`` (the price now unless given)."""
        return np.array(self._reserves_bn_floats(price))

    def _reserves_bn_floats(self, price: float | None = None) -> list[float]:
        """``reserves_value_bn`` as plain floats in the order of ``ECONOMIES`` (what an observation reads)."""
        price, holdings = self.ust_price if price is None else price, self.ledger.holdings_bn
        return [g.cash_reserves_bn + holdings[e] * price - g.repo_bn for e, g in self.governments.items()]

    def _month_end(self) -> MonthEnd:
        """The month's end values (``MonthEnd``), once the markets have closed."""
        price = self.ust_price
        return MonthEnd(price, self.reserves_value_bn(price), self.investors.carry_position_bn(),
                        self.fx_log_by_economy(), self.month)

    def policy_paths(self, t: int) -> dict[str, tuple[float, float]]:
        """Each central bank's projected path as markets read it: (the rate it steers toward, its
        smoothing), from its rule, or from a standard reaction function when a person plays the bank."""
        out = {}
        observations = self._observations
        for bank_id, bank in self.central_banks.items():
            obs = observations.get(bank_id)
            if obs is None or obs.step != t:   # kept: the start's expectations and investors read them twice
                obs = observations[bank_id] = self.observe(bank_id, t)
            out[bank.economy] = bank.projection(obs)
        return out

    def reserves_valuation_change_bn(self, values_bn: np.ndarray | None = None) -> np.ndarray:
        """Gains and losses on reserves since the start from price moves alone: today's value (``values_bn``
        if the caller has it, as ``reserves_value_bn`` gives it), plus what was spent (sales brought home,
        interventions), minus the starting value."""
        spent_bn = np.array([g.reserves_spent_bn for g in self.governments.values()])
        values_bn = self.reserves_value_bn() if values_bn is None else values_bn
        return values_bn + spent_bn - self.reserves0_bn

    def _market_inputs(self, tariff_before: np.ndarray | None = None) -> MarketInputs:
        """What the markets are told this month. ``tariff_before`` (the tariffs at the start of the month)
        is given only in a month when a tariff was set; in most months none is, and the tariff shock and
        the US tariff rise are then exactly zero without the arithmetic."""
        shock = us_rise = 0.0
        if tariff_before is not None and not np.array_equal(tariff_before, self.trade.tariffs_pct):
            # Tariff changes in log points (x 100), so 145% counts as a prohibitive tariff, not 145 small ones.
            change = 100.0 * (np.log1p(self.trade.tariffs_pct / 100.0) - np.log1p(tariff_before / 100.0))
            weighted = change * self.trade.base_flows_bn / 1000.0
            shock = float(weighted.sum())
            us_rise = float(np.maximum(weighted[:, US_AT], 0.0).sum())
        expected = self.macro.expected_gap_pct(self.trade)
        nx = (self.trade.exports_bn() - self.trade.imports_bn()) - self.base_net_exports_bn
        return MarketInputs(
            policy_rates=self.policy_rates(), policy_paths=self.policy_paths(self.month),
            inflation_pct=self.macro.inflation_pct,
            official_sales_bn=dict(self.official_sales_bn), home_purchases_bn=dict(self.home_purchases_bn),
            threats_bn={c: g.priced_threat_bn() for c, g in self.governments.items() if g.threat_bn > 0},
            tariff_shock=shock, us_tariff_rise=us_rise, deals=self.deals, net_exports_change_bn=nx,
            expected_gap_pct={"US": float(expected[US_AT]), "JP": float(expected[JP_AT])},
        )

    def _yield_changes(self, prices: dict[str, float]) -> np.ndarray:
        us = prices["us_10y"] - self.start_prices["us_10y"]
        out = [self.global_rate_weight * us] * len(ECONOMIES)
        out[US_AT] = us
        out[JP_AT] = prices["jgb_10y"] - self.start_prices["jgb_10y"]
        return np.array(out)

    def _equity_changes(self, prices: dict[str, float]) -> np.ndarray:
        """Stock prices relative to their expected path (the start plus the expected return): only the
        surprise is new wealth; the drift is the normal growth potential output already has."""
        out = np.zeros(len(ECONOMIES))
        for name, economy in (("sp500", "US"), ("nikkei225", "JP")):
            expected = self.markets.eq_parts[name].get("expected return", 0.0)
            out[index_of(economy)] = math.log(prices[name] / self.start_prices[name]) - expected
        return out

    def observe(self, actor: str, t: int) -> Observation:
        """What ``actor`` sees at the start of step ``t`` (the state at the end of ``t - 1``).

        About six seats observe every month, so the parts every seat shares (prices, reserves, the
        per-economy numbers as plain floats, the tariff tables as tuples) are built once per step in
        ``_step_view``; each seat still gets its own dicts, so a rule that changes what it was given cannot
        change what another seat sees."""
        view = self._view if self._view_step == t else self._step_view(t)
        facts = self._seat_facts[actor]
        economy, e, government, bank = facts.economy, facts.at, facts.government, facts.bank
        tariffs_on_me, base_tariffs_on_me, my_tariffs, base_my_tariffs = self._partner_tariffs(economy, view)
        negotiation = self.negotiation
        # Most months nobody has an offer open or a pledge standing: then there is nothing to look through.
        offers = negotiation.open_offers(economy) if negotiation.offers else None
        pledge = negotiation.active_pledge(economy, t) if negotiation.pledges else None
        threatening = bool(government.threat_bn)
        # Every field in order, those that never change in a run already in (``_fixed_fields``): copying
        # that dict and setting the rest costs less than half what building a thirty-field dict did.
        seen = (self._observation_fields.get(actor) or self._fixed_fields(actor)).copy()
        seen["step"] = t
        seen["prices"] = dict(view["prices"])   # a copy per seat (as are the tariff dicts and earlier prices)
        seen["policy_rate_pct"] = bank.policy_rate_pct if bank else float("nan")
        seen["inflation_pct"] = view["inflation_pct"][e]
        seen["inflation_target_pct"] = view["inflation_target_pct"][e]
        seen["output_gap_pct"] = view["output_gap_pct"][e]
        seen["ust_holdings_bn"] = self.ledger.holdings_bn[economy]
        seen["fx_reserves_bn"] = view["reserves"][e]
        seen["cash_reserves_bn"] = government.cash_reserves_bn
        seen["threat_bn"] = government.threat_bn
        seen["threat_age_months"] = t - government.threat_step if threatening else 0
        seen["credibility"] = government.credibility
        seen["tariffs_on_me"], seen["base_tariffs_on_me"] = dict(tariffs_on_me), dict(base_tariffs_on_me)
        seen["my_tariffs"], seen["base_my_tariffs"] = dict(my_tariffs), dict(base_my_tariffs)
        seen["threat_credibility"] = government.threat_credibility if threatening else 0.0
        seen["prices_months_ago"] = _closes_before_last(self.price_history)
        if offers:
            seen["offers_to_me"] = tuple([o for o in offers if o.target == economy])
            seen["offers_from_me"] = tuple([o for o in offers if o.proposer == economy])
        if pledge:
            seen["pledged_until_step"] = pledge.until_step
        if self.projecting:
            seen["project"] = None   # a projection's rules do not project again
        seen["tariff_inflation_pct"] = view["tariff_inflation_pct"][e]
        return Observation._from_fields(seen)   # its keys are the fields by construction

    @functools.cached_property
    def _observation_fields(self) -> dict[str, dict]:
        """Each observing seat's ``_fixed_fields``, made at its first observation (a projection's copy
        makes its own)."""
        return {}

    def _fixed_fields(self, actor: str) -> dict:
        """All of ``actor``'s observation fields in their order, holding those that never change in a run
        (who it is, its economy, neutral rate and home quote, and its look-ahead) and the defaults of the
        fields that stay at them in most months (no offers, no pledge); ``observe`` sets the rest
        (``TO_BE_SET`` until then)."""
        facts = self._seat_facts[actor]
        fixed = self._observation_fields[actor] = dict.fromkeys(FIELD_ORDER, TO_BE_SET)
        fixed.update(actor=actor, economy=facts.economy, neutral_real_rate_pct=facts.neutral_real_rate_pct,
                     home_quote=facts.home_quote, offers_to_me=(), offers_from_me=(), pledged_until_step=0,
                     project=LookAhead(self, actor))
        return fixed

    def _step_view(self, t: int) -> dict:
        """Prices, reserves, the per-economy macro numbers (plain floats) and the tariff tables, built once
        per step for every seat's view. The tariff tables are nested tuples (``[exporter][importer]`` -> one
        tuple of sector tariffs), immutable, so every seat's dicts can hold the same tuples."""
        if self._view_step != t:
            prices = self.markets.prices()
            prices.update(self._start_prices_named)
            macro = self.macro
            self._view = {"prices": prices, "reserves": self._reserves_at_start(t),
                          "inflation_pct": macro.inflation_pct.tolist(),
                          "inflation_target_pct": macro.inflation_target_pct.tolist(),
                          "output_gap_pct": macro.gap_pct.tolist(),
                          "tariff_inflation_pct": macro.tariff_inflation_pct.tolist(),
                          "tariffs": self._tariff_tuples("tariffs_pct"),
                          "agreed": self._tariff_tuples("agreed_tariffs_pct")}
            self._view_step = t
        return self._view

    def _reserves_at_start(self, t: int) -> list[float]:
        """Reserves at market value as month ``t`` starts (the end of month ``t - 1``), as plain floats: the
        values month ``t - 1`` closed with (``month_end``, what the record holds for it) once it has closed,
        since nothing changes reserves between a month's close and the next month's decisions; read live
        before (the set-up's view of the start)."""
        end = self.month_end
        if end is not None and end.month == t - 1:
            return end.reserves_bn.tolist()
        return self._reserves_bn_floats()

    def _partner_tariffs(self, economy: str, view: dict) -> tuple[dict, dict, dict, dict]:
        """An economy's four partner -> sector tariffs dicts of its observation (tariffs on its goods, their
        agreed levels, its own tariffs and theirs), built from the step view's tariff tuples and built again
        only when those are other tuples (after a tariff change); each observation gets copies of them."""
        tariffs, agreed = view["tariffs"], view["agreed"]
        kept = self._partner_tariffs_cache.get(economy)
        if kept is None or kept[0] is not tariffs or kept[1] is not agreed:
            e, partners = index_of(economy), PARTNERS[economy]
            kept = self._partner_tariffs_cache[economy] = (tariffs, agreed, (
                {p: tariffs[e][i] for p, i in partners}, {p: agreed[e][i] for p, i in partners},
                {p: tariffs[i][e] for p, i in partners}, {p: agreed[i][e] for p, i in partners}))
        return kept[2]

    def tariff_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Read-only copies of the tariffs now and of their agreed levels (``[exporter, importer, sector]``),
        copied again only after they changed (``TradeNetwork.tariff_version``): the month compares its
        tariffs with those at its start, and the record keeps each month's, but tariffs change in a few
        months of a game, so most months share the copies of the month before."""
        version, tariffs, agreed = self._tariff_tables_kept
        if version != self.trade.tariff_version:
            tariffs, agreed = self.trade.tariffs_pct.copy(), self.trade.agreed_tariffs_pct.copy()
            tariffs.setflags(write=False)
            agreed.setflags(write=False)
            self._tariff_tables_kept = (self.trade.tariff_version, tariffs, agreed)
        return tariffs, agreed

    def _tariff_tuples(self, table: str) -> tuple[tuple[tuple[float, ...], ...], ...]:
        """The trade network's tariff table ``table`` as tuples (``_tuples_by_pair``), rebuilt only after the
        tariffs changed (``TradeNetwork.tariff_version``): tariffs change in a few months of a game."""
        version = self.trade.tariff_version
        kept = self._tariff_tuple_cache.get(table)
        if kept is None or kept[0] != version:
            kept = self._tariff_tuple_cache[table] = (version, _tuples_by_pair(getattr(self.trade, table)))
        return kept[1]

    def _market_events(self, t: int, carry_before_bn: float) -> list[Event]:
        """Headlines the markets write themselves: carry unwinds (against the carry position at the end of
        last month) and big moves, with their largest cause."""
        events = []
        carry_change = self.month_end.carry_position_bn - carry_before_bn
        if carry_change <= -25:
            events.append(Event(t, "markets", "carry_unwind", f"carry_change_bn={carry_change:.1f}",
                                f"Yen carry traders unwind ${-carry_change:,.0f}bn of positions"))
        by_market = self.markets.moves.by_market
        for market, threshold, unit, name in BIG_MOVES:
            causes = by_market.get(market)
            if not causes:
                continue
            total = sum(causes.values())
            if abs(total) >= threshold:
                top = max(causes, key=lambda c: abs(causes[c]))
                verb = "jumps" if total > 0 else "drops"
                events.append(Event(t, "markets", "market_move", f"{market} {total:+.1f}{unit}",
                                    f"{name} {verb} {abs(total):.1f}{unit}; biggest driver: {describe_cause(top)}"))
        return events


class LookAhead:
    """An observation's ``project(extra, months)``: the seat's score after ``months`` months if the decisions
    ``extra`` are added this month (``TradeWarModel.project_score``), made once per seat.

    A deep copy of the whole world (a projection's copy, ``_world_copy``) gives the copy's look-ahead, so a
    rule that kept an observation looks ahead from the world it is in. Any other copy (a rule copying what
    it saw, ``dataclasses.asdict``) keeps looking ahead from this world without copying it, and pickling one
    is refused: it would pickle the whole world."""

    __slots__ = ("model", "actor")

    def __init__(self, model: "TradeWarModel", actor: str):
        self.model, self.actor = model, actor

    def __call__(self, extra: list[Decision], months: int) -> float:
        return self.model.project_score(self.actor, extra, months)

    def __copy__(self) -> "LookAhead":
        return self

    def __deepcopy__(self, memo: dict) -> "LookAhead":
        return LookAhead(memo.get(id(self.model), self.model), self.actor)

    def __reduce__(self):
        raise TypeError(f"{self.actor}'s look-ahead (an observation's project) cannot be pickled: it holds the "
                        "whole model; keep the numbers you need instead")


def _projects_as_built(rule) -> bool:
    """Whether a central bank's projection is a built-in one (its rule is, or a person plays it, and the
    markets' reaction function projects it): a function of what the bank sees alone."""
    return rule is None or built_in(type(rule))


def _by_step(items) -> dict[int, list]:
    """``items`` (decisions, news: anything with a ``step``) by month, in their order within each month."""
    by_step: dict[int, list] = {}
    for item in items:
        by_step.setdefault(item.step, []).append(item)
    return by_step


def _tuples_by_pair(table: np.ndarray) -> tuple[tuple[tuple[float, ...], ...], ...]:
    """A ``[exporter, importer, sector]`` array as nested tuples of plain floats, per (exporter, importer)
    one tuple of sector tariffs. Immutable, so one copy serves every run: the tables are remembered by
    their bytes, since every run of a scenario starts from the same tariffs and most make the same few
    changes (a few hundred tables at most are kept)."""
    key = table.tobytes()
    tuples = _TUPLE_TABLES.get(key)
    if tuples is None:
        if len(_TUPLE_TABLES) >= 512:
            _TUPLE_TABLES.clear()
        tuples = _TUPLE_TABLES[key] = tuple(tuple(tuple(sectors) for sectors in row) for row in table.tolist())
    return tuples


_TUPLE_TABLES: dict[bytes, tuple] = {}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


