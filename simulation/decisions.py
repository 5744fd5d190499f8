"""Decisions are values: every policy action is a small immutable record applied at the start of a step.

A rule, a scenario script, a player or a decisions file makes the same record. This module defines the
record, the actions and their fields, reads decisions files (TOML) and checks each decision before a run
starts. Checks that depend on the state of the world (selling more than is held) happen when the
decision is applied, in ``simulation/policy.py``.

A decisions file::

    [[decision]]
    step = 2              # applied at the start of step 2
    actor = "JP"          # an economy code, or a central bank id (FED, BOJ, ECB, PBOC)
    action = "sell_treasuries"
    amount_bn = 100
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from simulation.actions import (ANY, CENTRAL_BANK, GOVERNMENT, MAX_TARIFF_PCT, NUMBER_FIELDS,  # noqa: F401
                                POLICY_RATE_RANGE_PCT, TABLE, VALUE_FIELDS, WHOLE_FIELDS, FieldSpec)
# (ANY, MAX_TARIFF_PCT and POLICY_RATE_RANGE_PCT are re-exported: rules and older code import them from here)
from simulation.actions import AMOUNT as AMOUNT_SPEC
from simulation.errors import DecisionError, UserError, read_user_text
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS


class SharedWhenCopied:
    """For a frozen record whose fields are all text, numbers or None (a decision, an event, an offer):
    nothing in it can change, so a deep copy of what holds it (the world a projection copies, with its
    log, events and offers) shares it instead of copying it field by field."""

    def __deepcopy__(self, memo: dict) -> "SharedWhenCopied":
        return self


@dataclass(frozen=True)
class Decision(SharedWhenCopied):
    """One policy action. Fields an action does not use stay ``None``."""

    step: int
    actor: str
    action: str
    amount_bn: float | None = None
    rate_pct: float | None = None
    target: str | None = None
    sector: str | None = None
    repatriate: bool | None = None   # convert the dollars raised into the home currency (default: no)
    hold_months: int | None = None   # deal terms: months neither side sells Treasuries
    origin: str = "file"      # file | scenario | rule | player
    note: str = ""            # free text: why (rules) or a headline (scenario events)

    def label(self) -> str:
        """Short description used in messages: 'step 2, JP sell_treasuries'."""
        return f"step {self.step}, {self.actor} {self.action}"

    def to_record(self) -> dict[str, Any]:
        """A plain dict with only the fields in use (for run.json and decisions files). Every field is a plain
        number or text, so reading them directly gives what ``asdict`` would, without its deep copy (a run
        records every decision it applied); the field names are listed once (``DECISION_FIELDS``)."""
        return {name: v for name in DECISION_FIELDS if (v := getattr(self, name)) not in (None, "")}


DECISION_FIELDS = tuple(f.name for f in fields(Decision))   # in the order they are declared


# A view of the action table for code that only needs who may act and the field names:
# action -> (who may take it, required fields, optional fields).
ACTIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    name: (a.who, tuple(f.name for f in a.required), tuple(f.name for f in a.optional)) for name, a in TABLE.items()
}
FIELDS = ("step", "actor", "action", *VALUE_FIELDS)
# Actions whose amount may be negative: the sign says which way (sell or buy dollars; borrow or repay).
SIGNED_AMOUNT = tuple(name for name, a in TABLE.items() if (a.spec("amount_bn") or AMOUNT_SPEC).nonzero)


def home_economy(actor: str) -> str:
    """The economy an actor acts for: itself, or the economy of a central bank."""
    return CENTRAL_BANKS.get(actor, actor)


def check(decision: Decision, steps: int | None = None) -> None:
    """Raise ``DecisionError`` if the decision is malformed, whatever the state of the world."""
    def fail(problem: str) -> None:
        raise DecisionError(f"decision ({decision.label()}): {problem}")

    if decision.action not in TABLE:
        fail(f"unknown action '{decision.action}'; expected one of {', '.join(TABLE)}")
    action = TABLE[decision.action]
    if decision.actor not in ECONOMIES and decision.actor not in CENTRAL_BANKS:
        fail(f"unknown actor '{decision.actor}'; expected an economy ({', '.join(ECONOMIES)}) "
             f"or a central bank ({', '.join(CENTRAL_BANKS)})")
    if action.who == GOVERNMENT and decision.actor not in ECONOMIES:
        fail(f"'{decision.action}' is for governments; '{decision.actor}' is a central bank")
    if action.who == CENTRAL_BANK and decision.actor not in CENTRAL_BANKS:
        fail(f"'{decision.action}' is for central banks ({', '.join(CENTRAL_BANKS)}), not '{decision.actor}'")
    if decision.origin not in action.origins:
        fail(action.refusal)
    if isinstance(decision.step, bool) or not isinstance(decision.step, int) or decision.step < 1:
        fail(f"step must be a whole number of at least 1, got {decision.step!r}")
    if steps is not None and decision.step > steps:
        fail(f"step {decision.step} is outside the run, which has steps 1 to {steps}")
    for name in VALUE_FIELDS:
        value = getattr(decision, name)
        spec = action.spec(name)
        if value is None:
            if spec is not None and spec in action.required:
                fail(f"'{decision.action}' needs '{name}'")
        elif spec is None:
            fail(f"'{decision.action}' does not take '{name}'")
        else:
            _check_value(decision, spec, value, fail)
    if action.extra_check:
        action.extra_check(decision, fail)


def _check_value(d: Decision, spec: FieldSpec, value, fail) -> None:
    """One field's value against its type and bounds in the action table."""
    if spec.kind in ("number", "months"):
        whole = spec.kind == "months"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) \
                or not math.isfinite(value):
            fail(f"{spec.name} must be {'a whole number' if whole else 'a number'}, got {value!r}")
        if spec.nonzero and value == 0:
            fail(f"{spec.name} must not be zero ({spec.help})")
        if (spec.positive and value <= 0) or (spec.low is not None and not spec.low <= value <= spec.high):
            fail(f"{spec.name} must be {spec.bounds_text()}, got {value:g}")
    elif spec.kind == "economy":
        if value not in ECONOMIES:
            fail(f"unknown target '{value}'; expected one of {', '.join(ECONOMIES)}")
        if value == d.actor:
            fail("an economy cannot target itself")
    elif spec.kind == "sector" and value not in SECTORS + ("all",):
        fail(f"unknown sector '{value}'; expected one of {', '.join(SECTORS)} or 'all'")
    elif spec.kind == "bool" and not isinstance(value, bool):
        fail(f"{spec.name} must be true or false, got {value!r}")


def fit_to_limits(d: Decision) -> Decision | None:
    """The decision with its numbers brought within what any decision may be (policy rate, tariff), for
    rules: a computer-played seat must never make a decision the model would refuse. A decision whose
    numbers are not finite is dropped (None)."""
    for name in ("amount_bn", "rate_pct"):
        value = getattr(d, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            return None
    spec = TABLE[d.action].spec("rate_pct") if d.action in TABLE else None
    if d.rate_pct is not None and spec is not None and spec.low is not None and not spec.low <= d.rate_pct <= spec.high:
        d = replace(d, rate_pct=float(min(max(d.rate_pct, spec.low), spec.high)))
    if d.amount_bn is not None and d.action not in SIGNED_AMOUNT and d.amount_bn <= 0:
        return None
    return d


def from_mapping(data: Any, where: str, origin: str) -> Decision:
    """Build a Decision from a TOML table, with messages that name ``where`` it came from."""
    if not isinstance(data, dict):
        raise DecisionError(f"{where}: expected a table with step, actor and action, got {type(data).__name__}")
    unknown = sorted(set(data) - set(FIELDS) - {"note", "headline"})
    if unknown:
        raise DecisionError(f"{where}: unknown field '{unknown[0]}'; expected some of {', '.join(FIELDS)}")
    for name in ("step", "actor", "action"):
        if name not in data:
            raise DecisionError(f"{where}: missing '{name}'")
    for name in ("actor", "action", "target", "sector"):
        if name in data and not isinstance(data[name], str):
            raise DecisionError(f"{where}: '{name}' must be text, got {data[name]!r}")
    if "repatriate" in data and not isinstance(data["repatriate"], bool):
        raise DecisionError(f"{where}: 'repatriate' must be true or false, got {data['repatriate']!r}")
    note = data.get("headline", data.get("note", ""))
    if not isinstance(note, str):
        raise DecisionError(f"{where}: 'headline' must be text, got {note!r}")
    values = {k: data.get(k) for k in FIELDS}
    for name in NUMBER_FIELDS:
        if isinstance(values[name], int) and not isinstance(values[name], bool):
            values[name] = float(values[name])
    for name in WHOLE_FIELDS:  # 6.0 from a form or a link is 6 months; 6.5 is left for the check to refuse
        if isinstance(values[name], (float, str)):
            try:
                number = float(values[name])
            except ValueError:
                continue
            if number.is_integer():
                values[name] = int(number)
    return Decision(**values, origin=origin, note=note)


def read_decisions_file(path: str | Path, steps: int | None = None) -> list[Decision]:
    """Read and check a TOML decisions file; any problem is one ``UserError`` naming the decision."""
    path = Path(path)
    text = read_user_text(path, "decisions file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"decisions file '{path}' is not valid TOML: {error}") from None
    extra = sorted(set(data) - {"decision"})
    if extra:
        raise UserError(f"decisions file '{path}': unexpected top-level key '{extra[0]}'; "
                        "expected only [[decision]] tables")
    entries = data.get("decision", [])
    if not isinstance(entries, list):
        raise UserError(f"decisions file '{path}': 'decision' must be an array of tables ([[decision]])")
    decisions = []
    for number, entry in enumerate(entries, start=1):
        where = f"decisions file '{path}', decision {number}"
        decision = from_mapping(entry, where, origin="file")
        try:
            check(decision, steps)
        except DecisionError as error:
            raise DecisionError(f"{where} {str(error).removeprefix('decision ')}") from None
        decisions.append(decision)
    return decisions

