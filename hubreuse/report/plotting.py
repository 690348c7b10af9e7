"""The figures' common matplotlib setup: style, margins, SVG output, label escaping and axes for counts.

Why SVG strings: the same markup is inlined in the HTML and rendered by weasyprint into PDF vector paths, so
figures stay sharp at any zoom and are searchable. Every label that may come from the Hub (dataset and model
ids) goes through :func:`safe_label`: control characters removed, mathtext ``$`` escaped, long ids shortened;
matplotlib escapes ``<``/``&`` when writing SVG, so an id can never become markup.

Axes of counts: linear from 0, or, when heavy-tailed, a log axis that starts at 1 for counts that start at 1 and
a log scale of 1 + value for counts with zeros (:func:`apply_count_scale`; the choice is
:mod:`hubreuse.report.displays`'s). Wherever colour stands for the domain, a legend or a label says so
(:func:`domain_handles`, :func:`legend_above`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after selecting the backend
import numpy as np  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from hubreuse.report.displays import LOG, LOG1P  # noqa: E402
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
# Tick positions of a log(1 + value) axis: zero, then 1-2-5 steps (or powers of ten over many decades).
_STEPS_125 = [m * 10.0**e for e in range(0, 8) for m in (1, 2, 5)]


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


def _log1p(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.log10(1.0 + np.abs(x))  # odd, so monotonic over the axis' padding below 0 too


def _expm1(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return np.sign(y) * (10.0 ** np.abs(y) - 1.0)


_PLAIN = ticker.FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 or v == 0 else f"{v:g}")


def apply_count_scale(ax: plt.Axes, scale: str, axis: str = "x") -> None:
    """Set a count axis to ``scale`` (:mod:`hubreuse.report.displays`), after the data are drawn: log from 1,
    or log(1 + value) from 0, ticks labelled by the value itself (1-2-5 steps over up to three decades, powers
    of ten beyond); linear axes are left as drawn. The axis line is set off by 3 pt, so a box or bar ending at
    the axis' lower limit (a count of 1 on a log axis, 0 on log(1 + value)) stays visible."""
    set_scale, set_lim, target = ((ax.set_xscale, ax.set_xlim, ax.xaxis) if axis == "x"
                                  else (ax.set_yscale, ax.set_ylim, ax.yaxis))  # fmt: skip
    top = float(ax.dataLim.x1 if axis == "x" else ax.dataLim.y1)
    few_decades = not np.isfinite(top) or top < 1000
    if scale == LOG:
        set_scale("log")
        set_lim(1.0, None)
        target.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0) if few_decades else (1.0,)))
        target.set_major_formatter(_PLAIN)
        target.set_minor_formatter(ticker.NullFormatter())
    elif scale == LOG1P:
        set_scale("function", functions=(_log1p, _expm1))
        set_lim(0.0, None)
        steps = _STEPS_125 if few_decades else [10.0**e for e in range(0, 8)]
        target.set_major_locator(ticker.FixedLocator([0.0, *steps]))
        target.set_major_formatter(_PLAIN)
    else:
        return
    ax.spines["left" if axis == "x" else "bottom"].set_position(("outward", 3))


def legend_above(ax: plt.Axes, handles: Sequence[object], title: str | None = None) -> None:
    """A one-row legend just above the axes, right-aligned: it never covers data."""
    if handles:
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(handles), frameon=False,
                  borderaxespad=0.2, title=title, title_fontsize=7, columnspacing=1.2, handlelength=1.4)  # fmt: skip


def domain_handles(domains: Sequence[str], kind: str = "patch") -> list[object]:
    """Legend entries for the domains present (in the taxonomy's order: NLP first), as colour patches or markers."""
    present = set(domains)
    out: list[object] = []
    for d in (d for d in DOMAIN_COLOURS if d != "all"):
        if d in present:
            if kind == "patch":
                out.append(Patch(color=DOMAIN_COLOURS[d], label=DOMAIN_NAMES[d], alpha=0.8))
            else:
                out.append(
                    Line2D([], [], color=DOMAIN_COLOURS[d], marker="o", markersize=3, label=DOMAIN_NAMES[d])
                )
    return out
