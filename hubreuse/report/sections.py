"""The report's sections built from the tables: the paper's measures, NLP against CV, data quality and beyond.

Why only reading: every number a section shows is in a table the stats jobs wrote (per-task summaries, per-unit
values, :mod:`hubreuse.stats.intervals` bootstrap intervals, :mod:`hubreuse.stats.domains` comparisons); a
section selects, orders and labels them, adds its figures to a :class:`FigureBook`, and says when a table was
not computed in the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.core.names import DOMAIN_COMPARISON, MEAN_INTERVALS
from hubreuse.report.figurebook import FigureBook, drawing
from hubreuse.report.format import rows
from hubreuse.report.measures import CONCENTRATION_TABLES, CONCENTRATION_TITLES, DOMAIN_MEASURES, MEASURES
from hubreuse.stats import domains as domain_stats
from hubreuse.stats.inference import format_r_summary

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


def task_order(summary: pd.DataFrame) -> pd.DataFrame:
    """NLP first then CV; within a domain by mean, largest first; empty tasks last."""
    dom = summary["domain"].map({"nlp": 0, "cv": 1}).fillna(2)
    return (summary.assign(_d=dom, _m=summary["mean"].fillna(-np.inf))
            .sort_values(["_d", "_m"], ascending=[True, False], kind="stable").drop(columns=["_d", "_m"]))  # fmt: skip


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


def paper_sections(tables: Mapping[str, pd.DataFrame], book: FigureBook) -> dict[str, Any]:
    """Per measure of the paper: the task table (with the bootstrap intervals), pooled domain rows, boxplots and
    the means with their intervals."""
    n_boot, seed = resampling(tables)
    sections = {}
    for key, measure in MEASURES.items():
        summary = tables.get(key)
        values = tables.get(f"{key}_values")
        section: dict[str, Any] = {"key": key, "measure": measure, "available": summary is not None}
        if summary is None:
            sections[key] = section
            continue
        ordered = task_order(summary)
        if values is not None:
            domains = dict(zip(summary["task"], summary["domain"], strict=True))
            section["domain_rows"] = pooled_domain_rows(values, summary)
            box = drawing("task_boxplots", values, list(ordered["task"]), domains, f"{key}_boxplot",
                          measure.value_label.capitalize())  # fmt: skip
            section["boxplot"] = book.add(f"{key}_boxplot", box, f"{measure.title}: distribution per task "
                                          "(box = quartiles, line = median, whiskers = 1.5 IQR, dots = outlying "
                                          "values, each distinct value drawn once).")  # fmt: skip
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
    top = values[values["value"] > 0].sort_values(["value", "unit_id"], ascending=[False, True], kind="stable")
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


def domain_section(tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """NLP against CV per measure (children per model too, when computed), from the domain comparison table:
    the fitted GLM and rank test of each measure, and the GLM printed as R's ``summary()`` prints it."""
    comparison = tables.get(DOMAIN_COMPARISON)
    items = []
    for key, label in DOMAIN_MEASURES:
        results = domain_stats.results_of(comparison, key) if comparison is not None else None
        if results is None:
            items.append({"key": key, "label": label, "available": False})
            continue
        fit, rank = results
        items.append({"key": key, "label": label, "available": True, "fit": fit, "rank": rank,
                      "summary_text": format_r_summary(fit), "rr": fit.coefficients[1] if fit.ok else None})  # fmt: skip
    return {"items": items}


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
            by_key[key] = {"rows": rows(sub), "total": total}
    dumps = [{"name": Path(str(d.get("dump", ""))).name or str(d.get("dump", "")), "records": d.get("records"),
              "duplicates": d.get("duplicates"), "sha256": str(d.get("dump_sha256", ""))[:16]}
             for d in manifest.get("dumps", []) or []]  # fmt: skip
    listing_tasks = manifest.get("tasks", []) or []
    empty_listings = [t for t in listing_tasks if not t.get("models") or not t.get("datasets")]
    empty_measures = {key: s.get("empty_tasks", []) for key, s in paper.items() if s.get("available")}
    return {"shapes": by_key, "shape_cols": shape_cols, "dumps": dumps, "empty_listings": empty_listings,
            "empty_measures": empty_measures}  # fmt: skip


def beyond_section(tables: Mapping[str, pd.DataFrame], book: FigureBook) -> dict[str, Any]:
    """The issue-5 measures; every part says when its table was not computed in this run."""
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
        canon_rows = rows(merged)
    summ = t("canonicalisation_summary")
    out["canonical"] = {"rows": canon_rows, "summary": rows(summ) if summ is not None else None}
    # Reuse as a base.
    children = t("rq3_children_per_model")
    child_ci = measure_intervals(tables, "children")
    if child_ci is not None:
        ci = largest_first(child_ci[child_ci["n"] > 0])  # the tasks with models
        fig = book.add("children_means", drawing("mean_ci_plot", ci, "children_means", "Mean children per model"),
                       "Children per model (models of the population naming the model as a base), mean per task "
                       "with 95% bootstrap interval.")  # fmt: skip
    else:
        fig = book.absent("children_means", "Children per model: means with 95% intervals")
    disagreement = t("base_card_tag_disagreement_by_task")
    out["base"] = {"children": rows(task_order(children)) if children is not None else None, "figure": fig,
                   "disagreement": rows(disagreement) if disagreement is not None else None}  # fmt: skip
    # Coverage.
    coverage, distinct, overlap = t("coverage"), t("domain_measures_distinct"), t("task_overlap")
    top_overlap = None
    if overlap is not None:
        off = overlap[overlap["task_a"] < overlap["task_b"]]
        top_overlap = rows(off.sort_values(["jaccard", "task_a"], ascending=[False, True]).head(12))
    out["coverage"] = {"coverage": rows(coverage) if coverage is not None else None,
                       "distinct": rows(distinct) if distinct is not None else None, "overlap": top_overlap}  # fmt: skip
    # Concentration.
    conc, tails, lorenz = t("concentration"), t("heavy_tail"), t("lorenz")
    conc_parts = []
    if conc is not None:
        merged = conc
        if tails is not None and "best_fit" in tails:
            merged = conc.merge(tails[["task", "measure", "best_fit", "alpha", "xmin"]], on=["task", "measure"],
                                how="left")  # fmt: skip
        for measure, title in CONCENTRATION_TITLES.items():
            if measure not in CONCENTRATION_TABLES:
                continue
            sub = merged[merged["measure"] == measure]
            if len(sub):
                conc_parts.append({"measure": measure, "title": title, "rows": rows(sub.sort_values(
                    ["domain", "gini"], ascending=[False, False]))})  # fmt: skip
    verdicts = None
    if tails is not None and "best_fit" in tails:
        verdicts = rows(tails.groupby(["measure", "best_fit"]).size().rename("tasks").reset_index())
    if lorenz is not None:
        lorenz = lorenz.rename(columns={"population_share": "x", "value_share": "y"})
        lz = book.add("lorenz", drawing("lorenz_panels", lorenz, "lorenz", CONCENTRATION_TITLES),
                      "Lorenz curves per task (blue NLP, orange CV); the further below the diagonal, the more of "
                      "the total is held by few units.")  # fmt: skip
    else:
        lz = book.absent("lorenz", "Lorenz curves")
    out["concentration"] = {"parts": conc_parts if conc is not None else None, "verdicts": verdicts,
                            "lorenz": lz, "n_boot": int(conc["n_boot"].iloc[0]) if conc is not None and len(conc)
                            and "n_boot" in conc else None}  # fmt: skip
    # Lineage.
    summary, depth, families, cycles = t("lineage_summary"), t("lineage_depth"), t("lineage_families"), t("lineage_cycles")
    if depth is not None:
        dfig = book.add("lineage_depth", drawing("depth_bars", depth, "lineage_depth"),
                        "Lineage graph: nodes per depth (0 = roots; log scale).")
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
                        "base model; grey bars: models created that month.")  # fmt: skip
    else:
        mfig = book.absent("declarations_by_month", "Declarations by creation month")
    out["time"] = {"figure": mfig, "first_reuse": rows(first) if first is not None else None}
    return out
