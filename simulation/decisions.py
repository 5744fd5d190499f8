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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from simulation.errors import DecisionError, UserError, read_user_text
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS


@dataclass(frozen=True)
class Decision:
    """One policy action. Fields an action does not use stay ``None``."""

    step: int
    actor: str
    action: str
    amount_bn: float | None = None
    rate_pct: float | None = None
    target: str | None = None
    sector: str | None = None
    repatriate: bool | None = None   # convert the dollars raised into the home currency (default: no)
    origin: str = "file"      # file | scenario | rule | player
    note: str = ""            # free text: why (rules) or a headline (scenario events)

    def label(self) -> str:
        """Short description used in messages: 'step 2, JP sell_treasuries'."""
        return f"step {self.step}, {self.actor} {self.action}"

    def to_record(self) -> dict[str, Any]:
        """A plain dict with only the fields in use (for run.json and decisions files)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


# action -> (who may take it, required fields, optional fields)
GOVERNMENT, CENTRAL_BANK, ANY = "government", "central bank", "any"
ACTIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "set_tariff": (GOVERNMENT, ("target", "rate_pct"), ("sector",)),
    "sell_treasuries": (ANY, ("amount_bn",), ("repatriate",)),
    "buy_treasuries": (ANY, ("amount_bn",), ()),
    "threaten_sale": (GOVERNMENT, ("amount_bn",), ()),
    "retract_threat": (GOVERNMENT, (), ()),
    "set_policy_rate": (CENTRAL_BANK, ("rate_pct",), ()),
    "fx_intervention": (CENTRAL_BANK, ("amount_bn",), ()),
    "trade_deal": (GOVERNMENT, ("target", "rate_pct"), ()),
    "fima_repo": (ANY, ("amount_bn",), ("repatriate",)),
}
FIELDS = ("step", "actor", "action", "amount_bn", "rate_pct", "target", "sector", "repatriate")
# Actions whose amount may be negative: the sign says which way (sell or buy dollars; borrow or repay).
SIGNED_AMOUNT = ("fx_intervention", "fima_repo")
MAX_TARIFF_PCT = 1000.0
POLICY_RATE_RANGE_PCT = (-2.0, 30.0)   # the lowest and highest policy rate a decision may set


def home_economy(actor: str) -> str:
    """The economy an actor acts for: itself, or the economy of a central bank."""
    return CENTRAL_BANKS.get(actor, actor)


def check(decision: Decision, steps: int | None = None) -> None:
    """Raise ``DecisionError`` if the decision is malformed, whatever the state of the world."""
    where = decision.label()

    def fail(problem: str) -> None:
        raise DecisionError(f"decision ({where}): {problem}")

    if decision.action not in ACTIONS:
        fail(f"unknown action '{decision.action}'; expected one of {', '.join(ACTIONS)}")
    who, required, optional = ACTIONS[decision.action]
    if decision.actor not in ECONOMIES and decision.actor not in CENTRAL_BANKS:
        fail(f"unknown actor '{decision.actor}'; expected an economy ({', '.join(ECONOMIES)}) "
             f"or a central bank ({', '.join(CENTRAL_BANKS)})")
    if who == GOVERNMENT and decision.actor not in ECONOMIES:
        fail(f"'{decision.action}' is for governments; '{decision.actor}' is a central bank")
    if who == CENTRAL_BANK and decision.actor not in CENTRAL_BANKS:
        fail(f"'{decision.action}' is for central banks ({', '.join(CENTRAL_BANKS)}), not '{decision.actor}'")
    if isinstance(decision.step, bool) or not isinstance(decision.step, int) or decision.step < 1:
        fail(f"step must be a whole number of at least 1, got {decision.step!r}")
    if steps is not None and decision.step > steps:
        fail(f"step {decision.step} is outside the run, which has steps 1 to {steps}")
    for name in FIELDS[3:]:
        value = getattr(decision, name)
        if name in required and value is None:
            fail(f"'{decision.action}' needs '{name}'")
        if name not in required + optional and value is not None:
            fail(f"'{decision.action}' does not take '{name}'")
    _check_values(decision, fail)


def _check_values(d: Decision, fail) -> None:
    for name in ("amount_bn", "rate_pct"):
        value = getattr(d, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            fail(f"{name} must be a number, got {value!r}")
    if d.repatriate is not None and not isinstance(d.repatriate, bool):
        fail(f"repatriate must be true or false, got {d.repatriate!r}")
    if d.amount_bn is not None:
        if d.action in SIGNED_AMOUNT:
            if d.amount_bn == 0:
                fail("amount_bn must not be zero (" + ("positive sells dollars for the home currency, negative buys"
                     if d.action == "fx_intervention" else "positive borrows dollars, negative repays") + ")")
            if home_economy(d.actor) == "US":
                fail(f"the dollar is the United States' own currency; {d.action} is for other economies and their central banks")
        elif d.amount_bn <= 0:
            fail(f"amount_bn must be a positive number of USD billions, got {d.amount_bn}")
    if d.rate_pct is not None:
        if d.action in ("set_tariff", "trade_deal") and not 0 <= d.rate_pct <= MAX_TARIFF_PCT:
            fail(f"rate_pct must be a tariff between 0 and {MAX_TARIFF_PCT:g} percent, got {d.rate_pct}")
        low, high = POLICY_RATE_RANGE_PCT
        if d.action == "set_policy_rate" and not low <= d.rate_pct <= high:
            fail(f"rate_pct must be a policy rate between {low:g} and {high:g} percent, got {d.rate_pct}")
    if d.target is not None:
        if d.target not in ECONOMIES:
            fail(f"unknown target '{d.target}'; expected one of {', '.join(ECONOMIES)}")
        if d.target == d.actor:
            fail("an economy cannot target itself")
    if d.sector is not None and d.sector not in SECTORS + ("all",):
        fail(f"unknown sector '{d.sector}'; expected one of {', '.join(SECTORS)} or 'all'")


def fit_to_limits(d: Decision) -> Decision | None:
    """The decision with its numbers brought within what any decision may be (policy rate, tariff), for
    rules: a computer-played seat must never make a decision the model would refuse. A decision whose
    numbers are not finite is dropped (None)."""
    from dataclasses import replace

    for name in ("amount_bn", "rate_pct"):
        value = getattr(d, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            return None
    if d.rate_pct is not None:
        low, high = POLICY_RATE_RANGE_PCT if d.action == "set_policy_rate" else (0.0, MAX_TARIFF_PCT)
        if not low <= d.rate_pct <= high:
            d = replace(d, rate_pct=float(min(max(d.rate_pct, low), high)))
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
    for name in ("amount_bn", "rate_pct"):
        if isinstance(values[name], int) and not isinstance(values[name], bool):
            values[name] = float(values[name])
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

