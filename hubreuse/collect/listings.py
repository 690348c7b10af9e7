"""Cut per-task listings out of an indexed dump, with the semantics of the Hub's listing filters.

``list_models(filter=task)`` returns the models whose ``tags`` contain ``task``;
``list_datasets(task_categories=task)`` the datasets whose ``tags`` contain ``task_categories:<task>``.
Each listing is gzip JSON Lines holding the records' original text, in dump order, plus a manifest.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.core.io import gzip_writer, sha256_of, utc_now, write_json

log = logging.getLogger(__name__)



def listing_tag(kind: str, task: str) -> str:
    """The tag a listing of ``kind`` filters on for ``task``."""
    if kind == "models":
        return task
    if kind == "datasets":
        return f"task_categories:{task}"
    raise ValueError(f"unknown kind {kind!r}")


def rows_with_tag(tags: pa.ChunkedArray | pa.Array, tag: str) -> np.ndarray:
    """Row positions whose tag list contains ``tag`` (vectorised: flatten, compare, map back to rows)."""
    if isinstance(tags, pa.ChunkedArray):
        tags = tags.combine_chunks()
    flat = pc.list_flatten(tags)
    parents = pc.list_parent_indices(tags)
    hits = pc.filter(parents, pc.equal(flat, tag))
    return np.unique(hits.to_numpy(zero_copy_only=False))


def write_listing_from_index(
    index_path: str | os.PathLike[str], kind: str, task: str, out_path: str | os.PathLike[str]
) -> int:
    """Write the listing of ``task`` from the index; returns its record count."""
    tag = listing_tag(kind, task)
    records = 0
    parquet = pq.ParquetFile(index_path)
    with gzip_writer(out_path) as out:
        for group in range(parquet.num_row_groups):
            tags = parquet.read_row_group(group, columns=["tags"]).column("tags")
            rows = rows_with_tag(tags, tag)
            if rows.size == 0:
                continue
            lines = parquet.read_row_group(group, columns=["line"]).column("line").take(pa.array(rows))
            out.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))
            records += rows.size
    return records


def collect_from_index(
    index_path: str | os.PathLike[str],
    index_manifest: dict,
    kind: str,
    task: str,
    source: str,
    out_path: str | os.PathLike[str],
    manifest_path: str | os.PathLike[str],
) -> dict:
    """Collect one task's listing from an indexed dump and write its manifest."""
    started = utc_now()
    records = write_listing_from_index(index_path, kind, task, out_path)
    manifest = {
        "kind": kind,
        "task": task,
        "source": source,
        "synthetic": source == "demo",
        "filter": {"tags_contain": listing_tag(kind, task)},
        "dump": index_manifest.get("dump"),
        "dump_sha256": index_manifest.get("dump_sha256"),
        "records": records,
        "sha256": sha256_of(out_path),
        "started_at": started,
        "finished_at": utc_now(),
    }
    write_json(manifest_path, manifest)
    log.info("%s/%s: %d records from %s", kind, task, records, Path(index_path).name)
    return manifest
