"""Reuse measures beyond the paper: coverage, de-duplicated domain measures, task overlap and time.

Why: the paper left non-declaring models out and counted a model once per task. Each function here computes one
table that stands beside the paper-compatible one so the effect of every correction is visible (reuse as a base
is in :mod:`hubreuse.stats.base_models`).

Inputs are the matrices of the data model (models, model_task, datasets, dataset_task, model_dataset, model_base)
and ``domains`` (task -> "nlp"/"cv"). Everything is vectorised pandas/numpy (tested for millions of models); the
only Python loops run over tasks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hubreuse.stats.base_models import children_counts
from hubreuse.stats.describe import describe
from hubreuse.stats.idcodes import isin_ids
from hubreuse.stats.task_frames import complete_tasks, task_frame, task_members

ALL_TASKS = "(all tasks, distinct models)"


# --- coverage ---------------------------------------------------------------------------------------------------


def coverage(models: pd.DataFrame, model_task: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """``results/tables/coverage.csv``: per task, share of L_M(T) declaring datasets / base models, and RQ1, RQ3
    recomputed with non-declaring models as zeros (n = all models of the task).

    Columns: task, domain, n, n_declaring_datasets, share_declaring_datasets, n_declaring_base,
    share_declaring_base, rq1_zeros_{mean,sd,median,q3,max}, rq3_zeros_{mean,sd,median,q3,max}.
    """
    members = task_members(model_task, domains)
    frame = members.merge(models[["model_id", "datasets_n", "base_model_n"]], on="model_id", how="inner")
    frame["ds"] = pd.to_numeric(frame["datasets_n"]).fillna(0)
    frame["bm"] = pd.to_numeric(frame["base_model_n"]).fillna(0)
    frame["has_ds"] = frame["datasets_n"].notna()
    frame["has_bm"] = frame["base_model_n"].notna()
    g = frame.groupby(["task", "domain"])
    table = pd.DataFrame({"n": g.size(), "n_declaring_datasets": g["has_ds"].sum(),
                          "n_declaring_base": g["has_bm"].sum()})
    for label, col in [("rq1_zeros", "ds"), ("rq3_zeros", "bm")]:
        stats = describe(frame, ["task", "domain"], col, prefix=f"{label}_")
        table = table.join(stats[[f"{label}_{s}" for s in ["mean", "sd", "median", "q3", "max"]]])
    out = complete_tasks(table, domains)
    out.insert(4, "share_declaring_datasets", out["n_declaring_datasets"] / out["n"].where(out["n"] > 0))
    out.insert(6, "share_declaring_base", out["n_declaring_base"] / out["n"].where(out["n"] > 0))
    return out


# --- de-duplication ---------------------------------------------------------------------------------------------


def domain_measures_distinct(
    models: pd.DataFrame,
    model_task: pd.DataFrame,
    model_base: pd.DataFrame,
    domains: dict[str, str],
    model_dataset: pd.DataFrame | None = None,
    dataset_task: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``results/tables/domain_measures_distinct.csv``: domain-level measures counting each model once.

    For domain D (and "all"), the unit sets are the distinct models (datasets for rq2) of D's tasks; ``pooled``
    rows stack the per-task rows instead (a model in k tasks counted k times, as the paper did). Measures: rq1
    (declaring models, number of entries), rq1_zeros, rq3, rq3_zeros, children (reuse as a base, zeros included),
    rq2 (datasets of D, number of distinct models of D whose string entries equal the id). Columns: domain, measure,
    counting (distinct|pooled), n, mean, sd, median, q1, q3, min, max.
    """
    members = task_members(model_task, domains)
    members = members[isin_ids(members["model_id"], models["model_id"])]
    doms = pd.concat([members, members.assign(domain="all")], ignore_index=True)
    m = models[["model_id", "datasets_n", "base_model_n"]].set_index("model_id")
    counts = children_counts(model_base)
    frames = []
    for counting, units in [("pooled", doms), ("distinct", doms[["domain", "model_id"]].drop_duplicates())]:
        joined = units.join(m, on="model_id")
        per = {
            "rq1": pd.to_numeric(joined["datasets_n"]),
            "rq1_zeros": pd.to_numeric(joined["datasets_n"]).fillna(0),
            "rq3": pd.to_numeric(joined["base_model_n"]),
            "rq3_zeros": pd.to_numeric(joined["base_model_n"]).fillna(0),
            "children": joined["model_id"].map(counts).fillna(0),
        }
        domain = pd.Categorical(joined["domain"])  # once: string columns are re-encoded on every frame built
        for measure, value in per.items():
            frame = pd.DataFrame({"domain": domain, "value": value.to_numpy(dtype=float)})
            frame = frame.dropna(subset=["value"])
            stats = describe(frame, ["domain"], "value").reset_index()
            frames.append(stats.assign(measure=measure, counting=counting))
    if model_dataset is not None and dataset_task is not None:
        dt = dataset_task[["dataset_id", "task"]].drop_duplicates().merge(task_frame(domains), on="task")
        dt = pd.concat([dt, dt.assign(domain="all")], ignore_index=True)
        edges = model_dataset[["model_id", "dataset_id"]].drop_duplicates()
        for counting in ["pooled", "distinct"]:
            if counting == "pooled":
                units = dt  # (dataset, task): value counts models of the same task
                hits = members.merge(edges, on="model_id")
                hits = pd.concat([hits, hits.assign(domain="all")], ignore_index=True)
                # members and edges are distinct, so each (domain, task, dataset) sees a model once
                hit_counts = hits.groupby(["domain", "task", "dataset_id"]).size().rename("value")
                vals = units.merge(hit_counts.reset_index(), on=["domain", "task", "dataset_id"], how="left")
            else:
                units = dt[["domain", "dataset_id"]].drop_duplicates()
                dm = doms[["domain", "model_id"]].drop_duplicates().merge(edges, on="model_id")
                hit_counts = dm.groupby(["domain", "dataset_id"]).size().rename("value")
                vals = units.merge(hit_counts.reset_index(), on=["domain", "dataset_id"], how="left")
            vals["value"] = vals["value"].fillna(0)
            stats = describe(vals, ["domain"], "value").reset_index()
            frames.append(stats.assign(measure="rq2", counting=counting))
    out = pd.concat(frames, ignore_index=True)
    cols = ["domain", "measure", "counting", "n", "mean", "sd", "median", "q1", "q3", "min", "max"]
    return out[cols].sort_values(["domain", "measure", "counting"]).reset_index(drop=True)


def task_overlap(model_task: pd.DataFrame) -> pd.DataFrame:
    """``results/tables/task_overlap.csv``: Jaccard similarity of the tasks' model sets, long format.

    One row per ordered pair of tasks (diagonal included): task_a, task_b, n_a, n_b, intersection, union, jaccard =
    |L_M(a) ∩ L_M(b)| / |L_M(a) ∪ L_M(b)|. Computed as a sparse incidence product, so it scales to millions.
    """
    from scipy import sparse  # local: scipy costs ~0.3 s to import in jobs that only need isin_ids

    mt = model_task[["model_id", "task"]].drop_duplicates()
    model_codes, _ = pd.factorize(mt["model_id"])
    task_codes, tasks = pd.factorize(mt["task"], sort=True)
    incidence = sparse.csr_matrix(
        (np.ones(len(mt), dtype=np.int64), (model_codes, task_codes)), shape=(model_codes.max() + 1 if len(mt) else 0,
                                                                              len(tasks))
    )
    inter = (incidence.T @ incidence).toarray()
    sizes = np.diag(inter)
    a, b = np.meshgrid(np.arange(len(tasks)), np.arange(len(tasks)), indexing="ij")
    a, b = a.ravel(), b.ravel()
    union = sizes[a] + sizes[b] - inter[a, b]
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, inter[a, b] / np.where(union > 0, union, 1), np.nan)
    return pd.DataFrame({"task_a": np.asarray(tasks)[a], "task_b": np.asarray(tasks)[b], "n_a": sizes[a],
                         "n_b": sizes[b], "intersection": inter[a, b], "union": union, "jaccard": jac})


# --- time --------------------------------------------------------------------------------------------------------


def declarations_by_month(
    models: pd.DataFrame, model_task: pd.DataFrame, domains: dict[str, str] | None = None
) -> pd.DataFrame:
    """``results/tables/declarations_by_month.csv``: per task (and all tasks over distinct models) and creation
    month (UTC, "YYYY-MM"; "unknown" when created_at is null): n_models, n_declaring_datasets, n_declaring_base, and
    their shares."""
    if domains is None:
        domains = {t: "" for t in sorted(model_task["task"].unique())}
    members = task_members(model_task, domains)
    base = models[["model_id", "created_at", "datasets_n", "base_model_n"]].copy()
    created = pd.to_datetime(base["created_at"], utc=True)
    base["month"] = created.dt.strftime("%Y-%m").fillna("unknown")
    base["ds"] = base["datasets_n"].notna()
    base["bm"] = base["base_model_n"].notna()
    per_task = members.merge(base[["model_id", "month", "ds", "bm"]], on="model_id")
    all_rows = base[isin_ids(base["model_id"], members["model_id"])].assign(task=ALL_TASKS, domain="all")
    frame = pd.concat([per_task, all_rows[["model_id", "task", "domain", "month", "ds", "bm"]]], ignore_index=True)
    g = frame.groupby(["task", "domain", "month"])
    out = pd.DataFrame({"n_models": g.size(), "n_declaring_datasets": g["ds"].sum(),
                        "n_declaring_base": g["bm"].sum()}).reset_index()
    out["share_declaring_datasets"] = out["n_declaring_datasets"] / out["n_models"]
    out["share_declaring_base"] = out["n_declaring_base"] / out["n_models"]
    return out.sort_values(["task", "month"]).reset_index(drop=True)


def dataset_time_to_first_reuse(
    datasets: pd.DataFrame, model_dataset: pd.DataFrame, models: pd.DataFrame
) -> pd.DataFrame:
    """``results/tables/dataset_time_to_first_reuse.csv``: per collected dataset, the days from its createdAt to the
    earliest createdAt of a collected model whose string entries equal its id (exact).

    Columns: dataset_id, created_at, n_declaring_models, first_reuse_at, days_to_first_reuse (float; negative when a
    model's card names the id before the dataset repo was created, e.g. re-created or migrated repos), status:
    "reused", "never_reused" (no declaring model), "reuse_date_unknown" (declared, but no declaring model has a
    createdAt), "dataset_date_unknown".
    """
    ds = datasets[["dataset_id", "created_at"]].drop_duplicates("dataset_id").copy()
    ds["created_at"] = pd.to_datetime(ds["created_at"], utc=True)
    edges = model_dataset[["model_id", "dataset_id"]].drop_duplicates()
    edges = edges[isin_ids(edges["dataset_id"], ds["dataset_id"])]
    mc = models[["model_id", "created_at"]].drop_duplicates("model_id")
    mc = mc.assign(model_created=pd.to_datetime(mc["created_at"], utc=True))[["model_id", "model_created"]]
    edges = edges.merge(mc, on="model_id", how="left")
    g = edges.groupby("dataset_id")
    agg = pd.DataFrame({"n_declaring_models": g["model_id"].nunique(), "first_reuse_at": g["model_created"].min()})
    out = ds.join(agg, on="dataset_id")
    out["n_declaring_models"] = out["n_declaring_models"].fillna(0).astype("int64")
    out["days_to_first_reuse"] = (out["first_reuse_at"] - out["created_at"]).dt.total_seconds() / 86400.0
    status = np.select(
        [out["n_declaring_models"] == 0, out["first_reuse_at"].isna(), out["created_at"].isna()],
        ["never_reused", "reuse_date_unknown", "dataset_date_unknown"],
        default="reused",
    )
    out["status"] = status
    return out.reset_index(drop=True)


def time_to_first_reuse_by_task(
    per_dataset: pd.DataFrame, dataset_task: pd.DataFrame, domains: dict[str, str]
) -> pd.DataFrame:
    """``results/tables/dataset_time_to_first_reuse_by_task.csv``: per task, datasets, how many were reused /
    never reused / undated, and the median, q1, q3 of days_to_first_reuse over reused datasets, n_negative."""
    dt = dataset_task[["dataset_id", "task"]].drop_duplicates().merge(task_frame(domains), on="task")
    frame = dt.merge(per_dataset, on="dataset_id")
    g = frame.groupby(["task", "domain"])
    table = pd.DataFrame({"n_datasets": g.size()})
    for status in ["reused", "never_reused", "reuse_date_unknown", "dataset_date_unknown"]:
        table[f"n_{status}"] = g["status"].apply(lambda s, st=status: int((s == st).sum()))
    reused = frame[frame["status"] == "reused"]
    gr = reused.groupby(["task", "domain"])["days_to_first_reuse"]
    table = table.join(describe(reused, ["task", "domain"], "days_to_first_reuse", ("median", "q1", "q3"), prefix="days_"))
    table["n_negative"] = gr.apply(lambda s: int((s < 0).sum()))
    out = complete_tasks(table, domains)
    out["n_negative"] = out["n_negative"].fillna(0).astype("int64")
    return out
