"""The report's domain comparison section (NLP against CV by default; each configured domain against the first),
read from the domain comparison table.

Why apart from the other sections: this is where the report reads tests rather than describes data, so every
row carries its reading (:mod:`hubreuse.report.claims`: a direction only when the interval excludes the null
value), notes that repeat become footnotes, and the unit-level model is printed R-style from the table
(:func:`hubreuse.stats.domains.summary_text`) — nothing is fitted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hubreuse.core.names import DOMAIN_COMPARISON, DOMAIN_NAMES
from hubreuse.report import claims
from hubreuse.report.format import footnotes, is_missing
from hubreuse.report.measures import DOMAIN_MEASURES
from hubreuse.stats import domains as domain_stats
from hubreuse.stats.inference import significance_stars

LEVEL_NAMES = {"task": "task", "unit": "unit"}


def _notes(row: Mapping[str, Any]) -> list[str]:
    return [str(row[c]) for c in ("note", "error") if not is_missing(row.get(c)) and str(row[c]).strip()]


def _and(names: list[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)


def domains_compared(table: pd.DataFrame | None) -> dict[str, Any]:
    """Who is compared with whom, in words: the reference's name, the compared domains' names, the section's
    title (``NLP and CV compared``) and the effect's pair (``NLP / CV``; ``NLP / D`` for several domains D)."""
    measures = dict.fromkeys(table["measure"]) if table is not None else {}
    tests = [t for m in measures for t in claims.results(table, m)]
    ref = tests[0].names[0] if tests else DOMAIN_NAMES["nlp"]
    others = [DOMAIN_NAMES.get(d, d) for d in claims.compared(table) if d]
    if tests and not others:  # tasks in one domain only: its rows say so
        return {"reference": ref, "others": [], "other": "–", "several": False, "title": "Domains compared",
                "pair": f"{ref} / –", "against": f"{ref} against no other domain"}  # fmt: skip
    others = others or [DOMAIN_NAMES["cv"]]
    other = others[0] if len(others) == 1 else "D"
    return {"reference": ref, "others": others, "other": other, "several": len(others) > 1,
            "title": f"{_and([ref, *others])} compared", "pair": f"{ref} / {other}",
            "against": f"{ref} against {_and(others)}"}  # fmt: skip


def domain_section(tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """Per measure (children per model too, when computed): each test's row with its reading, the sentence that
    sums them up, and the unit-level model printed as R prints it; notes as footnotes."""
    table = tables.get(DOMAIN_COMPARISON)
    names = domains_compared(table)
    if table is None:
        return {"available": False, "items": [], "rows": [], "footnotes": [], "n_boot": None, "seed": None,
                **names}  # fmt: skip
    records = table.to_dict(orient="records")
    marks, notes = footnotes(note for row in records for note in _notes(row))
    items, table_rows = [], []
    for key, label in DOMAIN_MEASURES:
        tests = claims.results(table, key)
        if not tests:
            items.append({"key": key, "label": label, "available": False})
            continue
        reading, sentence = claims.measure_sentence(table, key, label)
        for test, row in zip(tests, (r for r in records if r["measure"] == key), strict=True):
            table_rows.append({**{k: (None if is_missing(v) else v) for k, v in row.items()},
                               "label": label, "level_name": LEVEL_NAMES.get(test.level, test.level),
                               "method_name": test.method_name, "effect": test.effect, "reading": test.direction,
                               "stars": significance_stars(test.p_value), "pair": " / ".join(test.names),
                               **_counts(row, test.reference, test.domain),
                               "marks": ",".join(marks[n] for n in _notes(row))})  # fmt: skip
        brief = claims.measure_sentence(table, key, label, short=True)[1]
        items.append({"key": key, "label": label, "available": True, "reading": reading, "sentence": sentence,
                      "brief": brief,
                      "summary_text": domain_stats.summary_text(table, key)})  # fmt: skip
    resampled = table.dropna(subset=["n_boot"]) if "n_boot" in table else table.iloc[:0]
    n_boot, seed = (int(resampled["n_boot"].iloc[0]), int(resampled["seed"].iloc[0])) if len(resampled) else (None, None)
    return {"available": True, "items": items, "rows": table_rows, "footnotes": notes, "n_boot": n_boot,
            "seed": seed, **names}  # fmt: skip


def _counts(row: Mapping[str, Any], ref: str, dom: str) -> dict[str, Any]:
    """The row's units and tasks of its two domains (``n_units_a`` the reference's), as integers: a domain's
    column read from the CSV is float when other rows leave it empty."""
    cell = lambda column: None if is_missing(row.get(column)) else int(row[column])  # noqa: E731
    return {"n_units_a": cell(f"n_units_{ref}"), "n_units_b": cell(f"n_units_{dom}"),
            "n_tasks_a": cell(f"n_tasks_{ref}"), "n_tasks_b": cell(f"n_tasks_{dom}")}  # fmt: skip
