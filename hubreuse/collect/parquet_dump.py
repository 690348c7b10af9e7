"""Read a Parquet dump as it is: only the columns the analysis reads, batch by batch, without a per-record loop.

Whole-Hub snapshots such as ``cfahlgren1/hub-stats`` hold millions of rows with wide columns the analysis never
reads (``siblings``, ``config``, ``baseModels``, ``safetensors``, ...). Reading every column and turning each row
into a Python dict costs minutes and gigabytes, so a Parquet dump is read in two bounded passes:

1. the id columns only: each record's id (``id``, else ``modelId``), checked (a string, not blank), and which rows
   are the first of their id (a repeated id keeps its first record, as in JSON Lines dumps);
2. the projected columns (:data:`PROJECTIONS`, those the file has), one record batch at a time: DuckDB validates
   JSON text and builds each record's JSON line from the batch in C++ (``to_json(struct_pack(...))``).

Encodings: ``tags`` a list of strings or JSON text of a list; ``cardData`` an object (struct or map column) or
JSON text of an object, blank text being no card. JSON text is checked vectorised; only the first bad row is
decoded again in Python (:func:`decode_json_text`) to name it in a one-line error. Timestamps are written as the
API writes them (``2022-03-01T12:00:05.000Z``); a timestamp without time zone (hub-stats' ``createdAt``) is taken
to be UTC.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.core.errors import InputError
from hubreuse.core.records import describe_id_fields

# The fields a listing line must keep: exactly what hubreuse.parse.listing reads (its _COLUMNS) for each kind.
PROJECTIONS = {
    "models": ("id", "modelId", "createdAt", "pipeline_tag", "tags", "cardData"),
    "datasets": ("id", "modelId", "createdAt", "tags"),
}
REQUIRED_COLUMNS = ("id", "tags")
BATCH_ROWS = 50_000
DUCKDB_MEMORY = "512MB"  # per batch DuckDB holds one batch's lines; the limit only bounds a surprise
# Fields the listing API returns as JSON arrays/objects; a Parquet dump or snapshot may store them as JSON text.
NESTED_FIELDS = frozenset(
    {"tags", "cardData", "siblings", "config", "safetensors", "gguf", "spaces", "widgetData", "transformersInfo",
     "baseModels", "inference", "inferenceProviderMapping", "model-index", "card_data"}
)  # fmt: skip
# What JSON text in these columns must decode to (or null); other nested fields accept any JSON value.
JSON_TEXT_TYPES = {"tags": (list, "a JSON list"), "cardData": (dict, "a JSON object")}
EXCERPT_CHARS = 60
API_TIME = "%Y-%m-%dT%H:%M:%S.%gZ"


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


def is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def is_list(kind: pa.DataType) -> bool:
    return pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_list_view(kind)


def column_encodings(schema: pa.Schema) -> dict[str, str]:
    """How each nested field is stored: ``json_text``, ``list``, ``struct``, ``map``, or the Arrow type name."""
    encodings = {}
    for field in schema:
        if field.name not in NESTED_FIELDS:
            continue
        kind = field.type
        if is_text(kind):
            encodings[field.name] = "json_text"
        elif is_list(kind):
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


def open_parquet(path: str | os.PathLike[str], label: str) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{label} {path}", f"unreadable Parquet ({error})") from None


def projected_columns(schema: pa.Schema, kind: str) -> list[str]:
    """The columns of :data:`PROJECTIONS` ``kind`` the file has, in file order (an unknown kind: both lists)."""
    wanted = set(PROJECTIONS.get(kind) or (*PROJECTIONS["models"], *PROJECTIONS["datasets"]))
    return [name for name in schema.names if name in wanted]


def check_columns(schema: pa.Schema, label: str, path: str | os.PathLike[str]) -> None:
    """Fail with one line naming every required column the file lacks (``modelId`` stands in for ``id``)."""
    missing = [name for name in REQUIRED_COLUMNS if name not in schema.names]
    if "id" in missing and "modelId" in schema.names:
        missing.remove("id")
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise InputError(
            f"{label} {path}",
            f"missing required column(s) {names}; columns present: {', '.join(schema.names) or 'none'}",
        )


def first_rows(parquet: pq.ParquetFile, label: str, path: str | os.PathLike[str]) -> tuple[pa.Array, np.ndarray]:
    """Every row's id and whether the row is the first of its id (pass 1: the id columns only).

    A row without a string ``id`` nor ``modelId``, or with a blank id, is an error naming the row.
    """
    columns = [name for name in ("id", "modelId") if name in parquet.schema_arrow.names]
    table = parquet.read(columns=columns)
    strings = [table.column(name) for name in columns if is_text(table.schema.field(name).type)]
    if not strings:
        ids = pa.nulls(table.num_rows, pa.string())
    else:
        ids = pc.coalesce(*[pc.cast(column, pa.string()) for column in strings])
        ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    if ids.null_count:
        row = pc.index(pc.is_null(ids), True).as_py()
        record = table.slice(row, 1).to_pylist()[0]
        raise InputError(f"{label} {path}: row {row + 1}",
                         f"record has no 'id' (nor 'modelId') that is a string ({describe_id_fields(record)})")
    blank = pc.equal(pc.utf8_trim_whitespace(ids), "")
    if pc.any(blank).as_py():
        row = pc.index(blank, True).as_py()
        raise InputError(f"{label} {path}: row {row + 1}", f"record id must not be blank, got {ids[row].as_py()!r}")
    positions = pa.table({"id": ids, "row": pa.array(np.arange(len(ids), dtype=np.int64))})
    firsts = positions.group_by("id", use_threads=False).aggregate([("row", "min")]).column("row_min")
    keep = np.zeros(len(ids), dtype=bool)
    keep[firsts.to_numpy()] = True
    return ids, keep


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_sql(name: str, kind: pa.DataType) -> tuple[str, str | None]:
    """SQL of the column's value in the line, and of its row being bad (JSON text of the wrong kind), if it can be.

    JSON text of ``tags``/``cardData`` is spliced in as JSON (``json(...)``) once checked; a timestamp is written
    as the API writes it, a naive one taken as UTC.
    """
    column = _quoted(name)
    if name in JSON_TEXT_TYPES and is_text(kind):
        wanted = "ARRAY" if name == "tags" else "OBJECT"
        blank = "false" if name == "tags" else f"trim({column}) = ''"
        # CASE, not AND: DuckDB evaluates both sides of AND, and json() of invalid text is an error.
        good = (f"(CASE WHEN {blank} THEN true WHEN json_valid({column}) "
                f"THEN json_type(json({column})) IN ('{wanted}', 'NULL') ELSE false END)")  # fmt: skip
        value = f"CASE WHEN {blank} THEN NULL WHEN json_valid({column}) THEN json({column}) END"
        return value, f"({column} IS NOT NULL AND NOT {good})"
    if pa.types.is_timestamp(kind):
        utc = f"{column} AT TIME ZONE 'UTC'" if kind.tz else f"{column}::TIMESTAMP"
        return f"strftime({utc}, '{API_TIME}')", None
    if pa.types.is_date(kind):
        return f"{column}::VARCHAR", None
    return column, None


def tags_sql(kind: pa.DataType) -> str:
    """SQL of the index's tags: the string entries of the list (what a listing filter could match)."""
    if is_text(kind):
        text = 'json("tags")'
        strings = f"list_filter(json_extract({text}, '$[*]'), lambda x: json_type(x) = 'VARCHAR')"
        array = f"CASE WHEN json_valid(\"tags\") THEN json_type({text}) = 'ARRAY' ELSE false END"
        return f"CASE WHEN {array} THEN list_transform({strings}, lambda x: x ->> '$') ELSE []::VARCHAR[] END"
    if is_list(kind) and is_text(kind.value_type):
        return 'coalesce(list_filter("tags", lambda x: x IS NOT NULL), []::VARCHAR[])'
    return "[]::VARCHAR[]"


def check_tags_type(parquet: pq.ParquetFile, label: str, path: str | os.PathLike[str]) -> None:
    """A ``tags`` column that is neither a list nor text: an error at its first non-null row (it would silently
    empty every task)."""
    kind = parquet.schema_arrow.field("tags").type
    if is_text(kind) or is_list(kind) or pa.types.is_null(kind):
        return
    offset = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=["tags"]):
        valid = pc.is_valid(batch.column(0))
        if pc.any(valid).as_py():
            row = pc.index(valid, True).as_py()
            value = batch.column(0)[row].as_py()
            raise InputError(f"{label} {path}: row {offset + row + 1}",
                             f"tags must be a JSON list, got {json_type_name(value)}: {excerpt(value)}")
        offset += batch.num_rows


def batch_query(schema: pa.Schema) -> tuple[str, list[str]]:
    """The per-batch query (tags, line, created, one bad-row flag per checked column) and the checked columns."""
    values, checked, flags = [], [], []
    for field in schema:
        value, bad = column_sql(field.name, field.type)
        values.append(f"{_quoted(field.name)} := {value}")
        if bad is not None:
            checked.append(field.name)
            flags.append(f"{bad} AS {_quoted('bad_' + field.name)}")
    created = column_sql("createdAt", schema.field("createdAt").type)[0] if "createdAt" in schema.names else "NULL"
    select = [f"{tags_sql(schema.field('tags').type)} AS tags", f"to_json(struct_pack({', '.join(values)})) AS line",
              f"CAST({created} AS VARCHAR) AS created"]  # fmt: skip
    return f"SELECT {', '.join(select + flags)} FROM batch", checked


def raise_first_bad(result: pa.Table, batch: pa.RecordBatch, checked: Sequence[str], offset: int, label: str,
                    path: str | os.PathLike[str]) -> None:  # fmt: skip
    """Name the first row holding JSON text of the wrong kind, with the message of :func:`decode_json_text`."""
    found = []
    for order, name in enumerate(checked):
        flags = pc.fill_null(result.column(f"bad_{name}"), False)
        if pc.any(flags).as_py():
            found.append((pc.index(flags, True).as_py(), order, name))
    if not found:
        return
    row, _, name = min(found)
    where = f"{label} {path}: row {offset + row + 1}"
    value = batch.column(name)[row].as_py()
    decode_json_text(value, name, where)  # raises with the row's exact problem
    raise InputError(where, f"column {name!r} holds text that is not valid JSON: {excerpt(value)}")


def first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _batches(parquet: pq.ParquetFile, columns: list[str], label: str,
             path: str | os.PathLike[str]) -> Iterator[pa.RecordBatch]:  # fmt: skip
    """The projected columns, one record batch at a time; a file that breaks mid-way is one line too."""
    try:
        yield from parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns)
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{label} {path}", f"unreadable Parquet ({first_line(error)})") from None


def iter_parquet_index(path: str | os.PathLike[str], label: str, counts: dict[str, int]) -> Iterator[pa.Table]:
    """Index tables (id, tags, line, created) of the first record of each id, batch by batch; ``counts`` gets
    ``duplicates``; ``created`` is the record's createdAt as the API writes it (null without one).

    ``label`` is ``<kind>_dump``: the kind chooses the projected columns. Memory: the id column of the whole
    file, and the projected columns of one row group (pyarrow reads them per row group) and one batch's lines.
    """
    import duckdb

    parquet = open_parquet(path, label)
    schema = parquet.schema_arrow
    check_columns(schema, label, path)
    check_tags_type(parquet, label, path)
    ids, keep = first_rows(parquet, label, path)
    counts["duplicates"] = int(len(keep) - keep.sum())
    columns = projected_columns(schema, label.removesuffix("_dump"))
    con = duckdb.connect(config={"threads": 1, "memory_limit": DUCKDB_MEMORY})
    try:
        con.execute("SET TimeZone = 'UTC'")
        offset = 0
        for batch in _batches(parquet, columns, label, path):
            query, checked = batch_query(batch.schema)
            con.register("batch", batch)
            try:
                result = con.sql(query).to_arrow_table()
            except duckdb.Error as error:
                raise InputError(f"{label} {path}", f"unreadable Parquet ({first_line(error)})") from None
            con.unregister("batch")
            raise_first_bad(result, batch, checked, offset, label, path)
            rows = slice(offset, offset + batch.num_rows)
            mask = pa.array(keep[rows])
            table = pa.table({"id": ids.slice(offset, batch.num_rows), "tags": result.column("tags"),
                              "line": result.column("line"), "created": result.column("created")}).filter(mask)  # fmt: skip
            offset += batch.num_rows
            yield table
    finally:
        con.close()
