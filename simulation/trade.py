"""The trade network: bilateral goods flows by sector, and how tariffs and exchange rates move them.

Flows are annualised US dollar billions at the exporter's price (what exporters receive), indexed
``[exporter, importer, sector]``. Demand is a nested Armington system per importer ``j`` and sector
``k``, written in logs relative to 2024 (docs/model.md section 7.1 has the derivation):

    tariff push      d   = ln((1 + t) / (1 + t0))                   t0 = the starting tariff
    exporter price   px  = -a(age) * d - pcs * fx[exporter]          a = share of the tariff the exporter absorbs
    buyer price      p   = (1 - a(age)) * d + erpt[importer] * fx[importer] - pcs * fx[exporter]
    import price     P   = sum_i s_ijk * p_ijk                        s = 2024 supplier shares
    lower nest       between foreign suppliers: relative volume -sigma_k(h) * (p - P)
    upper nest       imports against home goods: import volume -eta(h) * P + income_elasticity * gap
    value            flow = base_flow * exp(volume + px)

Elasticities grow with the horizon ``h``: each nest's volume is the sum of a fast part (short-run
elasticity, closing ``quantity_adjustment_per_month`` of its gap a month) and a slow part (the rest
of the long-run elasticity, with a half-life of years). So a tariff on one supplier diverts demand to
the others within months, while a tariff on everyone mostly shifts demand home, slowly.

The absorbed share starts high for some exporters (Japanese carmakers cut their prices in 2025) and
decays toward a long-run share after each tariff change, so buyers feel more of the tariff over time.
Tariff revenue is the tariff times the customs value (the flow at the exporter's price).
"""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np

from simulation.calibration import Calibration
from simulation.world import ECONOMIES, SECTORS, index_of


class TradeNetwork:
    """Tariffs and flows by sector, with a networkx directed graph of economies as their picture."""

    # The arrays a run changes in place: the tariff tables, when each tariff changed, the volume states.
    RUN_ARRAYS = ("tariffs_pct", "agreed_tariffs_pct", "tariff_changed_step",
                  "relative_fast", "relative_slow", "composite_fast", "composite_slow")

    @classmethod
    def at_start(cls, calibration: Calibration) -> "TradeNetwork":
        """A network at the start of a run: the same as ``TradeNetwork(calibration)``, without building it
        again. What the constructor computes depends on the calibration alone, so one network is built per
        calibration and kept read-only (``Calibration.kept``); each run gets a shallow copy of it with its
        own copies of ``RUN_ARRAYS``, the only arrays a run changes in place (every other one is replaced
        by a new array when it changes). Changing any other array of the kept network in place raises."""
        kept = calibration.kept("trade network at the start", cls)
        network = copy.copy(kept)
        for name in cls.RUN_ARRAYS:
            setattr(network, name, getattr(kept, name).copy())
        return network

    def __init__(self, calibration: Calibration):
        p = calibration.param
        n, s = len(ECONOMIES), len(SECTORS)
        self.base_flows_bn = calibration.flows_bn.copy()
        self.base_tariffs_pct = calibration.tariffs_pct.copy()
        self._base_tariff_log = np.log1p(self.base_tariffs_pct / 100.0)
        self.tariffs_pct = calibration.tariffs_pct.copy()
        # The tariffs each pair regards as agreed: the start, or the last deal between them. Retaliation
        # rules measure provocation against these, so a deal is not re-answered as a new attack.
        self.agreed_tariffs_pct = calibration.tariffs_pct.copy()
        self.flows_bn = calibration.flows_bn.copy()
        self.tariff_changed_step = np.zeros_like(self.tariffs_pct)
        # Counts changes to either tariff table (``set_tariff`` and ``agree`` are the only writers). Tariffs
        # change in a few months of a game, so what is computed from them alone is kept until this moves.
        self.tariff_version = 0
        self._push = self._push_version = None   # see tariff_push
        self._world_tariff = (None, 0.0)          # (version, value): see trade_weighted_tariff_pct
        self._totals_of = None                    # the flows the export and import totals were summed from
        self.absorption_initial = np.array(
            [[p("trade.absorption_initial", e, k) for k in SECTORS] for e in ECONOMIES]
        )[:, None, :]  # broadcast over importers
        self.absorption_long_run = p("trade.absorption_long_run")
        self.absorption_half_life = p("trade.absorption_half_life_months")
        # The share an exporter keeps absorbing for good, and the part that fades (see absorbed_share).
        self._absorbed_for_good = np.minimum(self.absorption_long_run, self.absorption_initial)
        self._absorbed_fading = self.absorption_initial - self._absorbed_for_good
        shape = (n, n, s)
        self._absorbed_lasting = np.broadcast_to(self._absorbed_for_good, shape).copy()   # see absorbed_share
        fading = np.broadcast_to(self._absorbed_fading, shape).ravel()
        self._fading_at = np.flatnonzero(fading)
        self._fading_values = fading[self._fading_at]
        self._lasting_at = self._absorbed_lasting.ravel()[self._fading_at]
        self.erpt = np.array([p("trade.erpt", e) for e in ECONOMIES])
        self.producer_currency_share = p("trade.producer_currency_share")
        self.income_elasticity = p("trade.income_elasticity")
        self._set_elasticities(p)
        # 2024 supplier shares of each importer's imports in each sector (the lower nest's weights).
        sector_imports = self.base_flows_bn.sum(axis=0, keepdims=True)
        self.supplier_share = np.divide(self.base_flows_bn, sector_imports, out=np.zeros_like(self.base_flows_bn),
                                        where=sector_imports > 0)
        # Volume states, in logs: lower nest [exporter, importer, sector], upper nest [importer, sector].
        self.relative_fast = np.zeros((n, n, s))
        self.relative_slow = np.zeros((n, n, s))
        self.composite_fast = np.zeros((n, s))
        self.composite_slow = np.zeros((n, s))
        self.log_volume = np.zeros((n, n, s))
        self.volume_bn = self.base_flows_bn.copy()   # base_flows_bn * exp(log_volume): volumes at 2024 prices
        self.tariff_burden_bn = np.zeros(n)
        self.sector_burden_bn = np.zeros((n, s))                      # [importer, sector]
        self.tariff_revenue_bn = self._revenue_bn(self.base_flows_bn)
        self.deadweight_bn = np.zeros(n)
        self.target_flows_bn = self.flows_bn.copy()
        self.target_burden_bn = np.zeros(n)
        self.target_deadweight_bn = np.zeros(n)
        self.target_import_volume_bn = self.base_flows_bn.sum(axis=(0, 2))
        self.base_imports_bn = self.base_flows_bn.sum(axis=(0, 2))
        self.import_price_log = np.zeros(n)
        self.tariff_import_price_log = np.zeros(n)
        self._graph: nx.DiGraph | None = None   # built when first read: most runs never read it
        self._graph_stale = True

    def _set_elasticities(self, p) -> None:
        """Short- and long-run elasticities of both nests, and the monthly speeds of their two parts."""
        micro_long = np.array([p("trade.elasticity", k) for k in SECTORS])
        micro_short = p("trade.micro_short_run_share") * micro_long
        macro_short, macro_long = p("trade.macro_elasticity_short_run"), p("trade.macro_elasticity_long_run")
        self.micro_short = micro_short[None, None, :]
        self.micro_extra = (micro_long - micro_short)[None, None, :]
        self._minus_micro_short, self._minus_micro_extra = -self.micro_short, -self.micro_extra   # see _targets
        self.macro_short = macro_short
        self.macro_extra = max(macro_long - macro_short, 0.0)
        self.fast_speed = p("trade.quantity_adjustment_per_month")
        self.slow_speed = 1.0 - 0.5 ** (1.0 / p("trade.long_run_half_life_months"))

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
                self.tariff_version += 1

    def agree(self, economy_a: str, economy_b: str) -> None:
        """Record the tariffs now in force between two economies as their agreed level (after a deal)."""
        for exporter, importer in ((economy_a, economy_b), (economy_b, economy_a)):
            i, j = index_of(exporter), index_of(importer)
            self.agreed_tariffs_pct[i, j] = self.tariffs_pct[i, j]
        self.tariff_version += 1

    def tariff_on(self, importer: str, exporter: str) -> np.ndarray:
        """Tariffs (percent, by sector) that ``importer`` charges on ``exporter``'s goods."""
        return self.tariffs_pct[index_of(exporter), index_of(importer)]

    # -- one month --------------------------------------------------------------------------------
    def update(self, step: int, fx_log: np.ndarray, gdp_log_ratio: np.ndarray) -> None:
        """Advance flows one month given currencies (``fx_log``) and importers' GDP relative to potential (log)."""
        push = self.tariff_push()
        absorbed = self.absorbed_share(step)
        exporter_fx = self.producer_currency_share * fx_log[:, None, None]
        exporter_price = -absorbed * push - exporter_fx
        tariff_price = (1.0 - absorbed) * push
        buyer_price = tariff_price + (self.erpt * fx_log)[None, :, None] - exporter_fx
        import_price = (self.supplier_share * buyer_price).sum(axis=0)            # [importer, sector]
        relative = buyer_price - import_price[None, :, :]
        income = self.income_elasticity * gdp_log_ratio[:, None]
        targets = self._targets(relative, import_price, income)
        self.relative_fast += self.fast_speed * (targets[0] - self.relative_fast)
        self.relative_slow += self.slow_speed * (targets[1] - self.relative_slow)
        self.composite_fast += self.fast_speed * (targets[2] - self.composite_fast)
        self.composite_slow += self.slow_speed * (targets[3] - self.composite_slow)
        self.log_volume = self.relative_fast + self.relative_slow + (self.composite_fast + self.composite_slow)[None]
        volume_bn = self.volume_bn = self.base_flows_bn * np.exp(self.log_volume)  # at 2024 prices
        price_factor = np.exp(exporter_price)
        self.flows_bn = volume_bn * price_factor
        # What home buyers pay on top of 2024 prices because of tariff changes, and the deadweight loss.
        tariff_cost = np.expm1(tariff_price)
        half_passed = 0.5 * np.maximum(tariff_price, 0.0)
        self.sector_burden_bn = (volume_bn * tariff_cost).sum(axis=0)
        self.tariff_burden_bn = self.sector_burden_bn.sum(axis=1)
        self.deadweight_bn = self._deadweight_bn(half_passed, volume_bn)
        self.tariff_revenue_bn = self._revenue_bn(self.flows_bn)
        # Where flows head within the year (fast parts at their targets): what forward-looking markets price.
        horizon_bn = self.base_flows_bn * np.exp(targets[0] + self.relative_slow
                                                 + (targets[2] + self.composite_slow)[None])
        self.target_flows_bn = horizon_bn * price_factor
        self.target_burden_bn = (horizon_bn * tariff_cost).sum(axis=(0, 2))
        self.target_deadweight_bn = self._deadweight_bn(half_passed, horizon_bn)
        self.target_import_volume_bn = horizon_bn.sum(axis=(0, 2))
        # Import prices by importer (log, 2024 = 0), weighted by 2024 flows: they feed consumer prices.
        self.import_price_log = (self.base_flows_bn * buyer_price).sum(axis=(0, 2)) / self.base_imports_bn
        # Its tariff part alone: the one-off price-level effect central banks look through.
        self.tariff_import_price_log = (self.base_flows_bn * tariff_price).sum(axis=(0, 2)) / self.base_imports_bn
        self._graph_stale = True

    def tariff_push(self) -> np.ndarray:
        """The tariff push ``ln((1 + t) / (1 + t0))`` by flow, computed again only after a tariff changed."""
        if self._push_version != self.tariff_version:
            self._push = np.log1p(self.tariffs_pct / 100.0) - self._base_tariff_log
            self._push_version = self.tariff_version
        return self._push

    def _targets(self, relative: np.ndarray, import_price: np.ndarray, income: np.ndarray):
        """Targets of the four volume parts: lower nest fast and slow, upper nest fast and slow (the lower
        nest's elasticities are negated once, at set-up)."""
        return (self._minus_micro_short * relative, self._minus_micro_extra * relative,
                -self.macro_short * import_price + income, -self.macro_extra * import_price)

    def _deadweight_bn(self, half_passed: np.ndarray, volume_bn: np.ndarray) -> np.ndarray:
        """Harberger triangles by importer: half the passed-on tariff times the trade it has stopped."""
        return (half_passed * np.maximum(self.base_flows_bn - volume_bn, 0.0)).sum(axis=(0, 2))

    def _revenue_bn(self, flows_bn: np.ndarray) -> np.ndarray:
        """Tariff revenue each importer collects in a month (customs value x tariff; flows are annual)."""
        return (flows_bn * self.tariffs_pct).sum(axis=(0, 2)) / 1200.0

    def absorbed_share(self, step: int) -> np.ndarray:
        """Share of each tariff change still absorbed by the exporter, decaying since the change.

        Only a few exporters start above the long-run share (carmakers in some economies), and only their
        flows have a fading part; elsewhere the share is the lasting part alone. So the decay is computed
        for those flows only (``_fading_at``), which gives the same numbers as over the whole table."""
        absorbed = self._absorbed_lasting.copy()
        at = self._fading_at
        if at.size:
            age = np.maximum(step - self.tariff_changed_step.ravel()[at], 0.0)
            absorbed.ravel()[at] = self._lasting_at + self._fading_values * 0.5 ** (age / self.absorption_half_life)
        return absorbed

    # -- summaries --------------------------------------------------------------------------------
    def exports_bn(self) -> np.ndarray:
        """Exports by exporter (USD bn a year). Macro, the markets and the record each read it every month;
        it is summed once per month's flows (a new array, never changed in place)."""
        if self._totals_of is not self.flows_bn:
            self._set_totals()
        return self._exports_bn

    def imports_bn(self) -> np.ndarray:
        """Imports by importer (USD bn a year), summed once per month's flows like ``exports_bn``."""
        if self._totals_of is not self.flows_bn:
            self._set_totals()
        return self._imports_bn

    def _set_totals(self) -> None:
        self._exports_bn, self._imports_bn = self.flows_bn.sum(axis=(1, 2)), self.flows_bn.sum(axis=(0, 2))
        self._exports_bn.flags.writeable = self._imports_bn.flags.writeable = False   # shared by every reader
        self._totals_of = self.flows_bn

    def import_volume_bn(self) -> np.ndarray:
        """Imports by importer at 2024 prices (USD bn a year): what home goods replace when they fall."""
        return self.volume_bn.sum(axis=(0, 2))

    def sector_export_volume(self, sector: str) -> np.ndarray:
        """Export volume by economy at 2024 prices (USD bn), for jobs."""
        k = SECTORS.index(sector)
        return self.volume_bn[:, :, k].sum(axis=1)

    def sector_import_volume(self, sector: str) -> np.ndarray:
        k = SECTORS.index(sector)
        return self.volume_bn[:, :, k].sum(axis=0)

    def trade_weighted_tariff_pct(self) -> float:
        """World average tariff, weighted by 2024 flows (a summary of how closed the world is); recorded every
        month, computed again only after a tariff changed."""
        if self._world_tariff[0] != self.tariff_version:
            self._world_tariff = (self.tariff_version,
                                  float((self.tariffs_pct * self.base_flows_bn).sum() / self.base_flows_bn.sum()))
        return self._world_tariff[1]

    # -- the networkx view ------------------------------------------------------------------------
    @property
    def graph(self) -> nx.DiGraph:
        """Economies as nodes; each edge exporter -> importer carries ``flow_bn`` and ``tariff_pct`` by
        sector, ``total_bn``, the tariff raised since the start (``raised_pp``, trade-weighted) and
        whether the importer has raised any tariff on the exporter (``tariffed``)."""
        if self._graph is None:
            from simulation.network import empty_graph

            self._graph = empty_graph()
        if self._graph_stale:
            self._refresh_graph(self._graph)
            self._graph_stale = False
        return self._graph

    def _refresh_graph(self, graph: nx.DiGraph) -> None:
        fill_graph(graph, self.flows_bn, self.tariffs_pct, self.base_flows_bn, self.base_tariffs_pct,
                   self.agreed_tariffs_pct)


def fill_graph(graph: nx.DiGraph, flows_bn: np.ndarray, tariffs_pct: np.ndarray, base_flows_bn: np.ndarray,
               base_tariffs_pct: np.ndarray, agreed_tariffs_pct: np.ndarray) -> None:
    """Write one month's flows and tariffs onto the edges exporter -> importer of a graph of ``ECONOMIES``:
    ``flow_bn`` and ``tariff_pct`` by sector, ``total_bn``, ``raised_pp`` (trade-weighted rise since the
    start), ``tariffed_bn`` (trade facing a raised tariff), ``pressure`` (2024 trade times the rise, USD bn
    x pp: what the tariff network weighs), ``deal`` (a deal has set the pair's tariffs) and
    ``retaliation`` (each side has raised a tariff on the other)."""
    raised = np.maximum(tariffs_pct - base_tariffs_pct, 0.0)
    raised_any = raised.max(axis=2) > 0
    dealt = (agreed_tariffs_pct != base_tariffs_pct).any(axis=2)
    for i, exporter in enumerate(ECONOMIES):
        for j, importer in enumerate(ECONOMIES):
            if i == j:
                continue
            edge = graph.edges[exporter, importer]
            flow = flows_bn[i, j]
            total = float(flow.sum())
            edge["flow_bn"] = dict(zip(SECTORS, flow.tolist()))
            edge["tariff_pct"] = dict(zip(SECTORS, tariffs_pct[i, j].tolist()))
            edge["total_bn"] = total
            edge["raised_pp"] = float((raised[i, j] * flow).sum() / total) if total > 0 else 0.0
            edge["tariffed_bn"] = float(flow[raised[i, j] > 0].sum())
            edge["pressure"] = float((base_flows_bn[i, j] * raised[i, j]).sum())
            edge["deal"] = bool(dealt[i, j] or dealt[j, i])
            edge["retaliation"] = bool(raised_any[i, j] and raised_any[j, i])
