"""What a finished sweep says: a summary table, a heatmap, and (for sobol) sensitivity indices.

The summary is computed from the final step of every run. The 95% interval is a Student-t interval
for the mean over replicates (mean +- t(0.975, n-1) * sd / sqrt(n)); with one replicate there is no
interval. Sobol indices are computed on each point's mean over replicates, so replicate noise is
averaged out before the analysis rather than counted as sensitivity.

Pictures are drawn with Matplotlib's object API on an Agg canvas (no pyplot, no display, no global
backend change), so this works on a server and inside the app.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ("n", "mean", "std", "ci_low", "ci_high")


def summarise(runs: pd.DataFrame, parameters: list[str], metrics: list[str], last_step: int) -> pd.DataFrame:
    """Per point and metric: replicates counted, mean, standard deviation and 95% t-interval."""
    from scipy import stats

    columns = ["point", *parameters, "metric", *SUMMARY_COLUMNS]
    final = runs[runs["step"] == last_step] if len(runs) else runs
    if not len(final):
        return pd.DataFrame(columns=columns)
    long = final.melt(id_vars=["point"], value_vars=metrics, var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(["point", "metric"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", std="std").reset_index()
    n = table["n"].to_numpy()
    t = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)), np.nan)
    half = t * table["std"].to_numpy() / np.sqrt(n)
    table["ci_low"], table["ci_high"] = table["mean"] - half, table["mean"] + half
    values = final.groupby("point", sort=True)[parameters].first().reset_index()
    table = table.merge(values, on="point")
    table["metric"] = pd.Categorical(table["metric"], categories=metrics, ordered=True)
    table = table.sort_values(["point", "metric"]).reset_index(drop=True)
    table["metric"] = table["metric"].astype(str)
    return table[columns]


def heatmap(summary: pd.DataFrame, parameters: list[str], metric: str, grid: bool, path: Path) -> Path | None:
    """The metric's mean over the first two parameters (averaged over any others); a line with its
    interval if only one parameter varies. Grid designs give cells, sampled designs a scatter."""
    from matplotlib.figure import Figure

    data = summary[summary["metric"] == metric]
    if not len(data):
        return None
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.add_subplot()
    x = parameters[0]
    if len(parameters) == 1:
        data = data.sort_values(x)
        ax.plot(data[x], data["mean"], marker="o")
        if data["ci_low"].notna().any():
            ax.fill_between(data[x], data["ci_low"], data["ci_high"], alpha=0.25, label="95% interval")
            ax.legend()
        ax.set_xlabel(x)
        ax.set_ylabel(metric)
    elif grid:
        _cells(fig, ax, data, x, parameters[1], metric)
    else:
        dots = ax.scatter(data[x], data[parameters[1]], c=data["mean"], cmap="viridis", s=30)
        fig.colorbar(dots, ax=ax, label=metric)
        ax.set_xlabel(x)
        ax.set_ylabel(parameters[1])
    others = ", averaged over " + ", ".join(parameters[2:]) if len(parameters) > 2 else ""
    ax.set_title(f"{metric} at the last step: mean of {data['n'].max()} replicates{others}", fontsize=10)
    fig.savefig(path, dpi=110, format="png")
    return path


def _cells(fig, ax, data: pd.DataFrame, x: str, y: str, metric: str) -> None:
    table = data.groupby([y, x])["mean"].mean().unstack(x).sort_index(ascending=False)
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto")
    fig.colorbar(image, ax=ax, label=metric)
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if table.size <= 150:
        middle = np.nanmean(table.to_numpy())
        for (i, j), value in np.ndenumerate(table.to_numpy()):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=7,
                        color="black" if value > middle else "white")


def sobol_indices(problem: dict, summary: pd.DataFrame, metrics: list[str], points: int,
                  seed: int) -> tuple[pd.DataFrame, list[str]]:
    """First- and total-order Sobol indices with 95% bootstrap half-widths, per metric and parameter.

    A metric with a point that has no finished run cannot be analysed (the design needs every point);
    it is left out and named in the second return value.
    """
    from SALib.analyze import sobol

    rows, skipped = [], []
    for metric in metrics:
        means = summary[summary["metric"] == metric].set_index("point")["mean"]
        y = means.reindex(range(points)).to_numpy(dtype=float)
        if not np.isfinite(y).all():
            skipped.append(metric)
            continue
        result = sobol.analyze(problem, y, calc_second_order=False, seed=seed % 2**32)
        for i, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "parameter": name, "S1": result["S1"][i], "S1_conf": result["S1_conf"][i],
                         "ST": result["ST"][i], "ST_conf": result["ST_conf"][i]})
    return pd.DataFrame(rows, columns=["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]), skipped


def sobol_chart(indices: pd.DataFrame, path: Path) -> Path | None:
    """Bars of first-order (S1) and total-order (ST) indices with their intervals, one panel per metric."""
    from matplotlib.figure import Figure

    metrics = list(dict.fromkeys(indices["metric"]))
    if not metrics:
        return None
    cols = min(3, len(metrics))
    rows = -(-len(metrics) // cols)
    fig = Figure(figsize=(4.5 * cols, 3.4 * rows), layout="constrained")
    for k, metric in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, k + 1)
        part = indices[indices["metric"] == metric]
        x = np.arange(len(part))
        ax.bar(x - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], capsize=3, label="first order (S1)")
        ax.bar(x + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], capsize=3, label="total order (ST)")
        ax.set_xticks(x, part["parameter"], rotation=20)
        ax.set_title(metric, fontsize=10)
        ax.axhline(0, color="grey", lw=0.5)
        if k == 0:
            ax.legend(fontsize=8)
    fig.savefig(path, dpi=110, format="png")
    return path
