"""How numbers and table rows look in the report: one place, so every table writes a value the same way.

Undefined values (None, NaN, NA) are an en dash everywhere; whole-number quantiles have no decimals; a table
becomes a list of dicts with missing values as None, which the template can test and print.
"""

from __future__ import annotations

import math
import numbers
import string
from collections.abc import Iterable
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


def fmt_p(value: Any) -> str:
    """A p-value in a narrow table cell: three decimals, ``<0.001`` below that, an en dash when there is none.

    Why not R's format (:func:`format_pvalue`, ``1.23e-05``): a column of many p-values stays narrow, and the
    exact values are in the table the report reads."""
    if is_missing(value):
        return "–"
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def fmt_signed(value: Any, digits: int = 4) -> str:
    if is_missing(value):
        return "–"
    return ("+" if float(value) > 0 else "") + fmt_number(float(value), digits).replace("-", "−")


def p_text(p: float) -> str:
    """A p-value after "p" in a sentence: ``= 0.012`` or ``<2e-16``."""
    s = format_pvalue(p)
    return s if s.startswith("<") else f"= {s}"


# Jinja filters by name: ``{{ row.mean | num(3) }}``.
FILTERS = {"num": fmt_number, "stat": fmt_stat, "pct": fmt_pct, "ci": fmt_ci,
           "signed": fmt_signed, "pval": format_pvalue, "p": fmt_p}  # fmt: skip


def footnote_mark(index: int) -> str:
    """The mark of the ``index``-th footnote (0-based): a..z, then aa..zz, and so on."""
    return string.ascii_lowercase[index % 26] * (1 + index // 26)


def footnotes(notes: Iterable[str | None]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Distinct notes in order of first appearance, each with a letter: (note -> mark, [{mark, text}]).

    Why: a note that applies to many rows is printed once under the table and each row carries only its mark,
    so a note column does not repeat a sentence (and widen the table) row after row. Empty notes get no mark.
    """
    marks: dict[str, str] = {}
    for note in notes:
        if note and note not in marks:
            marks[note] = footnote_mark(len(marks))
    return marks, [{"mark": mark, "text": text} for text, mark in marks.items()]


def rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with missing values turned into None, ready for the template."""
    if table is None:
        return []
    return [
        {k: (None if is_missing(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")
    ]
