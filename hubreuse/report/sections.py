"""The report's sections built from the tables: the paper's measures, NLP against CV, data quality and beyond.

Why only reading: every number a section shows is in a table the stats jobs wrote (per-task summaries, per-unit
values, :mod:`hubreuse.stats.intervals` bootstrap intervals, :mod:`hubreuse.stats.domains` comparisons); a
section selects, orders and labels them, adds its figures to a :class:`FigureBook`, and says when a table was
not computed in the run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.core.names import MEAN_INTERVALS
from hubreuse.report import displays
from hubreuse.report.figurebook import FigureBook, drawing
from hubreuse.report.format import footnotes, is_missing, rows
from hubreuse.report.measures import CONCENTRATION_TABLES, CONCENTRATION_TITLES, MEASURES

INTERVAL_COLUMNS = ["task", "domain", "n", "mean", "ci_low", "ci_high"]


def measure_intervals(tables: Mapping[str, pd.DataFrame], measure: str) -> pd.DataFrame | None:
    """A measure's rows of the bootstrap intervals table (task, domain, n, mean, ci_low, ci_high), in the table's
    order; None when the table or the measure is absent."""
    table = tables.get(MEAN_INTERVALS)
    if table is None or not (table["measure"] == measure).any():
        return None
    return table.loc[table["measure"] == measure, INTERVAL_COLUMNS].reset_index(drop=True)


def resampling(tables: Mapping[str, pd.DataFrame]) -> tuple[int | None, int | None]:
    """(resamples, seed) of the bootstrap intervals, as the intervals table records them; (None, None) without it."""
    table = tables.get(MEAN_INTERVALS)
    if table is None or not len(table):
        return None, None
    return int(table["n_boot"].iloc[0]), int(table["seed"].iloc[0])


def largest_first(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by mean, largest first, undefined means last; ties keep their order."""
    return table.assign(_m=table["mean"].fillna(-np.inf)).sort_values("_m", ascending=False, kind="stable")


def task_order(table: pd.DataFrame, tasks: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows of a per-task table in the configured order: by domain, in the order the configuration lists the
    domains (NLP then CV today), then the tasks as configured. ``tasks`` is the run manifest's ``tasks``: a list
    of {task, domain, ...} in configured order.

    Why one order, and not by value: a task sits in the same row of every table, so a reader finds it without
    searching and can read two tables side by side; the figures, not the tables, rank tasks. A task the
    configuration does not list follows its domain's configured tasks (in the table's order); the domain comes
    from the table's ``domain`` column, else from ``tasks``.
    """
    position = {t["task"]: i for i, t in enumerate(tasks)}
    domain_of = {t["task"]: t.get("domain") for t in tasks}
    domains = list(dict.fromkeys([*(t.get("domain") for t in tasks), "nlp", "cv"]))
    domain = table["domain"] if "domain" in table else table["task"].map(domain_of)
    ranks = {"_d": domain.map({d: i for i, d in enumerate(domains)}).fillna(len(domains)),
             "_p": table["task"].map(position).fillna(len(position))}  # fmt: skip
    return table.assign(**ranks).sort_values(["_d", "_p"], kind="stable").drop(columns=["_d", "_p"])


def pooled_domain_rows(values: pd.DataFrame, summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Pooled per-domain rows (units stacked over tasks, as the paper pooled them)."""
    out = []
    for domain in ("nlp", "cv"):
        v = values.loc[values["domain"] == domain, "value"].to_numpy(dtype=float)
        s = summary[summary["domain"] == domain]
        pop = s["population"].sum()
        declared = (s["share_declaring"].fillna(0) * s["population"]).sum()
        row = {"task": f"All {domain.upper()} tasks (pooled)", "domain": domain, "n": len(v),
               "population": int(pop), "share_declaring": declared / pop if pop else None}  # fmt: skip
        if len(v):
            q1, med, q3 = np.percentile(v, [25, 50, 75])
            row.update(mean=v.mean(), sd=v.std(ddof=1) if len(v) > 1 else None, median=med, q1=q1, q3=q3,
                       max=v.max())  # fmt: skip
        else:
            row.update(mean=None, sd=None, median=None, q1=None, q3=None, max=None)
        out.append(row)
    return out


def paper_sections(tables: Mapping[str, pd.DataFrame], book: FigureBook,
                   tasks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """Per measure of the paper: the task table (with the bootstrap intervals) in the configured task order
    (``tasks``, see :func:`task_order`), pooled domain rows, boxplots and the means with their intervals."""
    n_boot, seed = resampling(tables)
    sections = {}
    for key, measure in MEASURES.items():
        summary = tables.get(key)
        values = tables.get(f"{key}_values")
        section: dict[str, Any] = {"key": key, "measure": measure, "available": summary is not None}
        if summary is None:
            sections[key] = section
            continue
        ordered = task_order(summary, tasks)
        if values is not None:
            domains = dict(zip(summary["task"], summary["domain"], strict=True))
            section["domain_rows"] = pooled_domain_rows(values, summary)
            # Box plots, or stacked bars when a third of the boxes or more would collapse: chosen from the values,
            # and the caption says which.
            display, label = displays.distribution_display(values), measure.value_label.capitalize()
            labels = (label,) if display == displays.BOX else (f"Share of the task's {measure.unit}s", label)
            box = drawing(display, values, list(ordered["task"]), domains, f"{key}_boxplot", *labels)
            section["boxplot"] = book.add(f"{key}_boxplot", box,
                                          displays.distribution_caption(measure.title, measure.unit, values))  # fmt: skip
        else:
            section["domain_rows"] = []
            section["boxplot"] = book.absent(f"{key}_boxplot", f"{measure.title}: boxplots")
        ci = measure_intervals(tables, key)
        if ci is not None:
            # In the order of the task table; a task the intervals table lacks gets an empty row.
            ci = ci.set_index("task").reindex(ordered["task"]).reset_index()
            ordered = ordered.merge(ci[["task", "ci_low", "ci_high"]], on="task", how="left")
            means = drawing("mean_ci_plot", largest_first(ci), f"{key}_means", f"Mean {measure.value_label}")
            section["means"] = book.add(f"{key}_means", means, f"{measure.title}: mean per task with 95% "
                                        f"percentile bootstrap interval ({n_boot:,} resamples, seed {seed}), "
                                        "largest first.")  # fmt: skip
        else:
            ordered = ordered.assign(ci_low=np.nan, ci_high=np.nan)
            section["means"] = book.absent(f"{key}_means", f"{measure.title}: means with 95% intervals")
        section["ci"] = ci
        section["rows"] = rows(ordered)
        section["empty_tasks"] = list(summary.loc[summary["n"] == 0, "task"])
        sections[key] = section
    return sections


def top_datasets(values: pd.DataFrame | None, k: int = 10) -> pd.DataFrame | None:
    """The (dataset, task) pairs with the most declaring models of the task."""
    if values is None:
        return None
    top = values[values["value"] > 0].sort_values(
        ["value", "unit_id"], ascending=[False, True], kind="stable"
    )
    return top.head(k)[["unit_id", "task", "domain", "value"]].reset_index(drop=True)


def top_base_models(children: pd.DataFrame | None, k: int = 10) -> pd.DataFrame | None:
    """Models with the most direct children (a model in several tasks is counted once)."""
    if children is None:
        return None
    # Only positive rows can make the list; filtering first leaves the de-duplication a few rows.
    positive = children[children["value"] > 0]
    distinct = positive.sort_values("value", ascending=False, kind="stable").drop_duplicates("unit_id")
    top = distinct.sort_values(["value", "unit_id"], ascending=[False, True], kind="stable").head(k)
    return top[["unit_id", "task", "domain", "value"]].reset_index(drop=True)


def quality_section(tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any],
                    paper: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    """Declarations by shape per task (with totals), the dumps' duplicates, and the tasks without records or
    units: what the data looked like before it was measured."""
    shapes = tables.get("declaration_shapes")
    by_key = {}
    shape_cols = ["absent", "null", "string", "list", "list_nonstring", "empty_list", "other"]
    if shapes is not None:
        for key in ("datasets", "base_model"):
            sub = shapes[shapes["key"] == key]
            total = {"task": "Total", "domain": "", **{c: int(sub[c].sum()) for c in shape_cols if c in sub}}
            by_key[key] = {"rows": rows(task_order(sub, manifest.get("tasks", []) or [])), "total": total}
    dumps = [{"name": Path(str(d.get("dump", ""))).name or str(d.get("dump", "")), "records": d.get("records"),
              "duplicates": d.get("duplicates"), "sha256": str(d.get("dump_sha256", ""))[:16]}
             for d in manifest.get("dumps", []) or []]  # fmt: skip
    listing_tasks = manifest.get("tasks", []) or []
    empty_listings = [t for t in listing_tasks if not t.get("models") or not t.get("datasets")]
    empty_measures = {key: s.get("empty_tasks", []) for key, s in paper.items() if s.get("available")}
    return {"shapes": by_key, "shape_cols": shape_cols, "dumps": dumps, "empty_listings": empty_listings,
            "empty_measures": empty_measures}  # fmt: skip


# Short codes for the heavy-tail verdicts (heavy_tail.csv's best_fit) and what each means: a cell shows the code,
# the legend under the table says it once.
TAIL_CODES = {
    "power law": ("PL", "power law (beats lognormal and exponential)"),
    "heavy-tailed (power law and lognormal indistinguishable)": (
        "HT", "heavy-tailed (power law beats exponential; power law and lognormal indistinguishable)"),
    "lognormal": ("LN", "lognormal (beats power law)"),
    "exponential (not heavy-tailed)": ("Exp", "exponential (beats power law): not heavy-tailed"),
    "inconclusive": ("Inc", "inconclusive (no comparison significant)"),
    "not fitted": ("nf", "not fitted"),
}  # fmt: skip
# The row's own counts in a "not fitted" verdict: its table shows n_positive, so its note leaves them out.
_ROW_COUNTS = re.compile(r"n_positive=\d+, distinct=\d+; ")


def tail_code(best_fit: Any) -> str:
    """The short code of a heavy-tail verdict; a verdict without one (none, or a new wording) as it is."""
    if is_missing(best_fit):
        return "–"
    return TAIL_CODES.get(str(best_fit), (str(best_fit), ""))[0]


def tail_legend(codes: Any) -> list[dict[str, str]]:
    """The legend of the codes that occur in ``codes``, in the order of :data:`TAIL_CODES`."""
    used = set(codes)
    return [{"code": code, "text": text} for code, text in TAIL_CODES.values() if code in used]


def not_fitted_note(verdict: Any) -> str:
    """Why a task's tail was not fitted, worded once for every row it applies to (a footnote): the verdict without
    the row's own counts, comparisons written as ≥."""
    text = _ROW_COUNTS.sub("", "" if verdict is None else str(verdict)).replace(">=", "≥").strip()
    return f"Not fitted: {text}" if text else "Not fitted"


def fit_note(row: Mapping[str, Any]) -> str | None:
    """The footnote a power-law row needs: why it was not fitted, or that a subsample was fitted; else None."""
    if row.get("best_fit") == "not fitted":
        return not_fitted_note(row.get("verdict"))
    if row.get("subsampled") in (True, "True") and row.get("n_fit") is not None:
        return f"Fitted to a seeded random subsample of {int(row['n_fit']):,} of the positive values."
    return None


def power_law_parts(tails: pd.DataFrame, tasks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per measure, the power-law fit of every task in the configured order, its verdict as a short code, and why
    a task was not fitted (or was fitted to a subsample) as a footnote: one note, many marks."""
    parts = []
    for measure, title in CONCENTRATION_TITLES.items():
        sub = tails[tails["measure"] == measure]
        if not len(sub):
            continue
        table = rows(task_order(sub, tasks))
        notes = [fit_note(r) for r in table]
        marks, notes_once = footnotes(notes)
        for row, note in zip(table, notes, strict=True):
            row.update(code=tail_code(row.get("best_fit")), mark=marks.get(note, "") if note else "")
        parts.append({"measure": measure, "title": title, "rows": table, "footnotes": notes_once,
                      "legend": tail_legend(r["code"] for r in table)})  # fmt: skip
    return parts


def tail_counts(tails: pd.DataFrame) -> dict[str, Any]:
    """Tasks per measure and verdict code: the overview of the heavy-tail fits."""
    codes = [c for c, _ in TAIL_CODES.values() if c in set(tails["best_fit"].map(tail_code))]
    codes += sorted(set(tails["best_fit"].map(tail_code)) - set(codes))
    out = []
    for measure, title in CONCENTRATION_TITLES.items():
        sub = tails.loc[tails["measure"] == measure, "best_fit"].map(tail_code)
        if len(sub):
            out.append({"title": title, "counts": [int((sub == c).sum()) for c in codes], "tasks": len(sub)})
    return {"codes": codes, "rows": out, "legend": tail_legend(codes)}


def beyond_section(tables: Mapping[str, pd.DataFrame], book: FigureBook,
                   tasks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """The issue-5 measures; every part says when its table was not computed in this run. Per-task tables are in
    the configured task order (``tasks``, see :func:`task_order`)."""
    t = tables.get
    out: dict[str, Any] = {}
    # Canonical ids: RQ1 and RQ2, raw beside canonical, one row per task.
    rq1c, rq2c = t("rq1_canonical"), t("rq2_canonical")
    cols = ["n_raw", "mean_raw", "n_canonical", "mean_canonical"]
    canon_rows = None
    if rq1c is not None or rq2c is not None:
        base = rq1c if rq1c is not None else rq2c
        merged = base[["task", "domain"]].copy()
        for key, table in (("rq1", rq1c), ("rq2", rq2c)):
            if table is not None:
                part = table[["task", *cols]].rename(columns={c: f"{key}_{c}" for c in cols})
                merged = merged.merge(part, on="task", how="left")
                merged[f"{key}_diff"] = merged[f"{key}_mean_canonical"] - merged[f"{key}_mean_raw"]
            else:
                for c in [*cols, "diff"]:
                    merged[f"{key}_{c}"] = np.nan
        canon_rows = rows(task_order(merged, tasks))
    summ = t("canonicalisation_summary")
    out["canonical"] = {"rows": canon_rows, "summary": rows(summ) if summ is not None else None}
    # Reuse as a base.
    children = t("rq3_children_per_model")
    child_ci = measure_intervals(tables, "children")
    if child_ci is not None:
        ci = largest_first(child_ci[child_ci["n"] > 0])  # the tasks with models
        fig = book.add("children_means", drawing("mean_ci_plot", ci, "children_means", "Mean children per model"),
                       "Children per model (models of the population naming the model as a base), mean per task "
                       "with 95% bootstrap interval, largest first; tasks without models left out.")  # fmt: skip
    else:
        fig = book.absent("children_means", "Children per model: means with 95% intervals")
    disagreement = t("base_card_tag_disagreement_by_task")
    dataset_disagreement = t("dataset_card_tag_disagreement_by_task")
    out["base"] = {"children": rows(task_order(children, tasks)) if children is not None else None, "figure": fig,
                   "disagreement": rows(task_order(disagreement, tasks)) if disagreement is not None else None,
                   "dataset_disagreement": (rows(task_order(dataset_disagreement, tasks))
                                            if dataset_disagreement is not None else None)}  # fmt: skip
    # Coverage.
    coverage, distinct, overlap = t("coverage"), t("domain_measures_distinct"), t("task_overlap")
    top_overlap = None
    if overlap is not None:
        off = overlap[overlap["task_a"] < overlap["task_b"]]
        top_overlap = rows(off.sort_values(["jaccard", "task_a"], ascending=[False, True]).head(12))
    out["coverage"] = {"coverage": rows(task_order(coverage, tasks)) if coverage is not None else None,
                       "distinct": rows(distinct) if distinct is not None else None, "overlap": top_overlap}  # fmt: skip
    # Concentration.
    conc, tails, lorenz = t("concentration"), t("heavy_tail"), t("lorenz")
    conc_parts = []
    has_tails = tails is not None and "best_fit" in tails
    if conc is not None:
        merged = conc
        if has_tails:
            merged = conc.merge(tails[["task", "measure", "best_fit"]], on=["task", "measure"], how="left")
        for measure, title in CONCENTRATION_TITLES.items():
            if measure not in CONCENTRATION_TABLES:
                continue
            sub = rows(task_order(merged[merged["measure"] == measure], tasks))
            for row in sub:
                row["code"] = tail_code(row.get("best_fit"))
            if sub:
                conc_parts.append({"measure": measure, "title": title, "rows": sub,
                                   "legend": tail_legend(r["code"] for r in sub)})  # fmt: skip
    verdicts = tail_counts(tails) if has_tails else None
    fits = power_law_parts(tails, tasks) if has_tails else None
    if lorenz is not None:
        lorenz = lorenz.rename(columns={"population_share": "x", "value_share": "y"})
        lz = book.add("lorenz", drawing("lorenz_panels", lorenz, "lorenz", CONCENTRATION_TITLES),
                      "Lorenz curves per task (blue NLP, orange CV); the further below the diagonal, the more of "
                      "the total is held by few units.")  # fmt: skip
    else:
        lz = book.absent("lorenz", "Lorenz curves")
    out["concentration"] = {"parts": conc_parts if conc is not None else None, "verdicts": verdicts, "fits": fits,
                            "lorenz": lz, "n_boot": int(conc["n_boot"].iloc[0]) if conc is not None and len(conc)
                            and "n_boot" in conc else None}  # fmt: skip
    # Lineage.
    summary, depth, families, cycles = (
        t("lineage_summary"),
        t("lineage_depth"),
        t("lineage_families"),
        t("lineage_cycles"),
    )
    if depth is not None:
        dfig = book.add("lineage_depth", drawing("depth_bars", depth, "lineage_depth"),
                        "Lineage graph: nodes per depth (0 = roots), all nodes grey and collected models blue, "
                        "labelled 'collected of all'; log scale of 1 + count, so a depth without collected models "
                        "shows.")  # fmt: skip
    else:
        dfig = book.absent("lineage_depth", "Lineage depth")
    out["lineage"] = {"summary": rows(summary) if summary is not None else None,
                      "depth": rows(depth) if depth is not None else None, "figure": dfig,
                      "families": rows(families.head(15)) if families is not None else None,
                      "cycles": rows(cycles.head(15)) if cycles is not None else None,
                      "n_cycles": len(cycles) if cycles is not None else 0}  # fmt: skip
    # Time.
    months, first = t("declarations_by_month"), t("dataset_time_to_first_reuse_by_task")
    if months is not None:
        overall = months[months["domain"] == "all"]
        mfig = book.add("declarations_by_month", drawing("month_lines", overall, "declarations_by_month"),
                        "Share of each month's new models (all tasks, distinct models) that declare datasets or a "
                        "base model (left axis); grey bars: models created that month (right axis).")  # fmt: skip
    else:
        mfig = book.absent("declarations_by_month", "Declarations by creation month")
    out["time"] = {
        "figure": mfig,
        "first_reuse": rows(task_order(first, tasks)) if first is not None else None,
    }
    return out
