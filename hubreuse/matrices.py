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
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.io import atomic_path
from hubreuse.parsed import read_parsed

MATRIX_NAMES = ("models", "model_task", "datasets", "dataset_task", "model_dataset", "model_base")


def read_per_task(paths: Mapping[str, str | os.PathLike[str]], kind: str, threads: int = 1) -> pa.Table:
    """Concatenate the per-task parsed tables of ``kind``, adding a ``task`` column (files read by ``threads``
    threads, kept in order)."""
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        read = list(pool.map(lambda path: read_parsed(path, kind), paths.values()))
    tables = [table.append_column("task", pa.array([task] * table.num_rows, pa.string()))
              for task, table in zip(paths, read, strict=True)]  # fmt: skip
    return pa.concat_tables(tables)


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


def build_matrices(model_paths: Mapping[str, str], dataset_paths: Mapping[str, str],
                   threads: int = 1) -> dict[str, pa.Table]:  # fmt: skip
    """All matrices from the per-task parsed tables (see ``MATRIX_NAMES``).

    Arrow's group-bys run on its thread pool: each result is either sorted afterwards or a minimum row number,
    so the thread count cannot change what is written.
    """
    models_all = read_per_task(model_paths, "models", threads)
    datasets_all = read_per_task(dataset_paths, "datasets", threads)
    model_task = (
        models_all.select(["model_id", "task"]).group_by(["model_id", "task"]).aggregate([])
    )
    dataset_task = (
        datasets_all.select(["dataset_id", "task"]).group_by(["dataset_id", "task"]).aggregate([])
    )
    models = first_per_key(models_all.drop_columns(["task"]), "model_id")
    models = models.append_column("datasets_n", entry_count(models.column("datasets")))
    models = models.append_column("base_model_n", entry_count(models.column("base_model")))
    datasets = first_per_key(datasets_all.drop_columns(["task"]), "dataset_id")
    return {
        "models": models.drop_columns(["datasets", "base_model"]),
        "model_task": model_task.sort_by([("task", "ascending"), ("model_id", "ascending")]),
        "datasets": datasets,
        "dataset_task": dataset_task.sort_by([("task", "ascending"), ("dataset_id", "ascending")]),
        "model_dataset": string_edges(models, "model_id", "datasets", "dataset_id"),
        "model_base": string_edges(models, "model_id", "base_model", "base_model_id"),
    }


def write_matrices(tables: Mapping[str, pa.Table], out_dir: str | os.PathLike[str], source: str,
                   threads: int = 1) -> None:  # fmt: skip
    """Write each matrix atomically as ``<out_dir>/<name>.parquet``, tagged with its source."""

    def write(name: str) -> None:
        with atomic_path(Path(out_dir) / f"{name}.parquet") as tmp:
            pq.write_table(tables[name].replace_schema_metadata({"hubreuse.source": source}), tmp,
                           compression="zstd")  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        list(pool.map(write, tables))
