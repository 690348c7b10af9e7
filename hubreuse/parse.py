"""Parse raw listings into typed Parquet tables without losing any declaration.

Card metadata is free-form YAML written by people: ``datasets`` may be a string, a list with nulls or
objects, null, or a number. Each declaration keeps its raw JSON text and a *shape* label, and the
paper-compatible reading of it (a string ``s`` is ``[s]``, a non-empty list is taken as it is, anything else
declares nothing), so later stages can count every odd value instead of silently dropping it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hubreuse.dumps import record_id, record_tags
from hubreuse.errors import InputError
from hubreuse.io import atomic_path, open_text

log = logging.getLogger(__name__)

DECLARATION_KEYS = ("datasets", "base_model")
SHAPES = ("absent", "null", "string", "list", "list_nonstring", "empty_list", "other")
_MISSING = object()
BATCH_ROWS = 50_000

MODEL_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("created_at", pa.timestamp("ms", tz="UTC")),
        ("pipeline_tag", pa.string()),
        ("tags", pa.list_(pa.string())),
    ]
    + [
        field
        for key in DECLARATION_KEYS
        for field in (
            (f"{key}_shape", pa.string()),
            (key, pa.list_(pa.string())),
            (f"{key}_json", pa.string()),
        )
    ]
)
DATASET_SCHEMA = pa.schema(
    [("dataset_id", pa.string()), ("created_at", pa.timestamp("ms", tz="UTC")), ("tags", pa.list_(pa.string()))]
)


def declaration_shape(value: object) -> str:
    """Name the shape of a card value (``_MISSING`` when the key or the card is absent)."""
    if value is _MISSING:
        return "absent"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        if not value:
            return "empty_list"
        return "list" if all(isinstance(entry, str) for entry in value) else "list_nonstring"
    return "other"


def declared_entries(value: object) -> list[str | None] | None:
    """The paper's reading: string -> [s]; non-empty list -> its entries (non-strings kept as None)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return [entry if isinstance(entry, str) else None for entry in value]
    return None


def card_value(record: dict, key: str) -> object:
    card = record.get("cardData")
    if not isinstance(card, dict) or key not in card:
        return _MISSING
    return card[key]


def to_timestamps(values: list[object]) -> pa.Array:
    """ISO 8601 strings to UTC timestamps; values that are not dates become null (messy, not fatal)."""
    parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, errors="coerce", format="ISO8601")
    return pa.array(parsed.astype("datetime64[ms, UTC]"), type=pa.timestamp("ms", tz="UTC"))


def iter_listing(path: str | os.PathLike[str], batch_rows: int = BATCH_ROWS) -> Iterator[list[dict]]:
    """Batches of records of a raw listing; a broken listing is bad input named by file and line.

    Batches keep memory bounded on the Hub's giant tasks (a million text-generation models).
    """
    batch: list[dict] = []
    with open_text(path) as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise InputError(f"{path}:{lineno}", f"not valid JSON ({error})") from None
            if not isinstance(record, dict) or not isinstance(record_id(record), str):
                raise InputError(f"{path}:{lineno}", "record is not an object with a string id")
            batch.append(record)
            if len(batch) >= batch_rows:
                yield batch
                batch = []
    if batch:
        yield batch


def parse_models(records: list[dict]) -> pa.Table:
    """Typed model table (see ``MODEL_SCHEMA``) from raw API records."""
    columns: dict[str, list] = {name: [] for name in MODEL_SCHEMA.names}
    created: list[object] = []
    for record in records:
        columns["model_id"].append(record_id(record))
        created.append(record.get("createdAt"))
        pipeline_tag = record.get("pipeline_tag")
        columns["pipeline_tag"].append(pipeline_tag if isinstance(pipeline_tag, str) else None)
        columns["tags"].append(record_tags(record))
        for key in DECLARATION_KEYS:
            value = card_value(record, key)
            columns[f"{key}_shape"].append(declaration_shape(value))
            columns[key].append(declared_entries(value))
            columns[f"{key}_json"].append(
                None if value is _MISSING else orjson.dumps(value, default=str).decode()
            )
    columns["created_at"] = to_timestamps(created)
    return pa.table(columns, schema=MODEL_SCHEMA)


def parse_datasets(records: list[dict]) -> pa.Table:
    """Typed dataset table (see ``DATASET_SCHEMA``) from raw API records."""
    return pa.table(
        {
            "dataset_id": [record_id(record) for record in records],
            "created_at": to_timestamps([record.get("createdAt") for record in records]),
            "tags": [record_tags(record) for record in records],
        },
        schema=DATASET_SCHEMA,
    )


def parse_listing(kind: str, listing: str | os.PathLike[str], out_path: str | os.PathLike[str], source: str) -> int:
    """Parse one raw listing into Parquet, batch by batch; returns the number of rows."""
    parse = parse_models if kind == "models" else parse_datasets
    schema = (MODEL_SCHEMA if kind == "models" else DATASET_SCHEMA).with_metadata({"hubreuse.source": source})
    rows = 0
    with atomic_path(out_path) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for batch in iter_listing(listing):
            table = parse(batch).replace_schema_metadata(schema.metadata)
            writer.write_table(table)
            rows += table.num_rows
    log.info("parsed %s: %d %s", listing, rows, kind)
    return rows
