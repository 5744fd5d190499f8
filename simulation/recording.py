"""Recording a run: one row per step for the world, per economy, per trade flow, per event, per cause,
per seat's score part and per network measure.

The recorder keeps each step's numbers and builds pandas DataFrames once at the end, so recording costs
little inside the step loop: the model's own arrays where the model replaces them each month (made
read-only here, so a change in place raises instead of rewriting a recorded month), and copies of the
tariff tables, which decisions change in place, made only in a month when they changed. What can be
computed from numbers it keeps anyway (the scores and their parts, GDP growth, Treasuries at market
value, auto jobs) it computes for every month at once when a table or series asks, by the same formulas,
so the numbers are the ones the model held.
"""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation import network
from simulation.macro import GOVERNMENT_PARTS, MANDATE_PARTS, ScoreInputs, growth_pct
from simulation.trade import fill_graph
from simulation.world import CENTRAL_BANKS, ECONOMIES, PRICE_COLUMNS, RATE_COLUMNS, SECTORS

if TYPE_CHECKING:
    from simulation.model import TradeWarModel


_EACH_ECONOMY = itemgetter(*ECONOMIES)   # a dict's values by economy, in ECONOMIES order
_EACH_PRICE = itemgetter(*PRICE_COLUMNS)   # the closing prices' values, in PRICE_COLUMNS order


def _read_only(arrays):
    """``arrays`` (a sequence), each numpy array in it made read-only. The record keeps the model's own
    arrays for a month, not copies: the model replaces them each month and never changes one in place, and
    this makes that a rule, so that a change in place raises at once instead of rewriting a recorded month."""
    for array in arrays:
        if isinstance(array, np.ndarray):
            array.setflags(False)   # write=False, given by position: numpy reads a keyword slower than the call
    return arrays


def _ust_holdings_bn(m: "TradeWarModel") -> np.ndarray:
    return np.array(_EACH_ECONOMY(m.ledger.holdings_bn))


def _ust_value_bn(holdings_bn: np.ndarray, ust_price: float | np.ndarray) -> np.ndarray:
    """Treasuries at market value: face value times the price index (one month, or months stacked)."""
    return holdings_bn * ust_price


# The columns of the ``economies`` table, each read from the model as one value per economy (in ECONOMIES
# order). The full recording and a sweep's few economies series both read them here.
ECONOMY_VALUES = {
    "gdp_bn": lambda m: m.macro.gdp_bn,
    "gdp_growth_pct": lambda m: m.macro.gdp_growth_pct(),
    "inflation_pct": lambda m: m.macro.inflation_pct,
    "exports_bn": lambda m: m.trade.exports_bn(),
    "imports_bn": lambda m: m.trade.imports_bn(),
    "ust_holdings_bn": _ust_holdings_bn,
    "ust_value_bn": lambda m: _ust_value_bn(_ust_holdings_bn(m), m.ust_price),
    "fx_reserves_bn": lambda m: m.reserves_value_bn(),   # the month's full record reads the month's end's
    "auto_jobs": lambda m: m.macro.auto_jobs,
    "score": lambda m: m.macro.score,
    "tariff_revenue_bn": lambda m: m.macro.tariff_revenue_bn,
    "tariff_inflation_pct": lambda m: m.macro.tariff_inflation_pct,
}
ECONOMY_COLUMNS = tuple(ECONOMY_VALUES)
# The full record reads the other columns each month, with last year's GDP; it derives these four for every
# month at once when a table asks, by the same formulas, from what it keeps (``Recorder.economy_table``).
DERIVED_COLUMNS = ("gdp_growth_pct", "ust_value_bn", "auto_jobs", "score")
_MONTHLY = {column: value for column, value in ECONOMY_VALUES.items() if column not in DERIVED_COLUMNS}
_MONTHLY["fx_reserves_bn"] = lambda m: m.month_end.reserves_bn   # computed once at the month's end (MonthEnd)
_MONTHLY["ust_holdings_bn"] = lambda m: _EACH_ECONOMY(m.ledger.holdings_bn)   # plain floats, stacked with the rest
_MONTHLY["gdp_year_ago_bn"] = lambda m: m.macro.gdp_history[-12]
_MONTHLY_NAMES, _MONTHLY_READS = tuple(_MONTHLY), tuple(_MONTHLY.values())
WHOLE_NUMBER_COLUMNS = ("auto_jobs",)   # economies columns shown as whole numbers (jobs are people)


# The columns of the ``model`` table after step and date, in the order each month's row holds them.
MODEL_VALUES = (*PRICE_COLUMNS, *RATE_COLUMNS.values(), "risk_off", "carry_position_bn", "world_tariff_pct",
                "ust_price_index")
_MODEL_INDEX = {column: i for i, column in enumerate(("step", *MODEL_VALUES))}   # its place in a row


@lru_cache(maxsize=1024)   # a few dozen labels serve every run and the pages
def month_label(start: str, step: int) -> str:
    year, month = (int(x) for x in start.split("-"))
    total = year * 12 + (month - 1) + step
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class Recorder:
    """Records a model's month. ``model_only`` keeps the ``model`` table alone (prices, rates and summaries):
    enough for a fan chart's series or a projection's copy, which read nothing else, at a fraction of the
    cost; the other tables of such a recorder stay empty. It can also keep a few ``picked`` series of the
    other tables, given as (table, keys, column) like ``series``: what a sweep's metrics read. Scores (a
    seat's score or term, an economy's score) are kept as each month's score inputs, scored at once when
    asked, like a full record's."""

    def __init__(self, model: "TradeWarModel", model_only: bool = False,
                 picked: tuple[tuple[str, tuple[str, ...], str], ...] = ()):
        self.model = model
        self.model_only = model_only
        # (table, keys, column) -> that series' part of each month's record (see _month_part), but for scores
        picked = [(table, tuple(keys), column) for table, keys, column in picked]
        self.picked: dict[tuple, list] = {key: [] for key in picked if not _from_scores(*key)}
        self._keeps_score_inputs = not model_only or any(_from_scores(*key) for key in picked)
        self.model_rows: list[tuple] = []   # each step's (step, *MODEL_VALUES); dates are added to the table
        # Each step's economies columns but the derived ones, as the model holds them (arrays it replaces each
        # month and never changes in place, or made for the record; the holdings as a tuple of the ledger's
        # floats): stacked into one table when a table asks.
        self.economy_rows: list[list[np.ndarray | tuple[float, ...]]] = []
        self.flows: list[np.ndarray] = []
        self.tariffs: list[np.ndarray] = []
        self.agreed: list[np.ndarray] = []
        # Each step's causes of price moves (market -> cause -> change). The markets start a new dict every
        # month and never change an old one, so the recorder keeps it and makes rows only when asked.
        self.moves: list[tuple[int, dict[str, dict[str, float]]]] = []
        self.score_inputs: list[ScoreInputs] = []      # each step's, scored every step at once when asked
        self._stacked: dict[str, tuple[int, object]] = {}   # what is stacked from the steps so far, by name
        self._network: list[np.ndarray] = []           # [economy, measure] per step, filled when asked

    def record(self) -> None:
        m = self.model
        step = m.month
        prices = m.price_history[-1]   # the month's closing prices (the model notes them before recording)
        end = m.month_end              # and the month's end values (MonthEnd), computed once for every reader
        self.model_rows.append((step, *_EACH_PRICE(prices),
                                *[m.central_banks[bank].policy_rate_pct for bank in RATE_COLUMNS], m.markets.risk,
                                end.carry_position_bn, m.trade.trade_weighted_tariff_pct(), end.ust_price))
        for key, parts in self.picked.items():
            parts.append(_month_part(m, *key))
        if self._keeps_score_inputs:
            self.score_inputs.append(_read_only(m.macro.score_inputs()))
        if self.model_only:
            return
        self.economy_rows.append(_read_only([value(m) for value in _MONTHLY_READS]))
        # The flows are a new array each month, kept as they are (read-only); the tariff tables, which a
        # decision changes in place, are read-only copies shared by the months between changes.
        flows = m.trade.flows_bn
        flows.setflags(write=False)
        self.flows.append(flows)
        tariffs, agreed = m.tariff_tables()
        self.tariffs.append(tariffs)
        self.agreed.append(agreed)
        self.moves.append((step, m.markets.moves.by_market))

    def _model_column(self, column: str) -> list:
        """One column of the ``model`` table at every recorded step."""
        i = _MODEL_INDEX[column]
        return [row[i] for row in self.model_rows]

    # -- the steps so far, stacked once (and again only after more steps are recorded) ----------------
    def _stack(self, name: str, make):
        steps = len(self.model_rows)
        kept = self._stacked.get(name)
        if kept is None or kept[0] != steps:
            kept = self._stacked[name] = (steps, make())
        return kept[1]

    def _stacked_score_inputs(self) -> ScoreInputs:
        """Every step's score inputs, each ``[step, ...]``."""
        return self._stack("score inputs", lambda: ScoreInputs(*(np.array(months) for months in zip(*self.score_inputs))))

    def score_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Every step's score terms: governments' ``[step, part, economy]`` and central banks' ``[step,
        part, bank]`` (see ``Macro.score_terms``)."""
        return self._stack("score terms", lambda: self.model.macro.score_terms(self._stacked_score_inputs()))

    def scores(self) -> np.ndarray:
        """Every step's government scores, ``[step, economy]``: 100 plus the terms."""
        return 100.0 + self.score_terms()[0].sum(axis=1)

    def economy_table(self) -> np.ndarray:
        """Every step's economies columns, ``[step, column, economy]`` in the order of ECONOMY_COLUMNS: those
        read each month, and the derived ones computed for every month at once from what the record keeps."""
        def make():
            columns = dict(zip(_MONTHLY_NAMES, np.array(self.economy_rows).transpose(1, 0, 2)))
            ust_price = np.array(self._model_column("ust_price_index"))[:, None]
            columns["gdp_growth_pct"] = growth_pct(columns["gdp_bn"], columns.pop("gdp_year_ago_bn"))
            columns["ust_value_bn"] = _ust_value_bn(columns["ust_holdings_bn"], ust_price)
            columns["auto_jobs"] = self.model.macro.auto_jobs_from(self._stacked_score_inputs().log_auto_jobs)
            columns["score"] = self.scores()
            return np.stack([columns[column] for column in ECONOMY_COLUMNS], axis=1)
        return self._stack("economies", make)

    # -- one series, without building a table (sweeps read a few metrics from thousands of runs) ----
    def series(self, table: str, keys: tuple[str, ...], column: str) -> np.ndarray:
        """A recorded value at every step (0 = the start): ``model`` (keys ()), ``economies`` (keys
        (economy,)), ``scores`` (keys (seat,); column "score" or a part) or ``trade`` (keys (exporter,
        importer, sector or "all"); column flow_bn or tariff_pct)."""
        if table == "model":
            return np.array(self._model_column(column), dtype=np.float64)
        keys = tuple(keys)
        parts = self.picked.get((table, keys, column))
        if parts is None:
            parts = self._recorded_part(table, keys, column)
        if table == "scores":
            return _score_series(parts, keys[0], column)
        if table == "trade":
            return _trade_series(parts, keys[2], column)
        values = np.array(parts, dtype=np.float64)
        return values.round() if column in WHOLE_NUMBER_COLUMNS else values

    def _recorded_part(self, table: str, keys: tuple[str, ...], column: str):
        """One series' part of every recorded month's full record (as ``_month_part`` reads from the model),
        or of every month's score inputs (scores)."""
        if table == "economies" and column == "score":
            return self.scores()[:, ECONOMIES.index(keys[0])]
        if table == "economies":
            return self.economy_table()[:, ECONOMY_COLUMNS.index(column), ECONOMIES.index(keys[0])]
        if table == "trade":
            return [_trade_cells(array, keys) for array in (self.flows if column == "flow_bn" else self.tariffs)]
        government, bank = self.score_terms()
        return (bank if keys[0] in CENTRAL_BANKS else government)[:, :, _seat_index(keys[0])]

    # -- tables -----------------------------------------------------------------------------------
    def model_frame(self) -> pd.DataFrame:
        steps = self._model_column("step")
        dates = [month_label(self.model.scenario.start, step) for step in steps]
        return pd.DataFrame({"step": steps, "date": dates, **{c: self._model_column(c) for c in MODEL_VALUES}})

    def economies_frame(self) -> pd.DataFrame:
        steps = len(self.economy_rows)
        data = self.economy_table().transpose(0, 2, 1).reshape(steps * len(ECONOMIES), len(ECONOMY_COLUMNS))
        frame = pd.DataFrame(data, columns=ECONOMY_COLUMNS)
        frame.insert(0, "economy", np.tile(ECONOMIES, steps))
        frame.insert(0, "step", np.repeat(np.arange(steps), len(ECONOMIES)))
        for column in WHOLE_NUMBER_COLUMNS:
            frame[column] = frame[column].round().astype(np.int64)
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

    def seat_parts(self, step: int, seat: str) -> dict[str, float]:
        """One seat's score terms at a recorded step (a government's economy code or a central bank)."""
        government, bank = self.score_terms()
        if seat in CENTRAL_BANKS:
            return dict(zip(MANDATE_PARTS, bank[step, :, _seat_index(seat)].tolist()))
        return dict(zip(GOVERNMENT_PARTS, government[step, :, _seat_index(seat)].tolist()))

    def scores_frame(self) -> pd.DataFrame:
        """Every seat's score and its parts at every step: ``step, seat, part, value`` with ``part =
        "score"`` for the total (100 plus the parts)."""
        frames = []
        for seats, parts, data in zip((ECONOMIES, tuple(CENTRAL_BANKS)), (GOVERNMENT_PARTS, MANDATE_PARTS),
                                      self.score_terms()):           # [step, part, seat]
            data = np.concatenate([100.0 + data.sum(axis=1, keepdims=True), data], axis=1)
            names = ("score",) + parts
            steps, n_parts, n_seats = data.shape
            frames.append(pd.DataFrame({
                "step": np.repeat(np.arange(steps), n_seats * n_parts),
                "seat": np.tile(np.repeat(np.array(seats), n_parts), steps),
                "part": np.tile(np.array(names), steps * n_seats),
                "value": data.transpose(0, 2, 1).ravel(),
            }))
        return pd.concat(frames, ignore_index=True)

    def network_measures(self, step: int) -> np.ndarray:
        """The network measures at a recorded step, ``[economy, measure]`` (computed once, when first asked)."""
        if step >= len(self._network):
            graph = network.empty_graph()
            trade = self.model.trade
            for s in range(len(self._network), step + 1):
                fill_graph(graph, self.flows[s], self.tariffs[s], trade.base_flows_bn, trade.base_tariffs_pct,
                           self.agreed[s])
                self._network.append(network.as_array(network.measures(graph)))
        return self._network[step]

    def network_frame(self) -> pd.DataFrame:
        """Network measures of the trade graph at every step: ``step, economy, measure, value``
        (simulation/network.py says what each measure is)."""
        steps = len(self.flows)
        data = np.stack([self.network_measures(s) for s in range(steps)])   # [step, economy, measure]
        names = network.measure_names()
        return pd.DataFrame({
            "step": np.repeat(np.arange(steps), len(ECONOMIES) * len(names)),
            "economy": np.tile(np.repeat(np.array(ECONOMIES), len(names)), steps),
            "measure": np.tile(np.array(names), steps * len(ECONOMIES)),
            "value": data.ravel(),
        })

    def drivers_frame(self) -> pd.DataFrame:
        rows = [(step, market, cause, change, "bp" if market.endswith("10y") else "pct")
                for step, by_market in self.moves for market, causes in by_market.items()
                for cause, change in causes.items()]
        return pd.DataFrame(rows, columns=["step", "market", "cause", "change", "unit"])

    def events_frame(self) -> pd.DataFrame:
        rows = [(e.step, e.actor, e.action, e.detail, e.headline) for e in self.model.events]
        return pd.DataFrame(rows, columns=["step", "actor", "action", "detail", "headline"])

    def offers_frame(self) -> pd.DataFrame:
        """Every offer made at the negotiating table, with its fate (open, accepted, rejected, countered,
        expired or replaced) and the month it was settled."""
        from simulation.negotiation import Offer

        columns = list(Offer(0, "", "", 0.0, "", 0, 0, 0).to_record())
        return pd.DataFrame([o.to_record() for o in self.model.negotiation.offers], columns=columns)


# -- one series' part of a month's record, read from the model as the month is recorded (a picked series);
#    ``Recorder._recorded_part`` reads the same from the full record -----------------------------------------
def _month_part(m: "TradeWarModel", table: str, keys: tuple[str, ...], column: str):
    if table == "economies":
        return ECONOMY_VALUES[column](m)[ECONOMIES.index(keys[0])]
    return _trade_cells(m.trade.flows_bn if column == "flow_bn" else m.trade.tariffs_pct, keys)


def _from_scores(table: str, keys: tuple[str, ...], column: str) -> bool:
    """Whether a series is read from the score inputs (a seat's score or term, or an economy's score)."""
    return table == "scores" or (table, column) == ("economies", "score")


def _seat_index(seat: str) -> int:
    return list(CENTRAL_BANKS).index(seat) if seat in CENTRAL_BANKS else ECONOMIES.index(seat)


def _trade_cells(array: np.ndarray, keys: tuple[str, ...]) -> np.ndarray:
    """A flow's cells [sector] for sector "all", else its one cell."""
    i, j = ECONOMIES.index(keys[0]), ECONOMIES.index(keys[1])
    return array[i, j].copy() if keys[2] == "all" else array[i, j, SECTORS.index(keys[2])]


def _trade_series(parts: list, sector: str, column: str) -> np.ndarray:
    if sector == "all":
        if column != "flow_bn":
            raise ValueError("only flows can be summed over sectors")
        return np.array([cells.sum() for cells in parts], dtype=np.float64)
    return np.array(parts, dtype=np.float64)


def _score_series(parts: list, seat: str, part: str) -> np.ndarray:
    """A seat's score (100 plus its terms) or one term, from its terms' column of each month."""
    data = np.array(parts, dtype=np.float64)   # [step, part]
    names = MANDATE_PARTS if seat in CENTRAL_BANKS else GOVERNMENT_PARTS
    return 100.0 + data.sum(axis=1) if part == "score" else data[:, names.index(part)]
