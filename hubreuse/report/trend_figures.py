"""The figures of "Change over time": per-task means of every snapshot with their intervals, and populations.

Snapshots are coloured from light (oldest) to dark (newest) on one ordered scale, never with a domain's colour;
the paper's published means are black crosses, drawn beside the computed ones and never joined to them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from hubreuse.report.displays import SCALE_NOTES, means_scale
from hubreuse.report.palette import DOMAIN_COLOURS, DOMAIN_NAMES
from hubreuse.report.plotting import (
    RC,
    WIDTH_IN,
    apply_count_scale,
    frame,
    legend_above,
    placeholder,
    safe_label,
    to_svg,
)

PUBLISHED_STYLE = {"marker": "x", "color": "#000000", "markersize": 4, "linestyle": "none"}


def snapshot_colours(n: int) -> list[str]:
    """``n`` colours from light to dark on viridis (without its palest yellow, which vanishes on white)."""
    cmap = matplotlib.colormaps["viridis"]
    return [matplotlib.colors.to_hex(cmap(0.85 - 0.85 * i / max(n - 1, 1))) for i in range(n)]


def trend_means(rows: pd.DataFrame, snapshots: Sequence[str], name: str, xlabel: str) -> str:
    """Per task (rows in first-seen order, top down), each snapshot's mean with its 95% interval, dodged around
    the task's line; ``origin`` published rows as black crosses. ``rows``: task, domain, snapshot, origin, mean,
    ci_low, ci_high; absent tasks have no row for that snapshot."""
    rows = rows[rows["mean"].notna()]
    if rows.empty:
        return placeholder(name, "no mean in any snapshot")
    tasks = list(dict.fromkeys(rows["task"]))
    k, s = len(tasks), len(snapshots)
    colours = dict(zip(snapshots, snapshot_colours(s), strict=True))
    position = {task: k - 1 - i for i, task in enumerate(tasks)}
    offsets = np.linspace(-0.3, 0.3, s + 1) if s else np.zeros(1)
    computed = rows[rows["origin"] == "computed"]
    scale = means_scale(computed.fillna({"ci_low": computed["mean"], "ci_high": computed["mean"]}))
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.9 + 0.2 * k * max(1.0, (s + 1) / 4)))
        for i, snap in enumerate(snapshots):
            sel = computed[computed["snapshot"] == snap]
            if sel.empty:
                continue
            y = sel["task"].map(position).to_numpy(dtype=float) + offsets[i]
            m = sel["mean"].to_numpy(dtype=float)
            err = np.vstack([m - sel["ci_low"].to_numpy(dtype=float), sel["ci_high"].to_numpy(dtype=float) - m])
            ax.errorbar(m, y, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o", color=colours[snap], markersize=3,
                        elinewidth=1, capsize=1.2)  # fmt: skip
        paper = rows[rows["origin"] == "published"]
        if len(paper):
            ax.plot(paper["mean"], paper["task"].map(position) + offsets[-1], **PUBLISHED_STYLE)
        labels = [safe_label(t, 60) for t in tasks]
        ax.set_yticks(range(k - 1, -1, -1), labels)
        ax.set_ylim(-0.7, k - 0.3)
        domain_of = dict(zip(rows["task"], rows["domain"], strict=False))
        for tick, task in zip(ax.get_yticklabels(), tasks, strict=True):
            tick.set_color(DOMAIN_COLOURS.get(domain_of.get(task), "#444"))
        frame(fig, labels, top_in=0.3)
        apply_count_scale(ax, scale)
        ax.set_xlabel(xlabel + SCALE_NOTES[scale])
        ax.grid(axis="x", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        handles = [Line2D([], [], marker="o", color=colours[snap], linestyle="none", markersize=3,
                          label=safe_label(snap, 24)) for snap in snapshots]  # fmt: skip
        if len(paper):
            handles.append(Line2D([], [], label="published (Feb 2025)", **PUBLISHED_STYLE))
        legend_above(ax, handles)
    return to_svg(fig, name)


def trend_population(rows: pd.DataFrame, name: str) -> str:
    """Two panels over the snapshots' dates: models per domain summed over its present tasks, and the share of
    those models that declare datasets and base models. ``rows``: snapshot, date, domain, models,
    models_declaring_datasets, models_declaring_base (one row per snapshot and domain)."""
    if rows.empty:
        return placeholder(name, "no task present in any snapshot")
    dates = pd.to_datetime(rows["date"])
    with matplotlib.rc_context(RC):
        fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH_IN, 2.6))
        for domain in dict.fromkeys(rows["domain"]):
            sel = (rows["domain"] == domain).to_numpy()
            left.plot(dates[sel], rows.loc[sel, "models"], marker="o", markersize=3, linewidth=1,
                      color=DOMAIN_COLOURS.get(domain, "#444"), label=DOMAIN_NAMES.get(domain, domain))  # fmt: skip
        total = rows.groupby("date", sort=True)[["models", "models_declaring_datasets", "models_declaring_base"]].sum()
        when = pd.to_datetime(total.index)
        for column, style, label in (("models_declaring_datasets", "-", "declare datasets"),
                                     ("models_declaring_base", "--", "declare base models")):  # fmt: skip
            share = total[column] / total["models"].where(total["models"] > 0)
            right.plot(when, 100 * share, linestyle=style, marker="o", markersize=3, linewidth=1, color="#444",
                       label=label)  # fmt: skip
        left.set_yscale("log")
        left.set_ylabel("Models (summed over tasks)")
        right.set_ylabel("% of those models")
        right.set_ylim(bottom=0)
        for ax in (left, right):
            ax.grid(axis="y", color="#ddd", linewidth=0.5)
            ax.set_axisbelow(True)
            ax.tick_params(axis="x", labelrotation=30)
            ax.legend(frameon=False, fontsize=7, loc="best")
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.22, top=0.95, wspace=0.3)
    return to_svg(fig, name)
