"""Reuse as a base: how often each model is named as a base (children), by which relation, and where a model's
card and its Hub-derived ``base_model:`` tags disagree.

Why: the paper's RQ3 counted the base models each model *declares*, while its text describes how often a model is
*reused as a base*; these tables stand beside RQ3 so the difference is visible. Vectorised pandas/Arrow; the only
Python loops run over relation names.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hubreuse.stats.describe import describe
from hubreuse.stats.idcodes import isin_ids
from hubreuse.stats.task_frames import complete_tasks, task_members

RELATIONS = ["finetune", "adapter", "quantized", "merge"]


def children_counts(model_base: pd.DataFrame) -> pd.Series:
    """Number of distinct models whose declared base_model string entries equal each id (index: base id)."""
    edges = model_base[["model_id", "base_model_id"]].dropna().drop_duplicates()
    return edges.groupby("base_model_id", sort=False).size().rename("children")


def children_per_model_values(
    models: pd.DataFrame, model_task: pd.DataFrame, model_base: pd.DataFrame, domains: dict[str, str]
) -> pd.DataFrame:
    """Per-unit values (task, domain, unit_id, value) of children per model, zeros included, for concentration."""
    members = task_members(model_task, domains)
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


def dataset_tag_edges(model_ids: pa.Array | pa.ChunkedArray, tags: pa.Array | pa.ChunkedArray) -> pd.DataFrame:
    """Every ``dataset:<id>`` tag as an edge (model_id, dataset_id), distinct; the id kept as written."""
    if isinstance(tags, pa.ChunkedArray):
        tags = tags.combine_chunks()
    if isinstance(model_ids, pa.ChunkedArray):
        model_ids = model_ids.combine_chunks()
    flat = pc.list_flatten(tags)
    mask = pc.fill_null(pc.starts_with(flat, "dataset:"), False)
    edges = pd.DataFrame(
        {
            "model_id": pc.take(model_ids, pc.list_parent_indices(tags).filter(mask)).to_pandas(),
            "dataset_id": pc.utf8_slice_codeunits(flat.filter(mask), len("dataset:")).to_pandas(),
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
    table = describe(values, ["task", "domain"], "value")
    grouped = values.groupby(["task", "domain"], sort=False)["value"]
    table["share_with_children"] = (values["value"] > 0).groupby([values["task"], values["domain"]], sort=False).mean()
    table["total_children"] = grouped.sum()
    out = complete_tasks(table, domains)
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


def _tag_bases(models: pd.DataFrame, tag_edges: pd.DataFrame | None = None, column: str = "base_model_id",
               ) -> pd.DataFrame:  # fmt: skip
    """(model_id, base_model_id) from every base_model tag, plain or typed (or the ``column`` of ``tag_edges``)."""
    edges = tag_edges_of(models) if tag_edges is None else tag_edges
    return edges[["model_id", column]].drop_duplicates()


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
    decode: Callable[[pd.Series], pd.Series] | None = None, column: str = "base_model_id", what: str = "bases",
) -> pd.DataFrame:
    """``results/stats/base_card_tag_disagreement.parquet``: models whose card base_model set differs from the set
    of ids in their ``base_model:`` tags (renamed bases, bases the Hub did not resolve...). With
    ``column="dataset_id"``, ``what="datasets"``, card dataset edges and ``dataset:`` tag edges (``tag_edges``, from
    :func:`dataset_tag_edges`): the same comparison for datasets.

    Columns: model_id, status ("differ": both present and different; "card_only": card declares, no tag; "tags_only":
    tags, no string card entry), card_<what>, tag_<what> (";"-joined, sorted), n_card, n_tags, n_common.
    ``decode`` turns id codes back into strings for the joined lists, when ids are integer codes (sorted like
    the strings, see :mod:`hubreuse.stats.idcodes`).
    """
    card = model_base[["model_id", column]].dropna().drop_duplicates()
    card = card[isin_ids(card["model_id"], models["model_id"])]
    tag = _tag_bases(models, tag_edges, column)
    both = card.merge(tag, on=["model_id", column], how="outer", indicator=True)
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
    sub_card = card[isin_ids(card["model_id"], ids)].sort_values(["model_id", column])
    sub_tag = tag[isin_ids(tag["model_id"], ids)].sort_values(["model_id", column])
    if decode is not None:
        sub_card = sub_card.assign(**{column: decode(sub_card[column]).to_numpy()})
        sub_tag = sub_tag.assign(**{column: decode(sub_tag[column]).to_numpy()})
    bad[f"card_{what}"] = join_sorted_groups(sub_card, "model_id", column).reindex(ids).fillna("")
    bad[f"tag_{what}"] = join_sorted_groups(sub_tag, "model_id", column).reindex(ids).fillna("")
    out = bad.reset_index().rename(columns={"index": "model_id"})
    columns = ["model_id", "status", f"card_{what}", f"tag_{what}", "n_card", "n_tags", "n_common"]
    return out[columns].reset_index(drop=True)


def card_tag_disagreement_by_task(
    models: pd.DataFrame, model_task: pd.DataFrame, model_base: pd.DataFrame, domains: dict[str, str],
    disagreement: pd.DataFrame | None = None, tag_edges: pd.DataFrame | None = None, column: str = "base_model_id",
) -> pd.DataFrame:
    """``results/tables/base_card_tag_disagreement_by_task.csv``: per task, models with a card base, with base tags,
    with both, and how many of each status; share_differ = differ / models with both. With
    ``column="dataset_id"`` (card dataset edges, ``dataset:`` tag edges): ``dataset_card_tag_disagreement_by_task``.
    """
    if disagreement is None:
        disagreement = card_tag_disagreement(models, model_base, tag_edges, column=column)
    dis = disagreement
    members = task_members(model_task, domains)
    members = members[isin_ids(members["model_id"], models["model_id"])]
    has_card = isin_ids(members["model_id"], model_base["model_id"])
    has_tag = isin_ids(members["model_id"], _tag_bases(models, tag_edges, column)["model_id"])
    status = members["model_id"].map(dis.set_index("model_id")["status"])
    frame = members.assign(card=has_card, tags=has_tag, both=has_card & has_tag,
                           differ=status.eq("differ"), card_only=status.eq("card_only"),
                           tags_only=status.eq("tags_only"))
    agg = frame.groupby(["task", "domain"])[["card", "tags", "both", "differ", "card_only", "tags_only"]].sum()
    agg.insert(0, "n", frame.groupby(["task", "domain"]).size())
    agg = agg.rename(columns={c: f"n_{c}" for c in agg.columns if c != "n"})
    out = complete_tasks(agg, domains)
    out["share_differ"] = out["n_differ"] / out["n_both"].where(out["n_both"] > 0)
    return out


def without_cards(by_task: pd.DataFrame) -> pd.DataFrame:
    """A disagreement-by-task table of a run that collected no card (the light API listing): every count that
    needs the card is unknown (empty), not zero, so that no one reads "no card declares" into it."""
    out = by_task.copy()
    for column in ("n_card", "n_both", "n_differ", "n_card_only", "n_tags_only"):
        out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["share_differ"] = np.nan
    return out
