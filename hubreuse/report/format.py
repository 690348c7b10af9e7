"""How numbers and table rows look in the report: one place, so every table writes a value the same way.

Undefined values (None, NaN, NA) are an en dash everywhere; whole-number quantiles have no decimals; a table
becomes a list of dicts with missing values as None, which the template can test and print.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.stats.inference import format_pvalue

NOT_COMPUTED = "not computed in this run"


def is_missing(value: Any) -> bool:
    """None, NA, NaT or a NaN number."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(float(value))


def fmt_number(value: Any, digits: int = 4) -> str:
    """Numbers as a reader expects them in a table; undefined values as an en dash."""
    if is_missing(value):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        if math.isinf(float(value)):
            return "∞" if value > 0 else "−∞"
        return f"{float(value):,.{digits}f}"
    return str(value)


def fmt_stat(value: Any, digits: int = 2) -> str:
    """Quantiles and maxima: whole numbers without decimals, others with ``digits``."""
    if not is_missing(value) and isinstance(value, numbers.Real) and float(value).is_integer():
        return f"{int(value):,}"
    return fmt_number(value, digits)


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if is_missing(value) else f"{100.0 * float(value):.{digits}f}%"


def fmt_ci(lo: Any, hi: Any, digits: int = 3) -> str:
    if is_missing(lo) or is_missing(hi):
        return "–"
    return f"[{fmt_number(float(lo), digits)}, {fmt_number(float(hi), digits)}]"


def fmt_signed(value: Any, digits: int = 4) -> str:
    if is_missing(value):
        return "–"
    return ("+" if float(value) > 0 else "") + fmt_number(float(value), digits).replace("-", "−")


def p_text(p: float) -> str:
    """A p-value after "p" in a sentence: ``= 0.012`` or ``<2e-16``."""
    s = format_pvalue(p)
    return s if s.startswith("<") else f"= {s}"


# Jinja filters by name: ``{{ row.mean | num(3) }}``.
FILTERS = {"num": fmt_number, "stat": fmt_stat, "pct": fmt_pct, "ci": fmt_ci, "signed": fmt_signed,
           "pval": format_pvalue}  # fmt: skip


def rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with missing values turned into None, ready for the template."""
    if table is None:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")]
