"""Figures of per-unit distributions: per task as box plots or stacked count-class bars, and per domain.

Which of the two per-task displays a measure gets, and its axis, is decided from the values by
:mod:`hubreuse.report.displays`, which the caption writer calls too; these functions draw that decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cbook, ticker, transforms
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from hubreuse.report.displays import SCALE_NOTES, bin_shares, count_bins, values_scale
from hubreuse.report.palette import DOMAIN_COLOURS, DOMAIN_NAMES, count_class_colours
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


def outlier_ticks(values: np.ndarray, position: float, colour: str, half_height: float = 0.2) -> PathPatch:
    """One path of short vertical ticks at ``values`` on row ``position``: a box plot's outliers.

    Why one path: as markers each outlier is its own SVG element, and the PDF renderer spends about a
    millisecond per element; a task's outliers as one path draw in one go and look the same at print size.
    """
    x = np.repeat(np.asarray(values, dtype=float), 2)
    y = np.tile([position - half_height, position + half_height], len(values))
    codes = np.tile([Path.MOVETO, Path.LINETO], len(values))
    return PathPatch(Path(np.column_stack([x, y]), codes), facecolor="none", edgecolor=colour, linewidth=0.6,
                     alpha=0.8)  # fmt: skip


def _task_rows(ax: plt.Axes, fig: plt.Figure, values: pd.DataFrame, order: Sequence[str],
               domains: Mapping[str, str], right_in: float = 0.15, top_in: float = 0.12) -> None:  # fmt: skip
    """Task labels (with n, coloured by domain) on rows top to bottom in ``order``, and the figure's margins."""
    counts = values.groupby("task", sort=False, observed=True).size()
    labels = [safe_label(f"{t} (n={int(counts.get(t, 0)):,})", 60) for t in order]
    ax.set_yticks(range(len(order) - 1, -1, -1), labels)
    frame(fig, labels, right_in=right_in, top_in=top_in)
    ax.set_ylim(-0.7, len(order) - 0.3)
    for tick, task in zip(ax.get_yticklabels(), order, strict=True):
        tick.set_color(DOMAIN_COLOURS.get(domains.get(task, ""), "#444"))


def _domain_brackets(ax: plt.Axes, order: Sequence[str], domains: Mapping[str, str]) -> None:
    """The domain of each run of consecutive rows, named beside the axes in its colour: the key to the task
    labels' colours where the bars' colours mean something else."""
    trans = transforms.blended_transform_factory(ax.transAxes, ax.transData)
    start = 0
    for i in range(1, len(order) + 1):
        if i < len(order) and domains.get(order[i]) == domains.get(order[start]):
            continue
        domain = domains.get(order[start], "")
        top, bottom = len(order) - 1 - start + 0.35, len(order) - i + 0.65
        colour = DOMAIN_COLOURS.get(domain, "#444")
        ax.plot([1.015, 1.015], [bottom, top], transform=trans, color=colour, linewidth=1.2, clip_on=False)
        ax.text(1.03, (top + bottom) / 2, DOMAIN_NAMES.get(domain, safe_label(domain)), transform=trans,
                rotation=-90, va="center", ha="left", color=colour, fontsize=7)  # fmt: skip
        start = i


def task_boxplots(values: pd.DataFrame, order: Sequence[str], domains: Mapping[str, str], name: str,
                  xlabel: str) -> str:  # fmt: skip
    """Horizontal boxplots, one per task (rows in ``order``), Tukey whiskers (1.5 IQR), boxes coloured by domain.

    Values beyond the whiskers are drawn as short ticks, one per distinct value (counts repeat a lot), see
    :func:`outlier_ticks`. The axis is :func:`~hubreuse.report.displays.values_scale`'s.
    """
    groups = {
        t: g.to_numpy(dtype=float) for t, g in values.groupby("task", sort=False, observed=True)["value"]
    }
    order = list(order)
    scale = values_scale(values)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.85 + 0.19 * len(order)))
        stats, positions, colours, fliers = [], [], [], []
        for i, task in enumerate(order):
            x = groups.get(task)
            if x is None or len(x) == 0:
                continue
            st = cbook.boxplot_stats(x, whis=1.5)[0]
            fliers.append(np.unique(st["fliers"]))
            stats.append(st)
            positions.append(len(order) - 1 - i)
            colours.append(DOMAIN_COLOURS.get(domains.get(task, ""), "#444"))
        if stats:
            art = ax.bxp(stats, positions=positions, orientation="horizontal", widths=0.6, patch_artist=True,
                         showfliers=False, medianprops={"color": "black", "linewidth": 1.0})  # fmt: skip
            for box, colour in zip(art["boxes"], colours, strict=True):
                box.set_facecolor(colour)
                box.set_alpha(0.55)
            for flier, position, colour in zip(fliers, positions, colours, strict=True):
                if len(flier):
                    ax.add_patch(outlier_ticks(flier, position, colour))
        _task_rows(ax, fig, values, order, domains, top_in=0.3)
        apply_count_scale(ax, scale)
        ax.set_xlabel(xlabel + SCALE_NOTES[scale])
        ax.grid(axis="x", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        legend_above(ax, domain_handles([domains.get(t, "") for t in order]))
    return to_svg(fig, name)


def task_count_bars(values: pd.DataFrame, order: Sequence[str], domains: Mapping[str, str], name: str,
                    xlabel: str, legend_title: str) -> str:  # fmt: skip
    """Per task (rows in ``order``), one bar stacked from the shares of its units in each count class
    (:func:`~hubreuse.report.displays.count_bins`), shares of 8% or more printed on the bar.

    For small discrete counts whose quartiles coincide: a box would be a line at 1, these bars show how many
    units have 2, 3-4... The domains are named beside the rows, since the bars' colours are the classes.
    """
    order = list(order)
    bins = count_bins(values["value"])
    shares = bin_shares(values, "task", bins).reindex(order)
    colours = count_class_colours(len(bins))
    y = np.arange(len(order) - 1, -1, -1)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.95 + 0.19 * len(order)))
        left = np.zeros(len(order))
        for b, (fill, ink) in zip(bins, colours, strict=True):
            share = shares[b.label].fillna(0.0).to_numpy()
            ax.barh(y, share, left=left, height=0.7, color=fill, label=b.label, linewidth=0)
            for yi, x0, s in zip(y, left, share, strict=True):
                if s >= 0.08:
                    ax.text(x0 + s / 2, yi, f"{s:.0%}", ha="center", va="center", fontsize=6, color=ink)
            left += share
        _task_rows(ax, fig, values, order, domains, right_in=0.4, top_in=0.42)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(xlabel)
        _domain_brackets(ax, order, domains)
        handles = [Patch(color=fill, label=b.label) for b, (fill, _ink) in zip(bins, colours, strict=True)]
        legend_above(ax, handles, title=legend_title)
    return to_svg(fig, name)


def domain_count_shares(values: pd.DataFrame, name: str, xlabel: str, unit: str = "models") -> str:
    """Share of units per count class, the domains side by side (NLP beside CV; in the taxonomy's order), from
    per-unit values (task, domain, unit_id, value).

    A unit listed under several tasks of a domain counts once in that domain (its value is the same in each),
    so a domain's shares describe its distinct units; classes as :func:`~hubreuse.report.displays.count_bins`.
    """
    known = [d for d in DOMAIN_COLOURS if d != "all"]
    distinct = values[values["domain"].isin(known)].drop_duplicates(["domain", "unit_id"])
    if distinct.empty:
        return placeholder(name, "no unit in either domain")
    bins = count_bins(distinct["value"])
    shares = bin_shares(distinct, "domain", bins)
    domains = [d for d in known if d in shares.index]
    x = np.arange(len(bins))
    width = 0.8 / len(domains)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.3))
        for k, domain in enumerate(domains):
            row = shares.loc[domain]
            pos = x - 0.4 + width * (k + 0.5)
            share = row[[b.label for b in bins]].to_numpy(dtype=float)
            ax.bar(pos, share, width=width * 0.92, color=DOMAIN_COLOURS[domain], alpha=0.85,
                   label=f"{DOMAIN_NAMES[domain]} (n = {int(row['n']):,} {unit})")  # fmt: skip
            for xi, s in zip(pos, share, strict=True):
                ax.text(xi, s, f"{s:.0%}", ha="center", va="bottom", fontsize=6)
        ax.set_xticks(x, [b.label for b in bins])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"share of the domain's {unit}")
        ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        top = float(shares[[b.label for b in bins]].to_numpy().max())
        ax.set_ylim(0, min(1.0, top * 1.15) if top > 0 else 1.0)
        ax.grid(axis="y", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        frame(fig, left_in=0.6, top_in=0.3)
        legend_above(ax, ax.get_legend_handles_labels()[0])
    return to_svg(fig, name)
