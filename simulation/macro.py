"""Macroeconomy per economy: output, inflation, auto jobs, tariff revenue and the scores, one month at a time.

- Output: real GDP (2024 US dollars) = potential x (1 + gap). The gap moves toward a demand impulse:
  export earnings, the part of lost import volume replaced by home production, minus the deadweight
  loss of tariffs and the cost of tariffs on imported inputs, minus higher long rates, plus stock-market
  wealth, minus risk-off sentiment. Tariff revenue is a transfer from home buyers to their government,
  so the tariff itself is not subtracted; an exporter's terms-of-trade loss is in its export earnings.
- Inflation (year on year) = trend inflation returning to target + the rise of import prices over the
  last 12 months times the import share of GDP (tariff and exchange-rate pass-through) + a Phillips term.
  The tariff part is kept apart (``tariff_inflation_pct``): a one-off price-level effect.
- Auto jobs follow auto output: export volumes plus home production that replaces imports.
- Scores: 100 at the start. A government scores output, inflation near target, auto jobs, reserve value
  and tariff revenue with its role's weights; a central bank scores its own mandate: inflation near
  target, a small output gap, and (when a scenario asks) a steady currency.
"""

from __future__ import annotations

import copy

import numpy as np

from simulation.calibration import Calibration
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS, index_of

GOVERNMENT_PARTS = ("output", "inflation", "jobs", "wealth", "revenue")
MANDATE_PARTS = ("inflation", "output", "jobs", "wealth", "currency")


class Macro:
    @classmethod
    def at_start(cls, calibration: Calibration) -> "Macro":
        """The macro state at the start of a run: the same as ``Macro(calibration)``, without building it
        again (as ``TradeNetwork.at_start``). One is built per calibration and kept read-only; each run gets
        a shallow copy with its own copies of what a run changes in place: the histories (lists it pops
        and appends), the auto jobs state and the score weights (a scenario's objectives set them)."""
        kept = calibration.kept("macro state at the start", cls)
        macro = copy.copy(kept)
        macro.import_price_history = list(kept.import_price_history)
        macro.tariff_price_history = list(kept.tariff_price_history)
        macro.gdp_history = list(kept.gdp_history)
        macro.log_auto_jobs = kept.log_auto_jobs.copy()
        macro.weights = {k: w.copy() for k, w in kept.weights.items()}
        macro.mandate = {k: w.copy() for k, w in kept.mandate.items()}
        return macro

    def __init__(self, calibration: Calibration):
        p = calibration.param
        self.p = p
        econ = lambda q: np.array([calibration.economy(e, q) for e in ECONOMIES])  # noqa: E731
        self.gdp0_bn = econ("gdp_bn")
        self.potential_growth_pct = econ("potential_growth_pct")
        self.inflation_target_pct = econ("inflation_target_pct")
        self.start_inflation_pct = econ("inflation_pct")
        self.auto_jobs0 = econ("auto_jobs")
        self.auto_export_share = np.array([p("macro.auto_export_share", e) for e in ECONOMIES])
        self.start_inflation_miss_pct = np.abs(self.start_inflation_pct - self.inflation_target_pct)
        self.base_exports_bn: np.ndarray | None = None
        self.gap_pct = np.zeros(len(ECONOMIES))
        self.trend_inflation_pct = self.start_inflation_pct.copy()
        self.inflation_pct = self.start_inflation_pct.copy()
        self.consumer_import_price = np.zeros(len(ECONOMIES))        # log, 2024 = 0
        self.import_price_history = [np.zeros(len(ECONOMIES))] * 12   # the last 12 months
        self.consumer_tariff_price = np.zeros(len(ECONOMIES))         # the tariff part of consumer_import_price
        self.tariff_price_history = [np.zeros(len(ECONOMIES))] * 12
        self.tariff_inflation_pct = np.zeros(len(ECONOMIES))          # tariffs' part of inflation (y/y, pp)
        self.gdp_bn = self.gdp0_bn.copy()
        self._growth_factor = 1.0 + self.potential_growth_pct / 100.0   # potential output's yearly factor
        self.gdp_history = [self.potential_gdp(step) for step in range(-12, 0)]
        self.log_auto_jobs = np.zeros(len(ECONOMIES))
        self.score = np.full(len(ECONOMIES), 100.0)
        self.reserves_change_bn = np.zeros(len(ECONOMIES))
        self.fx_log = np.zeros(len(ECONOMIES))
        self.tariff_revenue_bn = np.zeros(len(ECONOMIES))
        self.weights = {k: np.full(len(ECONOMIES), p("welfare.weight", k)) for k in GOVERNMENT_PARTS}
        self.banks = tuple(CENTRAL_BANKS)
        self.bank_economy = np.array([index_of(CENTRAL_BANKS[b]) for b in self.banks])
        self.mandate = {k: np.full(len(self.banks), p("mandate.weight", k)) for k in MANDATE_PARTS}
        self.bank_score = np.full(len(self.banks), 100.0)
        self._bank_gdp0_bn = self.gdp0_bn[self.bank_economy]
        self._parts: dict[str, np.ndarray] = {}
        self._mandate_parts: dict[str, np.ndarray] = {}
        self._scale_weights()

    def set_objectives(self, seat: str, weights: dict[str, float]) -> None:
        """Score weights for one seat (a scenario's role objectives): an economy's government or a
        central bank. Weights a seat's score has no part for are refused."""
        table, i = ((self.mandate, self.banks.index(seat)) if seat in CENTRAL_BANKS
                    else (self.weights, index_of(seat)))
        for key, value in weights.items():
            if key not in table:
                raise KeyError(f"{seat}'s score has no part '{key}'; it has {', '.join(table)}")
            table[key][i] = value
        self._scale_weights()
        if self._parts:
            self._update_score(self.reserves_change_bn)   # the terms so far, with the new weights

    def _scale_weights(self) -> None:
        """The weights as the score terms use them (negated for a loss, times 100 for a percent), computed
        when the weights are set rather than every month: the same products, so the same numbers."""
        w, m = self.weights, self.mandate
        self._scaled = {"inflation": -w["inflation"], "jobs": w["jobs"] * 100.0, "wealth": w["wealth"] * 100.0}
        self._scaled_mandate = {"inflation": -m["inflation"], "output": -m["output"], "jobs": m["jobs"] * 100.0,
                                "wealth": m["wealth"] * 100.0, "currency": -m["currency"] * 100.0}

    def start(self, trade) -> None:
        """Remember the 2024 trade the impulses are measured against."""
        self.base_exports_bn = trade.exports_bn()
        self.base_imports_bn = trade.imports_bn()
        self.base_auto_x = trade.sector_export_volume("autos")
        self.base_auto_m = trade.sector_import_volume("autos")
        self.auto_output0 = self.base_auto_x / self.auto_export_share   # 2024 auto output (volume)
        self.base_import_volume_bn = trade.import_volume_bn()
        self.import_share = self.base_imports_bn / self.gdp0_bn
        self.revenue0_bn = trade.tariff_revenue_bn.copy()
        self.tariff_revenue_bn = trade.tariff_revenue_bn.copy()
        self._update_score(self.reserves_change_bn)

    def potential_gdp(self, step: int) -> np.ndarray:
        return self.gdp0_bn * self._growth_factor ** (step / 12.0)

    # -- demand -----------------------------------------------------------------------------------
    def trade_impulse_pct(self, exports_bn: np.ndarray, import_volume_bn: np.ndarray, burden_bn: np.ndarray,
                          deadweight_bn: np.ndarray) -> np.ndarray:
        """Output gap (percent) that trade and tariffs push toward, before financial conditions.

        Export earnings (volumes and the prices exporters get, so an exporter that absorbs a tariff
        loses its terms of trade), home production replacing part of the lost import volume, minus the
        deadweight loss and the passed-on tariff on imported inputs. The tariff on final goods is a
        transfer from buyers to their government and is not subtracted."""
        p = self.p
        export_change = exports_bn - self.base_exports_bn
        import_volume_change = import_volume_bn - self.base_import_volume_bn
        bn = (p("macro.trade_multiplier") * export_change
              - p("trade.expenditure_switching_share") * import_volume_change
              - deadweight_bn - self.input_cost_bn(burden_bn))
        return 100.0 * bn / self.gdp0_bn

    def input_cost_bn(self, burden_bn: np.ndarray) -> np.ndarray:
        """Output lost to tariffs passed on to home producers on their imported inputs (USD bn a year)."""
        p = self.p
        return p("macro.input_cost_drag") * p("macro.intermediate_import_share") * np.maximum(burden_bn, 0.0)

    def expected_gap_pct(self, trade) -> np.ndarray:
        """The output gap trade policy implies once volumes adjust within the year (what equity markets price)."""
        return self.trade_impulse_pct(trade.target_flows_bn.sum(axis=(1, 2)), trade.target_import_volume_bn,
                                      trade.target_burden_bn, trade.target_deadweight_bn)

    def financial_impulse_pct(self, yield_change_pp: np.ndarray, equity_change_log: np.ndarray, risk: float) -> np.ndarray:
        p = self.p
        return (-p("macro.rate_sensitivity_pct_per_pp") * yield_change_pp
                + p("macro.wealth_effect") * 100.0 * equity_change_log
                - p("macro.risk_drag_pct") * risk)

    # -- the month --------------------------------------------------------------------------------
    def update(self, step: int, trade, yield_change_pp: np.ndarray, equity_change_log: np.ndarray,
               risk: float, reserves_change_bn: np.ndarray, fx_log: np.ndarray | None = None) -> None:
        p = self.p
        impulse = (self.trade_impulse_pct(trade.exports_bn(), trade.import_volume_bn(), trade.tariff_burden_bn,
                                          trade.deadweight_bn)
                   + self.financial_impulse_pct(yield_change_pp, equity_change_log, risk))
        self.tariff_revenue_bn = trade.tariff_revenue_bn.copy()
        if fx_log is not None:
            self.fx_log = fx_log
        rho = p("macro.gap_persistence_monthly")
        self.gap_pct = rho * self.gap_pct + (1.0 - rho) * impulse
        self.gdp_history.append(self.gdp_bn)
        self.gdp_bn = self.potential_gdp(step) * (1.0 + self.gap_pct / 100.0)
        self._update_inflation(trade)
        self._update_auto_jobs(trade)
        self._update_score(reserves_change_bn)

    def _update_inflation(self, trade) -> None:
        p = self.p
        rho = p("macro.inflation_trend_persistence_monthly")
        self.trend_inflation_pct = self.inflation_target_pct + rho * (self.trend_inflation_pct - self.inflation_target_pct)
        speed = p("macro.import_price_adjustment_per_month")
        self.consumer_import_price = self.consumer_import_price + speed * (trade.import_price_log - self.consumer_import_price)
        year_ago = self.import_price_history.pop(0)
        self.import_price_history.append(self.consumer_import_price.copy())
        pass_through = 100.0 * self.import_share * (self.consumer_import_price - year_ago)
        self.inflation_pct = self.trend_inflation_pct + pass_through + p("macro.phillips_slope") * self.gap_pct
        # The same pass-through for the tariff part of import prices alone: the one-off rise in the price
        # level that central banks look through (core inflation = inflation_pct - tariff_inflation_pct).
        self.consumer_tariff_price = self.consumer_tariff_price + speed * (trade.tariff_import_price_log - self.consumer_tariff_price)
        tariff_year_ago = self.tariff_price_history.pop(0)
        self.tariff_price_history.append(self.consumer_tariff_price.copy())
        self.tariff_inflation_pct = 100.0 * self.import_share * (self.consumer_tariff_price - tariff_year_ago)

    def inflation_ex_tariff_pct(self) -> np.ndarray:
        """Inflation without the one-off price-level effect of tariff changes passed on to buyers over the
        last 12 months (what a central bank may choose to look through)."""
        return self.inflation_pct - self.tariff_inflation_pct

    def _update_auto_jobs(self, trade) -> None:
        p = self.p
        auto_output0 = self.auto_output0
        extra_x = trade.sector_export_volume("autos") - self.base_auto_x
        replaced_m = -(trade.sector_import_volume("autos") - self.base_auto_m) * p("trade.expenditure_switching_share")
        # Tariffs on imported parts raise carmakers' costs: the same input-cost channel as for GDP.
        parts_cost = self.input_cost_bn(trade.sector_burden_bn[:, SECTORS.index("autos")])
        output_change = np.maximum((extra_x + replaced_m - parts_cost) / auto_output0, -0.95)
        target = p("macro.auto_job_elasticity") * np.log1p(output_change)
        self.log_auto_jobs += p("macro.auto_job_adjustment_per_month") * (target - self.log_auto_jobs)

    def _update_score(self, reserves_change_bn: np.ndarray) -> None:
        self.reserves_change_bn = reserves_change_bn
        miss = self._inflation_miss()
        self._parts = self._government_parts(miss)
        self._mandate_parts = self._bank_parts(miss)
        self.score = 100.0 + sum(self._parts.values())
        self.bank_score = 100.0 + sum(self._mandate_parts.values())

    def _inflation_miss(self) -> np.ndarray:
        """Distance of inflation from target now, less the distance at the start (pp, per economy)."""
        return np.abs(self.inflation_pct - self.inflation_target_pct) - self.start_inflation_miss_pct

    def score_parts(self) -> dict[str, np.ndarray]:
        """Each government's score terms (points; see ``_government_parts``), as of the last month."""
        return self._parts

    def mandate_parts(self) -> dict[str, np.ndarray]:
        """Each central bank's score terms (points; see ``_bank_parts``), as of the last month."""
        return self._mandate_parts

    def _government_parts(self, miss: np.ndarray) -> dict[str, np.ndarray]:
        """Each government's score terms (points; its score is 100 plus their sum), so a report card can
        say what drove it: output gap, distance from the inflation target (relative to the start, ``miss``),
        auto jobs, valuation changes on reserves as a share of GDP, and tariff revenue gained as a share of
        GDP. ``_scaled`` holds the weights already negated or times 100."""
        w, scaled = self.weights, self._scaled
        revenue_pct = 100.0 * 12.0 * (self.tariff_revenue_bn - self.revenue0_bn) / self.gdp0_bn
        return {"output": w["output"] * self.gap_pct, "inflation": scaled["inflation"] * miss,
                "jobs": scaled["jobs"] * self.log_auto_jobs,
                "wealth": scaled["wealth"] * self.reserves_change_bn / self.gdp0_bn,
                "revenue": w["revenue"] * revenue_pct}

    def _bank_parts(self, miss: np.ndarray) -> dict[str, np.ndarray]:
        """Each central bank's score terms, in the order of ``CENTRAL_BANKS``: inflation against target
        (relative to the start), the size of the output gap either way (stabilisation, not growth), auto
        jobs and reserve value if the scenario weights them, and the currency's move against the dollar."""
        scaled = self._scaled_mandate
        e = self.bank_economy
        return {"inflation": scaled["inflation"] * miss[e],
                "output": scaled["output"] * np.abs(self.gap_pct[e]),
                "jobs": scaled["jobs"] * self.log_auto_jobs[e],
                "wealth": scaled["wealth"] * self.reserves_change_bn[e] / self._bank_gdp0_bn,
                "currency": scaled["currency"] * np.abs(self.fx_log[e])}

    def seat_parts(self, seat: str) -> dict[str, float]:
        """One seat's score terms as plain numbers: a government (economy code) or a central bank."""
        if seat in CENTRAL_BANKS:
            b = self.banks.index(seat)
            return {name: float(part[b]) for name, part in self.mandate_parts().items()}
        i = index_of(seat)
        return {name: float(part[i]) for name, part in self.score_parts().items()}

    def seat_weights(self, seat: str) -> dict[str, float]:
        """The weights one seat's score uses (its role's objectives, or the calibrated defaults)."""
        if seat in CENTRAL_BANKS:
            b = self.banks.index(seat)
            return {name: float(w[b]) for name, w in self.mandate.items()}
        i = index_of(seat)
        return {name: float(w[i]) for name, w in self.weights.items()}

    def seat_score(self, seat: str) -> float:
        """One seat's score: 100 at the start plus its terms."""
        if seat in CENTRAL_BANKS:
            return float(self.bank_score[self.banks.index(seat)])
        return float(self.score[index_of(seat)])

    # -- reporting --------------------------------------------------------------------------------
    @property
    def auto_jobs(self) -> np.ndarray:
        return self.auto_jobs0 * np.exp(self.log_auto_jobs)

    def gdp_growth_pct(self) -> np.ndarray:
        """Real GDP growth over the last 12 months, percent."""
        return 100.0 * (self.gdp_bn / self.gdp_history[-12] - 1.0)

    def cyclical_log_ratio(self) -> np.ndarray:
        """Log of GDP relative to potential: what moves import demand in the model. Trend growth is left
        out so that 2024 flows stay the reference and a quiet world keeps a zero trade impulse."""
        return np.log1p(self.gap_pct / 100.0)

