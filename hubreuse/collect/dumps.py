"""Read Hub metadata dumps and index them by id and tags.

A dump is one API record per line (JSON Lines, plain or gzip) or a Parquet file with the same fields. The
index keeps each record's original text untouched, so the per-task listings cut from it are exactly what
the Hub returned; it is built once per dump so that every per-task ``collect`` job only filters columns.

Parquet encodings: a nested field (:data:`NESTED_FIELDS`: ``tags``, ``cardData``, ...) may be a native
list/struct/map column, passed through as it is, or a string column of JSON text (how whole-Hub snapshots such
as ``cfahlgren1/hub-stats`` store ``cardData``), decoded per value: ``tags`` must decode to a list (or null),
``cardData`` to an object (or null); anything else, or text that is not JSON, is an error naming the row and
column. In either format a ``tags`` that is present, not null and not a list is an error: it would silently
empty every task.

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
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.core.errors import InputError
from hubreuse.core.io import atomic_path, open_text, sha256_of
from hubreuse.core.records import describe_id_fields, record_id

log = logging.getLogger(__name__)

INDEX_SCHEMA = pa.schema([("id", pa.string()), ("tags", pa.list_(pa.string())), ("line", pa.string())])
BATCH_ROWS = 50_000
# Fields the listing API returns as JSON arrays/objects; a Parquet dump or snapshot may store them as JSON text.
NESTED_FIELDS = frozenset(
    {"tags", "cardData", "siblings", "config", "safetensors", "gguf", "spaces", "widgetData", "transformersInfo",
     "baseModels", "inference", "inferenceProviderMapping", "model-index", "card_data"}
)  # fmt: skip
# What JSON text in these columns must decode to (or null); other nested fields accept any JSON value.
JSON_TEXT_TYPES = {"tags": (list, "a JSON list"), "cardData": (dict, "a JSON object")}
DATASET_TAG_PREFIX = "task_categories:"
EXCERPT_CHARS = 60


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``value`` as JSON on one line (a string quoted, newlines escaped), cut to ``limit`` characters."""
    if isinstance(value, str):
        return orjson.dumps(value if len(value) <= limit else value[:limit] + "...").decode()
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= limit else text[:limit] + "..."


def json_type_name(value: object) -> str:
    """The JSON name of a decoded value's type, with its article (``a string``, ``an object``)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", dict: "an object", list: "a list", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def column_encodings(schema: pa.Schema) -> dict[str, str]:
    """How each nested field is stored: ``json_text``, ``list``, ``struct``, ``map``, or the Arrow type name."""
    encodings = {}
    for field in schema:
        if field.name not in NESTED_FIELDS:
            continue
        kind = field.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            encodings[field.name] = "json_text"
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            encodings[field.name] = "list"
        elif pa.types.is_struct(kind):
            encodings[field.name] = "struct"
        elif pa.types.is_map(kind):
            encodings[field.name] = "map"
        else:
            encodings[field.name] = str(kind)
    return encodings


def decode_json_text(value: object, column: str, where: str) -> object:
    """One cell of a nested field stored as text, as the API would return it.

    Null stays null. ``tags`` and ``cardData`` must hold JSON text of a list / an object (or ``null``); blank
    ``cardData`` text is a card the model does not have. Other nested fields keep a plain string that does not
    look like JSON (the API allows strings there) and decode the rest. Anything else is an :class:`InputError`
    at ``where``: never read as empty.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    expected = JSON_TEXT_TYPES.get(column)
    if not text and column != "tags":
        return None
    if expected is None and text[0] not in "[{":
        return value  # a plain string where the API also allows one
    try:
        decoded = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        # The parser's position helps in long text only; a short value is shown whole.
        detail = f" ({error})" if len(text) > EXCERPT_CHARS else ""
        wanted = f", expected {expected[1]}" if expected else ""
        raise InputError(
            where, f"column {column!r} holds text that is not valid JSON{detail}{wanted}: {excerpt(value)}"
        ) from None
    if expected is not None and decoded is not None and not isinstance(decoded, expected[0]):
        raise InputError(
            where,
            f"column {column!r} holds JSON text of {json_type_name(decoded)}, not {expected[1]}: {excerpt(value)}",
        )
    return decoded


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


def iter_parquet_records(path: Path, label: str) -> Iterator[tuple[int, str, dict]]:
    """Yield (row number, JSON text, record) from a Parquet dump.

    Nested fields stored as text are decoded as JSON (:func:`decode_json_text`); native list, struct and map
    columns pass through as they are.
    """
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{label} {path}", f"unreadable Parquet ({error})") from None
    encodings = column_encodings(parquet.schema_arrow)
    text_columns = [name for name, encoding in encodings.items() if encoding == "json_text"]
    # Arrow gives a map cell as a list of (key, value) pairs; the API's record has an object there.
    map_columns = [name for name, encoding in encodings.items() if encoding == "map"]
    row = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for record in batch.to_pylist():
            row += 1
            for name in text_columns:
                if record[name] is not None:
                    record[name] = decode_json_text(record[name], name, f"{label} {path}: row {row}")
            for name in map_columns:
                if record[name] is not None:
                    record[name] = dict(record[name])
            line = orjson.dumps(record, default=str).decode()
            yield row, line, record


def iter_dump(path: str | os.PathLike[str], label: str) -> Iterator[tuple[int, str, dict]]:
    """Records of a dump, whatever its format. ``label`` names the dump in errors (``models_dump``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{label} {path}", "file does not exist")
    if is_parquet(path):
        return iter_parquet_records(path, label)
    return iter_json_lines(path, label)


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
    """Stop on a dump without a single record: every task would be empty and the report all zeros."""
    if summary["records"] == 0:
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


def build_index(dump: str | os.PathLike[str], label: str, out_path: str | os.PathLike[str],
                tasks: Sequence[str] | None = None) -> dict:  # fmt: skip
    """Index a dump as Parquet (id, tags, original line), keeping each id's first record.

    Returns counts for the manifest: records, duplicates, records with a tag of one of ``tasks`` (a model's task
    tag) and records with any ``task_categories:`` tag (a dataset's). A record without a string id, or whose
    ``tags`` is not a list, is bad input; so is a dump without records. On any error the index is not written.
    Whether the dump is of the kind its label says is judged with the other dump (:func:`check_dump_kinds`).
    """
    seen: set[str] = set()
    records = duplicates = with_task = with_categories = 0
    task_values = None if tasks is None else pa.array(list(tasks), pa.string())
    ids: list[str] = []
    tags: list[list[str]] = []
    lines: list[str] = []
    with atomic_path(out_path) as tmp, pq.ParquetWriter(tmp, INDEX_SCHEMA, compression="zstd") as writer:

        def flush() -> None:
            nonlocal with_task, with_categories
            if ids:
                table = pa.table([ids, tags, lines], schema=INDEX_SCHEMA)
                task_rows, category_rows = tagged_rows(table.column("tags").combine_chunks(), task_values)
                with_task += task_rows or 0
                with_categories += category_rows
                writer.write_table(table)
                ids.clear(), tags.clear(), lines.clear()

        records_iter = iter_dump(dump, label)
        parquet = is_parquet(Path(dump))
        for lineno, line, record in records_iter:
            rid = record_id(record)
            if rid is None:
                raise InputError(location(label, dump, lineno, parquet),
                                 f"record has no 'id' (nor 'modelId') that is a string ({describe_id_fields(record)})")
            if not rid.strip():
                raise InputError(location(label, dump, lineno, parquet), f"record id must not be blank, got {rid!r}")
            record_tag_value = record.get("tags")
            if record_tag_value is not None and not isinstance(record_tag_value, list):
                raise InputError(
                    location(label, dump, lineno, parquet),
                    f"tags must be a JSON list, got {json_type_name(record_tag_value)}: {excerpt(record_tag_value)}",
                )
            if rid in seen:
                duplicates += 1
                continue
            seen.add(rid)
            records += 1
            ids.append(rid)
            tags.append(record_tags(record))
            lines.append(line)
            if len(ids) >= BATCH_ROWS:
                flush()
        flush()
        summary = {
            "dump": str(Path(dump).resolve()),
            "dump_sha256": sha256_of(dump),
            "records": records,
            "duplicates": duplicates,
            "configured_tasks": None if tasks is None else len(tasks),
            "records_with_task_tag": None if tasks is None else with_task,
            "records_with_task_categories_tag": with_categories,
        }
        check_not_empty(summary, label, dump, parquet)
    log.info(
        "indexed %s: %d records, %d duplicate ids dropped, %s with a configured task's tag, %d with task_categories:",
        dump, records, duplicates, summary["records_with_task_tag"], with_categories,
    )  # fmt: skip
    return summary
