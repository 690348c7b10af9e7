"""The report's "Change over time" section: several snapshots compared, text generated from the trend tables.

Why only reading: the trend tables (:mod:`hubreuse.trends.tables`) hold every number, each snapshot's row exactly
that snapshot's own table row; this module selects, orders and words them. A mean "moved" between two snapshots
when their 95% intervals do not overlap (``trend_changes``); a task a snapshot lacks is shown as absent, never as
zero; the paper's published values are shown as published and never enter a comparison; and where two snapshots
were read differently (source or declarations), the section says so before any reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from hubreuse.core.names import TREND_MEASURES
from hubreuse.report.figurebook import FigureBook, drawing
from hubreuse.report.format import fmt_ci, fmt_number, fmt_pct, is_missing
from hubreuse.report.measures import MEASURES

TITLES = {**{key: m.title for key, m in MEASURES.items()}, "children": "Reuse as a base: children per model"}
SHORT = {**{key: m.short for key, m in MEASURES.items()}, "children": "children per model"}
ABSENT = "absent"
LISTED = 4  # tasks named in a sentence before "and k more"


def cell(row: Mapping[str, Any]) -> str:
    """A snapshot's value in a task's row: mean [interval], ``absent``, or ``n = 0`` (present, no unit)."""
    if not row["present"]:
        return ABSENT
    if is_missing(row["mean"]):
        return "n = 0" if not is_missing(row["n"]) and int(row["n"]) == 0 else "–"
    interval = "" if is_missing(row["ci_low"]) else " " + fmt_ci(row["ci_low"], row["ci_high"], 2)
    return fmt_number(float(row["mean"]), 2) + interval


def named(tasks: Sequence[str]) -> str:
    """``a, b and c``, or the first few and ``k more``."""
    tasks = list(tasks)
    if len(tasks) > LISTED:
        return ", ".join(tasks[:LISTED]) + f" and {len(tasks) - LISTED} more"
    return tasks[0] if len(tasks) == 1 else ", ".join(tasks[:-1]) + " and " + tasks[-1]


def moves(frame: pd.DataFrame, direction: str) -> str:
    rows = frame[frame["direction"] == direction]
    items = [f"{r.task} ({fmt_number(r.mean_from, 2)} → {fmt_number(r.mean_to, 2)})" for r in rows.itertuples()]
    return f"{direction} in {named(items)}" if items else ""


def pair_sentence(frame: pd.DataFrame, dates: Mapping[str, str], short: str) -> str:
    """One pair's reading: how many present tasks moved beyond both intervals, which, and which way."""
    a, b = frame["from_snapshot"].iloc[0], frame["to_snapshot"].iloc[0]
    judged = frame[frame["direction"] != "no interval"]
    moved = judged[judged["moved"]]
    head = f"From {a} ({dates[a]}) to {b} ({dates[b]})"
    if judged.empty:
        return f"{head}, no task has an interval in both snapshots, so no change in {short} can be judged."
    if moved.empty:
        text = (f"{head}, the 95% intervals of the mean {short} overlap in all {len(judged)} tasks present in "
                f"both: no change is established at this criterion.")  # fmt: skip
    else:
        parts = [p for p in (moves(moved, "up"), moves(moved, "down")) if p]
        text = (f"{head}, the mean {short} moved beyond both 95% intervals in {len(moved)} of {len(judged)} tasks "
                f"present in both: {'; '.join(parts)}.")  # fmt: skip
    missing = len(frame) - len(judged)
    if missing:
        text += f" {missing} task{'s' if missing > 1 else ''} without an interval in one of the two (no unit) {'are' if missing > 1 else 'is'} not judged."
    return text


def absent_sentence(trend: pd.DataFrame) -> str:
    """Which tasks some snapshot lacks (no model and no dataset carries the task's tag)."""
    computed = trend[trend["origin"] == "computed"]
    gone = computed[~computed["present"]]
    if gone.empty:
        return ""
    by_task = gone.groupby("task", sort=False)["snapshot"].agg(list)
    items = [f"{task} (in {', '.join(snaps)})" for task, snaps in by_task.items()]
    return (f"Absent from a snapshot (no model and no dataset has the task's tag), shown as absent rather than as "
            f"zero: {named(items)}.")  # fmt: skip


def concentration_sentence(key: str, concentration: pd.DataFrame, snapshots: Sequence[str]) -> str:
    """How the Gini coefficient of a measure changed from the first snapshot to the last, over the tasks present
    in both with an interval in both: median over those tasks, and the tasks whose intervals separate."""
    first, last = snapshots[0], snapshots[-1]
    mine = concentration[(concentration["measure"] == key) & concentration["present"]].set_index(["snapshot", "task"])
    if first == last or first not in mine.index.get_level_values(0) or last not in mine.index.get_level_values(0):
        return ""
    both = mine.xs(first, level="snapshot").merge(mine.xs(last, level="snapshot"), left_index=True, right_index=True,
                                                  suffixes=("_a", "_b")).dropna(subset=["gini_lo_a", "gini_lo_b"])
    if both.empty:
        return ""
    up = both.index[both["gini_lo_b"] > both["gini_hi_a"]].tolist()
    down = both.index[both["gini_hi_b"] < both["gini_lo_a"]].tolist()
    text = (f"Concentration (Gini coefficient of {SHORT[key]}), {first} to {last}: median over the {len(both)} tasks "
            f"with an interval in both from {fmt_number(both['gini_a'].median(), 2)} to "
            f"{fmt_number(both['gini_b'].median(), 2)}; ")  # fmt: skip
    if not up and not down:
        return text + "the intervals overlap in every one of them."
    parts = [f"{d} in {named(t)}" for d, t in (("up", up), ("down", down)) if t]
    return text + f"beyond both intervals {'; '.join(parts)} (trend_concentration.csv)."


def measure_part(key: str, trend: pd.DataFrame, changes: pd.DataFrame, snapshots: Sequence[str],
                 dates: Mapping[str, str], book: FigureBook,
                 concentration: pd.DataFrame | None = None) -> dict[str, Any]:  # fmt: skip
    """One measure: its reading, its figure and its task-by-snapshot table."""
    short = SHORT[key]
    mine = changes[changes["measure"] == key]
    spans = ["first to last", "consecutive"] if (mine["span"] == "first to last").any() else ["consecutive"]
    sentences = []
    for span in spans:
        for (_, _), frame in mine[mine["span"] == span].groupby(["from_date", "from_snapshot"], sort=True):
            sentences.append(pair_sentence(frame, dates, short))
    if not sentences:
        sentences.append(f"No task is present in two snapshots, so no change in {short} can be judged.")
    if concentration is not None and (gini := concentration_sentence(key, concentration, snapshots)):
        sentences.append(gini)
    absent = absent_sentence(trend)
    paper = trend[trend["origin"] == "published"]
    rows = []
    for task, group in trend[trend["origin"] == "computed"].groupby("task", sort=False):
        by_snapshot = {r["snapshot"]: r for r in group.to_dict("records")}
        published = paper.loc[paper["task"] == task, "mean"]
        rows.append({"task": task, "domain": group["domain"].iloc[0],
                     "cells": [cell(by_snapshot[s]) if s in by_snapshot else ABSENT for s in snapshots],
                     "published": fmt_number(float(published.iloc[0]), 2) if len(published) else "–"})  # fmt: skip
    drawn = trend[["task", "domain", "snapshot", "origin", "mean", "ci_low", "ci_high"]]
    caption = (f"{TITLES[key]}: per-task mean in each snapshot with its 95% bootstrap interval, oldest snapshot "
               f"lightest" + ("; black crosses: the paper's published means (February 2025), not a snapshot of "
                              "this run" if len(paper) else "") + ". Absent tasks have no marker.")  # fmt: skip
    figure = book.add(f"trend_{key}", drawing("trend_means", drawn, list(snapshots), f"trend_{key}",
                                              f"Mean {short}"), caption)  # fmt: skip
    return {"key": key, "title": TITLES[key], "sentences": sentences, "absent": absent, "rows": rows,
            "published": bool(len(paper)), "figure": figure}  # fmt: skip


def population_part(population: pd.DataFrame, snapshots: Sequence[str], dates: Mapping[str, str],
                    book: FigureBook) -> dict[str, Any]:  # fmt: skip
    """Growth of the tasks' populations and of the share declaring, summed over the present tasks."""
    present = population[population["present"]]
    counts = ["models", "datasets", "models_declaring_datasets", "models_declaring_base"]
    by_domain = present.groupby(["snapshot", "date", "domain"], sort=False)[counts].sum().reset_index()
    totals = present.groupby("snapshot", sort=False)[counts].sum().reindex(list(snapshots))
    first, last = snapshots[0], snapshots[-1]
    rows = []
    for snap in snapshots:
        t = totals.loc[snap]
        tasks = int(present["snapshot"].eq(snap).sum())
        rows.append({"snapshot": snap, "date": dates[snap], "tasks": tasks, "models": t["models"],
                     "datasets": t["datasets"],
                     "share_datasets": t["models_declaring_datasets"] / t["models"] if t["models"] else None,
                     "share_base": t["models_declaring_base"] / t["models"] if t["models"] else None})  # fmt: skip
    a, b = rows[0], rows[-1]

    def growth(key: str) -> str:
        before, after = a[key], b[key]
        if is_missing(before) or not before:
            return f"{fmt_number(int(after or 0))}"
        return f"{fmt_number(int(before))} to {fmt_number(int(after))} (× {fmt_number(after / before, 2)})"

    text = (f"From {first} ({dates[first]}) to {last} ({dates[last]}), the models of the present tasks, summed over "
            f"tasks (a model in several tasks counts in each), went from {growth('models')}, and their datasets "
            f"from {growth('datasets')}. The share of those models that declare datasets went from "
            f"{fmt_pct(a['share_datasets'])} to {fmt_pct(b['share_datasets'])}, and the share declaring a base model "
            f"from {fmt_pct(a['share_base'])} to {fmt_pct(b['share_base'])}.")  # fmt: skip
    caption = ("Models per domain in each snapshot, summed over its present tasks (log axis), and the share of them "
               "declaring datasets and base models, over the snapshots' dates.")
    figure = book.add("trend_population", drawing("trend_population", by_domain, "trend_population"), caption)
    return {"text": text, "rows": rows, "figure": figure}


def mode_warnings(snapshots: Sequence[Mapping[str, Any]]) -> list[str]:
    """A warning for every pair of consecutive snapshots read differently (source or declarations);
    ``snapshots``: name (``snapshot``), source and declarations of each, oldest first."""
    out = []
    rows = list(snapshots)
    for a, b in zip(rows, rows[1:], strict=False):
        differ = [f"{what} ({a[key]} against {b[key]})" for key, what in (("source", "source"),
                                                                         ("declarations", "declarations"))
                  if a[key] != b[key]]  # fmt: skip
        if differ:
            out.append(f"{a['snapshot']} and {b['snapshot']} differ in {' and '.join(differ)}: a change between them "
                       f"may come from how they were read, not from the Hub.")  # fmt: skip
    return out


def change_section(tables: Mapping[str, pd.DataFrame], snapshots: Sequence[Mapping[str, Any]],
                   book: FigureBook) -> dict[str, Any]:  # fmt: skip
    """The section's context; ``available`` false in a run without snapshots (the section is then left out)."""
    trends = {key: tables.get(f"trend_{key}") for key in TREND_MEASURES}
    population, changes = tables.get("trend_population"), tables.get("trend_changes")
    if not snapshots or population is None or changes is None or any(t is None for t in trends.values()):
        return {"available": False}
    names = [s["snapshot"] for s in snapshots]
    dates = {s["snapshot"]: str(s["date"]) for s in snapshots}
    meta = population.drop_duplicates("snapshot").set_index("snapshot").reindex(names).reset_index()
    return {
        "available": True,
        "snapshots": [{"name": r["snapshot"], "date": dates[r["snapshot"]], "source": r["source"],
                       "declarations": r["declarations"], "latest": r["snapshot"] == names[-1]}
                      for r in meta.to_dict("records")],  # fmt: skip
        "latest": names[-1],
        "warnings": mode_warnings(snapshots),
        "population": population_part(population, names, dates, book),
        "measures": [measure_part(key, trends[key], changes, names, dates, book, tables.get("trend_concentration"))
                     for key in TREND_MEASURES],
    }
