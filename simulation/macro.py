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
from typing import NamedTuple

import numpy as np

from simulation.calibration import Calibration
from simulation.trade import BURDEN, DEADWEIGHT, HORIZON, IMPORT_VOLUME, NOW, TradeNetwork
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS, index_of

GOVERNMENT_PARTS = ("output", "inflation", "jobs", "wealth", "revenue")
MANDATE_PARTS = ("inflation", "output", "jobs", "wealth", "currency")
# How each part's weight enters its term: negated for a loss, times 100 for a share shown in percent.
GOVERNMENT_SCALE = {"output": 1.0, "inflation": -1.0, "jobs": 100.0, "wealth": 100.0, "revenue": 1.0}
MANDATE_SCALE = {"inflation": -1.0, "output": -1.0, "jobs": 100.0, "wealth": 100.0, "currency": -100.0}
WEALTH, MANDATE_WEALTH = GOVERNMENT_PARTS.index("wealth"), MANDATE_PARTS.index("wealth")   # divided by GDP
AUTOS = SECTORS.index("autos")


def growth_pct(now: np.ndarray, year_ago: np.ndarray) -> np.ndarray:
    """Growth over 12 months, percent (one month, or months stacked on a leading axis)."""
    return 100.0 * (now / year_ago - 1.0)


class SteadyPaths:
    """Potential output and trend inflation by month (``Macro.steady_path``), filled as runs reach each
    month and shared by every run of one calibration."""

    def __init__(self, calibration: Calibration):
        """Empty: the paths are filled by ``Macro.steady_path``. The calibration is not read here; it is the
        argument ``Calibration.kept`` passes to what it builds once per calibration."""
        self.by_step: dict[int, tuple[np.ndarray, np.ndarray]] = {}


class ScoreInputs(NamedTuple):
    """What a month's score terms are computed from, by economy (``[..., economy]``; the weights as the
    terms apply them, ``[..., part, seat]``). A record keeps one per month and stacks them on a leading
    axis, so the terms of every month are computed at once, by the same formulas, when a table asks. Each
    array is new each month and never changed in place afterwards, so keeping it is keeping its numbers."""
    gap_pct: np.ndarray
    inflation_pct: np.ndarray
    log_auto_jobs: np.ndarray
    reserves_change_bn: np.ndarray
    tariff_revenue_bn: np.ndarray
    fx_log: np.ndarray
    scaled_weights: np.ndarray
    scaled_mandate: np.ndarray


class Macro:
    @classmethod
    def at_start(cls, calibration: Calibration) -> "Macro":
        """The macro state at the start of a run: the same as ``Macro(calibration)``, without building it
        again (as ``TradeNetwork.at_start``). One is built per calibration and kept read-only; each run gets
        a shallow copy with its own copies of what a run changes in place: the histories (lists it pops
        and appends) and the score weights (a scenario's objectives set them). Every other array a run
        replaces each month rather than changes."""
        return calibration.kept("macro state at the start", cls).run_copy()

    def run_copy(self) -> "Macro":
        """A copy of this state for one run to move on from (see ``at_start``): shallow, with its own copies
        of the histories and the score weights, the only things a run changes in place. A run's set-up takes
        one from the state its scenario's objectives were set on (``simulation/setup.py``)."""
        macro = copy.copy(self)
        macro.consumer_price_history = list(self.consumer_price_history)
        macro.gdp_history = list(self.gdp_history)
        macro.weights = {k: w.copy() for k, w in self.weights.items()}
        macro.mandate = {k: w.copy() for k, w in self.mandate.items()}
        return macro

    def __init__(self, calibration: Calibration):
        p = calibration.param
        self._read_parameters(p)
        econ = lambda q: np.array([calibration.economy(e, q) for e in ECONOMIES])  # noqa: E731
        self.gdp0_bn = econ("gdp_bn")
        self.potential_growth_pct = econ("potential_growth_pct")
        self.inflation_target_pct = econ("inflation_target_pct")
        self.start_inflation_pct = econ("inflation_pct")
        self.auto_jobs0 = econ("auto_jobs")
        self.auto_export_share = np.array([p("macro.auto_export_share", e) for e in ECONOMIES])
        self.start_inflation_miss_pct = np.abs(self.start_inflation_pct - self.inflation_target_pct)
        self.gap_pct = np.zeros(len(ECONOMIES))
        self.trend_inflation_pct = self.start_inflation_pct.copy()
        self.inflation_pct = self.start_inflation_pct.copy()
        # Consumer import prices (log, 2024 = 0) by economy: row 0 in all, row 1 the tariff part alone. The
        # two move by the same rule, so they are kept as one array and moved together.
        self.consumer_prices_log = np.zeros((2, len(ECONOMIES)))
        self.consumer_price_history = [self.consumer_prices_log] * 12   # the last 12 months (never changed in place)
        self.tariff_inflation_pct = np.zeros(len(ECONOMIES))          # tariffs' part of inflation (y/y, pp)
        self.gdp_bn = self.gdp0_bn.copy()
        self._growth_factor = 1.0 + self.potential_growth_pct / 100.0   # potential output's yearly factor
        self.gdp_history = [self.potential_gdp(step) for step in range(-12, 0)]
        self._steady = calibration.kept("potential output and trend inflation by month", SteadyPaths)
        self.log_auto_jobs = np.zeros(len(ECONOMIES))
        self.reserves_change_bn = np.zeros(len(ECONOMIES))
        self.fx_log = np.zeros(len(ECONOMIES))
        self.tariff_revenue_bn = np.zeros(len(ECONOMIES))
        self.weights = {k: np.full(len(ECONOMIES), p("welfare.weight", k)) for k in GOVERNMENT_PARTS}
        self.banks = tuple(CENTRAL_BANKS)
        self.bank_economy = np.array([index_of(CENTRAL_BANKS[b]) for b in self.banks])
        self.mandate = {k: np.full(len(self.banks), p("mandate.weight", k)) for k in MANDATE_PARTS}
        self._bank_gdp0_bn = self.gdp0_bn[self.bank_economy]
        self._scored: tuple | None = None   # this month's terms and scores, computed when first asked
        self._impulses_of = self._impulses = None   # see trade_impulses_pct
        self._scale_weights()
        # The 2024 trade the impulses are measured against: the calibration's own start of the trade network,
        # so the kept start (``at_start``) is started once per calibration, not in every run.
        self.start(TradeNetwork.at_start(calibration))

    def _read_parameters(self, p) -> None:
        """The calibration's macro parameters, read once into named attributes: the month reads them about
        twenty-five times. Products of two parameters are taken here as the formulas took them (the same
        floats), so every month's numbers are the ones the formulas give."""
        self.trade_multiplier = p("macro.trade_multiplier")
        self.switching_share = p("trade.expenditure_switching_share")
        # input_cost_drag x intermediate_import_share: the share of a passed-on input tariff that is lost output
        self.input_cost_share = p("macro.input_cost_drag") * p("macro.intermediate_import_share")
        self.rate_sensitivity_pct_per_pp = p("macro.rate_sensitivity_pct_per_pp")
        self.wealth_effect_pct = p("macro.wealth_effect") * 100.0   # output gap (pp) per unit of equity log change
        self.risk_drag_pct = p("macro.risk_drag_pct")
        self.gap_persistence = p("macro.gap_persistence_monthly")
        self.gap_speed = 1.0 - self.gap_persistence
        self.trend_persistence = p("macro.inflation_trend_persistence_monthly")
        self.import_price_speed = p("macro.import_price_adjustment_per_month")
        self.phillips_slope = p("macro.phillips_slope")
        self.auto_job_elasticity = p("macro.auto_job_elasticity")
        self.auto_job_speed = p("macro.auto_job_adjustment_per_month")

    def set_objectives(self, seat: str, weights: dict[str, float]) -> None:
        """Score weights for one seat (a scenario's role objectives): an economy's government or a
        central bank. Weights a seat's score has no part for are refused."""
        table, i = ((self.mandate, self.banks.index(seat)) if seat in CENTRAL_BANKS
                    else (self.weights, index_of(seat)))
        for key, value in weights.items():
            if key not in table:
                raise KeyError(f"{seat}'s score has no part '{key}'; it has {', '.join(table)}")
            table[key][i] = value
        self._scaled = self._scaled_mandate = None   # scaled again when next read (a set-up sets several seats)
        self._scored = None   # the terms so far, with the new weights, when next asked

    def _scale_weights(self) -> None:
        """The weights as the score terms use them (negated for a loss, times 100 for a percent), one row
        per part in the order of GOVERNMENT_PARTS and MANDATE_PARTS, computed once after the weights are set
        (when the month's score inputs are next read) rather than every month: the same products, so the
        same numbers."""
        self._scaled = np.array([self.weights[k] * GOVERNMENT_SCALE[k] for k in GOVERNMENT_PARTS])
        self._scaled_mandate = np.array([self.mandate[k] * MANDATE_SCALE[k] for k in MANDATE_PARTS])

    def start(self, trade) -> None:
        """Remember the 2024 trade the impulses are measured against."""
        self.base_exports_bn = trade.exports_bn()
        self.base_imports_bn = trade.imports_bn()
        self.base_auto_x = trade.sector_export_volume("autos")
        self.base_auto_m = trade.sector_import_volume("autos")
        self.auto_output0 = self.base_auto_x / self.auto_export_share   # 2024 auto output (volume)
        self.base_import_volume_bn = trade.import_volume_bn()
        self.import_share = self.base_imports_bn / self.gdp0_bn
        self._import_share_pct = 100.0 * self.import_share   # import price changes (log) to inflation (pp)
        self.revenue0_bn = trade.tariff_revenue_bn.copy()
        self.tariff_revenue_bn = trade.tariff_revenue_bn.copy()
        self._scored = None
        self._impulses_of = None

    def potential_gdp(self, step: int) -> np.ndarray:
        return self.gdp0_bn * self._growth_factor ** (step / 12.0)

    def steady_path(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Potential output and trend inflation at ``step``. Neither depends on what a run does: potential
        grows at its trend rate, and trend inflation returns to target from its 2024 level at a fixed pace.
        So each month's pair is computed once per calibration, by the same formulas month after month, and
        shared (read-only) by every run of it."""
        by_step = self._steady.by_step
        if step not in by_step:
            target, trend = self.inflation_target_pct, self.start_inflation_pct
            for month in range(1, step + 1):
                if month not in by_step:
                    later = target + self.trend_persistence * (trend - target)
                    pair = (self.potential_gdp(month), later)
                    for array in pair:
                        array.flags.writeable = False
                    by_step.setdefault(month, pair)
                trend = by_step[month][1]
        return by_step[step]

    # -- demand -----------------------------------------------------------------------------------
    def trade_impulse_pct(self, exports_bn: np.ndarray, import_volume_bn: np.ndarray, burden_bn: np.ndarray,
                          deadweight_bn: np.ndarray) -> np.ndarray:
        """Output gap (percent) that trade and tariffs push toward, before financial conditions.

        Export earnings (volumes and the prices exporters get, so an exporter that absorbs a tariff
        loses its terms of trade), home production replacing part of the lost import volume, minus the
        deadweight loss and the passed-on tariff on imported inputs. The tariff on final goods is a
        transfer from buyers to their government and is not subtracted."""
        export_change = exports_bn - self.base_exports_bn
        import_volume_change = import_volume_bn - self.base_import_volume_bn
        bn = (self.trade_multiplier * export_change - self.switching_share * import_volume_change
              - deadweight_bn - self.input_cost_bn(burden_bn))
        return 100.0 * bn / self.gdp0_bn

    def input_cost_bn(self, burden_bn: np.ndarray) -> np.ndarray:
        """Output lost to tariffs passed on to home producers on their imported inputs (USD bn a year)."""
        return self.input_cost_share * np.maximum(burden_bn, 0.0)

    def trade_impulses_pct(self, trade) -> np.ndarray:
        """The trade impulse this month and at the horizon, ``[NOW, HORIZON]`` by economy: one formula on the
        trade network's month summed as a pair. The markets' inputs read the horizon's and the month's update
        the month's, so it is computed once per month of trade (its totals are a new array each month)."""
        totals = trade.importer_totals_bn
        if self._impulses_of is not totals:
            self._impulses = self.trade_impulse_pct(trade.exports_pair_bn, totals[IMPORT_VOLUME], totals[BURDEN],
                                                    totals[DEADWEIGHT])
            self._impulses_of = totals
        return self._impulses

    def expected_gap_pct(self, trade) -> np.ndarray:
        """The output gap trade policy implies once volumes adjust within the year (what equity markets price)."""
        return self.trade_impulses_pct(trade)[HORIZON]

    def financial_impulse_pct(self, yield_change_pp: np.ndarray, equity_change_log: np.ndarray, risk: float) -> np.ndarray:
        """Output gap (percent) that financial conditions push toward: higher long rates lower it, stock-market
        wealth raises it, risk-off sentiment lowers it."""
        return (-self.rate_sensitivity_pct_per_pp * yield_change_pp + self.wealth_effect_pct * equity_change_log
                - self.risk_drag_pct * risk)

    # -- the month --------------------------------------------------------------------------------
    def update(self, step: int, trade, yield_change_pp: np.ndarray, equity_change_log: np.ndarray,
               risk: float, reserves_change_bn: np.ndarray, fx_log: np.ndarray | None = None) -> None:
        impulse = (self.trade_impulses_pct(trade)[NOW]
                   + self.financial_impulse_pct(yield_change_pp, equity_change_log, risk))
        self.tariff_revenue_bn = trade.tariff_revenue_bn.copy()
        if fx_log is not None:
            self.fx_log = fx_log
        self.gap_pct = self.gap_persistence * self.gap_pct + self.gap_speed * impulse
        self.gdp_history.append(self.gdp_bn)
        potential_bn, self.trend_inflation_pct = self.steady_path(step)
        self.gdp_bn = potential_bn * (1.0 + self.gap_pct / 100.0)
        self._update_inflation(trade)
        self._update_auto_jobs(trade)
        self.reserves_change_bn = reserves_change_bn
        self._scored = None   # the scores are computed when asked: a record of the run computes every month's at once

    def _update_inflation(self, trade) -> None:
        """Inflation: this month's trend (``steady_path``), plus consumer import prices' rise over 12 months
        times the import share, plus the Phillips term. Consumer import prices follow import prices; the
        tariff part of import prices goes the same way apart (row 1 of ``consumer_prices_log``): the one-off
        rise in the price level that central banks look through (core = inflation_pct - tariff_inflation_pct)."""
        import_prices_log = trade.import_prices_log   # [all, tariff part] x economy
        consumer = self.consumer_prices_log
        consumer = self.consumer_prices_log = consumer + self.import_price_speed * (import_prices_log - consumer)
        year_ago = self.consumer_price_history.pop(0)
        self.consumer_price_history.append(consumer)
        pass_through = self._import_share_pct * (consumer - year_ago)   # [all, tariff part] x economy, pp
        self.inflation_pct = self.trend_inflation_pct + pass_through[0] + self.phillips_slope * self.gap_pct
        self.tariff_inflation_pct = pass_through[1]

    def inflation_ex_tariff_pct(self) -> np.ndarray:
        """Inflation without the one-off price-level effect of tariff changes passed on to buyers over the
        last 12 months (what a central bank may choose to look through)."""
        return self.inflation_pct - self.tariff_inflation_pct

    def _update_auto_jobs(self, trade) -> None:
        """Auto jobs move toward what auto output implies: export volume, home cars replacing imported ones,
        less the cost of tariffs on imported parts (the same input-cost channel as for GDP)."""
        extra_x = trade.sector_export_volume("autos") - self.base_auto_x
        replaced_m = (self.base_auto_m - trade.sector_import_volume("autos")) * self.switching_share   # home cars for lost imports
        parts_cost = self.input_cost_bn(trade.sector_burden_bn[:, AUTOS])
        output_change = np.maximum((extra_x + replaced_m - parts_cost) / self.auto_output0, -0.95)
        target = self.auto_job_elasticity * np.log1p(output_change)
        self.log_auto_jobs = self.log_auto_jobs + self.auto_job_speed * (target - self.log_auto_jobs)

    # -- scores -----------------------------------------------------------------------------------
    def score_inputs(self) -> ScoreInputs:
        """This month's inputs to the score terms (see ``score_terms``)."""
        if self._scaled is None:   # the weights were set since they were last scaled
            self._scale_weights()
        return ScoreInputs(self.gap_pct, self.inflation_pct, self.log_auto_jobs, self.reserves_change_bn,
                           self.tariff_revenue_bn, self.fx_log, self._scaled, self._scaled_mandate)

    def score_terms(self, inputs: ScoreInputs) -> tuple[np.ndarray, np.ndarray]:
        """The score terms (points) from their inputs, for one month or for months stacked on a leading
        axis: governments' ``[..., part, economy]`` in the order of GOVERNMENT_PARTS and central banks'
        ``[..., part, bank]`` in the order of MANDATE_PARTS and of ``CENTRAL_BANKS``. A seat's score is 100
        plus the sum of its terms (docs/model.md, section 7.7, Scores)::

            government (w: welfare.weight.* or the role's objectives)
              output      + w * gap
              inflation   - w * (|pi - pi*| - |pi_0 - pi*|)
              jobs        + w * 100 * log jobs
              wealth      + w * 100 * V / GDP0              V: reserves' valuation change since the start
              revenue     + w * 100 * 12 * (R - R0) / GDP0   R: tariff revenue a month, R0: at the start
            central bank (w: mandate.weight.* or the role's objectives)
              inflation   - w * (|pi - pi*| - |pi_0 - pi*|)
              output      - w * |gap|                        stabilisation: a boom costs as much as a slump
              jobs        + w * 100 * log jobs
              wealth      + w * 100 * V / GDP0
              currency    - w * 100 * |x|                    x: log change of its currency per dollar

        Each term's sign and its x 100 are in the weights as applied (``GOVERNMENT_SCALE``,
        ``MANDATE_SCALE``, scaled once when the weights are set), so here each term is that weight times
        what the term measures; the wealth terms are then divided by GDP0."""
        gap, log_jobs, reserves = inputs.gap_pct, inputs.log_auto_jobs, inputs.reserves_change_bn
        miss = np.abs(inputs.inflation_pct - self.inflation_target_pct) - self.start_inflation_miss_pct
        revenue_pct = 100.0 * 12.0 * (inputs.tariff_revenue_bn - self.revenue0_bn) / self.gdp0_bn
        measures = {"output": gap, "inflation": miss, "jobs": log_jobs, "wealth": reserves, "revenue": revenue_pct}
        measured = np.array([measures[part] for part in GOVERNMENT_PARTS])
        # measured[part, ..., economy] -> [..., part, economy], the layout of the weights (months first)
        government = inputs.scaled_weights * measured.swapaxes(0, -2)
        government[..., WEALTH, :] /= self.gdp0_bn
        measures = {"inflation": miss, "output": np.abs(gap), "jobs": log_jobs, "wealth": reserves,
                    "currency": np.abs(inputs.fx_log)}
        measured = np.array([measures[part] for part in MANDATE_PARTS])[..., self.bank_economy]
        # measured[part, ..., bank] -> [..., part, bank]
        bank = inputs.scaled_mandate * measured.swapaxes(0, -2)
        bank[..., MANDATE_WEALTH, :] /= self._bank_gdp0_bn
        return government, bank

    def _month_scores(self) -> tuple:
        """This month's terms and scores (governments', central banks'), computed once when first asked."""
        if self._scored is None:
            government, bank = self.score_terms(self.score_inputs())
            self._scored = (government, bank, 100.0 + government.sum(axis=0), 100.0 + bank.sum(axis=0))
        return self._scored

    @property
    def score(self) -> np.ndarray:
        """Each government's score: 100 at the start plus its terms."""
        return self._month_scores()[2]

    @property
    def bank_score(self) -> np.ndarray:
        """Each central bank's score, in the order of ``CENTRAL_BANKS``."""
        return self._month_scores()[3]

    def score_parts(self) -> dict[str, np.ndarray]:
        """Each government's score terms (points; see ``score_terms``), as of the last month."""
        return dict(zip(GOVERNMENT_PARTS, self._month_scores()[0]))

    def mandate_parts(self) -> dict[str, np.ndarray]:
        """Each central bank's score terms (points; see ``score_terms``), as of the last month."""
        return dict(zip(MANDATE_PARTS, self._month_scores()[1]))

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
        return self.auto_jobs_from(self.log_auto_jobs)

    def auto_jobs_from(self, log_auto_jobs: np.ndarray) -> np.ndarray:
        """Auto jobs from their log change since 2024 (one month, or months stacked on a leading axis)."""
        return self.auto_jobs0 * np.exp(log_auto_jobs)

    def gdp_growth_pct(self) -> np.ndarray:
        """Real GDP growth over the last 12 months, percent."""
        return growth_pct(self.gdp_bn, self.gdp_history[-12])

    def cyclical_log_ratio(self) -> np.ndarray:
        """Log of GDP relative to potential: what moves import demand in the model. Trend growth is left
        out so that 2024 flows stay the reference and a quiet world keeps a zero trade impulse."""
        return np.log1p(self.gap_pct / 100.0)

