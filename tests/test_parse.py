"""Parsing one listing: typed columns read back as plain Python expects, bad records named by line, no partial file."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hubreuse.core.errors import InputError
from hubreuse.parse.listing import parse_listing
from hubreuse.parse.tables import SCHEMAS, read_parsed

MODELS = [
    {"id": "org/a", "createdAt": "2024-03-01T12:00:00.000Z", "pipeline_tag": "fill-mask", "tags": ["fill-mask", 3],
     "cardData": {"datasets": "org/d1", "base_model": ["org/base", None]}},
    {"modelId": "org/b", "tags": "not-a-list", "cardData": {"datasets": ["org/d1", "org/d2"], "base_model": []}},
    {"id": "org/c", "createdAt": "yesterday", "cardData": {"datasets": 7}},
    {"id": "org/d", "cardData": None},
]


def write_listing(path: Path, records: list[object], raw_lines: list[str] = ()) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
        for line in raw_lines:
            handle.write(line + "\n")
    return path


def expected_declaration(card: object, key: str) -> tuple[str, list | None, str | None]:
    """(shape, paper entries, raw JSON) of one card key, by the rules in hubreuse.parse.listing's docstring."""
    if not isinstance(card, dict) or key not in card:
        return "absent", None, None
    value = card[key]
    raw = json.dumps(value, separators=(",", ":"))
    if value is None:
        return "null", None, raw
    if isinstance(value, str):
        return "string", [value], raw
    if isinstance(value, list):
        if not value:
            return "empty_list", None, raw
        entries = [v if isinstance(v, str) else None for v in value]
        return ("list" if all(isinstance(v, str) for v in value) else "list_nonstring"), entries, raw
    return "other", None, raw


def test_models_read_back_as_plain_python_reads_them(tmp_path: Path) -> None:
    out = tmp_path / "models.parquet"
    rows = parse_listing("models", write_listing(tmp_path / "m.jsonl.gz", MODELS), out, "dump")
    table = read_parsed(out, "models")
    assert rows == table.num_rows == len(MODELS)
    assert table.schema.equals(SCHEMAS["models"].with_metadata(table.schema.metadata))
    assert table.schema.metadata == {b"hubreuse.source": b"dump"}
    got = table.to_pylist()
    for record, row in zip(MODELS, got, strict=True):
        assert row["model_id"] == record.get("id", record.get("modelId"))
        created = record.get("createdAt")
        expected_created = None
        if created and created[0].isdigit():
            expected_created = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(UTC)
        assert row["created_at"] == expected_created
        assert row["pipeline_tag"] == record.get("pipeline_tag")
        tags = record.get("tags")
        assert row["tags"] == ([t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [])
        card = record.get("cardData")
        for key in ("datasets", "base_model"):
            shape, entries, raw = expected_declaration(card, key)
            assert row[f"{key}_shape"] == shape, (record, key)
            assert row[key] == entries, (record, key)
            assert (None if row[f"{key}_json"] is None else json.loads(row[f"{key}_json"])) == (
                None if raw is None else json.loads(raw)
            )


@pytest.mark.parametrize("kind", ["models", "datasets"])
@pytest.mark.parametrize("empty", ["plain", "gzip"])
def test_empty_listing_gives_an_empty_typed_table(tmp_path: Path, kind: str, empty: str) -> None:
    listing = tmp_path / "empty.jsonl"
    if empty == "gzip":
        listing = write_listing(tmp_path / "empty.jsonl.gz", [])
    else:
        listing.write_bytes(b"")
    out = tmp_path / f"{kind}.parquet"
    assert parse_listing(kind, listing, out, "demo") == 0
    table = read_parsed(out, kind)
    assert table.num_rows == 0
    assert table.schema.names == SCHEMAS[kind].names


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (json.dumps({"id": 5, "tags": []}), "no string 'id'"),
        (json.dumps({"tags": ["x"]}), "no string 'id'"),
        ("{not json", "not valid JSON"),
        (json.dumps(["a", "list"]), "not a JSON object"),
    ],
)
def test_bad_record_is_named_by_line_and_nothing_is_written(tmp_path: Path, bad_line: str, message: str) -> None:
    listing = write_listing(tmp_path / "m.jsonl.gz", MODELS[:2], [bad_line])
    out = tmp_path / "out" / "models.parquet"
    with pytest.raises(InputError) as caught:
        parse_listing("models", listing, out, "dump")
    assert f"{listing}:{len(MODELS[:2]) + 1}" in str(caught.value)
    assert message in str(caught.value)
    assert not out.exists()
    assert not list(out.parent.glob("*")), "no temporary file may be left"


def test_parquet_is_written_by_duckdb_without_pyarrow_types(tmp_path: Path) -> None:
    """The reader's cast is what gives milliseconds: the file itself holds DuckDB's microseconds."""
    out = tmp_path / "models.parquet"
    parse_listing("models", write_listing(tmp_path / "m.jsonl.gz", MODELS[:1]), out, "dump")
    assert str(pq.read_schema(out).field("created_at").type) == "timestamp[us, tz=UTC]"
    assert str(read_parsed(out, "models").schema.field("created_at").type) == "timestamp[ms, tz=UTC]"
