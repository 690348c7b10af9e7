"""The report's figures as vector SVG text (matplotlib, Agg backend, text kept as text).

Why SVG strings: the same markup is inlined in the HTML and rendered by weasyprint into PDF vector paths, so
figures stay sharp at any zoom and are searchable. Every label that may come from the Hub (dataset and model
ids) goes through :func:`safe_label`: control characters removed, mathtext ``$`` escaped, long ids shortened;
matplotlib escapes ``<``/``&`` when writing SVG, so an id can never become markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after selecting the backend
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import cbook  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from hubreuse.report.palette import DOMAIN_COLOURS, DOMAIN_NAMES  # noqa: E402

WIDTH_IN = 6.6  # A4 text width at the report's margins
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
RC = {
    "svg.fonttype": "none",  # text stays text: small files, selectable and searchable in the PDF
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.image_inline": True,
}


def safe_label(text: object, max_len: int = 42) -> str:
    """An untrusted id as a plot label: no control characters, ``$`` escaped (no mathtext), at most max_len."""
    s = _CONTROL.sub("", str(text))
    if len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return s.replace("\\", "\\\\").replace("$", r"\$")


def frame(fig: plt.Figure, labels: Sequence[str] = (), left_in: float = 0.45, right_in: float = 0.15,
          bottom_in: float = 0.42, top_in: float = 0.12) -> None:  # fmt: skip
    """Fixed margins sized for the longest y label (7 pt DejaVu Sans: about 0.056 in per character).

    Why not ``bbox_inches="tight"`` or constrained layout: both draw the figure twice, and figure drawing is
    most of the report's cost.
    """
    width, height = fig.get_size_inches()
    longest = max((len(str(label)) for label in labels), default=0)
    left = max(left_in, 0.056 * longest + 0.15)
    fig.subplots_adjust(left=min(left / width, 0.6), right=1 - right_in / width, bottom=bottom_in / height,
                        top=1 - top_in / height)  # fmt: skip


def to_svg(fig: plt.Figure, name: str) -> str:
    """Serialise ``fig`` to standalone SVG text and close it. ``name`` salts matplotlib's element ids, so
    several figures inlined in one HTML page never share an id."""
    buf = io.StringIO()
    with matplotlib.rc_context({**RC, "svg.hashsalt": f"hubreuse-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "hubreuse"})
    plt.close(fig)
    return buf.getvalue()


def placeholder(name: str, message: str) -> str:
    """A small figure that says why there is nothing to plot (an absent table, no data)."""
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.6))
        ax.axis("off")
        ax.text(0.5, 0.5, safe_label(message, 120), ha="center", va="center", color="#666")
        frame(fig, bottom_in=0.05, top_in=0.05)
    return to_svg(fig, name)


def is_heavy_tailed(values: np.ndarray) -> bool:
    """Whether a linear axis would squash the boxes: the maximum is far beyond the upper quartile."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return False
    q3 = np.percentile(x, 75)
    return bool(x.max() > 10 * max(q3, 1.0))


def _legend_domains(ax: plt.Axes, domains: Sequence[str], **kwargs) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=DOMAIN_COLOURS[d], label=DOMAIN_NAMES[d]) for d in ("nlp", "cv") if d in set(domains)]
    if handles:
        ax.legend(handles=handles, frameon=False, **kwargs)


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


def task_boxplots(values: pd.DataFrame, order: Sequence[str], domains: Mapping[str, str], name: str,
                  xlabel: str) -> str:  # fmt: skip
    """Horizontal boxplots, one per task (NLP first, then CV, as ordered), Tukey whiskers (1.5 IQR).

    Outliers are drawn as a rug, one short tick per distinct value (counts repeat a lot), see
    :func:`outlier_ticks`. A symmetric log
    axis (linear below 1, so zeros stay visible) is used when the distribution is heavy-tailed.
    """
    groups = {t: g.to_numpy(dtype=float) for t, g in values.groupby("task", sort=False)["value"]}
    order = list(order)
    heavy = is_heavy_tailed(values["value"].to_numpy(dtype=float))
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.75 + 0.19 * len(order)))
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
            for values, position, colour in zip(fliers, positions, colours, strict=True):
                if len(values):
                    ax.add_patch(outlier_ticks(values, position, colour))
        labels = [safe_label(f"{t} (n={len(groups.get(t, [])):,})", 60) for t in order]
        ax.set_yticks(range(len(order) - 1, -1, -1), labels)
        frame(fig, labels)
        ax.set_ylim(-0.7, len(order) - 0.3)
        if heavy:
            ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlim(left=-0.05)  # counts are never negative; keep zeros visible
            xlabel += " (symmetric log scale)"
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        for tick, task in zip(ax.get_yticklabels(), order, strict=True):
            tick.set_color(DOMAIN_COLOURS.get(domains.get(task, ""), "#444"))
        _legend_domains(ax, list(domains.values()), loc="lower right")
    return to_svg(fig, name)


def mean_ci_plot(table: pd.DataFrame, name: str, xlabel: str) -> str:
    """Means with 95% bootstrap intervals per task (rows as in ``table``: task, domain, mean, ci_low, ci_high)."""
    rows = table.reset_index(drop=True)
    k = len(rows)
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.75 + 0.17 * k))
        y = np.arange(k - 1, -1, -1)
        for domain, colour in DOMAIN_COLOURS.items():
            sel = (rows["domain"] == domain).to_numpy() & rows["mean"].notna().to_numpy()
            if not sel.any():
                continue
            m = rows.loc[sel, "mean"].to_numpy(dtype=float)
            err = np.vstack([m - rows.loc[sel, "ci_low"].to_numpy(dtype=float),
                             rows.loc[sel, "ci_high"].to_numpy(dtype=float) - m])  # fmt: skip
            ax.errorbar(m, y[sel], xerr=np.clip(err, 0, None), fmt="o", color=colour, markersize=3,
                        elinewidth=1, capsize=1.5, label=DOMAIN_NAMES[domain])  # fmt: skip
        labels = [safe_label(t, 60) for t in rows["task"]]
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, k - 0.3)
        frame(fig, labels)
        hi = rows["ci_high"].max()
        if np.isfinite(hi) and hi > 20 * max(float(rows["mean"].median()), 0.05):
            ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlim(left=-0.05)
            xlabel += " (symmetric log scale)"
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="#ddd", linewidth=0.5)
        ax.set_axisbelow(True)
        for tick, domain in zip(ax.get_yticklabels(), rows["domain"], strict=True):
            tick.set_color(DOMAIN_COLOURS.get(domain, "#444"))
        ax.legend(frameon=False, loc="lower right")
    return to_svg(fig, name)


def forest_plot(rows: pd.DataFrame, name: str, xlabel: str) -> str:
    """Rate ratios with 95% intervals (columns label, rr, lo, hi), log axis, reference line at 1."""
    rows = rows.dropna(subset=["rr"]).reset_index(drop=True)
    if rows.empty:
        return placeholder(name, "no estimable rate ratio")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.7 + 0.32 * len(rows)))
        y = np.arange(len(rows) - 1, -1, -1)
        err = np.vstack([rows["rr"] - rows["lo"], rows["hi"] - rows["rr"]])
        ax.errorbar(rows["rr"], y, xerr=np.clip(err, 0, None), fmt="s", color="#333", markersize=4, capsize=2)
        ax.axvline(1.0, color="#999", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        labels = [safe_label(v, 60) for v in rows["label"]]
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        frame(fig, labels)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="#ddd", linewidth=0.5, which="both")
        for yi, (rr, lo, hi) in zip(y, rows[["rr", "lo", "hi"]].to_numpy(), strict=True):
            ax.annotate(f"{rr:.2f} [{lo:.2f}, {hi:.2f}]", (hi, yi), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7)  # fmt: skip
        lo_all, hi_all = float(rows["lo"].min()), float(rows["hi"].max())
        ax.set_xlim(min(lo_all, 1.0) / 1.3, max(hi_all, 1.0) * 2.2)
    return to_svg(fig, name)


def top_bar(labels: Sequence[str], values: Sequence[float], name: str, xlabel: str,
            colours: Sequence[str] | None = None) -> str:  # fmt: skip
    """Horizontal bars for the most reused units (largest on top)."""
    if len(labels) == 0:
        return placeholder(name, "nothing to show: no unit has a positive count")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.6 + 0.2 * len(labels)))
        y = np.arange(len(labels) - 1, -1, -1)
        ax.barh(y, values, color=list(colours) if colours is not None else "#0072B2", alpha=0.8, height=0.65)
        ticks = [safe_label(lab, 56) for lab in labels]
        ax.set_yticks(y, ticks)
        frame(fig, ticks)
        ax.set_xlabel(xlabel)
        for yi, v in zip(y, values, strict=True):
            ax.annotate(f"{v:,.0f}", (v, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
        ax.set_xlim(0, max(values) * 1.12)
    return to_svg(fig, name)


def replication_scatter(comparison: pd.DataFrame, name: str) -> str:
    """Published against reproduced means, one panel per research question, identity line dashed."""
    rqs = [rq for rq in ("rq1", "rq2", "rq3") if rq in set(comparison["rq"])]
    if not rqs:
        return placeholder(name, "no published value to compare")
    with matplotlib.rc_context(RC):
        fig, axes = plt.subplots(1, len(rqs), layout="constrained", figsize=(WIDTH_IN, 2.4), squeeze=False)
        for ax, rq in zip(axes[0], rqs, strict=True):
            sub = comparison[(comparison["rq"] == rq)].dropna(subset=["published_mean", "reproduced_mean"])
            for domain in ("nlp", "cv"):
                s = sub[sub["domain"] == domain]
                ax.scatter(s["published_mean"], s["reproduced_mean"], s=10, color=DOMAIN_COLOURS[domain],
                           label=DOMAIN_NAMES[domain], alpha=0.8)  # fmt: skip
            both = pd.concat([sub["published_mean"], sub["reproduced_mean"]])
            top = float(both.max()) if len(both) else 1.0
            ax.plot([0, top * 1.05], [0, top * 1.05], color="#999", linestyle="--", linewidth=0.8)
            if len(both) and top > 20 * max(float(both.median()), 0.05):
                ax.set_xscale("symlog", linthresh=1.0)
                ax.set_yscale("symlog", linthresh=1.0)
            ax.set_title(rq.upper())
            ax.set_xlabel("published mean")
        axes[0][0].set_ylabel("this run's mean")
        axes[0][0].legend(frameon=False, loc="upper left")
    return to_svg(fig, name)


def lorenz_panels(lorenz: pd.DataFrame, name: str, titles: Mapping[str, str]) -> str:
    """Lorenz curves, one panel per measure and one line per task (coloured by domain); diagonal = equality."""
    measures = [m for m in titles if m in set(lorenz["measure"])]
    if not measures:
        return placeholder(name, "no Lorenz curve in this run")
    cols = 2 if len(measures) > 1 else 1
    nrows = (len(measures) + cols - 1) // cols
    with matplotlib.rc_context(RC):
        fig, axes = plt.subplots(nrows, cols, layout="constrained", figsize=(WIDTH_IN, 2.7 * nrows), squeeze=False)
        for ax in axes.flat[len(measures):]:
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
        _legend_domains(axes.flat[0], ["nlp", "cv"], loc="upper left")
    return to_svg(fig, name)


def month_lines(months: pd.DataFrame, name: str) -> str:
    """Share of new models declaring datasets / base models by creation month (columns month, share_*)."""
    months = months[months["month"] != "unknown"].sort_values("month")
    if months.empty:
        return placeholder(name, "no dated model in this run")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.3))
        x = pd.to_datetime(months["month"] + "-01", utc=True, errors="coerce")
        ax.plot(x, months["share_declaring_datasets"], color="#0072B2", label="declares datasets")
        ax.plot(x, months["share_declaring_base"], color="#D55E00", label="declares a base model")
        ax2 = ax.twinx()
        ax2.bar(x, months["n_models"], width=20, color="#bbb", alpha=0.5, label="models created")
        ax2.set_ylabel("models created")
        ax2.spines["right"].set_visible(True)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of the month's new models")
        frame(fig, left_in=0.6, right_in=0.7)
        ax.legend(frameon=False, loc="upper left")
    return to_svg(fig, name)


def depth_bars(depth: pd.DataFrame, name: str) -> str:
    """Nodes per lineage depth (0 = roots), collected ones darker."""
    if depth.empty:
        return placeholder(name, "no lineage edge in this run")
    with matplotlib.rc_context(RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.0))
        x = np.arange(len(depth))
        ax.bar(x, depth["n_nodes"], color="#bbb", label="all nodes")
        ax.bar(x, depth["n_collected"], color="#0072B2", alpha=0.8, width=0.5, label="collected models")
        ax.set_xticks(x, [safe_label(d) for d in depth["depth"]])
        ax.set_xlabel("depth (edges from the nearest root)")
        ax.set_ylabel("nodes")
        frame(fig, left_in=0.6)
        ax.set_yscale("log")
        ax.legend(frameon=False)
    return to_svg(fig, name)
