"""Which display and which axis show a distribution of counts honestly, decided from the data alone.

Why apart from :mod:`hubreuse.report.figures`: the report's own process writes each figure's caption before a
worker draws it, and the caption must say what is drawn; these pure functions (numpy and pandas, no matplotlib)
give the caption writer and the drawing function the same decision from the same values.

Counts here are per-unit values: datasets declared per model (RQ1, from 1), models declaring a dataset (RQ2,
zeros included), base models per model (RQ3, from 1), children per model (zeros included).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Lower edges of the count classes; the last class is open (10 and more).
COUNT_LADDER = (0, 1, 2, 3, 5, 10)
BOX, BARS = "task_boxplots", "task_count_bars"  # the figure functions of the two displays
LINEAR, LOG, LOG1P = "linear", "log", "log1p"


@dataclass(frozen=True)
class CountBin:
    """Counts ``lo`` <= value < ``next_lo`` (``next_lo`` None: no upper bound)."""

    lo: int
    next_lo: int | None

    @property
    def label(self) -> str:
        if self.next_lo is None:
            return f"{self.lo}+"
        hi = self.next_lo - 1
        return str(self.lo) if hi == self.lo else f"{self.lo}–{hi}"


def count_bins(values: Iterable[float]) -> list[CountBin]:
    """The classes of :data:`COUNT_LADDER` from the one holding the smallest value to the one holding the
    largest: no empty class at either end, so counts that start at 1 get no 0 class, and a closed last class
    ends at the largest value (counts up to 3 end with "3", not "3–4")."""
    v = np.asarray(list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=float)
    ladder = [CountBin(lo, nxt) for lo, nxt in zip(COUNT_LADDER, (*COUNT_LADDER[1:], None), strict=True)]
    if len(v) == 0:
        return []
    first = int(np.searchsorted(COUNT_LADDER, v.min(), side="right")) - 1
    last = int(np.searchsorted(COUNT_LADDER, v.max(), side="right")) - 1
    bins = ladder[max(first, 0) : last + 1]
    top = bins[-1]
    if top.next_lo is not None and v.max() < top.next_lo - 1:  # the last class ends at the largest value
        bins[-1] = CountBin(top.lo, int(np.floor(v.max())) + 1)
    return bins


def bin_shares(values: pd.DataFrame, by: str, bins: Sequence[CountBin]) -> pd.DataFrame:
    """Share of the rows of each ``by`` group in each class (columns: the bins' labels, rows summing to 1), and
    ``n``, the group's row count. Groups keep their first-seen order."""
    edges = np.array([b.lo for b in bins], dtype=float)
    codes = np.searchsorted(edges, values["value"].to_numpy(dtype=float), side="right") - 1
    pairs = pd.DataFrame({"group": values[by].to_numpy(), "bin": np.clip(codes, 0, None)})
    counts = (pairs.groupby(["group", "bin"], sort=False).size().unstack(fill_value=0)
              .reindex(index=pd.unique(pairs["group"]), columns=range(len(bins)), fill_value=0))  # fmt: skip
    n = counts.sum(axis=1)
    shares = counts.div(n.where(n > 0), axis=0).fillna(0.0)
    shares.columns = [b.label for b in bins]
    return shares.assign(n=n.astype(int))


def collapsed_tasks(values: pd.DataFrame) -> tuple[int, int]:
    """(tasks whose lower and upper quartiles coincide, tasks with at least one unit): a box there is a line."""
    quartiles = [
        np.percentile(g.to_numpy(dtype=float), [25, 75])
        for _, g in values.groupby("task", observed=True)["value"]
    ]
    return sum(bool(q1 == q3) for q1, q3 in quartiles), len(quartiles)


def distribution_display(values: pd.DataFrame) -> str:
    """The figure function for a measure's per-task distributions: box plots, or, when the quartiles coincide
    in a third of the tasks or more (small discrete counts: almost every model declares one base model),
    stacked bars of the share of units per count class, which show what a collapsed box hides.

    Why a third: a box plot is kept only when at least two thirds of its tasks get a visible box; below that,
    the figure would hide the distribution of too many tasks behind a single line."""
    collapsed, tasks = collapsed_tasks(values)
    return BARS if tasks and 3 * collapsed >= tasks else BOX


def is_heavy_tailed(values: np.ndarray) -> bool:
    """Whether a linear axis would squash the boxes: the maximum is far beyond the upper quartile."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return False
    q3 = np.percentile(x, 75)
    return bool(x.max() > 10 * max(q3, 1.0))


def count_scale(lowest: float, heavy: bool) -> str:
    """The axis for counts: linear unless heavy-tailed; then log when every value is at least 1 (the axis
    starts at 1), else log(1 + value), on which a zero sits at the axis origin instead of minus infinity."""
    if not heavy:
        return LINEAR
    return LOG if lowest >= 1 else LOG1P


def values_scale(values: pd.DataFrame) -> str:
    """:func:`count_scale` of a per-unit values frame (column ``value``)."""
    v = values["value"].to_numpy(dtype=float)
    return count_scale(float(v.min()) if len(v) else 0.0, is_heavy_tailed(v))


def means_scale(table: pd.DataFrame) -> str:
    """:func:`count_scale` of means with intervals (columns mean, ci_low, ci_high): heavy when the largest
    upper bound is over 20 times the median mean."""
    hi = float(table["ci_high"].max()) if len(table) else float("nan")
    typical = float(table["mean"].median()) if len(table) else float("nan")
    heavy = bool(np.isfinite(hi) and hi > 20 * max(typical if np.isfinite(typical) else 0.0, 0.05))
    low = table["ci_low"].min()
    return count_scale(float(low) if pd.notna(low) else 0.0, heavy)


SCALE_NOTES = {LINEAR: "", LOG: " (log scale)", LOG1P: " (log scale of 1 + value, so zeros show)"}


def distribution_caption(title: str, unit: str, values: pd.DataFrame) -> str:
    """The caption of :func:`distribution_display`'s figure for ``values``, saying what is drawn."""
    display = distribution_display(values)
    if display == BARS:
        collapsed, tasks = collapsed_tasks(values)
        labels = ", ".join(b.label for b in count_bins(values["value"]))
        return (f"{title}: share of each task's {unit}s with each value ({labels}); stacked bars rather than "
                f"box plots, since the lower and upper quartiles coincide (a box would be a single line) in "
                f"{collapsed} of {tasks} tasks. n = {unit}s of the task.")  # fmt: skip
    scale = values_scale(values)
    axis = {LINEAR: "", LOG: " Log axis from 1.", LOG1P: " Axis on a log scale of 1 + value, so zeros show."}
    return (f"{title}: distribution per task (box = quartiles, line = median, whiskers = 1.5 IQR, short vertical "
            f"ticks = values beyond the whiskers, each distinct value drawn once).{axis[scale]}")  # fmt: skip
