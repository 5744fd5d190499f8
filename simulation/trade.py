"""The trade network: bilateral goods flows by sector, and how tariffs and exchange rates move them.

Flows are annualised US dollar billions at the exporter's price (what exporters receive), indexed
``[exporter, importer, sector]``. For each flow the step computes, in logs relative to 2024:

    tariff push      d   = ln((1 + t) / (1 + t0))                   t0 = the starting tariff
    exporter price   px  = -a(age) * d - pcs * fx[exporter]          a = share of the tariff the exporter absorbs
    buyer price      pb  = pt + pc, with tariff part pt = (1 - a(age)) * d
                     and currency part pc = erpt[importer] * fx[importer] - pcs * fx[exporter]
    target volume    q*  = -theta[sector] * pt - theta_fx * pc + income_elasticity * ln(GDP_importer / potential)
    volume           q  <- q + speed * (q* - q)                       volumes adjust over months
    value            flow = base_flow * exp(q + px)

``fx[e]`` is the log change of economy e's currency per dollar since the start (positive = weaker).
The absorbed share starts high for some exporters (Japanese carmakers cut their prices in 2025) and
decays toward a long-run share after each tariff change, so buyers feel more of the tariff over time.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from simulation.calibration import Calibration
from simulation.world import ECONOMIES, SECTORS, index_of


class TradeNetwork:
    """Tariffs and flows on a networkx directed graph of economies (edges carry per-sector flows)."""

    def __init__(self, calibration: Calibration):
        p = calibration.param
        n = len(ECONOMIES)
        self.base_flows_bn = calibration.flows_bn.copy()
        self.base_tariffs_pct = calibration.tariffs_pct.copy()
        self.tariffs_pct = calibration.tariffs_pct.copy()
        # The tariffs each pair regards as agreed: the start, or the last deal between them. Retaliation
        # rules measure provocation against these, so a deal is not re-answered as a new attack.
        self.agreed_tariffs_pct = calibration.tariffs_pct.copy()
        self.flows_bn = calibration.flows_bn.copy()
        self.tariff_changed_step = np.zeros_like(self.tariffs_pct)
        self.log_volume = np.zeros_like(self.flows_bn)
        self.theta = np.array([p("trade.elasticity", s) for s in SECTORS])
        self.absorption_initial = np.array(
            [[p("trade.absorption_initial", e, s) for s in SECTORS] for e in ECONOMIES]
        )[:, None, :]  # broadcast over importers
        self.absorption_long_run = p("trade.absorption_long_run")
        self.absorption_half_life = p("trade.absorption_half_life_months")
        self.speed = p("trade.quantity_adjustment_per_month")
        self.income_elasticity = p("trade.income_elasticity")
        self.fx_elasticity = p("trade.fx_elasticity")
        self.erpt = np.array([p("trade.erpt", e) for e in ECONOMIES])
        self.producer_currency_share = p("trade.producer_currency_share")
        self.tariff_burden_bn = np.zeros(n)
        self.target_flows_bn = self.flows_bn.copy()
        self.target_burden_bn = np.zeros(n)
        self.base_imports_bn = self.base_flows_bn.sum(axis=(0, 2))
        self.import_price_log = np.zeros(n)
        self.tariff_import_price_log = np.zeros(n)
        self._graph = self._build_graph()
        self._graph_stale = False

    # -- policy -----------------------------------------------------------------------------------
    def set_tariff(self, importer: str, exporter: str, sector: str, rate_pct: float, step: int) -> None:
        """Set the tariff ``importer`` charges on ``exporter``'s goods (one sector, or ``"all"``)."""
        self._graph_stale = True
        i, j = index_of(exporter), index_of(importer)
        sectors = range(len(SECTORS)) if sector == "all" else [SECTORS.index(sector)]
        for k in sectors:
            if self.tariffs_pct[i, j, k] != rate_pct:
                self.tariffs_pct[i, j, k] = rate_pct
                self.tariff_changed_step[i, j, k] = step

    def agree(self, economy_a: str, economy_b: str) -> None:
        """Record the tariffs now in force between two economies as their agreed level (after a deal)."""
        for exporter, importer in ((economy_a, economy_b), (economy_b, economy_a)):
            i, j = index_of(exporter), index_of(importer)
            self.agreed_tariffs_pct[i, j] = self.tariffs_pct[i, j]

    def tariff_on(self, importer: str, exporter: str) -> np.ndarray:
        """Tariffs (percent, by sector) that ``importer`` charges on ``exporter``'s goods."""
        return self.tariffs_pct[index_of(exporter), index_of(importer)]

    # -- one month --------------------------------------------------------------------------------
    def update(self, step: int, fx_log: np.ndarray, gdp_log_ratio: np.ndarray) -> None:
        """Advance flows one month given currencies (``fx_log``) and importers' GDP relative to potential (log)."""
        push = np.log1p(self.tariffs_pct / 100.0) - np.log1p(self.base_tariffs_pct / 100.0)
        absorbed = self.absorbed_share(step)
        exporter_fx = self.producer_currency_share * fx_log[:, None, None]
        importer_fx = (self.erpt * fx_log)[None, :, None]
        exporter_price = -absorbed * push - exporter_fx
        tariff_price = (1.0 - absorbed) * push
        currency_price = importer_fx - exporter_fx
        buyer_price = tariff_price + currency_price
        # Tariffs move volumes with the sector (micro) elasticities; currencies with a macro one.
        target = (-self.theta[None, None, :] * tariff_price - self.fx_elasticity * currency_price
                  + self.income_elasticity * gdp_log_ratio[None, :, None])
        self.log_volume += self.speed * (target - self.log_volume)
        self.flows_bn = self.base_flows_bn * np.exp(self.log_volume + exporter_price)
        # What home buyers pay on top of 2024 prices because of tariff changes (a real-income loss).
        tariff_cost = np.expm1((1.0 - absorbed) * push)
        self.tariff_burden_bn = (self.base_flows_bn * np.exp(self.log_volume) * tariff_cost).sum(axis=(0, 2))
        # Where flows are heading once volumes have adjusted: what forward-looking markets price.
        self.target_flows_bn = self.base_flows_bn * np.exp(target + exporter_price)
        self.target_burden_bn = (self.base_flows_bn * np.exp(target) * tariff_cost).sum(axis=(0, 2))
        # Import prices by importer (log, 2024 = 0), weighted by 2024 flows: feeds consumer prices.
        self.import_price_log = (self.base_flows_bn * buyer_price).sum(axis=(0, 2)) / self.base_imports_bn
        # Its tariff part alone: the one-off price-level effect central banks look through.
        self.tariff_import_price_log = (self.base_flows_bn * tariff_price).sum(axis=(0, 2)) / self.base_imports_bn
        self._graph_stale = True

    def absorbed_share(self, step: int) -> np.ndarray:
        """Share of each tariff change still absorbed by the exporter, decaying since the change."""
        age = np.maximum(step - self.tariff_changed_step, 0.0)
        decay = 0.5 ** (age / self.absorption_half_life)
        long_run = np.minimum(self.absorption_long_run, self.absorption_initial)
        return long_run + (self.absorption_initial - long_run) * decay

    # -- summaries --------------------------------------------------------------------------------
    def exports_bn(self) -> np.ndarray:
        return self.flows_bn.sum(axis=(1, 2))

    def imports_bn(self) -> np.ndarray:
        return self.flows_bn.sum(axis=(0, 2))

    def sector_export_volume(self, sector: str) -> np.ndarray:
        """Export volume by economy at 2024 prices (USD bn), for jobs."""
        k = SECTORS.index(sector)
        return (self.base_flows_bn[:, :, k] * np.exp(self.log_volume[:, :, k])).sum(axis=1)

    def sector_import_volume(self, sector: str) -> np.ndarray:
        k = SECTORS.index(sector)
        return (self.base_flows_bn[:, :, k] * np.exp(self.log_volume[:, :, k])).sum(axis=0)

    def trade_weighted_tariff_pct(self) -> float:
        """World average tariff, weighted by 2024 flows (a summary of how closed the world is)."""
        return float((self.tariffs_pct * self.base_flows_bn).sum() / self.base_flows_bn.sum())

    # -- the networkx view ------------------------------------------------------------------------
    @property
    def graph(self) -> nx.DiGraph:
        """Economies as nodes; each edge exporter -> importer carries ``flow_bn`` and ``tariff_pct`` by sector."""
        if self._graph_stale:
            self._refresh_graph(self._graph)
            self._graph_stale = False
        return self._graph

    def _build_graph(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_nodes_from(ECONOMIES)
        for i, exporter in enumerate(ECONOMIES):
            for j, importer in enumerate(ECONOMIES):
                if i != j:
                    graph.add_edge(exporter, importer)
        self._refresh_graph(graph)
        return graph

    def _refresh_graph(self, graph: nx.DiGraph) -> None:
        for i, exporter in enumerate(ECONOMIES):
            for j, importer in enumerate(ECONOMIES):
                if i == j:
                    continue
                edge = graph.edges[exporter, importer]
                edge["flow_bn"] = dict(zip(SECTORS, self.flows_bn[i, j].tolist()))
                edge["tariff_pct"] = dict(zip(SECTORS, self.tariffs_pct[i, j].tolist()))
                edge["total_bn"] = float(self.flows_bn[i, j].sum())
