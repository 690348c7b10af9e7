"""The summary of findings: short sentences generated from the tables, each with the figure that shows it.

Why generated: a sentence typed by hand goes stale when the data change; these are written from the same tables
as the sections (and in document order, so their figures come first), and say so when a table is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hubreuse.core.names import DOMAIN_COMPARISON, DOMAIN_NAMES
from hubreuse.report import claims, replication
from hubreuse.report.displays import count_bins
from hubreuse.report.figurebook import FigureBook, drawing
from hubreuse.report.format import NOT_COMPUTED, fmt_number, fmt_pct
from hubreuse.report.measures import DOMAIN_MEASURES
from hubreuse.report.palette import DOMAIN_COLOURS
from hubreuse.report.sections import top_base_models, top_datasets


def _fmt(v: float, digits: int = 2) -> str:
    return fmt_number(float(v), digits)


def _beside(domains: pd.Series) -> str:
    """``NLP beside CV``, or ``NLP, CV and Audio side by side``: the domains present, in the taxonomy's order."""
    present = set(domains)
    names = [DOMAIN_NAMES[d] for d in DOMAIN_NAMES if d in present]
    if len(names) > 2:
        return f"{', '.join(names[:-1])} and {names[-1]} side by side"
    return " beside ".join(names) or "no domain"


def findings(paper: Mapping[str, Any], domain: Mapping[str, Any], comparison: pd.DataFrame,
             tables: Mapping[str, pd.DataFrame], book: FigureBook, synthetic: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Short sentences generated from the numbers, each with the figure that shows it (in document order)."""
    out = []
    # 1. Diversity of training data (RQ1).
    rq1 = paper["rq1"]
    if rq1.get("ci") is not None and rq1["ci"]["mean"].notna().any():
        ci = rq1["ci"].dropna(subset=["mean"]).sort_values("mean", ascending=False, kind="stable")
        first, last = ci.iloc[0], ci.iloc[-1]
        text = (f"The highest mean number of datasets declared per model is in {first['task']} (mean "
                f"{_fmt(first['mean'])}, 95% CI {_fmt(first['ci_low'])}–{_fmt(first['ci_high'])}, "
                f"n = {int(first['n']):,})")  # fmt: skip
        overlapping = ci.iloc[1:][ci.iloc[1:]["ci_high"] >= first["ci_low"]]
        if len(overlapping):
            names = ", ".join(overlapping["task"].head(3)) + (" and others" if len(overlapping) > 3 else "")
            text += (f"; its interval overlaps those of {len(overlapping)} other task"
                     f"{'s' if len(overlapping) > 1 else ''} ({names}), so their order is not established")  # fmt: skip
        elif len(ci) > 1:
            text += "; its interval lies above those of every other task"
        if len(ci) > 1:
            text += f". The lowest mean is in {last['task']} ({_fmt(last['mean'])})"
        text += "."
    else:
        text = f"Datasets declared per model (RQ1): {NOT_COMPUTED}."
    values1 = tables.get("rq1_values")
    if values1 is not None and len(values1):
        classes = [b.label for b in count_bins(values1["value"])]
        distinct = values1.drop_duplicates(["domain", "unit_id"])
        single = distinct.assign(one=distinct["value"] == 1).groupby("domain", sort=False)["one"].mean()
        if len(single):
            shares = [f"{fmt_pct(v)} of the declaring {DOMAIN_NAMES.get(d, d)} models" for d, v in single.items()]
            text += " By domain, " + " and ".join(shares) + " declare a single dataset."
        listed = ", ".join(classes[:-1]) + f" and {classes[-1]}" if len(classes) > 1 else classes[0]
        fig = book.add("summary_diversity", drawing("domain_count_shares", values1, "summary_diversity",
                                                    "Datasets declared per model"),
                       f"RQ1 by domain: share of the models declaring datasets with {listed} declared datasets, "
                       f"{_beside(values1['domain'])}; a model listed under several tasks of a domain counts "
                       "once.")  # fmt: skip
    else:
        fig = book.absent("summary_diversity", "Datasets per model by domain")
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
    # 4. The domains compared (NLP and CV by default): a direction only where the tests support it.
    table = tables.get(DOMAIN_COMPARISON)
    sentences = [item["brief"] for item in domain["items"] if item["available"]]
    forest = claims.forest_rows(table, dict(DOMAIN_MEASURES))
    against = domain["against"]
    text = (" ".join(sentences) + f" Tests, p-values and the count models: section {domain['title']}."
            if sentences else f"{domain['title']}: {NOT_COMPUTED}.")  # fmt: skip
    if len(forest):
        pairs = " (one row per measure and compared domain D)" if domain["several"] else ""
        fig = book.add("domain_rate_ratios", drawing("forest_plot", forest, "domain_rate_ratios",
                                                     f"{domain['pair']} (log scale)"),
                       f"{against} per measure{pairs}: the ratio of mean task means (tasks as units) and the rate "
                       "ratio of the unit-level count model (task-clustered standard errors), each with its 95% "
                       "interval; an interval that crosses the dashed line at 1 shows no evidence of a "
                       "difference.")  # fmt: skip
    else:
        fig = book.absent("domain_rate_ratios", against)
    out.append({"title": domain["title"], "text": text, "figure": fig})
    # 5. Replication: relative differences only where the published mean is not 0.
    agree = replication.agreement(comparison)
    if agree["with_reproduced"]:
        text = (f"Of the {agree['published']} published means, {agree['with_reproduced']} have a counterpart in "
                f"this run. Of the {agree['relative_defined']} with a non-zero published mean, {agree['within']} are "
                f"within 10% of this run's (median absolute relative difference "
                f"{fmt_pct(agree['median_abs_rel'])}).")  # fmt: skip
        if agree["published_zero"]:
            text += (f" The {agree['published_zero']} published means of 0 have no relative difference; this run "
                     f"gives exactly 0 for {agree['zero_reproduced_zero']} of them.")  # fmt: skip
        checks = claims.paper_claims(table)
        tested = [c for c in checks if c["status"] != "not tested"]
        if tested:
            counts = pd.Series([c["status"] for c in tested]).value_counts()
            text += (f" Of the paper's {len(checks)} directional claims about NLP and CV, "
                     + ", ".join(f"{n} {status}" for status, n in counts.items()) + " by this run's tests.")
        if synthetic:
            text += " This run uses synthetic demo data, so differences are expected and say nothing about the study."
        fig = book.add("replication", drawing("replication_scatter", comparison, "replication"),
                       "Published means (Park & Yoon 2025) against this run's; dashed line = equal.")
    else:
        text = f"Replication: {NOT_COMPUTED}."
        fig = book.absent("replication", "Replication")
    out.append({"title": "Replication", "text": text, "figure": fig})
    return out
