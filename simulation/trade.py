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
from typing import NamedTuple

import networkx as nx
import numpy as np

from simulation.calibration import Calibration
from simulation.world import ECONOMIES, SECTORS, index_of

# Rows of ``TradeNetwork.importer_sector_bn`` and ``importer_totals_bn``: what each importer's month adds
# up, each for this month and for the horizon (fast volume parts at their targets), summed in one pass.
IMPORTER_SUMS = ("import_volume", "burden", "deadweight", "imports", "revenue")
IMPORT_VOLUME, BURDEN, DEADWEIGHT, IMPORTS, REVENUE = range(len(IMPORTER_SUMS))
NOW, HORIZON = 0, 1
# The rows of the volume state (``TradeNetwork.log_volume_parts``): see _move_volumes.
PARTS = ("slow", "fast", "fast at the horizon")


class TariffTerms(NamedTuple):
    """What one version of the tariff tables gives the price formulas (``TradeNetwork.tariff_terms``).

    The absorbed share is ``lasting + fading * 0.5 ** (age / half_life)`` with ``age = step - changed``;
    measured from the version's latest change ``T``, that is ``lasting + (fading * 0.5 ** ((T - changed) /
    half_life)) * 0.5 ** ((step - T) / half_life)``, so all but one number of the month (the decay since
    ``T``, a plain float) is fixed until a tariff changes. Both powers are at most 1, so neither can
    overflow however long the run or short the half-life. Terms linear in the tariff price are kept the
    same way, as a lasting part plus the decay times a fading part."""
    version: int
    push: np.ndarray                     # ln((1 + t) / (1 + t0))
    minus_lasting: np.ndarray            # -lasting absorbed share * push
    minus_fading: np.ndarray | None      # -fading share * 0.5 ** ((T - changed) / half_life) * push; None if all 0
    tariff_index_lasting: np.ndarray     # the tariff import-price index of the lasting part, by importer
    tariff_index_fading: np.ndarray      # ... of the fading part (times the month's decay)
    revenue_share: np.ndarray            # tariff / 1200: a month's revenue per unit of annual customs value
    latest_change: float                 # T: the step of the latest change; the decay is measured from it


class TradeNetwork:
    """Tariffs and flows by sector, with a networkx directed graph of economies as their picture."""

    # The arrays a run changes in place: the tariff tables, when each tariff changed, the volume states.
    RUN_ARRAYS = ("tariffs_pct", "agreed_tariffs_pct", "tariff_changed_step")

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
        self.tariff_changed_step = np.zeros_like(self.tariffs_pct)
        # Counts changes to either tariff table (``set_tariff`` and ``agree`` are the only writers). Tariffs
        # change in a few months of a game, so what is computed from them alone is kept until this moves.
        self.tariff_version = 0
        self._push = self._push_version = None   # see tariff_push
        self._world_tariff = (None, 0.0)          # (version, value): see trade_weighted_tariff_pct
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
        self._absorbed_fading_full = np.broadcast_to(self._absorbed_fading, shape).copy()   # see tariff_terms
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
        # The volume state, in logs, ``[slow parts, fast parts, fast parts at the horizon]`` (``PARTS``) by
        # [exporter, importer, sector], each the lower and the upper nest's part together (see _move_volumes).
        self.log_volume_parts = np.zeros((len(PARTS), n, n, s))
        self.base_imports_bn = self.base_flows_bn.sum(axis=(0, 2))
        # The currency terms' weights in the import-price index: 2024 flows summed over sectors, by [exporter,
        # importer], as a share of the importer's 2024 imports (a flow's currency terms are the same in every
        # sector, so its part of the index is one small product).
        self._pair_weights = self.base_flows_bn.sum(axis=2) / self.base_imports_bn
        self._terms: TariffTerms | None = None   # see tariff_terms
        base_pair = np.array((self.base_flows_bn, self.base_flows_bn))
        no_tariff_change = np.zeros_like(self.base_flows_bn)
        self._set_month(base_pair, base_pair, no_tariff_change, no_tariff_change, self.tariff_terms().revenue_share)
        self.import_prices_log = np.zeros((2, n))   # [all, tariff part] by importer, log, 2024 = 0
        self._graph: nx.DiGraph | None = None   # built when first read: most runs never read it
        self._graph_stale = True

    def _set_elasticities(self, p) -> None:
        """Short- and long-run elasticities of both nests, and the monthly speeds of their two parts."""
        micro_long = np.array([p("trade.elasticity", k) for k in SECTORS])
        micro_short = p("trade.micro_short_run_share") * micro_long
        macro_short, macro_long = p("trade.macro_elasticity_short_run"), p("trade.macro_elasticity_long_run")
        self.micro_short = micro_short[None, None, :]
        self.micro_extra = (micro_long - micro_short)[None, None, :]
        self.macro_short = macro_short
        self.macro_extra = max(macro_long - macro_short, 0.0)
        self.fast_speed = p("trade.quantity_adjustment_per_month")
        self.slow_speed = 1.0 - 0.5 ** (1.0 / p("trade.long_run_half_life_months"))
        # The same, laid out as the state is (``PARTS`` first; the horizon's fast part closes its whole gap
        # each month) and spread to their full shapes once: broadcasting a small array against a state
        # costs a run about twice an operation on equal shapes.
        n, s = len(ECONOMIES), len(SECTORS)
        shape = (len(PARTS), n, n, s)
        self._minus_micro = np.broadcast_to(-np.array((self.micro_extra, self.micro_short, self.micro_short)),
                                            shape).copy()
        self._minus_macro = np.reshape((-self.macro_extra, -self.macro_short, -self.macro_short), (len(PARTS), 1, 1))
        self._speed = np.broadcast_to(np.reshape((self.slow_speed, self.fast_speed, 1.0), (len(PARTS), 1, 1, 1)),
                                      shape).copy()

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
        """Advance flows one month given currencies (``fx_log``) and importers' GDP relative to potential (log).

        Written for few numpy operations a month (each costs about a microsecond whatever its size): what
        the tariffs alone give is kept per tariff version (``tariff_terms``), the four volume parts are one
        state moved by one operation, and this month's and the horizon's volumes are computed and summed as
        one pair."""
        terms = self.tariff_terms()
        minus_absorbed_push, tariff_index = self._absorbed_push(step, terms)         # -a(age) * d
        tariff_price = terms.push + minus_absorbed_push                              # (1 - a(age)) * d
        exporter_fx = self.producer_currency_share * fx_log
        currency_terms = self.erpt * fx_log - exporter_fx[:, None]     # [exporter, importer]: buyer's less exporter's
        exporter_price = minus_absorbed_push - exporter_fx[:, None, None]
        buyer_price = tariff_price + currency_terms[:, :, None]
        import_price = (self.supplier_share * buyer_price).sum(axis=0)              # [importer, sector]
        volume_pair = self._move_volumes(buyer_price - import_price, import_price, gdp_log_ratio)
        flow_pair = volume_pair * np.exp(exporter_price)
        self._set_month(volume_pair, flow_pair, np.expm1(tariff_price), 0.5 * np.maximum(tariff_price, 0.0),
                        terms.revenue_share)
        # Import prices by importer (log, 2024 = 0), weighted by 2024 flows: they feed consumer prices. The
        # tariff part alone (row 1, ``_absorbed_push``) is the one-off price-level effect central banks look
        # through. The rest is the currency terms, weighted by 2024 flows (``_pair_weights``).
        currency_index = (currency_terms * self._pair_weights).sum(axis=0)
        self.import_prices_log = np.array((tariff_index + currency_index, tariff_index))
        self._graph_stale = True

    def _absorbed_push(self, step: int, terms: TariffTerms) -> tuple[np.ndarray, np.ndarray]:
        """Minus the part of the tariff push exporters absorb this month, and the tariff import-price index
        by importer (the rest of the push, weighted by 2024 flows). Each is the version's lasting part plus
        its fading part times this month's decay (see ``TariffTerms``). A step before the version's latest
        change (which a run never asks for) takes a changed tariff's age at zero, so both are then computed
        the plain way (``absorbed_share``)."""
        if terms.minus_fading is None:
            return terms.minus_lasting, terms.tariff_index_lasting
        if step < terms.latest_change:
            minus_absorbed_push = -self.absorbed_share(step) * terms.push
            return minus_absorbed_push, self._flow_weighted(terms.push + minus_absorbed_push)
        decay = 0.5 ** ((step - terms.latest_change) / self.absorption_half_life)
        return (terms.minus_lasting + decay * terms.minus_fading,
                terms.tariff_index_lasting + decay * terms.tariff_index_fading)

    def _flow_weighted(self, price_log: np.ndarray) -> np.ndarray:
        """A price index by importer: log prices by flow weighted by 2024 flows."""
        return (self.base_flows_bn * price_log).sum(axis=(0, 2)) / self.base_imports_bn

    def _move_volumes(self, relative: np.ndarray, import_price: np.ndarray, gdp_log_ratio: np.ndarray) -> np.ndarray:
        """Move the four volume parts toward their targets and give the volumes at 2024 prices (USD bn a
        year) as a pair ``[this month, horizon]``: at the horizon (within the year, what forward-looking
        markets price) the fast parts are at their targets.

        Targets: lower nest ``-sigma * relative price`` for each part; upper nest ``-eta * import price``,
        plus ``income_elasticity * gdp_log_ratio`` on the fast part. A flow's volume is the sum of the four
        parts, and both nests' fast parts move at one speed and their slow parts at another, so each pair
        is kept as its sum (``u + U`` and ``v + V`` in docs/model.md 7.1), moved toward the sum of its
        targets: the same numbers up to rounding. The state also holds the horizon's fast part
        (``PARTS``), which moves at speed 1 (at its target each month, up to rounding): one operation moves
        all three, and the month's and the horizon's logs are the two fast rows plus the slow one."""
        upper_targets = self._minus_macro * import_price                       # [part, importer, sector]
        upper_targets[1:] += self.income_elasticity * gdp_log_ratio[:, None]
        targets = self._minus_micro * relative + upper_targets[:, None]
        parts = self.log_volume_parts = self.log_volume_parts + self._speed * (targets - self.log_volume_parts)
        return self.base_flows_bn * np.exp(parts[1:] + parts[0])                # [now, horizon]

    def _set_month(self, volume_pair: np.ndarray, flow_pair: np.ndarray, tariff_cost: np.ndarray,
                   half_passed: np.ndarray, revenue_share: np.ndarray) -> None:
        """Keep a month's volumes and flows (``[this month, horizon]``, at 2024 prices and at exporters'
        prices) and sum them by importer and sector in one pass (rows ``IMPORTER_SUMS``): import volume;
        the tariff burden, what home buyers pay on top of 2024 prices because of tariff changes
        (``tariff_cost = exp(tariff price) - 1``); the deadweight loss, Harberger triangles of half the
        passed-on tariff times the trade it has stopped; imports; and tariff revenue, a month's tariff on
        the customs value. Every array kept is new each month; the sums, shared by every reader (macro, the
        markets' inputs, the record), are read-only."""
        by_sector = np.array((volume_pair, volume_pair * tariff_cost,
                              half_passed * np.maximum(self.base_flows_bn - volume_pair, 0.0),
                              flow_pair, flow_pair * revenue_share)).sum(axis=2)    # [row, pair, importer, sector]
        totals = by_sector.sum(axis=-1)                                            # [row, pair, importer]
        exports = flow_pair.sum(axis=(2, 3))                                       # [pair, exporter]
        for array in (by_sector, totals, exports):
            array.setflags(write=False)
        self.volume_pair_bn, self.flow_pair_bn = volume_pair, flow_pair
        self.importer_sector_bn, self.importer_totals_bn, self.exports_pair_bn = by_sector, totals, exports
        self.volume_bn, self.flows_bn = volume_pair[NOW], flow_pair[NOW]
        self.tariff_revenue_bn = totals[REVENUE, NOW]

    def tariff_terms(self) -> TariffTerms:
        """What the tariff tables give the month's price formulas (``TariffTerms``), computed again only after
        a tariff changed (``tariff_version``)."""
        if self._terms is None or self._terms.version != self.tariff_version:
            push = self.tariff_push()
            minus_lasting = -(self._absorbed_lasting * push)
            latest = float(self.tariff_changed_step.max())
            decay_to_latest = 0.5 ** ((latest - self.tariff_changed_step) / self.absorption_half_life)
            fading = self._absorbed_fading_full * decay_to_latest
            minus_fading = -(fading * push)
            self._terms = TariffTerms(
                self.tariff_version, push, minus_lasting, minus_fading if minus_fading.any() else None,
                self._flow_weighted(push + minus_lasting), self._flow_weighted(minus_fading), self.tariffs_pct / 1200.0,
                latest)
            for array in self._terms:   # shared by every run while its tariffs are the start's
                if isinstance(array, np.ndarray):
                    array.setflags(write=False)
        return self._terms

    def tariff_push(self) -> np.ndarray:
        """The tariff push ``ln((1 + t) / (1 + t0))`` by flow, computed again only after a tariff changed."""
        if self._push_version != self.tariff_version:
            self._push = np.log1p(self.tariffs_pct / 100.0) - self._base_tariff_log
            self._push_version = self.tariff_version
        return self._push

    def absorbed_share(self, step: int) -> np.ndarray:
        """Share of each tariff change still absorbed by the exporter, decaying since the change.

        Only a few exporters start above the long-run share (carmakers in some economies), and only their
        flows have a fading part; elsewhere the share is the lasting part alone. So the decay is computed
        for those flows only (``_fading_at``), which gives the same numbers as over the whole table. (The
        month's update takes the same share factorised, ``TariffTerms``: equal up to rounding.)"""
        absorbed = self._absorbed_lasting.copy()
        at = self._fading_at
        if at.size:
            age = np.maximum(step - self.tariff_changed_step.ravel()[at], 0.0)
            absorbed.ravel()[at] = self._lasting_at + self._fading_values * 0.5 ** (age / self.absorption_half_life)
        return absorbed

    # -- summaries --------------------------------------------------------------------------------
    # Each is a view of a month's arrays (``_set_month``), read-only and shared by every reader.
    @property
    def target_flows_bn(self) -> np.ndarray:
        """Flows at the horizon (fast volume parts at their targets): what forward-looking markets price."""
        return self.flow_pair_bn[HORIZON]

    @property
    def sector_burden_bn(self) -> np.ndarray:
        """The tariff burden by [importer, sector] this month (USD bn a year)."""
        return self.importer_sector_bn[BURDEN, NOW]

    @property
    def tariff_burden_bn(self) -> np.ndarray:
        return self.importer_totals_bn[BURDEN, NOW]

    @property
    def target_burden_bn(self) -> np.ndarray:
        return self.importer_totals_bn[BURDEN, HORIZON]

    @property
    def deadweight_bn(self) -> np.ndarray:
        return self.importer_totals_bn[DEADWEIGHT, NOW]

    @property
    def target_deadweight_bn(self) -> np.ndarray:
        return self.importer_totals_bn[DEADWEIGHT, HORIZON]

    @property
    def target_import_volume_bn(self) -> np.ndarray:
        return self.importer_totals_bn[IMPORT_VOLUME, HORIZON]

    @property
    def import_price_log(self) -> np.ndarray:
        """Import prices by importer (log, 2024 = 0), weighted by 2024 flows."""
        return self.import_prices_log[0]

    @property
    def tariff_import_price_log(self) -> np.ndarray:
        """The tariff part of ``import_price_log``."""
        return self.import_prices_log[1]

    def exports_bn(self) -> np.ndarray:
        """Exports by exporter (USD bn a year)."""
        return self.exports_pair_bn[NOW]

    def imports_bn(self) -> np.ndarray:
        """Imports by importer (USD bn a year)."""
        return self.importer_totals_bn[IMPORTS, NOW]

    def import_volume_bn(self) -> np.ndarray:
        """Imports by importer at 2024 prices (USD bn a year): what home goods replace when they fall."""
        return self.importer_totals_bn[IMPORT_VOLUME, NOW]

    def sector_export_volume(self, sector: str) -> np.ndarray:
        """Export volume by economy at 2024 prices (USD bn), for jobs."""
        k = SECTORS.index(sector)
        return self.volume_bn[:, :, k].sum(axis=1)

    def sector_import_volume(self, sector: str) -> np.ndarray:
        """Import volume by economy at 2024 prices (USD bn), for jobs."""
        return self.importer_sector_bn[IMPORT_VOLUME, NOW, :, SECTORS.index(sector)]

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
