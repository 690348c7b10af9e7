"""The typed tables that parse writes per task and listing kind, and how later stages read them.

Parse jobs write with DuckDB (see :mod:`hubreuse.parse.listing`), whose Parquet has microsecond timestamps and list
items named ``element``; :func:`read_parsed` casts to the schemas declared here, so every reader sees the same
types whichever writer made the file.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq

from hubreuse.core.declarations import DECLARATION_KEYS

STRINGS = pa.list_(pa.field("element", pa.string()))  # list items named as Parquet names them
MODEL_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("created_at", pa.timestamp("ms", tz="UTC")),
        ("pipeline_tag", pa.string()),
        ("tags", STRINGS),
    ]
    + [
        field
        for key in DECLARATION_KEYS
        for field in (
            (f"{key}_shape", pa.string()),
            (key, STRINGS),
            (f"{key}_json", pa.string()),
        )
    ]
)
DATASET_SCHEMA = pa.schema(
    [("dataset_id", pa.string()), ("created_at", pa.timestamp("ms", tz="UTC")), ("tags", STRINGS)]
)
SCHEMAS = {"models": MODEL_SCHEMA, "datasets": DATASET_SCHEMA}


def read_parsed(path: str | os.PathLike[str], kind: str) -> pa.Table:
    """A parsed table with the declared types of its kind (``models`` or ``datasets``) and its metadata."""
    table = pq.read_table(path)
    return table.cast(SCHEMAS[kind].with_metadata(table.schema.metadata))
