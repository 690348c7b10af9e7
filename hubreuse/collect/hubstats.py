"""Source ``hubstats``: a whole-Hub snapshot from the public ``cfahlgren1/hub-stats`` dataset.

The dataset republishes the Hub's model and dataset listings as Parquet files (one row per repository,
columns named like the listing API's record fields: ``id``, ``tags``, ``pipeline_tag``, ``createdAt``,
``cardData``, ...). Collecting the whole Hub this way takes minutes instead of days of API paging.

Two steps, each a workflow job:

1. :func:`download_snapshot` (rule ``hubstats_download``) resolves the configured revision to a commit sha **once** (one HEAD request), then
   downloads both Parquet files at that sha with ``huggingface_hub``, so the models and datasets files always come
   from the same commit even when the revision is a moving branch. The sha is recorded in the manifest.
2. :func:`convert_snapshot` (rule ``hubstats_convert``) turns one Parquet file into an API-like JSON Lines dump (gzip) that the ``index_dump``
   rule consumes exactly like a user's ``source: dump`` file, so every stage downstream is unchanged.

Snapshot encodings differ between releases: nested values (``tags``, ``cardData``, ...) may be stored as JSON
text or as native Parquet lists/structs/maps; both are accepted. Where a model's card data lacks ``datasets`` or
``base_model``, the Hub's derived tags ``dataset:<id>`` and ``base_model:<id>`` stand in; each such record carries
``_hubreuse_fallback`` (which keys came from tags) and the manifest counts them. Conversion runs over Parquet
record batches, so memory stays bounded on the ~2M-row models file.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubreuse.collect.dumps import column_encodings, decode_json_text

# One list of nested fields and one JSON-text decoder, shared with Parquet dumps (hubreuse.collect.dumps.NESTED_FIELDS).
from hubreuse.collect.endpoint import public_endpoint
from hubreuse.core.errors import InputError
from hubreuse.core.io import gzip_writer, sha256_of, utc_now, write_json

log = logging.getLogger(__name__)

DEFAULT_FILES = {"models": "models.parquet", "datasets": "datasets.parquet"}
REQUIRED_COLUMNS = ("id", "tags")
# Card keys that fall back to the Hub's derived tags, and the tag prefix of each.
FALLBACK_PREFIXES = {"datasets": "dataset:", "base_model": "base_model:"}
FALLBACK_KEY = "_hubreuse_fallback"
BATCH_ROWS = 20_000


# --------------------------------------------------------------------------------------------------- download


def _download_error(repo: str, revision: str, filename: str, error: Exception) -> InputError:
    """One line naming what could not be fetched; the message is cut to its first line (no headers, no tokens)."""
    text = str(error).strip().splitlines()
    detail = text[0] if text else ""
    return InputError(f"hubstats {repo}@{revision} {filename}", f"download failed ({type(error).__name__}: {detail})")


def resolve_revision(repo: str, revision: str, filename: str, endpoint: str | None = None) -> str:
    """The commit sha ``revision`` (branch, tag or sha) points to now, from one HEAD request on ``filename``."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo, filename, repo_type="dataset", revision=revision, endpoint=endpoint)
    try:
        metadata = get_hf_file_metadata(url, endpoint=endpoint)
    except Exception as error:  # noqa: BLE001 - any failure of the Hub client is the user's to act on
        raise _download_error(repo, revision, filename, error) from None
    if not metadata.commit_hash:
        raise InputError(f"hubstats {repo}@{revision} {filename}", "the endpoint did not report a commit sha")
    return metadata.commit_hash


def download_snapshot(repo: str, revision: str, files: Mapping[str, str], outputs: Mapping[str, str],
                      manifest_out: str, endpoint: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Download each kind's Parquet file at one resolved commit; write them to ``outputs`` and a manifest.

    ``files`` maps kind -> file name in the dataset repo; ``outputs`` kind -> local path. Files are downloaded
    into a temporary folder beside the outputs and moved into place, so an interrupted run leaves no output.
    """
    from huggingface_hub import hf_hub_download

    endpoint = endpoint or None
    started = utc_now()
    first = next(iter(files.values()))
    commit = resolve_revision(repo, revision, first, endpoint)
    log.info("hubstats %s@%s resolved to commit %s", repo, revision, commit)
    entries: dict[str, Any] = {}
    for kind, filename in files.items():
        target = Path(outputs[kind])
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            try:
                local = hf_hub_download(
                    repo, filename, repo_type="dataset", revision=commit, endpoint=endpoint, local_dir=staging
                )
            except Exception as error:  # noqa: BLE001 - network, 404, auth: all reported as one line
                raise _download_error(repo, commit, filename, error) from None
            os.replace(local, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        entries[kind] = {
            "filename": filename,
            "path": str(target),
            "bytes": target.stat().st_size,
            "sha256": sha256_of(target),
        }
        log.info("hubstats %s: %s (%d bytes)", kind, filename, entries[kind]["bytes"])
    manifest = {
        "source": "hubstats",
        "repo": repo,
        "repo_type": "dataset",
        "revision_requested": revision,
        "revision_resolved": commit,
        "pinned": revision == commit,
        "endpoint": public_endpoint(endpoint) if endpoint else "default (HF_ENDPOINT or the public Hub)",
        "files": entries,
        "started_at": started,
        "finished_at": utc_now(),
    }
    write_json(manifest_out, manifest)
    return manifest


# --------------------------------------------------------------------------------------------------- convert


def check_columns(schema: pa.Schema, label: str, path: str | os.PathLike[str]) -> None:
    """Fail with one line naming every required column the snapshot lacks."""
    missing = [name for name in REQUIRED_COLUMNS if name not in schema.names]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise InputError(
            f"{label} {path}",
            f"missing required column(s) {names}; columns present: {', '.join(schema.names) or 'none'}",
        )


def _api_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Timestamps as the API writes them (``2022-03-01T12:00:05.123Z``), vectorised per batch."""
    arrays, names = [], []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            utc = pc.cast(column, pa.timestamp("ms", tz="UTC"), safe=False)
            column = pc.strftime(utc, format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_date(field.type):
            column = pc.cast(column, pa.string())
        arrays.append(column)
        names.append(field.name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _fallback_candidates(tags: pa.Array) -> pa.Array:
    """Per row: does any tag (native list or JSON text) look like ``dataset:`` / ``base_model:``? Vectorised."""
    if pa.types.is_string(tags.type) or pa.types.is_large_string(tags.type):
        hit = pc.or_(pc.match_substring(tags, '"dataset:'), pc.match_substring(tags, '"base_model:'))
        return pc.fill_null(hit, False)
    if not (pa.types.is_list(tags.type) or pa.types.is_large_list(tags.type)):
        return pa.array([False] * len(tags))
    flat = pc.list_flatten(tags)
    if not (pa.types.is_string(flat.type) or pa.types.is_large_string(flat.type)):
        return pa.array([False] * len(tags))
    parents = pc.list_parent_indices(tags)
    hit = pc.fill_null(pc.or_(pc.starts_with(flat, "dataset:"), pc.starts_with(flat, "base_model:")), False)
    mask = np.zeros(len(tags), dtype=bool)
    mask[pc.filter(parents, hit).to_numpy(zero_copy_only=False)] = True
    return pa.array(mask)


def tag_values(tags: object, prefix: str) -> list[str]:
    """Ids the Hub's derived tags name with ``prefix`` (``dataset:squad`` -> ``squad``), distinct, in tag order.

    Relation tags such as ``base_model:finetune:org/name`` are skipped: repository ids never contain ``:``.
    """
    if not isinstance(tags, list):
        return []
    values: list[str] = []
    for tag in tags:
        if isinstance(tag, str) and tag.startswith(prefix):
            value = tag[len(prefix) :]
            if value and ":" not in value and value not in values:
                values.append(value)
    return values


def _decode(value: object, column: str, encoding: str, where: str) -> object:
    """One nested cell as the API would return it: JSON text decoded, struct nulls dropped, maps as objects."""
    if value is None:
        return None
    if encoding == "json_text":
        return decode_json_text(value, column, where)
    if encoding == "map" and isinstance(value, list):
        return {key: item for key, item in value}
    if encoding == "struct" and isinstance(value, dict):
        # A Parquet struct has every field in every row: a null field is a key the card did not have.
        return {key: item for key, item in value.items() if item is not None}
    return value


def apply_fallback(record: dict[str, Any]) -> list[str]:
    """Fill card keys the card lacks from the derived tags; returns the keys filled (marked in the record)."""
    card = record.get("cardData")
    filled = []
    for key, prefix in FALLBACK_PREFIXES.items():
        if isinstance(card, dict) and key in card:
            continue
        values = tag_values(record.get("tags"), prefix)
        if not values:
            continue
        if not isinstance(card, dict):
            card = {}
        card[key] = values
        filled.append(key)
    if filled:
        record["cardData"] = card
        record[FALLBACK_KEY] = {key: "tags" for key in filled}
    return filled


def iter_converted(path: str | os.PathLike[str], kind: str, label: str,
                   counts: dict[str, int]) -> Iterator[bytes]:  # fmt: skip
    """JSON text of each row as an API record; updates ``counts`` (rows, fallbacks per key)."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{label} {path}", f"unreadable Parquet ({error})") from None
    check_columns(parquet.schema_arrow, label, path)
    encodings = column_encodings(parquet.schema_arrow)
    row = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        ids = batch.column("id")
        if ids.null_count:
            first = pc.index(pc.is_null(ids), True).as_py()
            raise InputError(f"{label} {path}: row {row + first + 1}", "column 'id' is null")
        candidates = _fallback_candidates(batch.column("tags")).to_pylist() if kind == "models" else None
        batch = _api_columns(batch)
        nested = [name for name in batch.schema.names if name in encodings]
        for offset, record in enumerate(batch.to_pylist()):
            where = f"{label} {path}: row {row + offset + 1}"
            for name in nested:
                record[name] = _decode(record[name], name, encodings[name], where)
            if candidates is not None and candidates[offset]:
                for key in apply_fallback(record):
                    counts[f"fallback_{key}"] += 1
            yield orjson.dumps(record, default=str)
        row += batch.num_rows
    counts["rows"] = row


def convert_snapshot(parquet_path: str | os.PathLike[str], kind: str, dump_out: str | os.PathLike[str],
                     manifest_out: str | os.PathLike[str] | None = None,
                     snapshot: Mapping[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """Write ``dump_out`` (gzip JSON Lines, one API-like record per row) from a snapshot Parquet file.

    Returns (and writes to ``manifest_out``) the conversion summary: rows, fallback counts, encodings, and the
    snapshot's repo and resolved commit when ``snapshot`` (the download manifest) is given.
    """
    if kind not in DEFAULT_FILES:
        raise ValueError(f"unknown kind {kind!r}")
    label = f"hubstats_{kind}"
    counts = {"rows": 0, **{f"fallback_{key}": 0 for key in FALLBACK_PREFIXES}}
    schema = None
    with gzip_writer(dump_out) as out:
        for line in iter_converted(parquet_path, kind, label, counts):
            out.write(line + b"\n")
        schema = pq.read_schema(parquet_path)
    summary: dict[str, Any] = {
        "kind": f"hubstats_{kind}",
        "source": "hubstats",
        "parquet": str(Path(parquet_path).resolve()),
        "parquet_sha256": sha256_of(parquet_path),
        "columns": schema.names,
        "encodings": column_encodings(schema),
        "rows": counts["rows"],
        "fallback_from_tags": {key: counts[f"fallback_{key}"] for key in FALLBACK_PREFIXES} if kind == "models" else {},
        "dump": str(Path(dump_out).resolve()),
        "dump_sha256": sha256_of(dump_out),
    }
    if snapshot is not None:
        summary.update(
            repo=snapshot.get("repo"),
            revision_requested=snapshot.get("revision_requested"),
            revision_resolved=snapshot.get("revision_resolved"),
            filename=(snapshot.get("files") or {}).get(kind, {}).get("filename"),
        )
    log.info("hubstats %s: %d rows converted, fallbacks %s", kind, counts["rows"], summary["fallback_from_tags"])
    if manifest_out is not None:
        write_json(manifest_out, summary)
    return summary

