"""Macroeconomy per economy: output, inflation, auto jobs and a welfare score, one month at a time.

- Output: real GDP (2024 US dollars) = potential x (1 + gap). The gap moves toward a demand impulse:
  export earnings, the part of lost imports replaced by home production, minus the tariff paid by home
  buyers, minus higher long rates, plus stock-market wealth, minus risk-off sentiment.
- Inflation (year on year) = trend inflation returning to target + the rise of import prices over the
  last 12 months times the import share of GDP (tariff and exchange-rate pass-through) + a Phillips term.
- Auto jobs follow auto output: export volumes plus home production that replaces imports.
- Score: 100 at the start; points for output, inflation near target, auto jobs and reserve value.
"""

from __future__ import annotations

import numpy as np

from simulation.calibration import Calibration
from simulation.world import ECONOMIES, index_of


class Macro:
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
        self.gdp_history = [self.potential_gdp(step) for step in range(-12, 0)]
        self.log_auto_jobs = np.zeros(len(ECONOMIES))
        self.score = np.full(len(ECONOMIES), 100.0)
        self.reserves_change_bn = np.zeros(len(ECONOMIES))
        self.weights = {k: np.full(len(ECONOMIES), p("welfare.weight", k)) for k in ("output", "inflation", "jobs", "wealth")}

    def set_objectives(self, economy: str, weights: dict[str, float]) -> None:
        """Score weights for one economy (a scenario's role objectives)."""
        for key, value in weights.items():
            self.weights[key][index_of(economy)] = value

    def start(self, trade) -> None:
        """Remember the 2024 trade the impulses are measured against."""
        self.base_exports_bn = trade.exports_bn()
        self.base_imports_bn = trade.imports_bn()
        self.base_auto_x = trade.sector_export_volume("autos")
        self.base_auto_m = trade.sector_import_volume("autos")
        self.import_share = self.base_imports_bn / self.gdp0_bn

    def potential_gdp(self, step: int) -> np.ndarray:
        return self.gdp0_bn * (1.0 + self.potential_growth_pct / 100.0) ** (step / 12.0)

    # -- demand -----------------------------------------------------------------------------------
    def trade_impulse_pct(self, exports_bn: np.ndarray, imports_bn: np.ndarray, burden_bn: np.ndarray) -> np.ndarray:
        """Output gap (percent) that trade and tariffs push toward, before financial conditions."""
        p = self.p
        export_change = exports_bn - self.base_exports_bn
        import_change = imports_bn - self.base_imports_bn
        bn = (p("macro.trade_multiplier") * export_change
              - p("trade.expenditure_switching_share") * import_change
              - p("macro.tariff_burden_drag") * burden_bn)
        return 100.0 * bn / self.gdp0_bn

    def expected_gap_pct(self, trade) -> np.ndarray:
        """The output gap trade policy implies once volumes adjust (what equity markets price)."""
        target = trade.target_flows_bn
        return self.trade_impulse_pct(target.sum(axis=(1, 2)), target.sum(axis=(0, 2)), trade.target_burden_bn)

    def financial_impulse_pct(self, yield_change_pp: np.ndarray, equity_change_log: np.ndarray, risk: float) -> np.ndarray:
        p = self.p
        return (-p("macro.rate_sensitivity_pct_per_pp") * yield_change_pp
                + p("macro.wealth_effect") * 100.0 * equity_change_log
                - p("macro.risk_drag_pct") * risk)

    # -- the month --------------------------------------------------------------------------------
    def update(self, step: int, trade, yield_change_pp: np.ndarray, equity_change_log: np.ndarray,
               risk: float, reserves_change_bn: np.ndarray) -> None:
        p = self.p
        impulse = (self.trade_impulse_pct(trade.exports_bn(), trade.imports_bn(), trade.tariff_burden_bn)
                   + self.financial_impulse_pct(yield_change_pp, equity_change_log, risk))
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

    def _update_auto_jobs(self, trade) -> None:
        p = self.p
        auto_output0 = self.base_auto_x / self.auto_export_share
        extra_x = trade.sector_export_volume("autos") - self.base_auto_x
        replaced_m = -(trade.sector_import_volume("autos") - self.base_auto_m) * p("trade.expenditure_switching_share")
        output_change = np.maximum((extra_x + replaced_m) / auto_output0, -0.95)
        target = p("macro.auto_job_elasticity") * np.log1p(output_change)
        self.log_auto_jobs += p("macro.auto_job_adjustment_per_month") * (target - self.log_auto_jobs)

    def _update_score(self, reserves_change_bn: np.ndarray) -> None:
        self.reserves_change_bn = reserves_change_bn
        parts = self.score_parts()
        self.score = 100.0 + parts["output"] + parts["inflation"] + parts["jobs"] + parts["wealth"]

    def score_parts(self) -> dict[str, np.ndarray]:
        """The score's four terms per economy (points; the score is 100 plus their sum), so a report card
        can say what drove it: output gap, distance from the inflation target (relative to the start),
        auto jobs, and valuation changes on reserves as a share of GDP."""
        w = self.weights.__getitem__
        inflation_miss = (np.abs(self.inflation_pct - self.inflation_target_pct)
                          - np.abs(self.start_inflation_pct - self.inflation_target_pct))
        return {"output": w("output") * self.gap_pct, "inflation": -w("inflation") * inflation_miss,
                "jobs": w("jobs") * 100.0 * self.log_auto_jobs,
                "wealth": w("wealth") * 100.0 * self.reserves_change_bn / self.gdp0_bn}

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

