"""The unit of every column a run records (model.csv, economies.csv, trade.csv), in one place.

The README's "Output files" table says the same in prose; sweeps write these units into their Parquet
metadata and summary.csv so that results describe themselves. A test checks that every recorded
column has a unit here, so a new column cannot go out without one.
"""

from __future__ import annotations

COLUMN_UNITS: dict[str, dict[str, str]] = {
    "model": {
        "step": "month (0 = the start)",
        "us_10y": "percent", "jgb_10y": "percent",
        "usd_jpy": "yen per dollar", "eur_usd": "dollars per euro", "usd_cny": "yuan per dollar",
        "sp500": "index points", "nikkei225": "index points",
        "fed_rate": "percent", "boj_rate": "percent", "ecb_rate": "percent", "pboc_rate": "percent",
        "risk_off": "risk sentiment (0 = calm, 1 = a one-standard-deviation sell-off)",
        "carry_position_bn": "USD bn",
        "world_tariff_pct": "percent (2024-trade-weighted average tariff)",
        "ust_price_index": "index (Treasury price, start = 1)",
    },
    "economies": {
        "gdp_bn": "USD bn a year (real, 2024 prices and exchange rates)",
        "gdp_growth_pct": "percent over 12 months",
        "inflation_pct": "percent over 12 months (consumer prices)",
        "exports_bn": "USD bn a year (goods)", "imports_bn": "USD bn a year (goods)",
        "ust_holdings_bn": "USD bn (face value)", "ust_value_bn": "USD bn (market value)",
        "fx_reserves_bn": "USD bn (market value)",
        "auto_jobs": "persons employed making vehicles and parts",
        "score": "the government's score (100 = the start)",
        "tariff_revenue_bn": "USD bn a month (tariff revenue collected)",
        "tariff_inflation_pct": "percentage points of inflation from tariffs passed on to buyers",
    },
    "trade": {
        "flow_bn": "USD bn a year at the exporter's price",
        "tariff_pct": "percent (the importer's tariff)",
    },
}


def unit_of(table: str, column: str) -> str:
    """The unit of ``column`` in ``table`` (model, economies or trade); '' if it has none listed."""
    return COLUMN_UNITS.get(table, {}).get(column, "")
