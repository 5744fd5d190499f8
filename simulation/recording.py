"""Recording a run: one row per step for the world, per economy, per trade flow, per event and per cause.

The recorder copies plain numbers each step and builds pandas DataFrames once at the end, so
recording costs little inside the step loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.world import ECONOMIES, PRICE_COLUMNS, RATE_COLUMNS, SECTORS

if TYPE_CHECKING:
    from simulation.model import TradeWarModel

ECONOMY_COLUMNS = ("gdp_bn", "gdp_growth_pct", "inflation_pct", "exports_bn", "imports_bn", "ust_holdings_bn",
                   "ust_value_bn", "fx_reserves_bn", "auto_jobs", "score")


def month_label(start: str, step: int) -> str:
    year, month = (int(x) for x in start.split("-"))
    total = year * 12 + (month - 1) + step
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class Recorder:
    def __init__(self, model: "TradeWarModel"):
        self.model = model
        self.model_rows: list[dict] = []
        self.economy_rows: list[np.ndarray] = []
        self.flows: list[np.ndarray] = []
        self.tariffs: list[np.ndarray] = []
        self.driver_rows: list[tuple] = []

    def record(self) -> None:
        m = self.model
        step = m.month
        prices = m.markets.prices()
        row = {"step": step, "date": month_label(m.scenario.start, step)}
        row.update({c: prices[c] for c in PRICE_COLUMNS})
        row.update({RATE_COLUMNS[b]: cb.policy_rate_pct for b, cb in m.central_banks.items()})
        row["risk_off"] = m.markets.risk
        row["carry_position_bn"] = m.investors.carry_position_bn()
        row["world_tariff_pct"] = m.trade.trade_weighted_tariff_pct()
        row["ust_price_index"] = m.ust_price
        self.model_rows.append(row)
        price = m.ust_price
        holdings = np.array([m.ledger.holdings_bn[e] for e in ECONOMIES])
        self.economy_rows.append(np.column_stack([
            m.macro.gdp_bn, m.macro.gdp_growth_pct(), m.macro.inflation_pct, m.trade.exports_bn(),
            m.trade.imports_bn(), holdings, holdings * price, m.reserves_value_bn(), m.macro.auto_jobs,
            m.macro.score,
        ]))
        self.flows.append(m.trade.flows_bn.copy())
        self.tariffs.append(m.trade.tariffs_pct.copy())
        for market, causes in m.markets.moves.by_market.items():
            unit = "bp" if market.endswith("10y") else "pct"
            for cause, change in causes.items():
                self.driver_rows.append((step, market, cause, change, unit))

    # -- one series, without building a table (sweeps read a few metrics from thousands of runs) ----
    def series(self, table: str, keys: tuple[str, ...], column: str) -> np.ndarray:
        """A recorded value at every step (0 = the start): ``model`` (keys ()), ``economies`` (keys
        (economy,)) or ``trade`` (keys (exporter, importer, sector or "all"); column flow_bn or tariff_pct)."""
        if table == "model":
            return np.array([row[column] for row in self.model_rows], dtype=np.float64)
        if table == "economies":
            j = ECONOMY_COLUMNS.index(column)
            i = ECONOMIES.index(keys[0])
            return np.array([rows[i, j] for rows in self.economy_rows], dtype=np.float64)
        i, j = ECONOMIES.index(keys[0]), ECONOMIES.index(keys[1])
        arrays = self.flows if column == "flow_bn" else self.tariffs
        if keys[2] == "all":
            if column != "flow_bn":
                raise ValueError("only flows can be summed over sectors")
            return np.array([a[i, j].sum() for a in arrays], dtype=np.float64)
        k = SECTORS.index(keys[2])
        return np.array([a[i, j, k] for a in arrays], dtype=np.float64)

    # -- tables -----------------------------------------------------------------------------------
    def model_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.model_rows)

    def economies_frame(self) -> pd.DataFrame:
        steps = len(self.economy_rows)
        data = np.concatenate(self.economy_rows)
        frame = pd.DataFrame(data, columns=ECONOMY_COLUMNS)
        frame.insert(0, "economy", np.tile(ECONOMIES, steps))
        frame.insert(0, "step", np.repeat(np.arange(steps), len(ECONOMIES)))
        frame["auto_jobs"] = frame["auto_jobs"].round().astype(np.int64)
        return frame

    def trade_frame(self) -> pd.DataFrame:
        n, s = len(ECONOMIES), len(SECTORS)
        exporter, importer, sector = np.meshgrid(np.arange(n), np.arange(n), np.arange(s), indexing="ij")
        keep = (exporter != importer).ravel()
        steps = len(self.flows)
        names, sectors = np.array(ECONOMIES), np.array(SECTORS)
        per_step = keep.sum()
        return pd.DataFrame({
            "step": np.repeat(np.arange(steps), per_step),
            "exporter": np.tile(names[exporter.ravel()[keep]], steps),
            "importer": np.tile(names[importer.ravel()[keep]], steps),
            "sector": np.tile(sectors[sector.ravel()[keep]], steps),
            "flow_bn": np.concatenate([f.ravel()[keep] for f in self.flows]),
            "tariff_pct": np.concatenate([t.ravel()[keep] for t in self.tariffs]),
        })

    def drivers_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.driver_rows, columns=["step", "market", "cause", "change", "unit"])

    def events_frame(self) -> pd.DataFrame:
        rows = [(e.step, e.actor, e.action, e.detail, e.headline) for e in self.model.events]
        return pd.DataFrame(rows, columns=["step", "actor", "action", "detail", "headline"])

    def offers_frame(self) -> pd.DataFrame:
        """Every offer made at the negotiating table, with its fate (open, accepted, rejected, countered,
        expired or replaced) and the month it was settled."""
        from simulation.negotiation import Offer

        columns = list(Offer(0, "", "", 0.0, "", 0, 0, 0).to_record())
        return pd.DataFrame([o.to_record() for o in self.model.negotiation.offers], columns=columns)
