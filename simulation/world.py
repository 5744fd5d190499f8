"""The fixed vocabulary of the model world: economies, sectors, central banks, currencies, markets.

These are names, not calibration: they define what the model talks about. Numbers about them live in
``simulation/calibration``.
"""

ECONOMIES: tuple[str, ...] = ("US", "JP", "CN", "EA", "UK", "CA", "MX", "KR", "ROW")
NAMED_ECONOMIES: tuple[str, ...] = ECONOMIES[:-1]  # all but the rest of the world
SECTORS: tuple[str, ...] = ("autos", "electronics", "agriculture", "other")

ECONOMY_NAMES: dict[str, str] = {
    "US": "United States", "JP": "Japan", "CN": "China", "EA": "Euro area", "UK": "United Kingdom",
    "CA": "Canada", "MX": "Mexico", "KR": "South Korea", "ROW": "Rest of world",
}

# Central banks and the economy whose rate, currency and reserves they manage.
CENTRAL_BANKS: dict[str, str] = {"FED": "US", "BOJ": "JP", "ECB": "EA", "PBOC": "CN"}
CENTRAL_BANK_NAMES: dict[str, str] = {
    "FED": "the Fed", "BOJ": "the Bank of Japan", "ECB": "the ECB", "PBOC": "the People's Bank of China",
}

# Currencies that float against the dollar in the model. The other economies' currencies are held at
# their starting dollar value (a simplification documented in docs/model.md).
FLOATING_CURRENCY: dict[str, str] = {"JP": "JPY", "EA": "EUR", "CN": "CNY"}

# Market quotes: each floating currency's quote and whether the quote is "units per dollar" (True) or
# "dollars per unit" (False, the euro's market convention).
FX_QUOTES: dict[str, tuple[str, bool]] = {"JP": ("usd_jpy", True), "EA": ("eur_usd", False), "CN": ("usd_cny", True)}

PRICE_COLUMNS: tuple[str, ...] = ("us_10y", "jgb_10y", "usd_jpy", "eur_usd", "usd_cny", "sp500", "nikkei225")
RATE_COLUMNS: dict[str, str] = {"FED": "fed_rate", "BOJ": "boj_rate", "ECB": "ecb_rate", "PBOC": "pboc_rate"}

ACTORS: tuple[str, ...] = ECONOMIES + tuple(CENTRAL_BANKS)


_POSITIONS: dict[str, int] = {economy: i for i, economy in enumerate(ECONOMIES)}


def index_of(economy: str) -> int:
    """Position of an economy code in ``ECONOMIES`` (the axis order of every per-economy array). Read from a
    dict (the model asks hundreds of times a run); an unknown code raises ValueError, as ``tuple.index`` does."""
    try:
        return _POSITIONS[economy]
    except (KeyError, TypeError):
        raise ValueError(f"{economy!r} is not an economy; expected one of {', '.join(ECONOMIES)}") from None

