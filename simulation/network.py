"""Network measures of the trade graph: who depends on whom, who faces raised tariffs, who is the target.

Each month the trade network is a networkx ``DiGraph``: economies are nodes; each edge exporter ->
importer carries that month's flows and tariffs by sector, the tariff raised since the start, whether a
deal covers the pair and whether both sides have raised tariffs on each other (see
``trade.fill_graph``). The measures below are read from that graph with networkx and written to
``network.csv`` as ``step, economy, measure, value`` (docs/model.md, section 7.7):

- ``dependence.<PARTNER>``: share of the economy's exports that go to PARTNER (0-1).
- ``exports_facing_raised_tariffs_share``: share of its exports facing a tariff above the start (0-1).
- ``imports_under_raised_tariffs_share``: share of its imports it has put under raised tariffs (0-1).
- ``tariff_target_centrality``: PageRank of the economy in the tariff network, whose edges run from the
  economy raising a tariff to the one it hits, weighted by the 2024 trade hit times the rise (1/9 each
  when nobody has raised a tariff; higher = more of the world's new tariffs land on it, directly or
  through economies that are themselves targets). It changes only when tariffs do, so it is computed
  once per distinct tariff network.

The step itself stays on numpy arrays; these measures are computed from the recorded arrays when a
table or the app asks for them, so a sweep that never reads them never pays for them.
"""

from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np

from simulation.world import ECONOMIES

MEASURES: dict[str, str] = {
    "exports_facing_raised_tariffs_share": "Share of exports facing raised tariffs",
    "imports_under_raised_tariffs_share": "Share of imports put under raised tariffs",
    "tariff_target_centrality": "Tariff-target centrality (PageRank)",
}
DEPENDENCE = "dependence."


def empty_graph() -> nx.DiGraph:
    """A complete directed graph on ``ECONOMIES`` with no data yet."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ECONOMIES)
    graph.add_edges_from((a, b) for a in ECONOMIES for b in ECONOMIES if a != b)
    return graph


def measures(graph: nx.DiGraph) -> dict[str, dict[str, float]]:
    """Every measure for every economy of one month's trade graph: ``{economy: {measure: value}}``."""
    exports = dict(graph.out_degree(weight="total_bn"))
    imports = dict(graph.in_degree(weight="total_bn"))
    facing = dict(graph.out_degree(weight="tariffed_bn"))
    imposing = dict(graph.in_degree(weight="tariffed_bn"))
    centrality = tariff_target_centrality(graph)
    out: dict[str, dict[str, float]] = {}
    for economy in ECONOMIES:
        row = {
            "exports_facing_raised_tariffs_share": _share(facing[economy], exports[economy]),
            "imports_under_raised_tariffs_share": _share(imposing[economy], imports[economy]),
            "tariff_target_centrality": centrality[economy],
        }
        for _, partner, flow in graph.out_edges(economy, data="total_bn"):
            row[DEPENDENCE + partner] = _share(flow, exports[economy])
        out[economy] = row
    return out


def tariff_target_centrality(graph: nx.DiGraph) -> dict[str, float]:
    """PageRank of the tariff network: an edge from each economy that raised a tariff to the economy it
    hits, weighted by the edge's ``pressure`` (2024 trade hit, USD bn, times the rise, pp)."""
    edges = tuple((importer, exporter, pressure) for exporter, importer, pressure in graph.edges(data="pressure")
                  if pressure > 0)
    return _pagerank(edges)


@lru_cache(maxsize=256)
def _pagerank(edges: tuple[tuple[str, str, float], ...]) -> dict[str, float]:
    tariffs = nx.DiGraph()
    tariffs.add_nodes_from(ECONOMIES)
    tariffs.add_weighted_edges_from(edges)
    return nx.pagerank(tariffs, weight="weight")


def most_exposed(table: dict[str, dict[str, float]], measure: str = "exports_facing_raised_tariffs_share",
                 count: int = 3) -> list[tuple[str, float]]:
    """The economies with the highest value of ``measure`` (ties in the order of ``ECONOMIES``)."""
    ranked = sorted(ECONOMIES, key=lambda e: -table[e][measure])
    return [(e, table[e][measure]) for e in ranked[:count]]


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0


def measure_names() -> list[str]:
    """All measure names in the order ``network.csv`` lists them."""
    return list(MEASURES) + [DEPENDENCE + e for e in ECONOMIES]


def as_array(table: dict[str, dict[str, float]]) -> np.ndarray:
    """``[economy, measure]`` array in the order of ``ECONOMIES`` and ``measure_names()`` (a partner's
    dependence on itself is 0)."""
    names = measure_names()
    return np.array([[table[e].get(m, 0.0) for m in names] for e in ECONOMIES])
