"""Numbers as people type them into the decision panel: "1,000", "100bn", "$1tn", "25%".

A number box that silently keeps its previous value when it cannot read the text (so "100bn" queues the
old amount) teaches the student the wrong thing. These functions read the common ways of writing an
amount of money or a percentage and refuse anything else with one sentence that names the box and shows
what would be understood. They are pure functions, tested without a browser.
"""

from __future__ import annotations

import math
import re

from simulation.errors import UserError

# A number with optional thousands separators ("1,000" or "1,000,000.5"), or a plain decimal.
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_MONEY = re.compile(rf"^\s*([+-]?)\s*(?:US)?\$?\s*({_NUMBER})\s*(bn|b|billions?|tn|t|trillions?|mn|m|millions?)?\s*$",
                    re.IGNORECASE)
_PERCENT = re.compile(rf"^\s*({_NUMBER})\s*(%|pct|percent)?\s*$", re.IGNORECASE)
_TO_BILLIONS = {"": 1.0, "b": 1.0, "bn": 1.0, "billion": 1.0, "billions": 1.0,
                "t": 1000.0, "tn": 1000.0, "trillion": 1000.0, "trillions": 1000.0,
                "m": 0.001, "mn": 0.001, "million": 0.001, "millions": 0.001}


def amount_bn(text, label: str) -> float:
    """An amount of US dollars in billions: 150, 1,000, 100bn, $1tn, 1.5 trillion, -20 (a sign is kept)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _finite(float(text), text, label)
    found = _MONEY.match(str(text or ""))
    if not found:
        raise UserError(_explain(text, label, "an amount of US dollars in billions",
                                 "150, 1,000, 100bn or $1tn"))
    sign, number, unit = found.groups()
    value = float(number.replace(",", "")) * _TO_BILLIONS[(unit or "").lower()]
    return _finite(-value if sign == "-" else value, text, label)


def percent(text, label: str) -> float:
    """A percentage: 25, 25%, 2.5 %, -0.1 (a policy rate may be negative)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _finite(float(text), text, label)
    found = _PERCENT.match(str(text or ""))
    if not found:
        raise UserError(_explain(text, label, "a percentage", "25, 2.5 or 25%"))
    return _finite(float(found.group(1).replace(",", "")), text, label)


def shown(value: float) -> str:
    """A number as the boxes show it: no trailing zeros, thousands separated (1,079.3)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _finite(value: float, text, label: str) -> float:
    if not math.isfinite(value):
        raise UserError(f"'{label}': '{text}' is not a number we can use; type an ordinary number")
    return value


def _explain(text, label: str, what: str, examples: str) -> str:
    typed = str(text or "").strip()
    if not typed:
        return f"'{label}' is empty: type {what}, such as {examples}."
    if re.fullmatch(r"\s*\d+,\d{1,2}\s*%?\s*", typed):
        return f"'{label}': '{typed}' uses a comma for decimals; write it with a point (such as 2.5)."
    return f"'{label}': '{typed}' is not {what}; type a number such as {examples}."
