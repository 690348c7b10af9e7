"""Cut per-task listings out of an indexed dump, with the semantics of the Hub's listing filters.

``list_models(filter=task)`` returns the models whose ``tags`` contain ``task``;
``list_datasets(task_categories=task)`` the datasets whose ``tags`` contain ``task_categories:<task>``.
Each listing is gzip JSON Lines holding the records' original text, in dump order, plus a manifest.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
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


def cut_name(task: str) -> str:
    """The file of a task's cut in a cuts folder."""
    return f"{task}.parquet"


class TaskCuts:
    """Each task's records, cut once while the dump is indexed: ``<folder>/<task>.parquet`` (their lines, in
    dump order), so that a task's collect job reads its own records instead of the whole index.

    Why: with one collect job per task, each job reading every row group of the index decoded the whole dump's
    text (a 480,000-model dump: about 0.5 s per job, 30 jobs); cutting all tasks in one pass while indexing costs
    one vectorised tag lookup per batch. ``tags`` are the listing tags (:func:`listing_tag`), one file per task
    even when empty; a task without a file (tasks: all, a pipeline tag outside the taxonomy) is cut from the
    index by :func:`write_listing_from_index`. Files are written to a temporary folder that replaces ``folder``
    only when :meth:`close` is called after success.
    """

    SCHEMA = pa.schema([("line", pa.string())])

    def __init__(self, folder: str | os.PathLike[str], kind: str, tasks: Sequence[str]) -> None:
        self.folder = Path(folder)
        self.tmp = self.folder.with_name(f".{self.folder.name}.tmp")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self.tasks = list(tasks)
        self.tags = pa.array([listing_tag(kind, task) for task in self.tasks], pa.string())
        self.writers = [pq.ParquetWriter(self.tmp / cut_name(task), self.SCHEMA, compression="lz4")
                        for task in self.tasks]  # fmt: skip
        self.closed = False

    def add(self, tags: pa.ListArray, lines: pa.Array) -> None:
        """Append a batch's rows (``tags``, ``lines``: the index's columns) to the cuts of the tasks they carry."""
        codes = pc.index_in(pc.list_flatten(tags), value_set=self.tags)
        hit = pc.is_valid(codes)
        task_of = pc.filter(codes, hit).to_numpy(zero_copy_only=False).astype(np.int64)
        row_of = pc.filter(pc.list_parent_indices(tags), hit).to_numpy(zero_copy_only=False).astype(np.int64)
        width = max(len(lines), 1)
        pairs = np.unique(task_of * width + row_of)  # by task, then row; a repeated tag counts once
        bounds = np.searchsorted(pairs // width, np.arange(len(self.tasks) + 1))
        for code, writer in enumerate(self.writers):
            rows = pairs[bounds[code]:bounds[code + 1]] % width
            if rows.size:
                writer.write_table(pa.table({"line": lines.take(pa.array(rows))}, schema=self.SCHEMA))

    def close(self, success: bool) -> None:
        """Finish every cut; keep them (``success``) or remove them."""
        self.closed = True
        for writer in self.writers:
            writer.close()
        if success:
            shutil.rmtree(self.folder, ignore_errors=True)
            os.replace(self.tmp, self.folder)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def write_lines(lines: pa.Array, out) -> None:
    """Lines of a listing as gzip JSON Lines text: each line, then a newline."""
    out.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))


def write_listing_from_cut(cut: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> int:
    """Write a task's listing from its cut (:class:`TaskCuts`); returns its record count."""
    records = 0
    parquet = pq.ParquetFile(cut)
    with gzip_writer(out_path) as out:
        for group in range(parquet.num_row_groups):
            lines = parquet.read_row_group(group, columns=["line"]).column("line")
            if len(lines):
                write_lines(lines, out)
                records += len(lines)
    return records


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
            write_lines(parquet.read_row_group(group, columns=["line"]).column("line").take(pa.array(rows)), out)
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
    cuts: str | os.PathLike[str] | None = None,
) -> dict:
    """Collect one task's listing from an indexed dump and write its manifest: from the task's cut in ``cuts``
    (the folder :class:`TaskCuts` wrote while indexing) when it has one, else from the index."""
    started = utc_now()
    cut = Path(cuts) / cut_name(task) if cuts else None
    if cut is not None and cut.exists():
        records = write_listing_from_cut(cut, out_path)
    else:
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
