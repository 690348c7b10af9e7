"""The report's figures as vector SVG text (matplotlib, Agg backend, text kept as text), drawn by name.

:func:`hubreuse.report.figurebook.drawing` names a figure by its function here; the per-unit distributions live
in :mod:`hubreuse.report.distribution_figures` and the common setup (style, label escaping, count axes) in
:mod:`hubreuse.report.plotting`, both re-exported so every figure is found by name in this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.lines import Line2D

from hubreuse.report.displays import LOG, LOG1P, SCALE_NOTES, count_scale, means_scale
from hubreuse.report.distribution_figures import domain_count_shares, task_boxplots, task_count_bars
from hubreuse.report.palette import DOMAIN_COLOURS, DOMAIN_NAMES, LEVEL_STYLES
from hubreuse.report.plotting import (
    RC,
    WIDTH_IN,
    apply_count_scale,
    domain_handles,
    frame,
    legend_above,
    placeholder,
    safe_label,
    to_svg,
)
from hubreuse.report.trend_figures import trend_means, trend_population

__all__ = [
    "depth_bars", "domain_count_shares", "forest_plot", "lorenz_panels", "mean_ci_plot", "month_lines",
    "placeholder", "replication_scatter", "task_boxplots", "task_count_bars", "top_bar", "trend_means",
    "trend_population",
]  # fmt: skip


def mean_ci_plot(table: pd.DataFrame, name: str, xlabel: str) -> str:
    """Means with 95% bootstrap intervals per task (rows as in ``table``: task, domain, mean, ci_low, ci_high,
    first row on top), coloured by domain with a legend; the axis is
    :func:`~hubreuse.report.displays.means_scale`'s."""
    rows = table.reset_index(drop=True)
    k = len(rows)
    scale = means_scale(rows)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.85 + 0.17 * k))
        y = np.arange(k - 1, -1, -1)
        for domain, colour in DOMAIN_COLOURS.items():
            sel = (rows["domain"] == domain).to_numpy() & rows["mean"].notna().to_numpy()
            if not sel.any():
                continue
            m = rows.loc[sel, "mean"].to_numpy(dtype=float)
            err = np.vstack([m - rows.loc[sel, "ci_low"].to_numpy(dtype=float),
                             rows.loc[sel, "ci_high"].to_numpy(dtype=float) - m])  # fmt: skip
            ax.errorbar(m, y[sel], xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", color=colour, markersize=3,
                        elinewidth=1, capsize=1.5)  # fmt: skip
        labels = [safe_label(t, 60) for t in rows["task"]]
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, k - 0.3)
        frame(fig, labels, top_in=0.3)
        apply_count_scale(ax, scale)
        ax.set_xlabel(xlabel + SCALE_NOTES[scale])
        ax.grid(axis="x", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        for tick, domain in zip(ax.get_yticklabels(), rows["domain"], strict=True):
            tick.set_color(DOMAIN_COLOURS.get(domain, "#444"))
        legend_above(ax, domain_handles(list(rows["domain"]), kind="marker"))
    return to_svg(fig, name)


def forest_plot(rows: pd.DataFrame, name: str, xlabel: str) -> str:
    """Ratios (NLP / CV; with several domains one row per measure and pair) with 95% intervals (columns label,
    level, estimate, lo, hi), one row per label (in first-seen order) with a marker per level (``task``, ``unit``;
    legend), log axis, null line at 1."""
    estimate = rows["estimate"].to_numpy(dtype=float)
    rows = rows[np.isfinite(estimate) & (estimate > 0)].reset_index(drop=True)
    if rows.empty:
        return placeholder(name, "no estimable ratio")
    labels = list(pd.unique(rows["label"]))
    found = list(pd.unique(rows["level"]))
    levels = [lv for lv in LEVEL_STYLES if lv in found] + [lv for lv in found if lv not in LEVEL_STYLES]
    offsets = np.linspace(0.17, -0.17, len(levels)) if len(levels) > 1 else np.zeros(1)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.85 + 0.42 * len(labels)))
        row_y = {label: len(labels) - 1 - i for i, label in enumerate(labels)}
        bounds = [1.0]
        for level, offset in zip(levels, offsets, strict=True):
            sub = rows[rows["level"] == level]
            style = LEVEL_STYLES.get(str(level), {"marker": "D", "color": "#555", "label": safe_label(level)})
            est = sub["estimate"].to_numpy(dtype=float)
            lo = sub["lo"].to_numpy(dtype=float)
            hi = sub["hi"].to_numpy(dtype=float)
            ok = np.isfinite(lo) & np.isfinite(hi) & (lo > 0)
            err = np.where(ok, np.vstack([est - lo, hi - est]), 0.0)
            y = np.array([row_y[label] for label in sub["label"]]) + offset
            ax.errorbar(est, y, xerr=np.clip(err, 0, None), fmt=style["marker"], color=style["color"],
                        markersize=4, capsize=2, elinewidth=1, label=style["label"])  # fmt: skip
            for yi, e, a, b, good in zip(y, est, lo, hi, ok, strict=True):
                text = f"{e:.2f} [{a:.2f}, {b:.2f}]" if good else f"{e:.2f} [no interval]"
                ax.annotate(text, (b if good else e, yi), xytext=(4, 0), textcoords="offset points", va="center",
                            fontsize=6.5, color=style["color"])  # fmt: skip
            bounds += [*est, *lo[ok], *hi[ok]]
        ax.axvline(1.0, color="#999", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        ticks = [safe_label(v, 60) for v in labels]
        ax.set_yticks(list(row_y.values()), ticks)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        frame(fig, ticks, top_in=0.3)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="#ddd", linewidth=0.5, which="both")
        ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlim(min(bounds) / 1.3, max(bounds) * 2.6)
        legend_above(ax, ax.get_legend_handles_labels()[0])
    return to_svg(fig, name)


def top_bar(labels: Sequence[str], values: Sequence[float], name: str, xlabel: str,
            colours: Sequence[str] | None = None) -> str:  # fmt: skip
    """Horizontal bars for the most reused units (largest on top); when the colours are the domains', a legend
    names them."""
    if len(labels) == 0:
        return placeholder(name, "nothing to show: no unit has a positive count")
    by_colour = {colour: domain for domain, colour in DOMAIN_COLOURS.items() if domain != "all"}
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.75 + 0.2 * len(labels)))
        y = np.arange(len(labels) - 1, -1, -1)
        ax.barh(y, values, color=list(colours) if colours is not None else "#0072B2", alpha=0.8, height=0.65)
        ticks = [safe_label(lab, 56) for lab in labels]
        ax.set_yticks(y, ticks)
        frame(fig, ticks, top_in=0.3)
        ax.set_xlabel(xlabel)
        for yi, v in zip(y, values, strict=True):
            ax.annotate(
                f"{v:,.0f}", (v, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7
            )
        ax.set_xlim(0, max(values) * 1.12)
        if colours is not None and set(colours) <= set(by_colour):
            legend_above(ax, domain_handles([by_colour[c] for c in colours]))
    return to_svg(fig, name)


def replication_scatter(comparison: pd.DataFrame, name: str) -> str:
    """Published against reproduced means, one panel per research question, identity line dashed; both axes
    of a panel on the same :func:`~hubreuse.report.displays.count_scale`."""
    rqs = [rq for rq in ("rq1", "rq2", "rq3") if rq in set(comparison["rq"])]
    if not rqs:
        return placeholder(name, "no published value to compare")
    with matplotlib.rc_context(RC):
        fig, axes = plt.subplots(1, len(rqs), figsize=(WIDTH_IN, 2.5), squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.82, wspace=0.3)
        for ax, rq in zip(axes[0], rqs, strict=True):
            sub = comparison[(comparison["rq"] == rq)].dropna(subset=["published_mean", "reproduced_mean"])
            for domain in ("nlp", "cv"):
                s = sub[sub["domain"] == domain]
                ax.scatter(s["published_mean"], s["reproduced_mean"], s=10, color=DOMAIN_COLOURS[domain],
                           label=DOMAIN_NAMES[domain], alpha=0.8)  # fmt: skip
            both = pd.concat([sub["published_mean"], sub["reproduced_mean"]]).to_numpy(dtype=float)
            top = float(both.max()) if len(both) else 1.0
            heavy = bool(len(both) and top > 20 * max(float(np.median(both)), 0.05))
            scale = count_scale(float(both.min()) if len(both) else 0.0, heavy)
            low = 1.0 if scale == LOG else 0.0
            ax.plot([low, top * 1.05], [low, top * 1.05], color="#999", linestyle="--", linewidth=0.8)
            apply_count_scale(ax, scale, "x")
            apply_count_scale(ax, scale, "y")
            ax.set_title(rq.upper())
            ax.set_xlabel("published mean" + SCALE_NOTES[scale].replace(", so zeros show", ""))
        axes[0][0].set_ylabel("this run's mean")
        fig.legend(
            handles=domain_handles(["nlp", "cv"], kind="marker"), loc="upper right", ncol=2, frameon=False
        )
    return to_svg(fig, name)


def lorenz_panels(lorenz: pd.DataFrame, name: str, titles: Mapping[str, str]) -> str:
    """Lorenz curves, one panel per measure and one line per task (coloured by domain, legend above the
    panels); diagonal = equality."""
    measures = [m for m in titles if m in set(lorenz["measure"])]
    if not measures:
        return placeholder(name, "no Lorenz curve in this run")
    cols = 2 if len(measures) > 1 else 1
    nrows = (len(measures) + cols - 1) // cols
    with matplotlib.rc_context(RC):
        height = 2.9 * nrows + 0.3
        fig, axes = plt.subplots(nrows, cols, figsize=(WIDTH_IN, height), squeeze=False)
        # Fixed margins, not constrained layout: that draws the figure twice (see frame()).
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.45 / height, top=1 - 0.55 / height, wspace=0.35,
                            hspace=0.45)  # fmt: skip
        for ax in axes.flat[len(measures) :]:
            ax.axis("off")
        for ax, measure in zip(axes.flat, measures, strict=False):
            sub = lorenz[lorenz["measure"] == measure]
            for (_, domain), g in sub.groupby(["task", "domain"], sort=False):
                if len(g) > 120:  # the curve is piecewise linear; 120 evenly spaced points draw it faithfully
                    g = g.iloc[np.unique(np.linspace(0, len(g) - 1, 120).round().astype(int))]
                ax.plot(g["x"], g["y"], color=DOMAIN_COLOURS.get(domain, "#444"), linewidth=0.7, alpha=0.6)
            ax.plot([0, 1], [0, 1], color="#999", linestyle="--", linewidth=0.8)
            ax.set_title(titles[measure])
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_xlabel("share of units (ascending)")
            ax.set_ylabel("share of total")
            ax.set_aspect("equal")
        present = set(lorenz.loc[lorenz["measure"].isin(measures), "domain"]) | {"nlp", "cv"}
        handles = [Line2D([], [], color=DOMAIN_COLOURS[d], label=f"{DOMAIN_NAMES[d]} task")
                   for d in DOMAIN_COLOURS if d in present and d != "all"]  # fmt: skip
        fig.legend(handles=[*handles, Line2D([], [], color="#999", linestyle="--", label="equality")],
                   loc="upper right", ncol=min(len(handles) + 1, 4), frameon=False)  # fmt: skip
    return to_svg(fig, name)


def month_lines(months: pd.DataFrame, name: str) -> str:
    """Share of new models declaring datasets / base models by creation month (columns month, share_*), with
    the month's new models as grey bars on a second axis; one legend for all three."""
    months = months[months["month"] != "unknown"].sort_values("month")
    if months.empty:
        return placeholder(name, "no dated model in this run")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.4))
        x = pd.to_datetime(months["month"] + "-01", utc=True, errors="coerce")
        ax.plot(x, months["share_declaring_datasets"], color="#0072B2", label="declares datasets")
        ax.plot(x, months["share_declaring_base"], color="#D55E00", label="declares a base model")
        ax2 = ax.twinx()
        bars = ax2.bar(
            x, months["n_models"], width=20, color="#bbb", alpha=0.5, label="models created (right axis)"
        )
        ax2.set_ylabel("models created")
        ax2.spines["right"].set_visible(True)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of the month's new models")
        frame(fig, left_in=0.6, right_in=0.7, top_in=0.3)
        legend_above(ax, [*ax.get_legend_handles_labels()[0], bars])
    return to_svg(fig, name)


def depth_bars(depth: pd.DataFrame, name: str) -> str:
    """Nodes per lineage depth (0 = roots), collected models as narrower darker bars, "collected of all" printed
    above; the y axis is log(1 + count), since a depth may hold no collected model."""
    if depth.empty:
        return placeholder(name, "no lineage edge in this run")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.2))
        x = np.arange(len(depth))
        nodes, collected = depth["n_nodes"].to_numpy(dtype=float), depth["n_collected"].to_numpy(dtype=float)
        ax.bar(x, nodes, color="#bbb", label="all nodes")
        ax.bar(x, collected, color="#0072B2", alpha=0.8, width=0.5, label="collected models")
        for xi, n, c in zip(x, nodes, collected, strict=True):
            ax.annotate(f"{c:,.0f} of {n:,.0f}", (xi, max(n, c)), xytext=(0, 1), textcoords="offset points",
                        ha="center", va="bottom", fontsize=6)  # fmt: skip
        ax.set_xticks(x, [safe_label(d) for d in depth["depth"]])
        ax.set_xlabel("depth (edges from the nearest root)")
        ax.set_ylabel("nodes" + SCALE_NOTES[LOG1P].replace(", so zeros show", ""))
        frame(fig, left_in=0.6, top_in=0.3)
        apply_count_scale(ax, LOG1P, "y")
        ax.set_ylim(0, max(float(nodes.max()), 1.0) * 2.5)
        legend_above(ax, ax.get_legend_handles_labels()[0])
    return to_svg(fig, name)
