"""Calibration: every number the model takes from the world, read from the CSV files beside this module.

Each CSV row carries its source. This module only reads, checks and arranges them; it holds no figures
of its own. Files:

- ``economies.csv``     per-economy levels (GDP, inflation, Treasury holdings, reserves, auto jobs, trade totals)
- ``trade_2024.csv``     bilateral goods exports among the eight named economies, 2024
- ``sector_shares.csv``  how each bilateral flow splits into the four sectors
- ``tariffs_2025q1.csv`` tariffs in force before April 2025, per (importer, exporter, sector)
- ``markets.csv``        starting prices and policy rates
- ``parameters.csv``     behavioural parameters (elasticities, price impact, rule settings)
- ``ranges.csv``         the valid range of every calibrated number (file, name pattern, low, high, why)
- ``presets.csv``        the low, central and high readings of the evidence on price impact: a scenario,
                         the command line or a sweep chooses one (``calibration_preset``); central is the default

Keys in ``parameters.csv`` and ``tariffs_2025q1.csv`` may use ``*`` as a wildcard; the most specific
row wins, so ``trade.erpt.US`` overrides ``trade.erpt.*``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from simulation.errors import UserError
from simulation.world import ECONOMIES, NAMED_ECONOMIES, SECTORS, index_of

DATA_DIR = Path(__file__).resolve().parent
PRESETS = ("low", "central", "high")
DEFAULT_PRESET = "central"


@dataclass(frozen=True)
class Calibration:
    """All calibrated inputs of one run, already resolved into plain numbers and arrays.

    Arrays of trade are indexed ``[exporter, importer, sector]`` in the order of
    ``world.ECONOMIES`` and ``world.SECTORS``; ``tariffs_pct[i, j, s]`` is the tariff the importer ``j``
    charges on sector ``s`` goods from exporter ``i``.
    """

    parameters: dict[str, float]
    markets: dict[str, float]
    economies: dict[str, dict[str, float]]
    flows_bn: np.ndarray
    tariffs_pct: np.ndarray
    fingerprint: str = field(default="")
    _resolved: dict = field(default_factory=dict, compare=False, repr=False)  # memo of wildcard look-ups

    def param(self, name: str, *keys: str) -> float:
        """Look up a parameter, trying ``name.k1.k2`` then wildcard fallbacks (``name.*.k2``, ``name.*.*``).
        The model asks about a hundred times a month, mostly by a plain name (no keys, so no wildcard to
        try): that is one read of ``parameters``; keyed look-ups are remembered in the memo."""
        if not keys:
            try:
                return self.parameters[name]
            except KeyError:
                raise KeyError(f"no calibration parameter matches {name}") from None
        try:
            return self._resolved[name, keys]
        except KeyError:
            value = self._resolved[name, keys] = lookup(self.parameters, name, *keys)
            return value

    def economy(self, code: str, quantity: str) -> float:
        return self.economies[code][quantity]

    def __deepcopy__(self, memo: dict) -> "Calibration":
        """Itself: a calibration is never changed once made (every variant is a new one, ``with_overrides``),
        so the copy of the world a projection runs ahead shares it, with its memo of look-ups and what it
        keeps, instead of copying all of that for every offer weighed."""
        return self

    def kept(self, name: str, make: Callable[["Calibration"], Any]) -> Any:
        """``make(self)``, made once for this calibration and kept with it (in its memo): for what depends on
        the calibration alone and every run of it would otherwise build again (the start of the trade
        network and of the macro state). Every run shares what it gets back, so its numpy arrays are made
        read-only (``_read_only``): changing one in place raises at once instead of changing the runs that
        follow. A run copies what it changes."""
        key = ("kept", (name,))
        try:
            return self._resolved[key]
        except KeyError:
            value = self._resolved[key] = _read_only(make(self))
            return value

    def knows(self, name: str) -> bool:
        """Whether ``name`` can be overridden: a parameter name or ``markets.<quantity>``."""
        return name in self.parameters or (name.startswith("markets.") and name[len("markets."):] in self.markets)

    def with_preset(self, preset: str) -> "Calibration":
        """A copy with one preset's parameters (``presets.csv``): how strongly Treasury sales and currency
        purchases move prices, at the low, central or high end of the evidence."""
        table = load_presets()
        if preset not in table:
            raise UserError(f"unknown calibration preset '{preset}'; expected one of: {', '.join(PRESETS)}")
        key = ("preset", (preset,))
        if key not in self._resolved:   # one copy per preset, so its memo of look-ups serves every run
            self._resolved[key] = self.with_overrides(table[preset], where=f"calibration preset '{preset}'")
        return self._resolved[key]

    def with_overrides(self, overrides: dict[str, float], where: str = "calibration override") -> "Calibration":
        """A copy with some parameters or market levels replaced (used by presets, scenarios, sweeps and the
        Lab). Each value is checked against its valid range (``ranges.csv``); ``where`` names the source
        in the error sentence. With nothing to override, the same object (and its memo of look-ups) is
        returned."""
        if not overrides:
            return self
        params = dict(self.parameters)
        markets = dict(self.markets)
        for name, value in overrides.items():
            if not self.knows(name):
                raise UserError(
                    f"{where}: '{name}' is not a known parameter; "
                    "expected a name from simulation/calibration/parameters.csv or 'markets.<quantity>'"
                )
            if name in params:
                params[name] = check_value("parameters.csv", name, value, where)
            else:
                quantity = name[len("markets."):]
                markets[quantity] = check_value("markets.csv", quantity, value, where)
        return Calibration(params, markets, self.economies, self.flows_bn, self.tariffs_pct,
                           _fingerprint(params, markets))


@dataclass(frozen=True)
class ValidRange:
    """One row of ``ranges.csv``: the numbers ``pattern`` (a name, ``*`` matching anything) may take in ``file``."""

    file: str
    pattern: str
    low: float
    high: float
    why: str


@lru_cache(maxsize=1)
def valid_ranges() -> tuple[ValidRange, ...]:
    """Every documented range: exact names first, then patterns, the longest (most specific) first."""
    rows = [ValidRange(r.file, r.pattern, float(r.low), float(r.high), r.why)
            for r in _read("ranges.csv").itertuples(index=False)]
    return tuple(sorted(rows, key=lambda r: ("*" in r.pattern, -len(r.pattern))))


def range_for(file: str, key: str) -> ValidRange | None:
    """The documented range of row ``key`` of calibration ``file`` (None if it has none)."""
    for row in valid_ranges():
        if row.file == file and fnmatchcase(key, row.pattern):
            return row
    return None


def check_value(file: str, key: str, value, where: str) -> float:
    """``value`` as a float if it is a finite number inside the range documented for ``key``; otherwise
    one UserError sentence naming where it came from, the file, the row and the range."""
    label = f"{where}: {'markets.' if file == 'markets.csv' else ''}{key} = {value!r}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{label} is not a number; simulation/calibration/{file}, row '{key}', "
                        f"{_expects(range_for(file, key))}") from None
    valid = range_for(file, key)
    if math.isnan(number) or math.isinf(number) or (valid and not valid.low <= number <= valid.high):
        raise UserError(f"{label} is outside its valid range; simulation/calibration/{file}, row '{key}', "
                        f"{_expects(valid)}")
    return number


def _expects(valid: ValidRange | None) -> str:
    if valid is None:
        return "takes a finite number"
    return f"takes a number from {valid.low:g} to {valid.high:g} ({valid.why})"


def lookup(table: dict[str, float], name: str, *keys: str) -> float:
    """Most specific match of ``name.keys...`` in ``table``, replacing keys by ``*`` from the left."""
    for wildcards in range(len(keys) + 1):
        candidates = _wildcard_variants(keys, wildcards)
        for variant in candidates:
            full = ".".join((name, *variant)) if variant else name
            if full in table:
                return table[full]
    raise KeyError(f"no calibration parameter matches {'.'.join((name, *keys))}")


def _wildcard_variants(keys: tuple[str, ...], wildcards: int) -> list[tuple[str, ...]]:
    """Variants of ``keys`` with exactly ``wildcards`` entries replaced by '*', rightmost replaced last."""
    from itertools import combinations

    variants = []
    for positions in combinations(range(len(keys)), wildcards):
        variants.append(tuple("*" if i in positions else k for i, k in enumerate(keys)))
    return variants


def _read(name: str) -> pd.DataFrame:
    path = DATA_DIR / name
    frame = pd.read_csv(path)
    if "source" in frame.columns and frame["source"].isna().any():
        bad = frame.index[frame["source"].isna()][0] + 2
        raise ValueError(f"{path}: line {bad} has no source; every calibrated number needs one")
    return frame


def _economies_table(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for row in frame.itertuples(index=False):
        table.setdefault(row.economy, {})[row.quantity] = float(row.value)
    return table


def _flows(trade: pd.DataFrame, shares: pd.DataFrame, economies: dict) -> np.ndarray:
    """Bilateral flows by sector; flows to and from ROW are each economy's residual trade."""
    n, s = len(ECONOMIES), len(SECTORS)
    totals = np.zeros((n, n))
    for row in trade.itertuples(index=False):
        totals[index_of(row.exporter), index_of(row.importer)] = float(row.flow_bn)
    row_index = index_of("ROW")
    for code in NAMED_ECONOMIES:
        i = index_of(code)
        # Residual trade with the rest of the world, floored at 3% of the total so that a
        # source mismatch can never give a negative flow.
        exports, imports = economies[code]["goods_exports_bn"], economies[code]["goods_imports_bn"]
        totals[i, row_index] = max(exports - totals[i].sum(), 0.03 * exports)
        totals[row_index, i] = max(imports - totals[:, i].sum(), 0.03 * imports)
    flows = np.zeros((n, n, s))
    splits = _sector_rows(shares)
    for i, exporter in enumerate(ECONOMIES):
        for j, importer in enumerate(ECONOMIES):
            if i != j:
                flows[i, j] = totals[i, j] * _sector_split(splits, exporter, importer)
    return flows


def _sector_rows(shares: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """(exporter, importer or "*") -> that row's sector shares; the first row wins if a pair repeats."""
    rows: dict[tuple[str, str], np.ndarray] = {}
    values = shares[list(SECTORS)].to_numpy(dtype=float)
    for key, split in zip(zip(shares.exporter, shares.importer), values):
        rows.setdefault(key, split)
    return rows


def _sector_split(rows: dict[tuple[str, str], np.ndarray], exporter: str, importer: str) -> np.ndarray:
    """The sector shares of exports from exporter to importer: the pair's own row, else the exporter's
    row for every importer ("*"), scaled to sum to 1."""
    for key in (importer, "*"):
        split = rows.get((exporter, key))
        if split is not None:
            return split / split.sum()
    raise ValueError(f"sector_shares.csv has no row for exporter {exporter}")


def _tariffs(frame: pd.DataFrame) -> np.ndarray:
    table = {f"{r.importer}.{r.exporter}.{r.sector}": float(r.tariff_pct) for r in frame.itertuples(index=False)}
    n = len(ECONOMIES)
    tariffs = np.zeros((n, n, len(SECTORS)))
    for i, exporter in enumerate(ECONOMIES):
        for j, importer in enumerate(ECONOMIES):
            if i == j:
                continue
            for k, sector in enumerate(SECTORS):
                # Importer is never a wildcard; exporter then sector fall back to '*'.
                for key in (f"{importer}.{exporter}.{sector}", f"{importer}.{exporter}.*",
                            f"{importer}.*.{sector}", f"{importer}.*.*"):
                    if key in table:
                        tariffs[i, j, k] = table[key]
                        break
    return tariffs


def _fingerprint(parameters: dict, markets: dict) -> str:
    text = repr(sorted(parameters.items())) + repr(sorted(markets.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=64)
def calibration_for(preset: str, overrides: tuple[tuple[str, float], ...] = (),
                    where: str = "calibration override") -> Calibration:
    """The shipped calibration with a preset and a scenario's overrides, built once per process for each
    combination (runs of one scenario share it, and with it the memo of parameter look-ups)."""
    return load_calibration().with_preset(preset).with_overrides(dict(overrides), where=where)


@lru_cache(maxsize=1)
def load_presets() -> dict[str, dict[str, float]]:
    """preset name -> the parameters it sets (every preset sets the same names, each with its source)."""
    frame = _read("presets.csv")
    table: dict[str, dict[str, float]] = {name: {} for name in PRESETS}
    for row in frame.itertuples(index=False):
        if row.preset not in table:
            raise ValueError(f"{DATA_DIR / 'presets.csv'}: unknown preset '{row.preset}'; expected one of {PRESETS}")
        table[row.preset][row.name] = float(row.value)
    names = [sorted(v) for v in table.values()]
    if any(n != names[0] for n in names):
        raise ValueError(f"{DATA_DIR / 'presets.csv'}: every preset must set the same parameters")
    return table


@lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    """Read and check every calibration file (cached: the files are read once per process)."""
    where = "calibration files"
    params_frame = _read("parameters.csv")
    parameters = {r.name: check_value("parameters.csv", r.name, r.value, where) for r in params_frame.itertuples(index=False)}
    markets = {r.quantity: check_value("markets.csv", r.quantity, r.value, where)
               for r in _read("markets.csv").itertuples(index=False)}
    economies = _economies_table(_read("economies.csv"))
    for code, quantities in economies.items():
        for quantity, value in quantities.items():
            check_value("economies.csv", f"{code}.{quantity}", value, where)
    flows = _flows(_read("trade_2024.csv"), _read("sector_shares.csv"), economies)
    tariffs = _tariffs(_read("tariffs_2025q1.csv"))
    return Calibration(parameters, markets, economies, flows, tariffs, _fingerprint(parameters, markets))


def _read_only(kept: Any) -> Any:
    """``kept`` with every numpy array among its attributes (directly, or in a list or dict) made read-only."""
    for value in vars(kept).values():
        held = value.values() if isinstance(value, dict) else value if isinstance(value, list) else (value,)
        for array in held:
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return kept
