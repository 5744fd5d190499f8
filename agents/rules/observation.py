"""What a policy rule sees: a read-only snapshot of the world from one actor's seat.

Rules decide from an ``Observation`` only, never from the model itself, so a student can test a rule by
building an Observation by hand, and a rule cannot change the world except through the decisions it
returns. Values are those recorded at the end of the previous step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable


@dataclass(frozen=True)
class Observation:
    step: int                    # the step about to be played; decisions returned apply at its start
    actor: str                   # "JP", "FED", ...
    economy: str                 # the actor's economy ("US" for the FED)
    prices: dict[str, float]     # us_10y, jgb_10y (percent); usd_jpy, eur_usd, usd_cny; sp500, nikkei225
    policy_rate_pct: float       # the actor's central bank policy rate (percent)
    inflation_pct: float         # consumer price inflation, year on year (percent)
    inflation_target_pct: float
    output_gap_pct: float        # real GDP relative to potential (percent)
    neutral_real_rate_pct: float
    ust_holdings_bn: float       # Treasuries held, face value, USD bn
    fx_reserves_bn: float        # all reserves at market value, USD bn
    cash_reserves_bn: float      # reserves not in Treasuries (deposits, other assets), USD bn
    threat_bn: float = 0.0       # size of this actor's standing threat to sell Treasuries (0 = none)
    threat_age_months: int = 0   # months since that threat was made
    credibility: float = 0.5     # how much markets believe this actor's threats (0..1)
    # partner -> tariffs by sector (autos, electronics, agriculture, other), in percent. The base_ ones
    # are the levels the pair regards as agreed: those at the start, or set by their last deal.
    tariffs_on_me: dict[str, tuple[float, ...]] = field(default_factory=dict)
    base_tariffs_on_me: dict[str, tuple[float, ...]] = field(default_factory=dict)
    my_tariffs: dict[str, tuple[float, ...]] = field(default_factory=dict)
    base_my_tariffs: dict[str, tuple[float, ...]] = field(default_factory=dict)
    home_quote: str = ""         # the market quote of the actor's currency ("usd_jpy"), if it floats
    threat_credibility: float = 0.0   # this actor's standing threat's credibility (record x its own cost)
    # prices at the end of earlier months: [0] is a month before ``prices``, [1] two months before
    prices_months_ago: tuple[dict[str, float], ...] = ()
    # the negotiating table (simulation/negotiation.py Offer records): open offers to and from this actor
    offers_to_me: tuple = ()
    offers_from_me: tuple = ()
    pledged_until_step: int = 0  # this actor has pledged not to sell Treasuries until this month (0 = no pledge)
    # project(decisions, months) -> this actor's score after ``months`` months if ``decisions`` are added
    # this month: the model's own look-ahead on a copy of the world (None inside a projection)
    project: Callable | None = field(default=None, repr=False, compare=False)
    tariff_inflation_pct: float = 0.0  # the part of inflation_pct due to tariffs (a one-off price-level rise)

    @classmethod
    def from_model(cls, values: dict | None = None, /, **named) -> "Observation":
        """An observation built by the model, which gives every field (as one dict, or by name): the same
        object as ``Observation(**values)``, made without the frozen dataclass's field-by-field ``__init__``.
        The model builds about six observations a month, and that ``__init__`` was the costliest part of
        each. A dict given becomes the observation's own attributes: the caller must not keep using it."""
        if values is None:
            values = named
        elif named:
            raise TypeError("Observation.from_model takes its fields as one dict or by name, not both")
        if values.keys() != _FIELD_NAMES:
            raise TypeError(f"Observation.from_model needs exactly the fields {sorted(_FIELD_NAMES)}")
        return cls._from_fields(values)

    @classmethod
    def _from_fields(cls, values: dict) -> "Observation":
        """``from_model`` for a dict that has every field by construction: a copy of one made with exactly
        the fields (``dict.fromkeys(FIELD_ORDER)``) whose values were then set, as the model's ``observe``
        makes them. Such a dict can only have gained a key (a misspelt one), so its length is all that needs
        checking; comparing thirty keys was a quarter of an observation's cost."""
        if len(values) != len(FIELD_ORDER):
            raise TypeError(f"Observation.from_model needs exactly the fields {sorted(_FIELD_NAMES)}")
        observation = object.__new__(cls)
        object.__setattr__(observation, "__dict__", values)
        return observation


FIELD_ORDER = tuple(f.name for f in fields(Observation))   # in the order they are declared
_FIELD_NAMES = frozenset(FIELD_ORDER)
