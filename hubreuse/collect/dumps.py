"""Read Hub metadata dumps and index them by id and tags.

A dump is one API record per line (JSON Lines, plain or gzip) or a Parquet file with the same fields. The
index keeps each record's original text untouched, so the per-task listings cut from it are exactly what
the Hub returned; it is built once per dump so that every per-task ``collect`` job only filters columns.

A Parquet dump is read as it is (:mod:`hubreuse.collect.parquet_dump`): only the columns the analysis reads, in
record batches. Its index line holds those columns, with ``tags`` and ``cardData`` stored as JSON text spliced in as
JSON (``tags`` must be a list or null, ``cardData`` an object or null; anything else, or text that is not JSON, is
an error naming the row and column). In either format a ``tags`` that is present, not null and not a list is an
error: it would silently empty every task.

A dump without records stops its index job; the index manifest counts the records with a configured task's tag
and those with a ``task_categories:`` tag, and :func:`check_dump_kinds` judges both dumps together, so that
swapped dumps or a models dump without any task tag stop the run with one line instead of an all-zero report.
"""

from __future__ import annotations

import gzip
import logging
import os
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.collect import parquet_dump
from hubreuse.collect.listings import TaskCuts
from hubreuse.collect.parquet_dump import (  # noqa: F401 - re-exported: one list of nested fields, one decoder
    NESTED_FIELDS,
    column_encodings,
    decode_json_text,
    excerpt,
    json_type_name,
)
from hubreuse.core.errors import InputError
from hubreuse.core.io import atomic_path, open_text, sha256_of
from hubreuse.core.records import describe_id_fields, record_id

log = logging.getLogger(__name__)

INDEX_SCHEMA = pa.schema([("id", pa.string()), ("tags", pa.list_(pa.string())), ("line", pa.string())])
# What a dump reader yields: the index's columns and each record's createdAt, for a cut at a snapshot's date.
SCANNED_SCHEMA = INDEX_SCHEMA.append(pa.field("created", pa.string()))
BATCH_ROWS = 50_000
DATASET_TAG_PREFIX = "task_categories:"


def record_tags(record: dict) -> list[str]:
    """The string entries of ``tags``; anything else is not a tag a filter could match."""
    tags = record.get("tags")
    if not isinstance(tags, list):
        return []
    return [tag for tag in tags if isinstance(tag, str)]


def is_parquet(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PAR1"


def iter_json_lines(path: Path, label: str) -> Iterator[tuple[int, str, dict]]:
    """Yield (line number, line text, record) for each non-blank line, with one-line errors for bad input."""
    lineno = 0
    try:
        with open_text(path) as handle:
            for lineno, raw in enumerate(handle, start=1):  # noqa: B007 - lineno is reported on errors
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    raise InputError(f"{label} {path}:{lineno}", f"not valid JSON ({error})") from None
                if not isinstance(record, dict):
                    raise InputError(
                        f"{label} {path}:{lineno}", f"expected a JSON object, got {type(record).__name__}"
                    )
                yield lineno, line, record
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(
            f"{label} {path}", f"truncated or corrupt gzip after line {lineno} ({error or 'unexpected end'})"
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(f"{label} {path}:{lineno + 1}", f"not UTF-8 text ({error.reason})") from None


def iter_json_index(path: Path, label: str, counts: dict[str, int]) -> Iterator[pa.Table]:
    """Index tables (id, tags, line, created) of the first record of each id of a JSON Lines dump, record by
    record, with one-line errors for a record without a string id or whose ``tags`` is not a list; ``counts`` gets
    ``duplicates``; ``created`` is the record's ``createdAt`` when it is text."""
    seen: set[str] = set()
    ids: list[str] = []
    tags: list[list[str]] = []
    lines: list[str] = []
    created: list[str | None] = []
    for lineno, line, record in iter_json_lines(path, label):
        rid = record_id(record)
        if rid is None:
            raise InputError(location(label, path, lineno, False),
                             f"record has no 'id' (nor 'modelId') that is a string ({describe_id_fields(record)})")
        if not rid.strip():
            raise InputError(location(label, path, lineno, False), f"record id must not be blank, got {rid!r}")
        record_tag_value = record.get("tags")
        if record_tag_value is not None and not isinstance(record_tag_value, list):
            raise InputError(
                location(label, path, lineno, False),
                f"tags must be a JSON list, got {json_type_name(record_tag_value)}: {excerpt(record_tag_value)}",
            )
        if rid in seen:
            counts["duplicates"] += 1
            continue
        seen.add(rid)
        ids.append(rid)
        tags.append(record_tags(record))
        lines.append(line)
        created.append(stamp if isinstance(stamp := record.get("createdAt"), str) else None)
        if len(ids) >= BATCH_ROWS:
            yield pa.table([ids, tags, lines, created], schema=SCANNED_SCHEMA)
            ids, tags, lines, created = [], [], [], []
    if ids:
        yield pa.table([ids, tags, lines, created], schema=SCANNED_SCHEMA)


def index_tables(dump: str | os.PathLike[str], label: str, counts: dict[str, int]) -> Iterator[pa.Table]:
    """Index tables of a dump, whatever its format (Parquet: :mod:`hubreuse.collect.parquet_dump`, which keeps
    only the columns the analysis reads). ``label`` names the dump in errors (``models_dump``)."""
    path = Path(dump)
    if not path.is_file():
        raise InputError(f"{label} {path}", "file does not exist")
    if is_parquet(path):
        return parquet_dump.iter_parquet_index(path, label, counts)
    return iter_json_index(path, label, counts)


def location(label: str, dump: str | os.PathLike[str], number: int, parquet: bool) -> str:
    """Where a record is, for errors: ``label path:line`` (JSON Lines) or ``label path: row N`` (Parquet)."""
    return f"{label} {dump}: row {number}" if parquet else f"{label} {dump}:{number}"


def tagged_rows(tags: pa.Array, tasks: pa.Array | None) -> tuple[int | None, int]:
    """Rows whose tags contain one of ``tasks`` (None without tasks) and rows with a ``task_categories:`` tag."""
    flat = pc.list_flatten(tags)
    parents = pc.list_parent_indices(tags)

    def rows(hit: pa.Array) -> int:
        return len(pc.unique(pc.filter(parents, hit)))

    with_task = None if tasks is None else rows(pc.is_in(flat, value_set=tasks))
    return with_task, rows(pc.starts_with(flat, DATASET_TAG_PREFIX))


def task_list(tasks: Sequence[str], shown: int = 4) -> str:
    """The task names for a message, shortened when there are many (``a, b, c, d, ... 30 tasks``)."""
    tasks = list(tasks)
    if len(tasks) <= shown + 1:
        return ", ".join(tasks)
    return ", ".join(tasks[:shown]) + f", ... {len(tasks)} tasks"


def check_not_empty(summary: dict, label: str, dump: str | os.PathLike[str], parquet: bool) -> None:
    """Stop on a dump without a single record (before a snapshot's date, when it has one): every task would be
    empty and the report all zeros."""
    if summary["records"] == 0:
        cut = summary.get("cutoff")
        if cut and cut["after_cutoff"]:
            raise InputError(f"{label} {dump}", f"no record created on or before the snapshot's date {cut['date']} "
                                                f"({cut['after_cutoff']:,} created after it)")  # fmt: skip
        why = "the Parquet file has no rows" if parquet else "the file is empty or holds only blank lines"
        raise InputError(f"{label} {dump}", f"no records ({why})")


def _models_problem(summary: dict, tasks: Sequence[str]) -> str | None:
    records, with_task = summary["records"], summary["records_with_task_tag"]
    with_categories = summary["records_with_task_categories_tag"]
    if with_task:
        return None
    if with_categories:
        return (f"0 of {records:,} records have a tag of a configured task, {with_categories:,} have "
                f"{DATASET_TAG_PREFIX} tags")  # fmt: skip
    return (f"none of its {records:,} records has a tag of a configured task ({task_list(tasks)}); "
            "no task would have any model")  # fmt: skip


def _datasets_problem(summary: dict) -> str | None:
    records, with_task = summary["records"], summary["records_with_task_tag"]
    if summary["records_with_task_categories_tag"] or not with_task:
        return None
    return (f"0 of {records:,} records have a {DATASET_TAG_PREFIX} tag, {with_task:,} have a tag of a configured "
            "task as models do")  # fmt: skip


def check_dump_kinds(models: dict, datasets: dict, tasks: Sequence[str]) -> None:
    """Stop, with one line, on dumps that cannot be what their labels say: swapped, or a models dump in which no
    record has a configured task's tag. ``models`` and ``datasets`` are the index manifests (their counts).

    Each would otherwise run to an all-zero report. Both dumps are judged together so that swapped dumps give one
    line naming both, not one line per index job.
    """
    models_problem, datasets_problem = _models_problem(models, tasks), _datasets_problem(datasets)
    swapped_models = models_problem is not None and models["records_with_task_categories_tag"] > 0
    if swapped_models and datasets_problem:
        raise InputError(
            f"models_dump {models['dump']} and datasets_dump {datasets['dump']}",
            f"the dumps look swapped: models_dump: {models_problem}; datasets_dump: {datasets_problem}",
        )
    if models_problem:
        hint = "; are the dumps swapped?" if swapped_models else ""
        raise InputError(f"models_dump {models['dump']}", models_problem + hint)
    if datasets_problem:
        raise InputError(f"datasets_dump {datasets['dump']}", datasets_problem + "; are the dumps swapped?")


def cut_at(table: pa.Table, cutoff: str, counts: dict[str, int]) -> pa.Table:
    """The rows created on or before ``cutoff`` (an ISO date; createdAt's date part, UTC, compared as text), and
    those without a creation time, which are kept and counted (``undated_kept``); ``after_cutoff`` counts the
    rows left out."""
    day = pc.utf8_slice_codeunits(table.column("created"), 0, 10)
    after = pc.fill_null(pc.greater(day, pa.scalar(cutoff)), False)
    counts["after_cutoff"] += pc.sum(after).as_py() or 0
    counts["undated_kept"] += table.column("created").null_count
    return table.filter(pc.invert(after))


def build_index(dump: str | os.PathLike[str], label: str, out_path: str | os.PathLike[str],
                tasks: Sequence[str] | None = None, cutoff: str = "",
                cuts: str | os.PathLike[str] | None = None) -> dict:  # fmt: skip
    """Index a dump as Parquet (id, tags, original line), keeping each id's first record; with ``cutoff`` (a
    snapshot as of its date) only the records created on or before that date, and those without a date; with
    ``cuts`` (a folder) each of the ``tasks``' records too, for its collect job (:class:`~hubreuse.collect.
    listings.TaskCuts`).

    Returns counts for the manifest: records, duplicates, records with a tag of one of ``tasks`` (a model's task
    tag) and records with any ``task_categories:`` tag (a dataset's). A record without a string id, or whose
    ``tags`` is not a list, is bad input; so is a dump without records. On any error the index is not written.
    Whether the dump is of the kind its label says is judged with the other dump (:func:`check_dump_kinds`).
    """
    records = with_task = with_categories = 0
    counts = {"duplicates": 0, "after_cutoff": 0, "undated_kept": 0}
    task_values = None if tasks is None else pa.array(list(tasks), pa.string())
    cut = TaskCuts(cuts, label.removesuffix("_dump"), tasks or []) if cuts else None
    with ExitStack() as stack:
        if cut is not None:
            stack.callback(lambda: cut.close(success=False) if not cut.closed else None)
        tmp = stack.enter_context(atomic_path(out_path))
        writer = stack.enter_context(pq.ParquetWriter(tmp, INDEX_SCHEMA, compression="zstd"))
        for scanned in index_tables(dump, label, counts):
            table = (cut_at(scanned, cutoff, counts) if cutoff else scanned).drop_columns("created")
            if not table.num_rows:
                continue
            table = table.cast(INDEX_SCHEMA)
            tags = table.column("tags").combine_chunks()
            task_rows, category_rows = tagged_rows(tags, task_values)
            records += table.num_rows
            with_task += task_rows or 0
            with_categories += category_rows
            writer.write_table(table)
            if cut is not None:
                cut.add(tags, table.column("line").combine_chunks())
        duplicates = counts["duplicates"]
        parquet = is_parquet(Path(dump))
        summary = {
            "dump": str(Path(dump).resolve()),
            "dump_sha256": sha256_of(dump),
            "records": records,
            "duplicates": duplicates,
            "configured_tasks": None if tasks is None else len(tasks),
            "records_with_task_tag": None if tasks is None else with_task,
            "records_with_task_categories_tag": with_categories,
        }
        if cutoff:
            summary["cutoff"] = {"date": cutoff, "after_cutoff": counts["after_cutoff"],
                                 "undated_kept": counts["undated_kept"]}  # fmt: skip
        check_not_empty(summary, label, dump, parquet)
        if cut is not None:
            cut.close(success=True)
    log.info(
        "indexed %s: %d records, %d duplicate ids dropped, %s with a configured task's tag, %d with task_categories:",
        dump, records, duplicates, summary["records_with_task_tag"], with_categories,
    )  # fmt: skip
    return summary
