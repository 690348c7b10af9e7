"""Reuse measures beyond the paper: reuse as a base, relation types, card/tag disagreement, coverage,
de-duplicated domain measures, task overlap and time.

Why: the paper's RQ3 counted the base models each model *declares*, while its text describes how often a model is
*reused as a base*; it also left non-declaring models out and counted a model once per task. Each function here
computes one table that stands beside the paper-compatible one so the effect of every correction is visible.

Inputs are the matrices of the data model (models, model_task, datasets, dataset_task, model_dataset, model_base)
and ``domains`` (task -> "nlp"/"cv"). Everything is vectorised pandas/numpy (tested for millions of models); the
only Python loops run over tasks or relation names.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

RELATIONS = ["finetune", "adapter", "quantized", "merge"]
ALL_TASKS = "(all tasks, distinct models)"


def isin_ids(values: pd.Series | pd.Index, pool: pd.Series | pd.Index) -> np.ndarray:
    """Boolean membership of ``values`` in ``pool`` via a hash index: pandas' own ``isin`` on Arrow-backed strings
    builds a Python list of the values and is ~10x slower on millions of ids."""
    index = pd.Index(pd.unique(pd.Series(pool).dropna()))
    return index.get_indexer(pd.Index(values)) >= 0


def _tasks(domains: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"task": list(domains), "domain": list(domains.values())})


def _members(model_task: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """Distinct (model_id, task) rows of configured tasks, with domain."""
    members = model_task[["model_id", "task"]].drop_duplicates()
    return members.merge(_tasks(domains), on="task", how="inner")


def _summary(frame: pd.DataFrame, keys: list[str], value: str, prefix: str = "") -> pd.DataFrame:
    """n, mean, sample sd, median, q1, q3, min, max of ``value`` per ``keys`` (column names prefixed)."""
    g = frame.groupby(keys, observed=True, sort=False)[value]
    out = pd.DataFrame(
        {
            "n": g.size(),
            "mean": g.mean(),
            "sd": g.std(ddof=1),
            "median": g.median(),
            "q1": g.quantile(0.25),
            "q3": g.quantile(0.75),
            "min": g.min(),
            "max": g.max(),
        }
    )
    return out.add_prefix(prefix)


def _complete(table: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """One row per configured task, in config order, tasks without data keep n = 0."""
    out = _tasks(domains).merge(table.reset_index(), on=["task", "domain"], how="left")
    for col in [c for c in out.columns if c == "n" or c.startswith("n_") or c.endswith("_n")]:
        out[col] = out[col].fillna(0).astype("int64")
    return out


# --- reuse as a base -------------------------------------------------------------------------------------------


def children_counts(model_base: pd.DataFrame) -> pd.Series:
    """Number of distinct models whose declared base_model string entries equal each id (index: base id)."""
    edges = model_base[["model_id", "base_model_id"]].dropna().drop_duplicates()
    return edges.groupby("base_model_id", sort=False).size().rename("children")


def children_per_model_values(
    models: pd.DataFrame, model_task: pd.DataFrame, model_base: pd.DataFrame, domains: dict[str, str]
) -> pd.DataFrame:
    """Per-unit values (task, domain, unit_id, value) of children per model, zeros included, for concentration."""
    members = _members(model_task, domains)
    members = members[isin_ids(members["model_id"], models["model_id"])]
    counts = children_counts(model_base)
    value = members["model_id"].map(counts).fillna(0).astype("int64")
    return pd.DataFrame(
        {"task": members["task"].array, "domain": members["domain"].array,
         "unit_id": members["model_id"].to_numpy(), "value": value.to_numpy()}
    )


def base_tag_edges(model_ids: pa.Array | pa.ChunkedArray, tags: pa.Array | pa.ChunkedArray) -> pd.DataFrame:
    """Every ``base_model:`` tag as an edge: model_id, base_model_id, relation (None for the plain
    ``base_model:<id>`` tag, else the ``<relation>`` of ``base_model:<relation>:<id>``), distinct.

    Computed with Arrow kernels over the flattened tag lists: tags are the largest column of the population
    and exploding them in pandas dominated the beyond-paper stage.
    """
    if isinstance(tags, pa.ChunkedArray):
        tags = tags.combine_chunks()
    if isinstance(model_ids, pa.ChunkedArray):
        model_ids = model_ids.combine_chunks()
    flat = pc.list_flatten(tags)
    parents = pc.list_parent_indices(tags)
    mask = pc.fill_null(pc.starts_with(flat, "base_model:"), False)
    body = pc.utf8_slice_codeunits(flat.filter(mask), len("base_model:"))
    typed = pc.extract_regex(body, r"^(?P<rel>[a-z_]+):(?P<id>.+)$")
    is_typed = pc.is_valid(typed)
    relation = pc.if_else(is_typed, pc.struct_field(typed, "rel"), pa.scalar(None, pa.string()))
    base = pc.if_else(is_typed, pc.struct_field(typed, "id"), body)
    edges = pd.DataFrame(
        {
            "model_id": pc.take(model_ids, parents.filter(mask)).to_pandas(),
            "base_model_id": base.to_pandas(),
            "relation": relation.to_pandas(),
        }
    )
    return edges.drop_duplicates().reset_index(drop=True)


def tag_edges_of(models: pd.DataFrame) -> pd.DataFrame:
    """:func:`base_tag_edges` of a models table that holds a ``tags`` column."""
    return base_tag_edges(pa.array(models["model_id"], pa.string()), pa.array(models["tags"], pa.list_(pa.string())))


def base_relations(models: pd.DataFrame, tag_edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Typed base-model edges from the Hub's ``base_model:<relation>:<id>`` tags: model_id, base_model_id, relation.

    The plain ``base_model:<id>`` tag carries no relation and is not an edge here (see card_tag_disagreement).
    ``tag_edges`` (from :func:`base_tag_edges`) saves re-reading the tags.
    """
    edges = tag_edges_of(models) if tag_edges is None else tag_edges
    typed = edges[edges["relation"].notna()]
    out = pd.DataFrame(
        {"model_id": typed["model_id"], "base_model_id": typed["base_model_id"],
         "relation": typed["relation"].astype("string")}
    )
    return out.drop_duplicates().reset_index(drop=True)


def children_per_model(
    models: pd.DataFrame,
    model_task: pd.DataFrame,
    model_base: pd.DataFrame,
    domains: dict[str, str],
    relations: pd.DataFrame | None = None,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``results/tables/rq3_children_per_model.csv``: reuse of each task's models as a base.

    For each task T, over all models m of L_M(T) (zeros included): the number of distinct models of the whole
    collected population whose declared base_model string entries contain m's id exactly (card-based, as written).
    Columns: task, domain, n, mean, sd, median, q1, q3, min, max, share_with_children, total_children, population
    (distinct models collected), and per relation r (from tags, :func:`base_relations`): r_children_total,
    r_children_mean (distinct children carrying a ``base_model:r:<m>`` tag), plus source. ``values`` (from
    :func:`children_per_model_values`) saves recomputing them.
    """
    if values is None:
        values = children_per_model_values(models, model_task, model_base, domains)
    table = _summary(values, ["task", "domain"], "value")
    grouped = values.groupby(["task", "domain"], sort=False)["value"]
    table["share_with_children"] = (values["value"] > 0).groupby([values["task"], values["domain"]], sort=False).mean()
    table["total_children"] = grouped.sum()
    out = _complete(table, domains)
    out["population"] = int(models["model_id"].nunique())
    rel = base_relations(models) if relations is None else relations
    for name in RELATIONS:
        counts = rel.loc[rel["relation"] == name, ["model_id", "base_model_id"]].drop_duplicates()
        counts = counts.groupby("base_model_id").size()
        per = values.assign(v=values["unit_id"].map(counts).fillna(0))
        agg = per.groupby("task")["v"].agg(["sum", "mean"])
        out[f"{name}_children_total"] = out["task"].map(agg["sum"]).fillna(0).astype("int64")
        out[f"{name}_children_mean"] = out["task"].map(agg["mean"])
    out["source"] = "cardData.base_model string entries (children); base_model:<relation>:<id> tags (by relation)"
    return out


def _tag_bases(models: pd.DataFrame, tag_edges: pd.DataFrame | None = None) -> pd.DataFrame:
    """(model_id, base_model_id) from every base_model tag, plain or typed."""
    edges = tag_edges_of(models) if tag_edges is None else tag_edges
    return edges[["model_id", "base_model_id"]].drop_duplicates()


def join_sorted_groups(frame: pd.DataFrame, key: str, column: str, sep: str = ";") -> pd.Series:
    """``column``'s values joined by ``sep`` per ``key``, in row order, indexed by key; ``frame`` sorted by key.

    Why not ``groupby().agg(sep.join)``: that calls Python once per group (tens of thousands of models); here the
    groups become one Arrow list array, joined in C++.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = frame[key].to_numpy()
    if len(keys) == 0:
        return pd.Series([], index=pd.Index(keys, name=key), dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    offsets = pa.array(np.r_[starts, len(keys)], pa.int64())
    values = pa.array(frame[column].astype(str).to_numpy(dtype=object), pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, values), pa.scalar(sep, pa.large_string()))
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=pd.Index(keys[starts], name=key))


def card_tag_disagreement(
    models: pd.DataFrame, model_base: pd.DataFrame, tag_edges: pd.DataFrame | None = None,
    decode: Callable[[pd.Series], pd.Series] | None = None,
) -> pd.DataFrame:
    """``results/tables/base_card_tag_disagreement.csv``: models whose card base_model set differs from the set of
    ids in their ``base_model:`` tags (renamed bases, bases the Hub did not resolve...).

    Columns: model_id, status ("differ": both present and different; "card_only": card declares, no tag; "tags_only":
    tags, no string card entry), card_bases, tag_bases (";"-joined, sorted), n_card, n_tags, n_common.
    ``decode`` turns id codes back into strings for the joined lists, when ids are integer codes (sorted like
    the strings, see :mod:`hubreuse.stats.idcodes`).
    """
    card = model_base[["model_id", "base_model_id"]].dropna().drop_duplicates()
    card = card[isin_ids(card["model_id"], models["model_id"])]
    tag = _tag_bases(models, tag_edges)
    both = card.merge(tag, on=["model_id", "base_model_id"], how="outer", indicator=True)
    flags = (
        both.groupby(["model_id", "_merge"], observed=False, sort=False).size().unstack(fill_value=0)
        .reindex(columns=["both", "left_only", "right_only"], fill_value=0)
    )  # fmt: skip
    flags = flags[flags.sum(axis=1) > 0]
    flags.columns = ["n_common", "n_card_only", "n_tags_only"]
    bad = flags[(flags["n_card_only"] > 0) | (flags["n_tags_only"] > 0)].copy()
    bad["n_card"] = bad["n_common"] + bad["n_card_only"]
    bad["n_tags"] = bad["n_common"] + bad["n_tags_only"]
    bad["status"] = np.where(bad["n_tags"] == 0, "card_only", np.where(bad["n_card"] == 0, "tags_only", "differ"))
    ids = bad.index
    sub_card = card[isin_ids(card["model_id"], ids)].sort_values(["model_id", "base_model_id"])
    sub_tag = tag[isin_ids(tag["model_id"], ids)].sort_values(["model_id", "base_model_id"])
    if decode is not None:
        sub_card = sub_card.assign(base_model_id=decode(sub_card["base_model_id"]).to_numpy())
        sub_tag = sub_tag.assign(base_model_id=decode(sub_tag["base_model_id"]).to_numpy())
    bad["card_bases"] = join_sorted_groups(sub_card, "model_id", "base_model_id").reindex(ids).fillna("")
    bad["tag_bases"] = join_sorted_groups(sub_tag, "model_id", "base_model_id").reindex(ids).fillna("")
    out = bad.reset_index().rename(columns={"index": "model_id"})
    return out[["model_id", "status", "card_bases", "tag_bases", "n_card", "n_tags", "n_common"]].reset_index(drop=True)


def card_tag_disagreement_by_task(
    models: pd.DataFrame, model_task: pd.DataFrame, model_base: pd.DataFrame, domains: dict[str, str],
    disagreement: pd.DataFrame | None = None, tag_edges: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``results/tables/base_card_tag_disagreement_by_task.csv``: per task, models with a card base, with base tags,
    with both, and how many of each status; share_differ = differ / models with both."""
    dis = card_tag_disagreement(models, model_base, tag_edges) if disagreement is None else disagreement
    members = _members(model_task, domains)
    members = members[isin_ids(members["model_id"], models["model_id"])]
    has_card = isin_ids(members["model_id"], model_base["model_id"])
    has_tag = isin_ids(members["model_id"], _tag_bases(models, tag_edges)["model_id"])
    status = members["model_id"].map(dis.set_index("model_id")["status"])
    frame = members.assign(card=has_card, tags=has_tag, both=has_card & has_tag,
                           differ=status.eq("differ"), card_only=status.eq("card_only"),
                           tags_only=status.eq("tags_only"))
    agg = frame.groupby(["task", "domain"])[["card", "tags", "both", "differ", "card_only", "tags_only"]].sum()
    agg.insert(0, "n", frame.groupby(["task", "domain"]).size())
    agg = agg.rename(columns={c: f"n_{c}" for c in agg.columns if c != "n"})
    out = _complete(agg, domains)
    out["share_differ"] = out["n_differ"] / out["n_both"].where(out["n_both"] > 0)
    return out


# --- coverage ---------------------------------------------------------------------------------------------------


def coverage(models: pd.DataFrame, model_task: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """``results/tables/coverage.csv``: per task, share of L_M(T) declaring datasets / base models, and RQ1, RQ3
    recomputed with non-declaring models as zeros (n = all models of the task).

    Columns: task, domain, n, n_declaring_datasets, share_declaring_datasets, n_declaring_base,
    share_declaring_base, rq1_zeros_{mean,sd,median,q3,max}, rq3_zeros_{mean,sd,median,q3,max}.
    """
    members = _members(model_task, domains)
    frame = members.merge(models[["model_id", "datasets_n", "base_model_n"]], on="model_id", how="inner")
    frame["ds"] = pd.to_numeric(frame["datasets_n"]).fillna(0)
    frame["bm"] = pd.to_numeric(frame["base_model_n"]).fillna(0)
    frame["has_ds"] = frame["datasets_n"].notna()
    frame["has_bm"] = frame["base_model_n"].notna()
    g = frame.groupby(["task", "domain"])
    table = pd.DataFrame({"n": g.size(), "n_declaring_datasets": g["has_ds"].sum(),
                          "n_declaring_base": g["has_bm"].sum()})
    for label, col in [("rq1_zeros", "ds"), ("rq3_zeros", "bm")]:
        stats = _summary(frame, ["task", "domain"], col, prefix=f"{label}_")
        table = table.join(stats[[f"{label}_{s}" for s in ["mean", "sd", "median", "q3", "max"]]])
    out = _complete(table, domains)
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
    members = _members(model_task, domains)
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
            stats = _summary(frame, ["domain"], "value").reset_index()
            frames.append(stats.assign(measure=measure, counting=counting))
    if model_dataset is not None and dataset_task is not None:
        dt = dataset_task[["dataset_id", "task"]].drop_duplicates().merge(_tasks(domains), on="task")
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
            stats = _summary(vals, ["domain"], "value").reset_index()
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
    members = _members(model_task, domains)
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
    dt = dataset_task[["dataset_id", "task"]].drop_duplicates().merge(_tasks(domains), on="task")
    frame = dt.merge(per_dataset, on="dataset_id")
    g = frame.groupby(["task", "domain"])
    table = pd.DataFrame({"n_datasets": g.size()})
    for status in ["reused", "never_reused", "reuse_date_unknown", "dataset_date_unknown"]:
        table[f"n_{status}"] = g["status"].apply(lambda s, st=status: int((s == st).sum()))
    reused = frame[frame["status"] == "reused"]
    gr = reused.groupby(["task", "domain"])["days_to_first_reuse"]
    table["days_median"] = gr.median()
    table["days_q1"] = gr.quantile(0.25)
    table["days_q3"] = gr.quantile(0.75)
    table["n_negative"] = gr.apply(lambda s: int((s < 0).sum()))
    out = _complete(table, domains)
    out["n_negative"] = out["n_negative"].fillna(0).astype("int64")
    return out
