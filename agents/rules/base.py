"""The base of every behaviour rule, and the registry that lets a scenario choose rules by name.

A rule is a small class: a docstring (what it does, where the idea comes from), parameters declared
with ``param(default, low, high, unit)`` and one deciding method. Policy rules (governments and central
banks) return a list of ``Decision`` records from ``decide(observation)``; investor rules return order
flows for all their members at once (see ``agents/rules/investors.py``).

To add a rule: write the class, decorate it with ``@register``, give it a unique ``name`` and a ``kind``
(``"trade"``, ``"treasury"``, ``"negotiation"``, ``"monetary"`` or ``"investor"``). Scenarios can then name it.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, ClassVar, NamedTuple

from simulation.errors import UserError

RULES: dict[str, type["Rule"]] = {}
KINDS = ("trade", "treasury", "negotiation", "monetary", "investor")


def param(default: float, low: float, high: float, unit: str = "", help: str = "") -> Any:
    """Declare a numeric rule parameter with its default, inclusive bounds, unit and a one-line meaning."""
    return dataclasses.field(default=default, metadata={"low": low, "high": high, "unit": unit, "help": help})


def choice(default: str, options: tuple[str, ...], help: str = "") -> Any:
    """Declare a text rule parameter that takes one of ``options`` (for example an economy code)."""
    return dataclasses.field(default=default, metadata={"choices": tuple(options), "help": help})


@dataclasses.dataclass
class Rule:
    """Base class: checks parameters against their bounds when the rule is made.

    For the model's own rules (not a user's file): ``__post_init__`` only checks and sets attributes, and a
    monetary rule's ``projection`` reads only what the bank sees. Runs after a scenario's first take a copy
    of a built-in rule's values and share the start's expected rates (``simulation/setup.py``); tests check
    both over every built-in rule."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    # Whether decide() reads its observation. A rule that answers the same whatever it sees (hold,
    # no_retaliation) says False, and the model then builds no observation for a government whose rules
    # all say so: in the shipped scenarios that is most governments, most months. A subclass that writes
    # its own decide() is taken to read its observation unless it says otherwise (``__init_subclass__``).
    observes: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "decide" in vars(cls) and "observes" not in vars(cls):
            cls.observes = True

    def __post_init__(self) -> None:
        for name, choices, low, high, unit in _declared_parameters(type(self)):
            value = getattr(self, name)
            if choices is not None:
                if value not in choices:
                    raise UserError(f"rule '{self.name}': parameter '{name}' = {value!r} is not one of "
                                    + ", ".join(choices))
                continue
            if low is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise UserError(f"rule '{self.name}': parameter '{name}' must be a number, got {value!r}")
            if not low <= value <= high:
                raise UserError(f"rule '{self.name}': parameter '{name}' = {value} is outside its range {low} to {high}"
                                + (f" ({unit})" if unit else ""))

    @classmethod
    def parameters(cls) -> list[dict[str, Any]]:
        """The rule's parameters with defaults, bounds, units and meaning (for listings and the app)."""
        return [
            {"name": f.name, "default": f.default, **f.metadata}
            for f in dataclasses.fields(cls)
            if "low" in f.metadata or "choices" in f.metadata
        ]


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule choosable by its ``name`` in scenario files."""
    if not cls.name or cls.kind not in KINDS:
        raise TypeError(f"{cls.__name__} needs a name and a kind in {KINDS}")
    if cls.name in RULES and RULES[cls.name] is not cls:
        raise TypeError(f"two rules are named '{cls.name}'")
    RULES[cls.name] = cls
    return cls


class ParameterSpec(NamedTuple):
    """What ``__post_init__`` checks of one declared parameter."""

    name: str
    choices: tuple | None   # the allowed values of a ``choice``; None for a ``param``
    low: Any                # a ``param``'s inclusive bounds; None for a ``choice``
    high: Any
    unit: str


@functools.lru_cache(maxsize=256)
def _declared_parameters(cls: type[Rule]) -> tuple[ParameterSpec, ...]:
    """A rule class's fields declared with ``param`` or ``choice`` (the ones ``__post_init__`` checks), read
    once per class from the fields' metadata: every run makes a few dozen rules, and each check would
    otherwise read every field's metadata again."""
    return tuple(ParameterSpec(f.name, f.metadata.get("choices"), f.metadata.get("low"), f.metadata.get("high"),
                               f.metadata.get("unit", "")) for f in dataclasses.fields(cls)
                 if "choices" in f.metadata or "low" in f.metadata)


@functools.lru_cache(maxsize=256)
def _parameter_names(cls: type[Rule]) -> frozenset[str]:
    """The names of a rule class's parameters (a class's fields never change; every run makes its rules)."""
    return frozenset(p["name"] for p in cls.parameters())


def make_rule(name: str, kind: str, params: dict[str, Any] | None = None, where: str = "") -> Rule:
    """Build a registered rule by name, with a clear message for an unknown name or parameter."""
    where = f"{where}: " if where else ""
    cls = RULES.get(name)
    if cls is None or cls.kind != kind:
        choices = ", ".join(sorted(n for n, c in RULES.items() if c.kind == kind))
        raise UserError(f"{where}unknown {kind} rule '{name}'; expected one of: {choices}")
    params = dict(params or {})
    known = _parameter_names(cls)
    unknown = [] if known.issuperset(params) else sorted(set(params) - known)
    if unknown:
        raise UserError(
            f"{where}rule '{name}' has no parameter '{unknown[0]}'; its parameters are: "
            + (", ".join(sorted(known)) or "none")
        )
    try:
        return cls(**params)
    except UserError as error:
        raise UserError(f"{where}{error}") from None
