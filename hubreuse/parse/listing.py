"""Parse raw listings into typed Parquet tables without losing any declaration.

Card metadata is free-form YAML written by people: ``datasets`` may be a string, a list with nulls or
objects, null, or a number. Each declaration keeps its raw JSON text and a *shape* label, and the
paper-compatible reading of it (a string ``s`` is ``[s]``, a non-empty list is taken as it is, anything else
declares nothing), so later stages can count every odd value instead of silently dropping it.

The JSON is parsed by DuckDB's vectorised reader and the Parquet written by DuckDB too (C++, no per-record
Python, no pyarrow in the job): parsing is the largest part of the post-collection work, and a Python loop over
millions of records would dominate it. A listing DuckDB cannot read, or a record without a string id, is
re-scanned line by line to name the bad line in a one-line error.
"""

from __future__ import annotations

import logging
import os

import duckdb
import orjson

from hubreuse.core.declarations import DECLARATION_KEYS
from hubreuse.core.errors import InputError
from hubreuse.core.io import atomic_path, open_text
from hubreuse.core.records import record_id

log = logging.getLogger(__name__)

ZSTD_LEVEL = 1  # Arrow's default: DuckDB's (3) writes 1% smaller files 15% slower

# Every field is read as JSON so that a value of an unexpected type is classified, never a read error.
_COLUMNS = "{id: 'JSON', modelId: 'JSON', createdAt: 'JSON', pipeline_tag: 'JSON', tags: 'JSON', cardData: 'JSON'}"


def _string(expr: str) -> str:
    """SQL: the JSON value as text when it is a JSON string, else NULL."""
    return f"CASE WHEN json_type({expr}) = 'VARCHAR' THEN {expr} ->> '$' END"


def _declaration_columns(key: str) -> str:
    """SQL for one card key: its shape, the paper's entries (non-strings as NULL entries), its raw JSON."""
    path = f"'$.{key}'"
    kind = f"json_type(cardData, {path})"
    elements = f"json_extract(cardData, '$.{key}[*]')"
    all_strings = f"list_bool_and(list_transform({elements}, lambda x: json_type(x) = 'VARCHAR'))"
    return f"""
        CASE WHEN {kind} IS NULL THEN 'absent'
             WHEN {kind} = 'NULL' THEN 'null'
             WHEN {kind} = 'VARCHAR' THEN 'string'
             WHEN {kind} = 'ARRAY' AND json_array_length(cardData, {path}) = 0 THEN 'empty_list'
             WHEN {kind} = 'ARRAY' AND {all_strings} THEN 'list'
             WHEN {kind} = 'ARRAY' THEN 'list_nonstring'
             ELSE 'other' END AS {key}_shape,
        CASE WHEN {kind} = 'VARCHAR' THEN [cardData ->> {path}]
             WHEN {kind} = 'ARRAY' AND json_array_length(cardData, {path}) > 0
                  THEN list_transform({elements}, lambda x: CASE WHEN json_type(x) = 'VARCHAR' THEN x ->> '$' END)
             END AS {key},
        json_extract(cardData, {path})::VARCHAR AS {key}_json"""


def _query(kind: str, path: str) -> str:
    # A record without a string id stops the query; parse_listing then names its line. The same rule in
    # Python is hubreuse.core.records.record_id (the collector checks it before checkpointing a page).
    any_id = f"coalesce({_string('id')}, {_string('modelId')})"
    record_id = f"CASE WHEN {any_id} IS NULL THEN error('record without a string id') ELSE {any_id} END"
    tags = """CASE WHEN json_type(tags) = 'ARRAY'
             THEN list_transform(list_filter(json_extract(tags, '$[*]'), lambda x: json_type(x) = 'VARCHAR'),
                                 lambda x: x ->> '$')
             ELSE []::VARCHAR[] END"""
    created = f"try_cast({_string('createdAt')} AS TIMESTAMPTZ)"
    source = f"read_ndjson('{path}', columns = {_COLUMNS}, maximum_object_size = 268435456)"
    if kind == "models":
        declarations = ", ".join(_declaration_columns(key) for key in DECLARATION_KEYS)
        card = "CASE WHEN json_type(cardData) = 'OBJECT' THEN cardData END AS cardData"
        return f"""
            SELECT {record_id} AS model_id, {created} AS created_at, {_string('pipeline_tag')} AS pipeline_tag,
                   {tags} AS tags, {declarations}
            FROM (SELECT id, modelId, createdAt, pipeline_tag, tags, {card} FROM {source})"""
    return f"SELECT {record_id} AS dataset_id, {created} AS created_at, {tags} AS tags FROM {source}"


def locate_bad_line(path: str | os.PathLike[str]) -> InputError | None:
    """The first line of a listing that is not a JSON object with a string id, as an error (None if all are)."""
    with open_text(path) as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                return InputError(f"{path}:{lineno}", f"not valid JSON ({error})")
            if not isinstance(record, dict):
                return InputError(f"{path}:{lineno}", "record is not a JSON object")
            if record_id(record) is None:
                return InputError(f"{path}:{lineno}", "record has no string 'id' (nor 'modelId')")
    return None


def parse_listing(
    kind: str, listing: str | os.PathLike[str], out_path: str | os.PathLike[str], source: str, threads: int = 1
) -> int:
    """Parse one raw listing into Parquet (columns and types: :data:`hubreuse.parse.tables.SCHEMAS`); returns the row
    count.

    DuckDB writes the Parquet file itself: a parse job then never loads pyarrow, a seventh of a small task's job.
    Its timestamps are microseconds and its list items are named ``element``; readers cast to the declared
    schema (:func:`hubreuse.parse.tables.read_parsed`).
    """
    listing = os.fspath(listing)
    con = duckdb.connect(config={"threads": max(1, threads)})
    try:
        con.execute("SET TimeZone = 'UTC'")
        query = _query(kind, _sql_string(listing))
        with atomic_path(out_path) as tmp:
            options = (f"FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL}, "
                       f"KV_METADATA {{'hubreuse.source': '{_sql_string(source)}'}}")  # fmt: skip
            rows = con.execute(f"COPY ({query}) TO '{_sql_string(os.fspath(tmp))}' ({options})").fetchone()[0]
    except duckdb.Error as error:
        raise locate_bad_line(listing) or InputError(listing, f"unreadable listing ({error})") from None
    finally:
        con.close()
    log.info("parsed %s: %d %s", listing, rows, kind)
    return rows


def _sql_string(text: str) -> str:
    """``text`` for a single-quoted SQL literal."""
    return text.replace("'", "''")
