"""Test fixtures shaped like the real ``cfahlgren1/hub-stats`` Parquet files, built from API-like records.

The real files (issue #16 part 3): one root file per table; ``tags`` a list of strings; ``cardData`` and
``config`` JSON text, not structs; ``baseModels`` a struct ``{relation, models: [{id}]}``; ``createdAt`` a
timestamp without time zone; ``siblings`` a list of ``{rfilename}`` structs; optional columns come and go between
revisions (``gated``, ``modelId``). ``optional=False`` writes a revision without those two.

Plain Python and pyarrow only (no package code), so the files are an independent input to the reader under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

NAIVE = pa.timestamp("us")  # no time zone, as in hub-stats
SIBLINGS = pa.list_(pa.struct([("rfilename", pa.string())]))
BASE_MODELS = pa.struct([("relation", pa.string()), ("models", pa.list_(pa.struct([("id", pa.string())])))])
LINEAGE_START = dt.datetime(2025, 1, 1)  # noqa: DTZ001 - naive on purpose: the column has no time zone
RELATION_TAG = re.compile(r"base_model:([a-z_]+):(.+)")


def naive(text: str | None) -> dt.datetime | None:
    """An API timestamp (``2022-01-20T12:13:34.000Z``) as the naive UTC datetime hub-stats stores."""
    if not text:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)


def created_at(record: dict, row: int) -> dt.datetime:
    """``createdAt``, else ``lastModified`` (the 2022 corpus has no createdAt), else a minute per row from 2025."""
    return naive(record.get("createdAt")) or naive(record.get("lastModified")) or LINEAGE_START + dt.timedelta(
        minutes=row)


def json_text(value: object) -> str | None:
    return None if value is None else json.dumps(value)


def base_models(tags: Sequence[str] | None) -> dict | None:
    """The struct hub-stats derives from ``base_model:`` tags: a relation and the base ids, or null."""
    relation, ids = None, []
    for tag in tags or []:
        typed = RELATION_TAG.fullmatch(tag)
        if typed:
            relation = relation or typed.group(1)
            base = typed.group(2)
        elif tag.startswith("base_model:"):
            base = tag[len("base_model:"):]
        else:
            continue
        if base not in ids:
            ids.append(base)
    return {"relation": relation, "models": [{"id": base} for base in ids]} if ids else None


def write_models(records: Sequence[dict], path: Path, optional: bool = True, row_group: int = 5_000) -> Path:
    """A hub-stats-shaped models.parquet (columns in the real file's order); ``optional``: with gated and modelId."""
    rows = []
    for row, record in enumerate(records):
        rid = record.get("id") or record["modelId"]
        out = {"_id": f"{row:024x}", "id": rid}
        if optional:
            out["modelId"] = rid
        out["author"] = rid.split("/")[0] if "/" in rid else None
        if optional:
            out["gated"] = "false"
        out.update(
            lastModified=naive(record.get("lastModified")),
            likes=record.get("likes"),
            private=record.get("private"),
            sha=record.get("sha"),
            config=json_text(record.get("config")),
            downloads=record.get("downloads"),
            tags=record.get("tags"),
            pipeline_tag=record.get("pipeline_tag"),
            library_name=record.get("library_name"),
            createdAt=created_at(record, row),
            siblings=[{"rfilename": s.get("rfilename")} for s in record.get("siblings") or []],
            cardData=json_text(record.get("cardData")),
            baseModels=base_models(record.get("tags")),
        )
        rows.append(out)
    fields = [("_id", pa.string()), ("id", pa.string())] + ([("modelId", pa.string())] if optional else [])
    fields += [("author", pa.string())] + ([("gated", pa.string())] if optional else [])
    fields += [("lastModified", NAIVE), ("likes", pa.int64()), ("private", pa.bool_()), ("sha", pa.string()),
               ("config", pa.string()), ("downloads", pa.int64()), ("tags", pa.list_(pa.string())),
               ("pipeline_tag", pa.string()), ("library_name", pa.string()), ("createdAt", NAIVE),
               ("siblings", SIBLINGS), ("cardData", pa.string()), ("baseModels", BASE_MODELS)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path, row_group_size=row_group)
    return path


def write_datasets(records: Sequence[dict], path: Path, optional: bool = True, row_group: int = 5_000) -> Path:
    """A hub-stats-shaped datasets.parquet; ``optional``: with the gated column."""
    rows = []
    for row, record in enumerate(records):
        out = {"_id": f"{row:024x}", "id": record["id"], "author": record.get("author")}
        if optional:
            out["gated"] = "false"
        out.update(cardData=json_text(record.get("cardData")), downloads=record.get("downloads"),
                   tags=record.get("tags"), createdAt=created_at(record, row))  # fmt: skip
        rows.append(out)
    fields = [("_id", pa.string()), ("id", pa.string()), ("author", pa.string())]
    fields += [("gated", pa.string())] if optional else []
    fields += [("cardData", pa.string()), ("downloads", pa.float64()), ("tags", pa.list_(pa.string())),
               ("createdAt", NAIVE)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path, row_group_size=row_group)
    return path
