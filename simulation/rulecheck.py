"""``check-rule FILE:CLASS``: does a student's rule keep the contract, how does it change the game, and do
the model's stylized facts still hold with it?

1. Contract: the rule builds with its defaults; over a few hundred random situations it returns the
   right kind of result (a list of valid decisions for policy rules, one finite order per member for
   investor rules), respects the bounds of every action, never gives NaN, never raises, and gives the
   same answers when built again and asked again.
2. Behaviour: kato-2025 with the rule in its seat against the same scenario with the built-in rule,
   over three seeds: a small table of differences in the key outcomes.
3. Stylized facts: the counterfactual checks of the model (a $100bn sale moves the 10-year 5-25 bp, a
   25-point auto tariff cuts Japan's auto exports 15-35% in a year, a BOJ hike with a Fed cut lowers
   USD/JPY, a broad US tariff lowers the S&P 500) rerun with the rule in place.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from agents.rules.base import KINDS, Rule
from agents.rules.investors import InvestorRule, MarketView
from agents.rules.observation import Observation
from simulation.decisions import Decision, check, home_economy
from simulation.errors import UserError
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS

DEFAULT_SEAT = {"trade": "JP", "treasury": "JP", "negotiation": "JP", "monetary": "BOJ"}
SITUATIONS = 300
BEHAVIOUR_SEEDS = (1, 2, 3, 2025)
# The actions each kind of policy rule takes: a decision counts as the rule's own if its seat took one.
KIND_ACTIONS = {"trade": ("set_tariff", "trade_deal"),
                "treasury": ("sell_treasuries", "buy_treasuries", "threaten_sale", "retract_threat"),
                "monetary": ("set_policy_rate", "fx_intervention")}


@dataclass
class Section:
    title: str
    rows: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # plain facts that are not a pass or a fail

    def add(self, name: str, passed: bool, detail: str = "") -> None:
        self.rows.append((name, bool(passed), detail))

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.rows)


@dataclass
class Report:
    rule: str
    sections: list[Section]
    table: str = ""

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.sections)

    def text(self) -> str:
        lines = [f"check-rule {self.rule}: {'PASS' if self.passed else 'FAIL'}"]
        for section in self.sections:
            lines.append(f"\n{section.title}: {'pass' if section.passed else 'FAIL'}")
            for name, ok, detail in section.rows:
                lines.append(f"  [{'pass' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail else ""))
            if section.title.startswith("Behaviour") and self.table:
                lines.append(self.table)
            lines += [f"  [note] {text}" for text in section.notes]
        return "\n".join(lines)


def check_rule(cls: type[Rule], seat: str | None = None, quick: bool = False) -> Report:
    """Run all three parts of the check on a rule class."""
    contract = Section("Contract")
    rule = _build(cls, contract)
    where = getattr(cls, "source_file", cls.__module__)
    report = Report(f"{where}:{cls.__name__} ('{cls.name}', {cls.kind} rule)", [contract])
    if rule is None:
        return report
    if isinstance(rule, InvestorRule):
        _investor_contract(cls, contract)
    else:
        seat = seat or DEFAULT_SEAT[cls.kind]
        _policy_contract(cls, seat, contract)
    if not contract.passed:
        return report  # a rule that breaks the contract would only crash the runs below
    seeds = BEHAVIOUR_SEEDS[:1] if quick else BEHAVIOUR_SEEDS
    behaviour = Section(f"Behaviour against the built-in rule (kato-2025, mean of seeds "
                        f"{', '.join(map(str, seeds))}, end of run)")
    report.sections.append(behaviour)
    try:
        report.table = _behaviour(cls, seat, behaviour, seeds=seeds)
    except Exception as error:  # noqa: BLE001 - any failure of the student's rule is reported, not raised
        behaviour.add("runs kato-2025 with the rule", False, _failure_text(error))
        return report
    facts = Section("Stylized facts with the rule in place")
    report.sections.append(facts)
    _facts(cls, seat, facts)
    return report


# -- contract -------------------------------------------------------------------------------------
def _build(cls, section: Section):
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        section.add("is a rule class", False, "subclass a rule base class from agents.rules")
        return None
    if not cls.name or cls.kind not in KINDS:
        section.add("has a name and a kind", False, f"set name = '...' and kind = {'/'.join(repr(k) for k in KINDS)}")
        return None
    section.add("has a docstring saying what it does", bool((cls.__doc__ or "").strip()))
    try:
        rule = cls()
    except UserError as error:
        section.add("builds with its default parameters", False, str(error))
        return None
    except Exception as error:  # noqa: BLE001
        section.add("builds with its default parameters", False, f"{type(error).__name__}: {error}")
        return None
    section.add("builds with its default parameters", True, f"{len(cls.parameters())} parameters within their bounds")
    return rule


def _failure_text(error: BaseException) -> str:
    """A student's rule failure is already a sentence (file, line, situation); anything else gets its type."""
    from agents.rules.user_rules import RuleFailure

    return str(error) if isinstance(error, (RuleFailure, UserError)) else f"{type(error).__name__}: {error}"


def random_observation(rng: np.random.Generator, actor: str, step: int) -> Observation:
    """A plausible but random situation for ``actor`` (tariffs 0-300%, yields 0-12%, ...)."""
    economy = home_economy(actor)
    partners = [p for p in ECONOMIES if p != economy]
    tariffs = lambda: {p: tuple(float(x) for x in rng.choice([0, 2.5, 10, 25, 60, 145, 300], len(SECTORS)))  # noqa: E731
                       for p in partners}
    base = {p: tuple(float(x) for x in rng.uniform(0, 10, len(SECTORS))) for p in partners}
    holdings = float(rng.choice([0.0, 50.0, 1100.0, 3000.0]))
    quote = {"JP": "usd_jpy", "EA": "eur_usd", "CN": "usd_cny"}.get(economy, "")
    prices = {"us_10y": rng.uniform(0, 12), "jgb_10y": rng.uniform(-0.5, 4), "usd_jpy": rng.uniform(80, 250),
              "eur_usd": rng.uniform(0.7, 1.6), "usd_cny": rng.uniform(5, 9), "sp500": rng.uniform(2000, 9000),
              "nikkei225": rng.uniform(15000, 60000)}
    prices.update({"usd_jpy_start": 150.0, "eur_usd_start": 1.08, "usd_cny_start": 7.25, "us_10y_start": 4.5,
                   "jgb_10y_start": 1.1, "sp500_start": 5612.0, "nikkei225_start": 35618.0})
    threat = float(rng.choice([0.0, min(100.0, holdings)]))
    earlier = tuple({k: v * float(rng.uniform(0.85, 1.15)) for k, v in prices.items()} for _ in range(2))
    offers = _random_offers(rng, economy, partners, step)
    return Observation(
        step=step, actor=actor, economy=economy, prices=prices, policy_rate_pct=float(rng.uniform(-0.5, 10)),
        inflation_pct=float(rng.uniform(-2, 15)), inflation_target_pct=2.0, output_gap_pct=float(rng.uniform(-10, 10)),
        neutral_real_rate_pct=float(rng.uniform(-1, 2)), ust_holdings_bn=holdings,
        fx_reserves_bn=holdings + float(rng.uniform(0, 500)), cash_reserves_bn=float(rng.uniform(0, 500)),
        threat_bn=threat, threat_age_months=int(rng.integers(0, 12)) if threat else 0,
        credibility=float(rng.uniform(0, 1)), tariffs_on_me=tariffs(), base_tariffs_on_me=base,
        my_tariffs=tariffs(), base_my_tariffs=base, home_quote=quote, prices_months_ago=earlier,
        offers_to_me=offers, threat_credibility=float(rng.uniform(0, 1)) if threat else 0.0)


def _random_offers(rng: np.random.Generator, economy: str, partners: list[str], step: int) -> tuple:
    """Sometimes an open offer to ``economy`` from a random partner (for negotiation rules)."""
    from simulation.negotiation import Offer

    if rng.uniform() < 0.5:
        return ()
    proposer = str(rng.choice([p for p in partners if p != "ROW"]))
    return (Offer(1, proposer, economy, float(rng.choice([0, 10, 15, 25])), "all", int(rng.choice([0, 6])),
                  step, step + 2),)


def _policy_contract(cls, seat: str, section: Section) -> None:
    if seat not in ECONOMIES and seat not in CENTRAL_BANKS:
        raise UserError(f"unknown seat '{seat}'; expected an economy or a central bank")
    first, problems, seconds = _decide_many(cls(), seat)
    made = sum(len(d) for d in first if d)
    section.add(f"returns valid decisions in {SITUATIONS} random situations", not problems,
                problems[0] if problems else f"{made} decisions, all valid")
    if any("was stopped" in p for p in problems):
        return  # a rule that hangs would only hang again
    second, _, _ = _decide_many(cls(), seat)
    section.add("is deterministic (same situations, same decisions)", first == second,
                "" if first == second else "a fresh copy of the rule decided differently")
    from agents.rules.user_rules import DECIDE_BUDGET_S

    section.note(f"time per decision: {np.mean(seconds) * 1e6:,.0f} µs on average, {max(seconds) * 1e3:,.2f} ms "
                 f"at most (a call longer than {DECIDE_BUDGET_S:g} s is stopped)")


def _decide_many(rule, seat: str) -> tuple[list, list[str], list[float]]:
    """The rule's answers in SITUATIONS random situations, the problems found and each call's time.
    Stops at the first call that overran its time budget."""
    from agents.rules.user_rules import RuleOverran

    rng = np.random.default_rng(12345)
    outputs, problems, seconds = [], [], []
    for n in range(SITUATIONS):
        obs = random_observation(rng, seat, step=1 + n % 24)
        started = time.perf_counter()
        try:
            decisions = rule.decide(obs)
        except RuleOverran as error:
            problems.append(f"{error} (situation {n + 1})")
            break
        except Exception as error:  # noqa: BLE001
            problems.append(f"{_raised(error)} (situation {n + 1})")
            outputs.append(None)
            continue
        finally:
            seconds.append(time.perf_counter() - started)
        outputs.append(_summary(decisions))
        problem = _decision_problem(decisions, obs)
        if problem:
            problems.append(f"situation {n + 1}: {problem}")
    return outputs, problems, seconds


def _raised(error: Exception) -> str:
    from agents.rules.user_rules import RuleFailure

    return str(error) if isinstance(error, RuleFailure) else f"raised {type(error).__name__}: {error}"


def _summary(decisions) -> tuple | None:
    try:
        return tuple(tuple(sorted(d.to_record().items())) for d in decisions)
    except Exception:  # noqa: BLE001 - reported by _decision_problem
        return None


def _decision_problem(decisions, obs: Observation) -> str:
    if not isinstance(decisions, list):
        return f"decide() must return a list of Decision records, got {type(decisions).__name__}"
    for d in decisions:
        if not isinstance(d, Decision):
            return f"decide() returned {type(d).__name__}, not a Decision"
        for name in ("amount_bn", "rate_pct"):
            value = getattr(d, name)
            if isinstance(value, float) and math.isnan(value):
                return f"{d.action} has {name} = NaN"
        if d.actor != obs.actor or d.step != obs.step:
            return f"a decision must be for this actor and step ({obs.actor}, step {obs.step}), got ({d.actor}, step {d.step})"
        try:
            check(d)
        except UserError as error:
            return f"out of bounds: {error}"
        if d.action in ("sell_treasuries", "threaten_sale") and d.amount_bn > obs.ust_holdings_bn + 1e-9:
            return f"{d.action} of {d.amount_bn:g}bn is more than the {obs.ust_holdings_bn:g}bn held"
    return ""


def _investor_contract(cls, section: Section) -> None:
    rng_views = np.random.default_rng(7)
    problems, results = [], []
    for attempt in range(2):
        rule = cls()
        members = rule.traits(np.random.default_rng(42), 500)
        if hasattr(rule, "start"):
            rule.start(members, _random_view(np.random.default_rng(1)))
        views = np.random.default_rng(7)
        out = []
        for n in range(SITUATIONS // 3):
            try:
                orders = np.asarray(rule.orders(members, _random_view(views)), dtype=float)
            except Exception as error:  # noqa: BLE001
                problems.append(f"orders() raised {type(error).__name__}: {error}")
                break
            if orders.shape != (500,):
                problems.append(f"orders() must give one order per member (500), got shape {orders.shape}")
                break
            if not np.isfinite(orders).all():
                problems.append(f"orders() gave NaN or infinity (situation {n + 1})")
                break
            out.append(orders)
        results.append(out)
    del rng_views
    section.add(f"gives one finite order per member in {SITUATIONS // 3} random markets", not problems,
                problems[0] if problems else "")
    same = len(results[0]) == len(results[1]) and all(np.array_equal(a, b) for a, b in zip(*results))
    section.add("is deterministic for a given seed", same, "" if same else "two runs with the same seed differ")


def _random_view(rng: np.random.Generator) -> MarketView:
    return MarketView(ust_gap_bp=float(rng.normal(0, 40)), ust_last_change_bp=float(rng.normal(0, 30)),
                      ust_impact_bp_per_bn=0.25, rate_gap_pp=float(rng.uniform(-1, 6)),
                      usd_jpy_vol_pct=float(rng.uniform(2, 40)), equity_gap_pct=rng.normal(0, 5, 2),
                      equity_last_return_pct=rng.normal(0, 5, 2), equity_impact_pct_per_bn=0.02)


# -- behaviour and facts --------------------------------------------------------------------------
def _with_rule(loaded, cls, seat):
    from scenarios import with_rule

    return with_rule(loaded, seat, cls.kind, cls.name)


def _behaviour(cls, seat, section: Section, seeds) -> str:
    import pandas as pd

    from scenarios import load_scenario
    from simulation.runner import run

    base = load_scenario("kato-2025")
    mine = _with_rule(base, cls, seat)
    economy = home_economy(seat) if seat else "JP"
    rows, acted = {}, {}
    for label, scenario in (("built-in", base), ("yours", mine)):
        ends = []
        for seed in seeds:
            r = run(scenario, seed=seed)
            if label == "yours":
                acted[seed] = _own_decisions(r, cls, seat)
            m, e = r.model.iloc[-1], r.economies[r.economies.step == r.economies.step.max()].set_index("economy")
            ends.append({"us_10y": m.us_10y, "usd_jpy": m.usd_jpy, "sp500": m.sp500, "nikkei225": m.nikkei225,
                         f"{economy} gdp_bn": e.loc[economy, "gdp_bn"], f"{economy} score": e.loc[economy, "score"],
                         "JP exports_bn": e.loc["JP", "exports_bn"], "US score": e.loc["US", "score"]})
        rows[label] = pd.DataFrame(ends).mean()
    table = pd.DataFrame(rows)
    table["difference"] = table["yours"] - table["built-in"]
    section.add("runs kato-2025 in its seat", True, f"seat {seat or 'investors'}; built-in = the scenario's own rule")
    _report_decisions(section, cls, seat, acted)
    return "  " + table.to_string(float_format=lambda x: f"{x:,.3f}").replace("\n", "\n  ")


def _own_decisions(result, cls, seat) -> int | None:
    """How many decisions the rule's seat took with its kind of action (None for investor rules)."""
    actions = KIND_ACTIONS.get(cls.kind)
    if actions is None:
        return None
    return sum(1 for d in result.world.decision_log if d.origin == "rule" and d.actor == seat and d.action in actions)


def _report_decisions(section: Section, cls, seat, acted: dict) -> None:
    """Say how often the rule acted, and plainly when it never did: then the table shows no effect of
    the rule at all, only that its conditions never held in this scenario."""
    if any(n is None for n in acted.values()):
        return
    per_seed = ", ".join(f"{n} on seed {seed}" for seed, n in acted.items())
    if sum(acted.values()) == 0:
        section.note(f"YOUR RULE NEVER ACTED: it made no decision in kato-2025 on seeds "
                     f"{', '.join(map(str, acted))}, so the table shows no effect of it. Its conditions never "
                     f"held for {seat} in these runs; compare them with the prices in "
                     "'python run.py simulate --scenario kato-2025 --out out/kato' (model.csv), or try other "
                     "parameters with --use-rule " f"{seat}.{cls.kind}={cls.name}:PARAM=VALUE")
    else:
        section.note(f"decisions your rule made in kato-2025: {per_seed}")


def _facts(cls, seat, section: Section) -> None:
    from scenarios import load_scenario
    from simulation.runner import run

    base = _with_rule(load_scenario("baseline-2025"), cls, seat)

    def pair(decisions, steps, seed=1):
        return run(base, seed=seed, steps=steps), run(base, seed=seed, steps=steps, decisions=decisions)

    D = lambda step, actor, action, **kw: Decision(step=step, actor=actor, action=action, **kw)  # noqa: E731
    try:
        b, s = pair([D(3, "JP", "sell_treasuries", amount_bn=100)], 4)
        impact = (s.model.us_10y[3] - b.model.us_10y[3]) * 100
        section.add("a surprise $100bn sale moves the 10-year 5-25 bp", 5 <= impact <= 25, f"{impact:.1f} bp")
        b, s = pair([D(1, "US", "set_tariff", target="JP", sector="autos", rate_pct=27.5)], 12)
        flow = lambda r: r.trade[(r.trade.step == 12) & (r.trade.exporter == "JP") & (r.trade.importer == "US")  # noqa: E731
                                 & (r.trade.sector == "autos")].flow_bn.iloc[0]
        fall = (1 - flow(s) / flow(b)) * 100
        section.add("a 25-point auto tariff cuts Japan's auto exports to the US 15-35% in a year", 15 <= fall <= 35, f"{fall:.1f}%")
        b, s = pair([D(2, "BOJ", "set_policy_rate", rate_pct=1.0), D(2, "FED", "set_policy_rate", rate_pct=3.875)], 2)
        move = (s.model.usd_jpy[2] / b.model.usd_jpy[2] - 1) * 100
        section.add("a BOJ hike with a Fed cut lowers USD/JPY", move < 0, f"{move:+.1f}%")
        broad = [D(1, "US", "set_tariff", target=e, sector="all", rate_pct=15) for e in ECONOMIES if e != "US"]
        b, s = pair(broad, 1)
        move = (s.model.sp500[1] / b.model.sp500[1] - 1) * 100
        section.add("a broad US tariff lowers the S&P 500 in its first month", move < 0, f"{move:+.1f}%")
    except Exception as error:  # noqa: BLE001
        section.add("the fact checks run", False, _failure_text(error))
