"""The summary of findings: short sentences generated from the tables, each with the figure that shows it.

Why generated: a sentence typed by hand goes stale when the data change; these are written from the same tables
as the sections (and in document order, so their figures come first), and say so when a table is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hubreuse.report.figurebook import FigureBook, drawing
from hubreuse.report.format import NOT_COMPUTED, fmt_number, fmt_pct, p_text
from hubreuse.report.palette import DOMAIN_COLOURS
from hubreuse.report.sections import top_base_models, top_datasets


def _fmt(v: float, digits: int = 2) -> str:
    return fmt_number(float(v), digits)


def findings(paper: Mapping[str, Any], domain: Mapping[str, Any], comparison: pd.DataFrame,
             tables: Mapping[str, pd.DataFrame], book: FigureBook, synthetic: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Short sentences generated from the numbers, each with the figure that shows it (in document order)."""
    out = []
    # 1. Diversity of training data (RQ1).
    rq1 = paper["rq1"]
    if rq1.get("ci") is not None and rq1["ci"]["mean"].notna().any():
        ci = rq1["ci"].dropna(subset=["mean"]).sort_values("mean", ascending=False)
        first, rest, last = ci.iloc[0], ci.iloc[1:3], ci.iloc[-1]
        text = (f"Models of {first['task']} declare the most datasets per model (mean {_fmt(first['mean'])}, 95% CI "
                f"{_fmt(first['ci_low'])}–{_fmt(first['ci_high'])}, n = {int(first['n']):,})")
        if len(rest):
            text += ", followed by " + " and ".join(f"{r['task']} ({_fmt(r['mean'])})" for _, r in rest.iterrows())
        text += f"; the fewest are declared in {last['task']} ({_fmt(last['mean'])})."
        top = ci.head(10)
        fig = book.add("summary_diversity", drawing("mean_ci_plot", top, "summary_diversity", "Mean datasets per model"),
                       "The ten tasks whose models declare the most datasets (RQ1), means with 95% bootstrap "
                       "intervals.")  # fmt: skip
    else:
        text = f"Datasets declared per model (RQ1): {NOT_COMPUTED}."
        fig = book.absent("summary_diversity", "Most diverse training data")
    out.append({"title": "Diversity of training data", "text": text, "figure": fig})
    # 2. Most reused datasets (RQ2).
    top = top_datasets(tables.get("rq2_values"))
    summary2 = tables.get("rq2")
    if top is not None and len(top):
        best = top.iloc[0]
        text = (f"The most reused dataset is {best['unit_id']}, declared by {int(best['value']):,} models of "
                f"{best['task']}.")
        if summary2 is not None and summary2["population"].sum() > 0:
            unused = 1 - (summary2["share_declaring"].fillna(0) * summary2["population"]).sum() / summary2["population"].sum()
            text += f" Across tasks, {fmt_pct(unused)} of the listed datasets are declared by no model of their task."
        labels = [f"{u} ({t})" for u, t in zip(top["unit_id"], top["task"], strict=True)]
        colours = [DOMAIN_COLOURS.get(d, "#444") for d in top["domain"]]
        fig = book.add("top_datasets", drawing("top_bar", labels, list(top["value"]), "top_datasets",
                                                       "models of the task declaring the dataset", colours),
                       "The most reused datasets (RQ2): models of the task whose card declares the dataset's id.")
    else:
        text = f"Reuse of datasets (RQ2): {NOT_COMPUTED}." if top is None else "No dataset is declared by any model."
        fig = book.absent("top_datasets", "Most reused datasets", NOT_COMPUTED if top is None else "no reuse")
    out.append({"title": "Most reused datasets", "text": text, "figure": fig})
    # 3. Most reused base models (children per model).
    topb = top_base_models(tables.get("children_values"))
    if topb is not None and len(topb):
        best = topb.iloc[0]
        cv = tables["children_values"]  # a model's count is the same in each of its tasks
        based_on = cv.loc[cv["value"] > 0, "unit_id"].nunique() / cv["unit_id"].nunique()
        text = (f"The most reused base model is {best['unit_id']}, named as base by {int(best['value']):,} models; "
                f"{fmt_pct(based_on)} of the listed models are the base of at least one other.")
        labels, vals = list(topb["unit_id"]), list(topb["value"])
        colours = [DOMAIN_COLOURS.get(d, "#444") for d in topb["domain"]]
        fig = book.add("top_base_models", drawing("top_bar", labels, vals, "top_base_models",
                                                          "models naming it as base model", colours),
                       "The most reused base models: distinct models whose card names the model as base_model.")
    else:
        text = "Reuse of models as a base (children per model): " + NOT_COMPUTED + "."
        r3 = paper["rq3"]
        if r3.get("domain_rows"):
            parts = [f"{r['task'].split()[1]} {_fmt(r['mean'])}" for r in r3["domain_rows"] if r["mean"] is not None]
            text += " Models that declare a base model declare on average " + ", ".join(parts) + " base models."
        fig = book.absent("top_base_models", "Most reused base models")
    out.append({"title": "Most reused base models", "text": text, "figure": fig})
    # 4. NLP vs CV.
    parts, forest = [], []
    for item in domain["items"]:
        if not item["available"] or item["rr"] is None:
            continue
        rr, rank = item["rr"], item["rank"]
        direction = "higher" if rr.rate_ratio > 1 else "lower"
        parts.append(f"{item['label']}: the NLP mean is {rr.rate_ratio:.2f} times the CV mean ({direction}; 95% CI "
                     f"{rr.rr_lo:.2f}–{rr.rr_hi:.2f}, NB GLM p {p_text(rr.p)}, Mann-Whitney p {p_text(rank.p)})")
        forest.append({"label": item["label"], "rr": rr.rate_ratio, "lo": rr.rr_lo, "hi": rr.rr_hi})
    if forest:
        text = "NLP against CV. " + "; ".join(parts) + "."
        fig = book.add("domain_rate_ratios", drawing("forest_plot", pd.DataFrame(forest), "domain_rate_ratios",
                                                                 "rate ratio NLP / CV (log scale)"),
                       "NLP against CV: rate ratios (NLP mean / CV mean) from the negative binomial GLMs, with 95% "
                       "Wald intervals; right of the dashed line NLP is higher.")  # fmt: skip
    else:
        text = f"NLP against CV: {NOT_COMPUTED}."
        fig = book.absent("domain_rate_ratios", "NLP against CV")
    out.append({"title": "NLP and CV differ", "text": text, "figure": fig})
    # 5. Replication.
    comp = comparison.dropna(subset=["published_mean", "reproduced_mean"])
    if len(comp):
        rel = comp["rel_diff_mean"].abs()
        within = int((rel <= 0.10).sum())
        text = (f"Of {len(comp)} published means with a reproduced neighbour, {within} are within 10% of this run's "
                f"(median absolute relative difference {fmt_pct(rel.median())}).")
        if synthetic:
            text += " This run uses synthetic demo data, so differences are expected and say nothing about the study."
        fig = book.add("replication", drawing("replication_scatter", comparison, "replication"),
                       "Published means (Park & Yoon 2025) against this run's; dashed line = equal.")
    else:
        text = f"Replication: {NOT_COMPUTED}."
        fig = book.absent("replication", "Replication")
    out.append({"title": "Replication", "text": text, "figure": fig})
    return out
