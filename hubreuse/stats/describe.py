"""Descriptive statistics per group: the one implementation every table's n, mean, sd and quartiles come from.

The sample sd (ddof=1) and linear-interpolation quartiles are those of the paper's tables; every extended table
uses the same definitions so that its numbers compare with the paper-compatible ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SUMMARY = ("n", "mean", "sd", "median", "q1", "q3", "min", "max")


def describe(frame: pd.DataFrame, keys: str | list[str], value: str, statistics: Sequence[str] = SUMMARY,
             prefix: str = "", suffix: str = "") -> pd.DataFrame:  # fmt: skip
    """``statistics`` of ``value`` per group of ``keys`` (n, mean, sd, median, q1, q3, min, max, total), one row per
    group (index: the keys), columns named ``<prefix><statistic><suffix>``."""
    grouped = frame.groupby(keys, observed=True, sort=False)[value]
    compute = {
        "n": grouped.size,
        "mean": grouped.mean,
        "sd": lambda: grouped.std(ddof=1),
        "median": grouped.median,
        "q1": lambda: grouped.quantile(0.25),
        "q3": lambda: grouped.quantile(0.75),
        "min": grouped.min,
        "max": grouped.max,
        "total": grouped.sum,
    }
    return pd.DataFrame({f"{prefix}{name}{suffix}": compute[name]() for name in statistics})
