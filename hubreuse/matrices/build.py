"""Merge the per-task tables into sparse reuse matrices (Parquet edge lists).

A model reached through several task filters appears once in ``models`` (its first record wins; listings
of one snapshot carry the same record) and once per task in ``model_task``. Declarations become edge lists
of their string entries, distinct per model: these are the sparse model x dataset and model x base-model
matrices that every measure joins against.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.core.declarations import BASE_MODEL_TAG, DATASET_TAG
from hubreuse.core.errors import InputError
from hubreuse.core.io import atomic_path
from hubreuse.parse.tables import read_parsed


def read_per_task(paths: Mapping[str, str | os.PathLike[str]], kind: str, threads: int = 1) -> dict[str, pa.Table]:
    """The per-task parsed tables of ``kind`` by task (files read by ``threads`` threads)."""
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return dict(zip(paths, pool.map(lambda path: read_parsed(path, kind), paths.values()), strict=True))


def task_memberships(tables: Mapping[str, pa.Table], id_column: str, threads: int = 1) -> pa.Table:
    """Distinct (id, task) pairs sorted by task then id.

    Each task's ids are made distinct and sorted on their own (``threads`` at a time): duplicates can only be
    within one task's listing, and many small hash tables and sorts are faster than one of the whole Hub.
    """
    def distinct_sorted(ids: pa.ChunkedArray) -> pa.Array:
        distinct = pc.unique(ids)
        return distinct.take(pc.sort_indices(distinct))

    tasks = sorted(tables)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        ids = list(pool.map(lambda task: distinct_sorted(tables[task].column(id_column)), tasks))
    task_column = [pa.array([task] * len(task_ids), pa.string()) for task, task_ids in zip(tasks, ids, strict=True)]
    return pa.table({id_column: pa.chunked_array(ids, pa.string()), "task": pa.chunked_array(task_column, pa.string())})


def first_per_key(table: pa.Table, key: str) -> pa.Table:
    """Rows of the first occurrence of each ``key`` value, in table order."""
    if table.num_rows == 0:
        return table
    indexed = table.select([key]).append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    firsts = indexed.group_by(key).aggregate([("_row", "min")]).column("_row_min")
    return table.take(pc.take(firsts, pc.sort_indices(firsts)))


def entry_count(declared: pa.ChunkedArray) -> pa.Array:
    """Number of declared entries per row; null where nothing is declared."""
    return pc.list_value_length(declared).cast(pa.int64())


def string_edges(table: pa.Table, id_column: str, list_column: str, target: str) -> pa.Table:
    """Distinct (id, entry) pairs over the string entries of a list column."""
    values = table.column(list_column).combine_chunks()
    flat = pc.list_flatten(values)
    parents = pc.list_parent_indices(values)
    ids = table.column(id_column).combine_chunks().take(parents)
    edges = pa.table({id_column: ids, target: flat}).filter(pc.is_valid(flat))
    return edges.group_by([id_column, target]).aggregate([]).sort_by(
        [(id_column, "ascending"), (target, "ascending")]
    )


def _first_appearances(rows: pa.Array, values: pa.Array, n_rows: int, list_type: pa.DataType) -> pa.Array:
    """Per row, its distinct ``values`` in order of first appearance (null where it has none), as a list array.

    ``rows`` and ``values`` are parallel and in row-major order (a flattened list column, filtered)."""
    found = pa.table({"row": rows, "value": values, "position": pa.array(np.arange(len(rows), dtype=np.int64))})
    firsts = found.group_by(["row", "value"], use_threads=False).aggregate([("position", "min")])
    firsts = firsts.take(pc.sort_indices(firsts["position_min"]))
    counts = np.bincount(firsts["row"].to_numpy(), minlength=n_rows) if firsts.num_rows else np.zeros(n_rows, int)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    items = firsts["value"].combine_chunks() if firsts.num_rows else pa.array([], pa.string())
    lists = pa.ListArray.from_arrays(offsets, items, mask=pa.array(counts == 0))
    return lists.cast(list_type)


def tag_declaration_lists(tags: pa.Array | pa.ChunkedArray, list_type: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """Each model's declared datasets and base models read from its tags, vectorised over the whole column.

    The same reading as :func:`hubreuse.core.declarations.tag_declarations` (tested equal): ``dataset:<id>`` ids,
    and ``base_model:<id>`` / ``base_model:<relation>:<id>`` ids (a relation is lower-case letters and '_'), each
    list distinct in order of first appearance, null when the model has no such tag. Why vectorised: a Python call
    per model took 7 s of the 11 s matrices job at paper scale (480,000 models)."""
    if isinstance(tags, pa.ChunkedArray):
        tags = tags.combine_chunks()
    flat = pc.list_flatten(tags)
    parents = pc.list_parent_indices(tags)
    is_dataset = pc.fill_null(pc.starts_with(flat, DATASET_TAG), False)
    is_base = pc.fill_null(pc.starts_with(flat, BASE_MODEL_TAG), False)
    dataset_ids = pc.utf8_slice_codeunits(pc.filter(flat, is_dataset), len(DATASET_TAG))
    base_bodies = pc.utf8_slice_codeunits(pc.filter(flat, is_base), len(BASE_MODEL_TAG))
    base_ids = pc.replace_substring_regex(base_bodies, pattern=r"(?s)^[a-z_]+:(.+)$", replacement=r"\1")
    return (_first_appearances(pc.filter(parents, is_dataset), dataset_ids, len(tags), list_type),
            _first_appearances(pc.filter(parents, is_base), base_ids, len(tags), list_type))  # fmt: skip


def with_tag_declarations(models: pa.Table) -> pa.Table:
    """``models`` with its ``datasets`` and ``base_model`` lists read from its tags (``declarations: tags``).

    The card's lists are replaced, so every measure downstream reads the tags' declarations through the same
    columns and edge lists; the card's shapes stay (they describe the cards, see declaration_shapes).
    """
    lists = models.schema.field("datasets").type
    columns = dict(zip(("datasets", "base_model"), tag_declaration_lists(models.column("tags"), lists), strict=True))
    for name, column in columns.items():
        models = models.set_column(models.schema.get_field_index(name), pa.field(name, lists), column)
    return models


def check_some_model(model_tables: Mapping[str, pa.Table]) -> None:
    """Stop when the configured tasks together have no model: every measure would be zero or empty.

    Whatever the source (a dump's index also checks this, ``source: api`` cannot before collecting), a run in
    which every model listing is empty has the wrong source or task names, not a finding.
    """
    if not any(table.num_rows for table in model_tables.values()):
        raise InputError(
            "matrices",
            f"no configured task has any model ({len(model_tables)} tasks, all model listings empty); "
            "check the source and the task names",
        )


def build_matrices(model_paths: Mapping[str, str], dataset_paths: Mapping[str, str],
                   threads: int = 1, declarations: str = "card") -> dict[str, pa.Table]:  # fmt: skip
    """All matrices from the per-task parsed tables (see ``MATRIX_NAMES``); declarations from the cards or, with
    ``declarations="tags"``, from the Hub's tags (:func:`with_tag_declarations`).

    Arrow's group-bys run on its thread pool: each result is either sorted afterwards or a minimum row number,
    so the thread count cannot change what is written.
    """
    model_tables = read_per_task(model_paths, "models", threads)
    check_some_model(model_tables)
    dataset_tables = read_per_task(dataset_paths, "datasets", threads)
    models = first_per_key(pa.concat_tables(model_tables.values()), "model_id")
    card_dataset = string_edges(models, "model_id", "datasets", "dataset_id")
    card_base = string_edges(models, "model_id", "base_model", "base_model_id")
    if declarations == "tags":
        models = with_tag_declarations(models)
    models = models.append_column("datasets_n", entry_count(models.column("datasets")))
    models = models.append_column("base_model_n", entry_count(models.column("base_model")))
    datasets = first_per_key(pa.concat_tables(dataset_tables.values()), "dataset_id")
    return {
        "models": models.drop_columns(["datasets", "base_model"]),
        "model_task": task_memberships(model_tables, "model_id", threads),
        "datasets": datasets,
        "dataset_task": task_memberships(dataset_tables, "dataset_id", threads),
        "model_dataset": card_dataset if declarations == "card" else string_edges(models, "model_id", "datasets",
                                                                                  "dataset_id"),
        "model_base": card_base if declarations == "card" else string_edges(models, "model_id", "base_model",
                                                                            "base_model_id"),
        "card_dataset": card_dataset,
        "card_base": card_base,
    }


def write_matrices(tables: Mapping[str, pa.Table], outputs: Mapping[str, str | os.PathLike[str]], source: str,
                   threads: int = 1) -> None:  # fmt: skip
    """Write each matrix atomically to its path in ``outputs`` (matrix name -> path), tagged with its source."""

    def write(name: str) -> None:
        with atomic_path(outputs[name]) as tmp:
            pq.write_table(tables[name].replace_schema_metadata({"hubreuse.source": source}), tmp,
                           compression="zstd")  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        list(pool.map(write, tables))
