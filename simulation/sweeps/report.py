"""What a finished sweep says: a summary table, a heatmap, contrasts with a reference point, per-step
fans, and sensitivity indices (Sobol, Morris).

The summary is computed from the final step of every run. The 95% interval is a Student-t interval
for the mean over replicates (mean +- t(0.975, n-1) * sd / sqrt(n)); with one replicate there is no
interval. Contrasts pair each run with the run of the same replicate at the reference point (with
common random numbers both saw the same shocks) and give the same t-interval for the mean paired
difference, plus the share of replicates in which the point did better. Sobol and Morris indices are
computed on each point's mean over replicates; the Sobol diagnostics say how much of the metric's
variance is replicate noise and how far the indices still move between N/2 and N base samples.

Pictures are drawn with Matplotlib's object API on an Agg canvas (no pyplot, no display, no global
backend change), so this works on a server and inside the app.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ("n", "mean", "std", "ci_low", "ci_high")
CONTRAST_COLUMNS = ("reference_point", "metric", "unit", "n_pairs", "mean_difference", "sd_difference",
                    "ci_low", "ci_high", "share_better")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SOBOL_CONVERGED = 0.05   # indices that move less than this from N/2 to N base samples are called settled


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Student-t 95% interval for a mean of n values (NaN where n < 2). The quantile comes from
    ``scipy.special.stdtrit``, the function behind ``scipy.stats.t.ppf``: the same numbers without
    importing all of scipy.stats (about 0.6 s at the end of every sweep)."""
    from scipy.special import stdtrit

    n = np.asarray(n, dtype=float)
    t = np.where(n > 1, stdtrit(np.maximum(n - 1, 1), 0.975), np.nan)
    half = t * np.asarray(sd, dtype=float) / np.sqrt(n)
    return mean - half, mean + half


def summarise(runs: pd.DataFrame, parameters: list[str], metrics: list[str], last_step: int,
              units: dict | None = None) -> pd.DataFrame:
    """Per point and metric: its unit, replicates counted, mean, standard deviation and 95% t-interval."""
    columns = ["point", *parameters, "metric", "unit", *SUMMARY_COLUMNS]
    final = runs[runs["step"] == last_step] if len(runs) else runs
    if not len(final):
        return pd.DataFrame(columns=columns)
    long = final.melt(id_vars=["point"], value_vars=metrics, var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(["point", "metric"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", std="std").reset_index()
    table["ci_low"], table["ci_high"] = t_interval(table["mean"].to_numpy(), table["std"].to_numpy(),
                                                   table["n"].to_numpy())
    values = final.groupby("point", sort=True)[parameters].first().reset_index()
    table = table.merge(values, on="point")
    table["metric"] = pd.Categorical(table["metric"], categories=metrics, ordered=True)
    table = table.sort_values(["point", "metric"]).reset_index(drop=True)
    table["metric"] = table["metric"].astype(str)
    table["unit"] = table["metric"].map(units or {}).fillna("")
    return table[columns]


def contrasts(runs: pd.DataFrame, parameters: list[str], metrics: list[str], last_step: int,
              reference: pd.Series, better: dict, units: dict | None = None) -> pd.DataFrame:
    """Per point (other than a reference point) and metric: the mean over replicates of (the point's
    value - its reference point's value in the same replicate), a paired 95% t-interval, and the share
    of replicates in which the point did better (higher, or lower for metrics marked better = "lower")."""
    columns = ["point", *parameters, *CONTRAST_COLUMNS]
    final = runs[runs["step"] == last_step] if len(runs) else runs
    if not len(final) or reference.empty:
        return pd.DataFrame(columns=columns)
    values = final.groupby("point", sort=True)[parameters].first()
    rows = []
    for metric in metrics:
        wide = final.pivot_table(index="replicate", columns="point", values=metric, aggfunc="first")
        sign = -1.0 if better.get(metric) == "lower" else 1.0
        for point, ref in reference.items():
            if point == ref or point not in wide or ref not in wide:
                continue
            difference = (wide[point] - wide[ref]).dropna().to_numpy()
            if not len(difference):
                continue
            rows.append({"point": point, "reference_point": int(ref), "metric": metric,
                         "unit": (units or {}).get(metric, ""), "n_pairs": len(difference),
                         "mean_difference": difference.mean(),
                         "sd_difference": difference.std(ddof=1) if len(difference) > 1 else np.nan,
                         "share_better": float(np.mean(sign * difference > 0))})
    table = pd.DataFrame(rows, columns=["point", *CONTRAST_COLUMNS])
    if not len(table):
        return pd.DataFrame(columns=columns)
    table["ci_low"], table["ci_high"] = t_interval(table["mean_difference"].to_numpy(),
                                                   table["sd_difference"].to_numpy(), table["n_pairs"].to_numpy())
    table = table.merge(values.reset_index(), on="point")
    return table[columns]


def per_step(runs: pd.DataFrame, parameters: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per point, step and per-step metric: runs counted, mean and the 5/25/50/75/95% quantiles over
    replicates (the numbers behind fan.png)."""
    names = [f"p{round(q * 100):02d}" for q in QUANTILES]
    columns = ["point", *parameters, "metric", "step", "n", "mean", *names]
    if not metrics or not len(runs):
        return pd.DataFrame(columns=columns)
    long = runs.melt(id_vars=["point", "step"], value_vars=metrics, var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(["point", "metric", "step"], sort=True)["value"]
    table = grouped.agg(n="count", mean="mean").reset_index()
    quantiles = grouped.quantile(list(QUANTILES)).unstack()
    quantiles.columns = names
    table = table.merge(quantiles.reset_index(), on=["point", "metric", "step"])
    values = runs.groupby("point", sort=True)[parameters].first().reset_index()
    return table.merge(values, on="point")[columns]


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
    ax.set_xticks(range(table.shape[1]), [label(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [label(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if table.size <= 150:
        # Each label sits inside its own cell, so the layout need not measure it (a short single line at
        # 7 pt fits the smallest cell this allows): that is a tenth of the sweep's report time saved.
        middle = np.nanmean(table.to_numpy())
        for (i, j), value in np.ndenumerate(table.to_numpy()):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=7,
                        color="black" if value > middle else "white", in_layout=False)


def label(value) -> str:
    """A parameter value as an axis label: numbers short, names as they are."""
    return f"{value:g}" if isinstance(value, (int, float, np.integer, np.floating)) else str(value)


def contrast_heatmap(table: pd.DataFrame, parameters: list[str], metric: str, reference: dict,
                     path: Path) -> Path | None:
    """Each point's mean paired difference from its reference point, with its 95% interval and the
    share of replicates in which it did better; cells whose interval excludes 0 are outlined."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    data = table[table["metric"] == metric]
    if not len(data):
        return None
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.add_subplot()
    axes = [p for p in parameters if p not in reference][:2] or parameters[:1]
    where = ", ".join(f"{k} = {label(v)}" for k, v in reference.items())
    if len(axes) == 1:
        data = data.groupby(axes[0], sort=True)[["mean_difference", "ci_low", "ci_high"]].mean().reset_index()
        x = np.arange(len(data))
        ax.errorbar(x, data["mean_difference"], yerr=[data["mean_difference"] - data["ci_low"],
                                                      data["ci_high"] - data["mean_difference"]], fmt="o", capsize=4)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xticks(x, [label(v) for v in data[axes[0]]])
        ax.set_xlabel(axes[0])
        ax.set_ylabel(f"difference in {metric}")
    else:
        x, y = axes
        grid = data.groupby([y, x], sort=True)[["mean_difference", "ci_low", "ci_high", "share_better"]].mean()
        means = grid["mean_difference"].unstack(x).sort_index(ascending=False)
        limit = np.nanmax(np.abs(means.to_numpy())) or 1.0
        image = ax.imshow(means.to_numpy(), cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        fig.colorbar(image, ax=ax, label=f"difference in {metric}")
        ax.set_xticks(range(means.shape[1]), [label(v) for v in means.columns])
        ax.set_yticks(range(means.shape[0]), [label(v) for v in means.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        for i, y_value in enumerate(means.index):
            for j, x_value in enumerate(means.columns):
                if (y_value, x_value) not in grid.index:
                    continue
                cell = grid.loc[(y_value, x_value)]
                ax.text(j, i, f"{cell.mean_difference:+.3g}\n[{cell.ci_low:+.2g}, {cell.ci_high:+.2g}]\n"
                              f"{cell.share_better:.0%} better", ha="center", va="center", fontsize=6.5)
                if cell.ci_low > 0 or cell.ci_high < 0:
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.5, color="black"))
    ax.set_title(f"{metric}: difference from the reference ({where}), same seeds;\nmean, paired 95% interval, "
                 "share of replicates better (outlined: interval excludes 0)", fontsize=9)
    fig.savefig(path, dpi=110, format="png")
    return path


def fan_chart(table: pd.DataFrame, parameters: list[str], path: Path, max_points: int = 4) -> Path | None:
    """Per-step metrics over time: median and 50%/90% bands over replicates, for a few points."""
    from matplotlib.figure import Figure

    metrics = list(dict.fromkeys(table["metric"]))
    if not metrics:
        return None
    points = sorted(table["point"].unique())
    chosen = [points[i] for i in np.unique(np.linspace(0, len(points) - 1, min(max_points, len(points))).round().astype(int))]
    fig = Figure(figsize=(6 * min(2, len(metrics)), 3.6 * -(-len(metrics) // 2)), layout="constrained")
    for k, metric in enumerate(metrics):
        ax = fig.add_subplot(-(-len(metrics) // 2), min(2, len(metrics)), k + 1)
        for point in chosen:
            part = table[(table["metric"] == metric) & (table["point"] == point)].sort_values("step")
            name = ", ".join(f"{p}={label(part[p].iloc[0])}" for p in parameters)
            line = ax.plot(part["step"], part["p50"], label=name)[0]
            ax.fill_between(part["step"], part["p05"], part["p95"], color=line.get_color(), alpha=0.12)
            ax.fill_between(part["step"], part["p25"], part["p75"], color=line.get_color(), alpha=0.25)
        ax.set_title(f"{metric}: median, 50% and 90% of replicates", fontsize=9)
        ax.set_xlabel("step (month)")
        ax.legend(fontsize=7)
    fig.savefig(path, dpi=110, format="png")
    return path


def sobol_indices(problem: dict, summary: pd.DataFrame, metrics: list[str], points: int,
                  seed: int) -> tuple[pd.DataFrame, list[str]]:
    """First- and total-order Sobol indices with 95% bootstrap half-widths, per metric and parameter,
    from the first N/4, N/2 and all N base samples (``base_samples``), so that a reader can see whether
    they have settled; ``outside_0_1`` flags an index (or interval) outside [0, 1], a sign of too few
    samples or of noise.

    A metric with a point that has no finished run cannot be analysed (the design needs every point);
    it is left out and named in the second return value.
    """
    from SALib.analyze import sobol

    rows, skipped = [], []
    block = problem["num_vars"] + 2
    total = points // block
    sizes = sorted({max(1, total // 4), max(1, total // 2), total})
    for metric in metrics:
        means = summary[summary["metric"] == metric].set_index("point")["mean"]
        y = means.reindex(range(points)).to_numpy(dtype=float)
        if not np.isfinite(y).all():
            skipped.append(metric)
            continue
        for size in sizes:
            result = sobol.analyze(problem, y[:size * block], calc_second_order=False, seed=seed % 2**32)
            for i, name in enumerate(problem["names"]):
                row = {"metric": metric, "parameter": name, "base_samples": size,
                       "S1": result["S1"][i], "S1_conf": result["S1_conf"][i],
                       "ST": result["ST"][i], "ST_conf": result["ST_conf"][i]}
                row["outside_0_1"] = bool(any(not 0 <= v <= 1 for v in (row["S1"], row["ST"])))
                rows.append(row)
    columns = ["metric", "parameter", "base_samples", "S1", "S1_conf", "ST", "ST_conf", "outside_0_1"]
    return pd.DataFrame(rows, columns=columns), skipped


def sobol_diagnostics(indices: pd.DataFrame, runs: pd.DataFrame, metrics: list[str], last_step: int,
                      seeds: str = "independent") -> pd.DataFrame:
    """Per metric: the share of its run-to-run variance that is replicate noise (mean within-point
    variance / total variance, both over n: a share from 0 to 1; needs 2+ replicates), how far S1 and
    ST moved from N/2 to N base samples, how many indices fall outside [0, 1], and a one-line verdict.

    The noise share is a warning only with independent seeds: there each point's mean carries its own
    luck, which the indices count as sensitivity. With common seeds every point saw the same shocks,
    so noise shifts all points alike and does not bias the indices (they then describe the average
    over the sweep's replicates)."""
    final = runs[runs["step"] == last_step]
    rows = []
    for metric in metrics:
        part = indices[indices["metric"] == metric]
        if not len(part):
            continue
        sizes = sorted(part["base_samples"].unique())
        full = part[part["base_samples"] == sizes[-1]].set_index("parameter")
        half = part[part["base_samples"] == sizes[-2]].set_index("parameter") if len(sizes) > 1 else full
        moved = float(np.nanmax(np.abs(np.r_[full["S1"] - half["S1"], full["ST"] - half["ST"]])))
        values = final[["point", metric]].dropna()
        within = values.groupby("point")[metric].var(ddof=0).mean()   # law of total variance: the
        total = values[metric].var(ddof=0)                              # within-point part of the total
        replicated = values.groupby("point")[metric].count().max() > 1
        noise = float(within / total) if replicated and total > 0 and np.isfinite(within) else np.nan
        outside = int(full["outside_0_1"].sum())
        verdict = []
        if moved > SOBOL_CONVERGED:
            verdict.append(f"not settled: indices moved up to {moved:.2f} from N/2 to N; use more samples")
        if outside:
            verdict.append(f"{outside} indices outside [0, 1]")
        if np.isfinite(noise) and noise > 0.2 and seeds == "independent":
            verdict.append(f"{noise:.0%} of the variance is replicate noise, which independent seeds turn into "
                           "sensitivity of every parameter: use seeds = \"common\"")
        if not np.isfinite(noise):
            verdict.append("replicate noise unknown (one replicate)")
        rows.append({"metric": metric, "base_samples": int(sizes[-1]), "noise_share": noise,
                     "max_change_half_to_full": moved, "indices_outside_0_1": outside,
                     "verdict": "; ".join(verdict) or "settled"})
    return pd.DataFrame(rows, columns=["metric", "base_samples", "noise_share", "max_change_half_to_full",
                                       "indices_outside_0_1", "verdict"])


def morris_indices(problem: dict, design: pd.DataFrame, summary: pd.DataFrame, metrics: list[str],
                   levels: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Morris elementary effects per metric and parameter: mu, mu_star (mean absolute effect: the
    screening measure), sigma (spread: interactions or non-linearity) and mu_star's 95% interval."""
    from SALib.analyze import morris

    rows, skipped = [], []
    x = design[problem["names"]].to_numpy(dtype=float)
    for metric in metrics:
        y = summary[summary["metric"] == metric].set_index("point")["mean"].reindex(design.index).to_numpy(float)
        if not np.isfinite(y).all():
            skipped.append(metric)
            continue
        result = morris.analyze(problem, x, y, num_levels=levels, seed=seed % 2**32)
        for i, name in enumerate(problem["names"]):
            rows.append({"metric": metric, "parameter": name, "mu": result["mu"][i], "mu_star": result["mu_star"][i],
                         "sigma": result["sigma"][i], "mu_star_conf": result["mu_star_conf"][i]})
    return pd.DataFrame(rows, columns=["metric", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"]), skipped


def morris_chart(indices: pd.DataFrame, path: Path) -> Path | None:
    """mu_star against sigma, one panel per metric: far right = influential, high = interacting."""
    from matplotlib.figure import Figure

    metrics = list(dict.fromkeys(indices["metric"]))
    if not metrics:
        return None
    cols = min(3, len(metrics))
    fig = Figure(figsize=(4.5 * cols, 3.6 * -(-len(metrics) // cols)), layout="constrained")
    for k, metric in enumerate(metrics):
        ax = fig.add_subplot(-(-len(metrics) // cols), cols, k + 1)
        part = indices[indices["metric"] == metric]
        ax.errorbar(part["mu_star"], part["sigma"], xerr=part["mu_star_conf"], fmt="o", capsize=3)
        for row in part.itertuples():
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("mu* (mean absolute effect)")
        ax.set_ylabel("sigma")
        ax.set_title(metric, fontsize=10)
    fig.savefig(path, dpi=110, format="png")
    return path


def sobol_chart(indices: pd.DataFrame, path: Path) -> Path | None:
    """Bars of first-order (S1) and total-order (ST) indices with their intervals, one panel per metric."""
    from matplotlib.figure import Figure

    if "base_samples" in indices:
        indices = indices[indices["base_samples"] == indices["base_samples"].max()]
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


def prim_chart(trajectory: pd.DataFrame, path: Path) -> Path | None:
    """PRIM's peeling trajectory: density against coverage, one dot per box, numbered by step."""
    from matplotlib.figure import Figure

    if len(trajectory) < 2:
        return None
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(trajectory["coverage"], trajectory["density"], marker="o", lw=1)
    for row in trajectory.itertuples():
        ax.annotate(str(row.step), (row.coverage, row.density), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's cases of interest)")
    ax.set_title("PRIM peeling trajectory (prim.csv has each box's ranges)", fontsize=9)
    fig.savefig(path, dpi=110, format="png")
    return path
