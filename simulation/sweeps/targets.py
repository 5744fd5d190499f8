"""Targets: what a sweep parameter changes, named by a dotted path, and how to set it.

A target is resolved once, when the spec is read, into a path in the scenario as a plain dict
(``Scenario.model_dump``) or into a field of one of the spec's own ``[[decision]]`` tables. Applying a
point is then only "set these paths, validate the dict": no special case per kind of target at run time.

    calibration.<name in parameters.csv>    calibration.markets.<quantity>
    governments.<ECON>.<trade|treasury>.<param>    governments.<ECON>.credibility
    central_banks.<BANK>.<param>
    investors.count    investors.mix.<rule>    investors.params.<rule>.<param>
    event.<index>.<amount_bn|rate_pct|step>        (a scripted event of the scenario, from 0)
    decision.<index>.<amount_bn|rate_pct|step>     (a [[decision]] of the sweep spec, from 0)

Categorical targets take names instead of numbers (``options`` lists the names allowed):

    governments.<ECON>.<trade|treasury>    central_banks.<BANK>     (a rule, by name)
    governments.<ECON>.<kind>.<param>, central_banks.<BANK>.<param>  (a rule parameter that is a choice)
    event.<index>.<target|sector>    decision.<index>.<target|sector>
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.errors import UserError

DECISION_FIELDS = ("amount_bn", "rate_pct", "step", "target", "sector")
FORMS = ("calibration.<name>, calibration.markets.<quantity>, governments.<ECON>.<trade|treasury>[.<param>], "
         "governments.<ECON>.credibility, central_banks.<BANK>[.<param>], investors.count, investors.mix.<rule>, "
         "investors.params.<rule>.<param>, event.<index>.<amount_bn|rate_pct|step|target|sector> or "
         "decision.<index>.<amount_bn|rate_pct|step|target|sector>")


@dataclass(frozen=True)
class Target:
    """Where a value goes: ``kind`` "scenario" (``path`` into the scenario dict) or "decision"
    (``path`` = (index, field) in the spec's decisions); ``integer`` targets get whole numbers."""

    text: str
    kind: str
    path: tuple
    integer: bool = False
    options: tuple[str, ...] = ()   # a categorical target: the names it takes
    rule_kind: str = ""             # a rule chosen by name: trade, treasury or monetary

    @property
    def categorical(self) -> bool:
        return bool(self.options)


def parse_target(text: str, scenario, decisions, field: str) -> Target:
    """Resolve ``text`` against the scenario and the spec's decisions, or raise one clear UserError."""
    parts = text.split(".")
    head = parts[0]
    parser = _PARSERS.get(head)
    if parser is None or len(parts) < 2:
        raise UserError(f"{field}: unknown target '{text}'; expected one of {FORMS}")
    return parser(text, parts, scenario, decisions, field)


def _calibration(text, parts, scenario, decisions, field) -> Target:
    from simulation.calibration import load_calibration

    key = ".".join(parts[1:])
    if not load_calibration().knows(key):
        raise UserError(f"{field}: '{key}' is not a calibration parameter; expected a name from "
                        "simulation/calibration/parameters.csv or markets.<quantity> from markets.csv")
    return Target(text, "scenario", ("calibration", key))


def _governments(text, parts, scenario, decisions, field) -> Target:
    from simulation.world import ECONOMIES

    if parts[1] not in ECONOMIES:
        raise UserError(f"{field}: unknown economy '{parts[1]}' in '{text}'; expected one of {', '.join(ECONOMIES)}")
    code = parts[1]
    if len(parts) == 3 and parts[2] == "credibility":
        return Target(text, "scenario", ("governments", code, "credibility"))
    if len(parts) not in (3, 4) or parts[2] not in ("trade", "treasury"):
        raise UserError(f"{field}: '{text}' should be governments.{code}.<trade|treasury>[.<param>] "
                        f"or governments.{code}.credibility")
    kind = parts[2]
    if len(parts) == 3:
        return Target(text, "scenario", ("governments", code, kind), options=_rule_names(kind), rule_kind=kind)
    name = parts[3]
    choice = getattr(scenario.government(code), kind)
    rule = _rule_of(choice, f"{code}'s {kind} policy", field)
    return _param_target(text, ("governments", code, kind, "params", name), rule, kind, name, field)


def _central_banks(text, parts, scenario, decisions, field) -> Target:
    from simulation.world import CENTRAL_BANKS

    if len(parts) not in (2, 3) or parts[1] not in CENTRAL_BANKS:
        raise UserError(f"{field}: '{text}' should be central_banks.<BANK>[.<param>] with BANK one of "
                        f"{', '.join(CENTRAL_BANKS)}")
    bank = parts[1]
    if len(parts) == 2:
        return Target(text, "scenario", ("central_banks", bank), options=_rule_names("monetary"), rule_kind="monetary")
    name = parts[2]
    rule = _rule_of(scenario.central_bank(bank), bank, field)
    return _param_target(text, ("central_banks", bank, "params", name), rule, "monetary", name, field)


def _investors(text, parts, scenario, decisions, field) -> Target:
    if parts[1:] == ["count"]:
        return Target(text, "scenario", ("investors", "count"), integer=True)
    if len(parts) == 3 and parts[1] == "mix":
        _investor_rule(parts[2], field)
        return Target(text, "scenario", ("investors", "mix", parts[2]))
    if len(parts) == 4 and parts[1] == "params":
        _investor_rule(parts[2], field)
        integer = _numeric_param(parts[2], "investor", parts[3], text, field)
        return Target(text, "scenario", ("investors", "params", parts[2], parts[3]), integer)
    raise UserError(f"{field}: '{text}' should be investors.count, investors.mix.<rule> or "
                    "investors.params.<rule>.<param>")


def _event(text, parts, scenario, decisions, field) -> Target:
    count = len(scenario.events)
    index, name = _indexed(text, parts, count, "the scenario has", "scripted event", field)
    event = scenario.events[index]
    _check_field_used(event.action, name, text, field)
    return Target(text, "scenario", ("event", index, name), integer=name == "step", options=_field_options(name))


def _decision(text, parts, scenario, decisions, field) -> Target:
    index, name = _indexed(text, parts, len(decisions), "the spec has", "[[decision]] table", field)
    _check_field_used(decisions[index].action, name, text, field)
    return Target(text, "decision", (index, name), integer=name == "step", options=_field_options(name))


def _field_options(name: str) -> tuple[str, ...]:
    """A decision's target is an economy and its sector a sector (or "all"): names, not numbers."""
    from simulation.world import ECONOMIES, SECTORS

    return {"target": tuple(ECONOMIES), "sector": (*SECTORS, "all")}.get(name, ())


def _rule_names(kind: str) -> tuple[str, ...]:
    """Every registered rule of a kind, built-in or loaded with --rules."""
    from agents.rules import RULES

    return tuple(sorted(n for n, c in RULES.items() if c.kind == kind))


def _indexed(text, parts, count, owner, noun, field) -> tuple[int, str]:
    head = parts[0]
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in DECISION_FIELDS:
        raise UserError(f"{field}: '{text}' should be {head}.<index>.<{'|'.join(DECISION_FIELDS)}> "
                        "(index from 0)")
    index = int(parts[1])
    if index >= count:
        have = f"{count} {noun}{'s' if count != 1 else ''}"
        raise UserError(f"{field}: '{text}' points at {head} {index}, but {owner} {have} "
                        f"(indexes start at 0)")
    return index, parts[2]


def _check_field_used(action: str, name: str, text: str, field: str) -> None:
    """Varying ``rate_pct`` of a sale would be silently ignored by nothing: refuse it here."""
    from simulation.decisions import ACTIONS

    if name == "step" or action not in ACTIONS:
        return
    _, required, optional = ACTIONS[action]
    if name not in required + optional:
        raise UserError(f"{field}: '{text}' changes {name}, which a {action} decision does not take")


def _rule_of(choice, seat: str, field: str) -> str:
    if choice is None:
        raise UserError(f"{field}: {seat} is played by a person in this scenario, so it has no rule "
                        "parameters to vary")
    return choice.rule


def _investor_rule(name: str, field: str) -> None:
    from agents.rules import RULES

    if name not in RULES or RULES[name].kind != "investor":
        known = ", ".join(sorted(n for n, c in RULES.items() if c.kind == "investor"))
        raise UserError(f"{field}: unknown investor rule '{name}'; expected one of: {known}")


def _param_target(text: str, path: tuple, rule: str, kind: str, name: str, field: str) -> Target:
    """A rule parameter: a number (whole if its default is), or a categorical choice."""
    from agents.rules import RULES

    params = {p["name"]: p for p in RULES[rule].parameters()}
    if name in params and "choices" in params[name]:
        return Target(text, "scenario", path, options=tuple(params[name]["choices"]))
    return Target(text, "scenario", path, _numeric_param(rule, kind, name, text, field))


def _numeric_param(rule: str, kind: str, name: str, text: str, field: str) -> bool:
    """The parameter must exist on the rule and be a number; True if it takes whole numbers."""
    from agents.rules import RULES

    params = {p["name"]: p for p in RULES[rule].parameters()}
    if name not in params:
        raise UserError(f"{field}: rule '{rule}' ({kind}) has no parameter '{name}'; its parameters are: "
                        f"{', '.join(params) or 'none'}")
    if "choices" in params[name]:
        raise UserError(f"{field}: parameter '{name}' of rule '{rule}' is a choice, not a number")
    default = params[name]["default"]
    return isinstance(default, int) and not isinstance(default, bool)


_PARSERS = {
    "calibration": _calibration, "governments": _governments, "central_banks": _central_banks,
    "investors": _investors, "event": _event, "decision": _decision,
}


FIELD_UNITS = {"amount_bn": "USD bn", "rate_pct": "percent", "step": "month", "target": "economy",
               "sector": "sector"}


def target_unit(target: Target, scenario=None) -> str:
    """The unit of a parameter's values, for the results' metadata (from the calibration files, the
    rule's declared parameter, or the decision field's name)."""
    head = target.text.split(".")[0]
    if target.rule_kind:
        return f"{target.rule_kind} rule (name)"
    if head in ("event", "decision"):
        return FIELD_UNITS[target.path[-1]]
    if head == "calibration":
        return _calibration_unit(target.path[1])
    if target.path[-1] == "credibility":
        return "share (0 to 1)"
    if target.path[:2] == ("investors", "count"):
        return "investor agents"
    if target.path[:2] == ("investors", "mix"):
        return "population share"
    rule = _rule_at(target, scenario)
    if rule is None:
        return ""
    from agents.rules import RULES

    params = {p["name"]: p for p in RULES[rule].parameters()} if rule in RULES else {}
    return params.get(target.path[-1], {}).get("unit", "") or ("name" if target.categorical else "")


def _rule_at(target: Target, scenario) -> str | None:
    path = target.path
    if path[:2] == ("investors", "params"):
        return path[2]
    if scenario is None:
        return None
    if path[0] == "governments":
        choice = getattr(scenario.government(path[1]), path[2])
    else:
        choice = scenario.central_bank(path[1])
    return choice.rule if choice else None


def _calibration_unit(key: str) -> str:
    import csv
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "calibration"
    name, column = (key.split(".", 1)[1], "quantity") if key.startswith("markets.") else (key, "name")
    table = "markets.csv" if key.startswith("markets.") else "parameters.csv"
    with open(folder / table, encoding="utf-8") as handle:
        return next((row["unit"] for row in csv.DictReader(handle) if row[column] == name), "")
