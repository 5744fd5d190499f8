"""Scenarios: TOML files that say who plays whom with which rules, what happens when, and why it matters.

``load_scenario("kato-2025")`` finds a shipped scenario by id; ``load_scenario("my.toml")`` reads a
user's file. Loading never executes anything in the file: it is parsed as TOML and checked against the
schema below, and any problem becomes one ``UserError`` naming the file, the field, its line where it
can be found, and what is expected.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation.decisions import Decision, check, from_mapping
from simulation.errors import UserError
from simulation.world import CENTRAL_BANKS, ECONOMIES

SCENARIO_DIR = Path(__file__).resolve().parent
FORMAT_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleChoice(Strict):
    """A rule by name with parameters, e.g. ``{ rule = "tit_for_tat", params = { share = 0.5 } }``."""

    rule: str
    params: dict[str, float | int | str] = Field(default_factory=dict)


def _rule_choice(value: Any) -> Any:
    """A rule may be given by name alone; "player" means a person plays this role (no rule)."""
    if value == "player":
        return None
    if isinstance(value, str):
        return {"rule": value}
    return value


class GovernmentSetup(Strict):
    trade: RuleChoice | None = RuleChoice(rule="no_retaliation")
    treasury: RuleChoice | None = RuleChoice(rule="hold")
    negotiation: RuleChoice | None = None   # how it answers offers and makes its own (none: ignores the table)
    credibility: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("trade", "treasury", "negotiation", mode="before")
    @classmethod
    def _by_name(cls, value):
        return _rule_choice(value)


# The setup of a government the scenario leaves out, built once: it is frozen, so every run can share it
# (building one validates and deep-copies its defaults, and a run asks for one about twenty times).
DEFAULT_GOVERNMENT = GovernmentSetup()

DEFAULT_BANKS = {
    "FED": RuleChoice(rule="taylor_rule"),
    "ECB": RuleChoice(rule="taylor_rule"),
    # The BOJ looked through imported food and energy inflation and moved slowly in 2025 (0.5% in
    # January, 0.75% in December): no extra inflation response and very heavy smoothing.
    "BOJ": RuleChoice(rule="taylor_fx_band", params={"smoothing": 0.99, "inflation_weight": 0.0, "upper_pct": 7.0}),
    "PBOC": RuleChoice(rule="taylor_fx_band", params={"smoothing": 0.97, "upper_pct": 3.0, "lower_pct": 3.0}),
}

DEFAULT_MIX = {
    "fundamentalist_bond_fund": 0.30, "chartist_bond_fund": 0.15, "yen_carry_trader": 0.20,
    "value_equity_investor": 0.20, "momentum_equity_investor": 0.15,
}


class InvestorSetup(Strict):
    count: int = Field(default=400, ge=10, le=100_000)
    mix: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_MIX))
    params: dict[str, dict[str, float | int]] = Field(default_factory=dict)

    @field_validator("mix")
    @classmethod
    def _shares(cls, mix):
        if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
            raise ValueError("shares must be zero or positive, and not all zero")
        return mix


class ScriptedEvent(Strict):
    step: int = Field(ge=1)
    actor: str
    action: str
    amount_bn: float | None = None
    rate_pct: float | None = None
    target: str | None = None
    sector: str | None = None
    repatriate: bool | None = None
    headline: str = ""

    def to_decision(self) -> Decision:
        return from_mapping(self.model_dump(exclude_none=True), "scenario event", origin="scenario")


class Briefing(Strict):
    """Sections after NetLogo's Info tab; every one is optional, in this order when shown."""

    what_is_it: str = ""
    how_it_works: str = ""
    how_to_use_it: str = ""
    things_to_notice: str = ""
    things_to_try: str = ""
    extending_it: str = ""
    related_scenarios: str = ""
    references: str = ""

    def sections(self) -> list[tuple[str, str]]:
        return [(name.replace("_", " ").capitalize(), text) for name, text in self.model_dump().items() if text]


class Objectives(Strict):
    """Weights of a role's score (points per unit; see docs/model.md, "Score"). A weight left out (None)
    takes the calibrated default for the kind of seat (``welfare.weight.*`` for governments,
    ``mandate.weight.*`` for central banks); ``revenue`` is a government's, ``currency`` a central bank's."""

    output: float | None = Field(default=None, ge=0, le=10)
    inflation: float | None = Field(default=None, ge=0, le=10)
    jobs: float | None = Field(default=None, ge=0, le=10)
    wealth: float | None = Field(default=None, ge=0, le=10)
    revenue: float | None = Field(default=None, ge=0, le=10)
    currency: float | None = Field(default=None, ge=0, le=10)


class Role(Strict):
    brief: str = ""                      # private: shown only to whoever plays this role
    objectives: Objectives = Objectives()


class News(Strict):
    """Breaking news with no decision behind it: a headline at a step."""

    step: int = Field(ge=1)
    headline: str = Field(min_length=1)


class Expectation(Strict):
    """A checkable claim about the scenario, tested on the mean over ``seeds``.

    Either ``metric (at) op value``, or, with ``variant`` (extra decisions), ``metric in the variant run
    op metric in the scenario run`` (by at least ``margin``).
    """

    claim: str = Field(min_length=1)
    metric: str = Field(pattern=r"^(model\.[a-z0-9_]+|economies\.[A-Z]+\.[a-z_]+|trade\.[A-Z]+\.[A-Z]+\.[a-z]+(\.tariff_pct)?)$")
    at: int | Literal["end", "change", "min", "max", "mean"] = "end"
    op: Literal["<", ">", "<=", ">="]
    value: float | None = None
    variant: list[ScriptedEvent] | None = None
    margin: float = Field(default=0.0, ge=0)
    seeds: list[int] = Field(default_factory=lambda: [1, 2, 3], min_length=1, max_length=20)

    @field_validator("variant")
    @classmethod
    def _variant(cls, value):
        if value is not None and not value:
            raise ValueError("a variant needs at least one decision")
        return value

    def model_post_init(self, _context) -> None:
        if (self.value is None) == (self.variant is None):
            raise ValueError("give either 'value' (compare with a number) or 'variant' (compare two runs), not both")


class Scenario(Strict):
    format_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    summary: str = ""
    start: str = Field(default="2025-03", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    steps: int = Field(default=24, ge=1, le=240)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    learning_objectives: list[str] = Field(default_factory=list)
    playable: list[str] = Field(default_factory=list)
    briefing: Briefing = Briefing()
    roles: dict[str, Role] = Field(default_factory=dict)
    debrief: list[str] = Field(default_factory=list)
    governments: dict[str, GovernmentSetup] = Field(default_factory=dict)
    central_banks: dict[str, RuleChoice | None] = Field(default_factory=dict)
    investors: InvestorSetup = InvestorSetup()
    calibration_preset: Literal["low", "central", "high"] = "central"
    calibration: dict[str, float] = Field(default_factory=dict)
    events: list[ScriptedEvent] = Field(default_factory=list, alias="event")
    news: list[News] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list, alias="expect")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("playable", "roles")
    @classmethod
    def _seats(cls, value):
        unknown = sorted(set(value) - set(ECONOMIES) - set(CENTRAL_BANKS))
        if unknown:
            raise ValueError(f"unknown role '{unknown[0]}'; expected an economy or a central bank")
        return value

    def objectives(self, economy: str) -> Objectives:
        return self.roles[economy].objectives if economy in self.roles else Objectives()

    @field_validator("governments")
    @classmethod
    def _economies(cls, value):
        unknown = sorted(set(value) - set(ECONOMIES))
        if unknown:
            raise ValueError(f"unknown economy '{unknown[0]}'; expected some of {', '.join(ECONOMIES)}")
        return value

    @field_validator("central_banks", mode="before")
    @classmethod
    def _banks(cls, value):
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(CENTRAL_BANKS))
            if unknown:
                raise ValueError(f"unknown central bank '{unknown[0]}'; expected some of {', '.join(CENTRAL_BANKS)}")
            return {k: _rule_choice(v) for k, v in value.items()}
        return value

    def government(self, code: str) -> GovernmentSetup:
        return self.governments.get(code, DEFAULT_GOVERNMENT)

    def central_bank(self, bank: str) -> RuleChoice | None:
        return self.central_banks[bank] if bank in self.central_banks else DEFAULT_BANKS[bank]


class LoadedScenario:
    """A checked scenario with where it came from, the SHA-256 of its file, and any rule changes made
    on the command line (recorded in run.json so that a run says how it differs from the file):
    ``rule_changes`` as readable labels, ``rule_settings`` as the records that redo them on replay
    (``{"seat", "kind", "rule", "params"}``)."""

    def __init__(self, scenario: Scenario, path: Path, sha256: str, rule_changes: tuple[str, ...] = (),
                 rule_settings: tuple[dict, ...] = ()):
        self.scenario, self.path, self.sha256, self.rule_changes = scenario, path, sha256, rule_changes
        self.rule_settings = rule_settings

    def __getattr__(self, name):
        if name == "scenario":   # not set yet: while pickle rebuilds the object (a fan's worker process)
            raise AttributeError(name)
        return getattr(self.scenario, name)

    def replaced(self, scenario: Scenario) -> "LoadedScenario":
        """The same file, rule changes and rule settings with ``scenario`` in place of the checked one."""
        return LoadedScenario(scenario, self.path, self.sha256, self.rule_changes, self.rule_settings)


def shipped_scenarios() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


LINK_SCENARIOS_ENV = "TRADEWAR_LINK_SCENARIOS"


def linkable(text: str) -> str:
    """``text`` if a web link may open it: a shipped scenario id, or a file the person running the
    server named at start (``run.py play --scenario FILE``, passed on in ``$TRADEWAR_LINK_SCENARIOS``).
    Anything else is refused: a link must never make the server read a file of its choosing."""
    text = str(text)
    shipped = shipped_scenarios()
    if text in shipped:
        return text
    named = [Path(p).resolve() for p in os.environ.get(LINK_SCENARIOS_ENV, "").split(os.pathsep) if p]
    try:
        if text and Path(text).resolve() in named:
            return text
    except (OSError, ValueError):
        pass
    raise UserError(f"a link can open only a shipped scenario ({', '.join(shipped)}) or a file named when the "
                    f"server was started; '{text[:80]}' is neither")


def resolve(id_or_path: str | Path) -> Path:
    text = str(id_or_path)
    shipped = shipped_scenarios()
    if text in shipped:
        return shipped[text]
    path = Path(text)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise UserError(f"scenario file '{path}' does not exist")
        return path
    raise UserError(f"unknown scenario '{text}'; expected a file path or one of: {', '.join(shipped)}")


def load_scenario(id_or_path: str | Path) -> LoadedScenario:
    path = resolve(id_or_path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"scenario file '{path}' cannot be read: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"scenario file '{path}' is not valid TOML: {error}") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise UserError(_explain(path, text, error)) from None
    _check_decisions(path, text, scenario)
    for number, news in enumerate(scenario.news, start=1):
        if news.step > scenario.steps:
            raise UserError(f"scenario file '{path}', news {number}{_line_of(text, 'news', number)}: "
                            f"step {news.step} is outside the run, which has steps 1 to {scenario.steps}")
    _check_rules(path, scenario)
    return LoadedScenario(scenario, path, hashlib.sha256(raw).hexdigest())


def _check_decisions(path: Path, text: str, scenario: Scenario) -> None:
    """Scripted events and the decisions of every expectation's variant must be valid decisions."""
    for number, event in enumerate(scenario.events, start=1):
        try:
            check(event.to_decision(), scenario.steps)
        except UserError as error:
            raise UserError(f"scenario file '{path}', event {number}{_line_of(text, 'event', number)}: {error}") from None
    for number, expectation in enumerate(scenario.expectations, start=1):
        for event in expectation.variant or []:
            try:
                check(event.to_decision(), scenario.steps)
            except UserError as error:
                raise UserError(f"scenario file '{path}', expect {number}{_line_of(text, 'expect', number)}: "
                                f"{error}") from None


def _check_rules(path: Path, scenario: Scenario) -> None:
    """Every rule named must exist with valid parameters, so a bad name fails at load, not mid-run."""
    from agents.rules import RULES, make_rule
    from simulation.world import ECONOMIES as ALL

    for code in ALL:
        setup = scenario.government(code)
        for kind, choice in (("trade", setup.trade), ("treasury", setup.treasury),
                             ("negotiation", setup.negotiation)):
            if choice is not None:
                make_rule(choice.rule, kind, choice.params, where=f"scenario file '{path}', governments.{code}.{kind}")
    for bank in CENTRAL_BANKS:
        choice = scenario.central_bank(bank)
        if choice is not None:
            make_rule(choice.rule, "monetary", choice.params, where=f"scenario file '{path}', central_banks.{bank}")
    for name in scenario.investors.mix:
        if name not in RULES or RULES[name].kind != "investor":
            investors = ", ".join(sorted(n for n, c in RULES.items() if c.kind == "investor"))
            raise UserError(f"scenario file '{path}', investors.mix: unknown investor rule '{name}'; "
                            f"expected some of: {investors}")
    for name, params in scenario.investors.params.items():
        make_rule(name, "investor", params, where=f"scenario file '{path}', investors.params")
    from simulation.calibration import load_calibration

    load_calibration().with_overrides(scenario.calibration, where=f"scenario file '{path}', [calibration]")


def _explain(path: Path, text: str, error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(x) for x in first["loc"] if not str(x).startswith(("function-", "RuleChoice", "str"))]
    field = ".".join(loc) or "(top level)"
    key = next((x for x in reversed(loc) if not x.isdigit()), "")
    line = _line_of(text, key)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; see docs/model.md for the scenario format)"
    elif first["type"] == "missing":
        message = "this field is required"
    return f"scenario file '{path}', field '{field}'{line}: {message}"


def _line_of(text: str, key: str, occurrence: int = 1) -> str:
    """' (line N)' for the Nth line defining ``key`` or table ``[[key]]``, or '' if it is not found."""
    if not key:
        return ""
    pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(key)}\s*\]\]?|\"?{re.escape(key)}\"?\s*=)", re.M)
    matches = list(pattern.finditer(text))
    if len(matches) < occurrence:
        return ""
    return f" (line {text.count(chr(10), 0, matches[occurrence - 1].start()) + 1})"


def with_rule(loaded: LoadedScenario, seat: str | None, kind: str, name: str,
              params: dict | None = None) -> LoadedScenario:
    """The same scenario with one seat's rule replaced (``seat`` = "JP", "BOJ"; investors need none).

    For a policy rule, ``kind`` says which of the seat's rules changes (trade, treasury, monetary). An
    investor rule takes the population share of the first built-in group trading the same market.
    """
    from agents.rules import RULES, make_rule

    scenario = loaded.scenario
    choice = RuleChoice(rule=name, params=params or {})
    make_rule(name, kind, choice.params, where=f"rule for {seat or 'investors'}")
    if kind == "investor":
        market = RULES[name].market
        mix = dict(scenario.investors.mix)
        replaced = next((n for n in mix if n in RULES and RULES[n].market == market and mix[n] > 0), None)
        share = mix.pop(replaced) if replaced else 0.2
        mix[name] = share
        params_by_rule = {**scenario.investors.params, **({name: dict(choice.params)} if choice.params else {})}
        changed = scenario.model_copy(update={"investors": scenario.investors.model_copy(
            update={"mix": mix, "params": params_by_rule})})
        label = f"investors: {name} replaces {replaced or 'nothing'}"
    elif kind == "monetary":
        if seat not in CENTRAL_BANKS:
            raise UserError(f"a monetary rule needs a central-bank seat ({', '.join(CENTRAL_BANKS)}), not '{seat}'")
        changed = scenario.model_copy(update={"central_banks": {**scenario.central_banks, seat: choice}})
        label = f"{seat}: {name}"
    else:
        if seat not in ECONOMIES:
            raise UserError(f"a {kind} rule needs an economy seat ({', '.join(ECONOMIES)}), not '{seat}'")
        government = scenario.government(seat).model_copy(update={kind: choice})
        changed = scenario.model_copy(update={"governments": {**scenario.governments, seat: government}})
        label = f"{seat}.{kind}: {name}"
    if choice.params:
        label += " (" + ", ".join(f"{k}={v}" for k, v in choice.params.items()) + ")"
    setting = {"seat": seat or "investors", "kind": kind, "rule": name, "params": dict(choice.params)}
    return LoadedScenario(changed, loaded.path, loaded.sha256, loaded.rule_changes + (label,),
                          loaded.rule_settings + (setting,))


def with_preset(loaded: LoadedScenario, preset: str | None) -> LoadedScenario:
    """The same scenario read with another calibration preset (low, central or high price impact), for
    the command line's ``--calibration-preset``, the Lab and sweeps. ``None`` keeps the scenario's own."""
    if preset is None or preset == loaded.scenario.calibration_preset:
        return loaded   # (every run passes here: before the import below, which costs more than the test)
    from simulation.calibration import PRESETS

    if preset not in PRESETS:
        raise UserError(f"unknown calibration preset '{preset}'; expected one of: {', '.join(PRESETS)}")
    changed = loaded.scenario.model_copy(update={"calibration_preset": preset})
    return loaded.replaced(changed)


def with_players(loaded: LoadedScenario, seats: tuple[str, ...] | list[str]) -> LoadedScenario:
    """The same scenario with people in ``seats`` (economies or central banks): those seats lose their
    rules, so they act only on the decisions their players give, and keep their policies otherwise."""
    if not seats:
        return loaded
    scenario = loaded.scenario
    governments, banks = dict(scenario.governments), dict(scenario.central_banks)
    for seat in seats:
        if seat in ECONOMIES:
            governments[seat] = scenario.government(seat).model_copy(update={"trade": None, "treasury": None,
                                                                               "negotiation": None})
        elif seat in CENTRAL_BANKS:
            banks[seat] = None
        else:
            raise UserError(f"unknown seat '{seat}'; expected an economy ({', '.join(ECONOMIES)}) "
                            f"or a central bank ({', '.join(CENTRAL_BANKS)})")
    changed = scenario.model_copy(update={"governments": governments, "central_banks": banks})
    return loaded.replaced(changed)
