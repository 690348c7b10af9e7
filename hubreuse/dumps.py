"""Read Hub metadata dumps and index them by id and tags.

A dump is one API record per line (JSON Lines, plain or gzip) or a Parquet file with the same fields. The
index keeps each record's original text untouched, so the per-task listings cut from it are exactly what
the Hub returned; it is built once per dump so that every per-task ``collect`` job only filters columns.
"""

from __future__ import annotations

import gzip
import logging
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from hubreuse.errors import InputError
from hubreuse.io import atomic_path, open_text, sha256_of

log = logging.getLogger(__name__)

INDEX_SCHEMA = pa.schema([("id", pa.string()), ("tags", pa.list_(pa.string())), ("line", pa.string())])
BATCH_ROWS = 50_000


def record_id(record: dict) -> object:
    """A record's id: ``id``, else the legacy ``modelId`` of older API responses."""
    value = record.get("id")
    return value if value is not None else record.get("modelId")


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
    """Yield (row number, JSON text, record) from a Parquet dump; nested columns may hold JSON text."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{label} {path}", f"unreadable Parquet ({error})") from None
    row = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for record in batch.to_pylist():
            row += 1
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


def build_index(dump: str | os.PathLike[str], label: str, out_path: str | os.PathLike[str]) -> dict:
    """Index a dump as Parquet (id, tags, original line), keeping each id's first record.

    Returns counts for the manifest. A record without a string id is bad input: nothing can refer to it.
    """
    seen: set[str] = set()
    records = duplicates = 0
    ids: list[str] = []
    tags: list[list[str]] = []
    lines: list[str] = []
    with atomic_path(out_path) as tmp, pq.ParquetWriter(tmp, INDEX_SCHEMA, compression="zstd") as writer:

        def flush() -> None:
            if ids:
                writer.write_table(pa.table([ids, tags, lines], schema=INDEX_SCHEMA))
                ids.clear(), tags.clear(), lines.clear()

        for lineno, line, record in iter_dump(dump, label):
            rid = record_id(record)
            if rid is None:
                raise InputError(f"{label} {dump}:{lineno}", "record has no 'id' (nor 'modelId')")
            if not isinstance(rid, str) or not rid.strip():
                raise InputError(f"{label} {dump}:{lineno}", f"record id must be a non-empty string, got {rid!r}")
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
    log.info("indexed %s: %d records, %d duplicate ids dropped", dump, records, duplicates)
    return {
        "dump": str(Path(dump).resolve()),
        "dump_sha256": sha256_of(dump),
        "records": records,
        "duplicates": duplicates,
    }
