"""Source ``hubstats``: a whole-Hub snapshot from the public ``cfahlgren1/hub-stats`` dataset.

The dataset republishes the Hub's model and dataset listings as Parquet files, one root file per table
(``models.parquet``, ``datasets.parquet``; one row per repository, columns named like the listing API's record
fields: ``id``, ``tags``, ``pipeline_tag``, ``createdAt``, ``cardData``, ...). Collecting the whole Hub this way
takes minutes instead of days of API paging.

:func:`download_snapshot` (rule ``hubstats_download``) resolves the configured revision to a commit sha **once**
(one HEAD request), then downloads both Parquet files at that sha with ``huggingface_hub``, so the models and
datasets files always come from the same commit even when the revision is a moving branch. The sha is recorded in
the manifest. The ``index_dump`` rule then reads each file as it is, exactly like a user's Parquet dump
(:mod:`hubreuse.collect.parquet_dump`): no conversion, and no declaration taken from tags in ``declarations: card``.

There is no default revision: none was tested by this project, and the dataset was reported taken down in August
2026, so the repository or revision may not be reachable at all. Any failure to reach it is one line naming both
and pointing to ``source: api`` or ``source: dump`` with files downloaded by the user.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hubreuse.collect.endpoint import public_endpoint
from hubreuse.core.errors import InputError
from hubreuse.core.io import sha256_of, utc_now, write_json

log = logging.getLogger(__name__)

DEFAULT_FILES = {"models": "models.parquet", "datasets": "datasets.parquet"}
ALTERNATIVES = "use source: api, or download the Parquet files yourself and use source: dump"


# --------------------------------------------------------------------------------------------------- download


def _download_error(repo: str, revision: str, filename: str, error: Exception) -> InputError:
    """One line naming the repository, revision and file that could not be fetched, and what to do instead; the
    client's message is cut to its first line (no headers, no tokens)."""
    text = str(error).strip().splitlines()
    detail = text[0] if text else ""
    return InputError(f"hubstats {repo}@{revision} {filename}",
                      f"not reachable ({type(error).__name__}: {detail}); {ALTERNATIVES}")


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
    into temporary folders beside the outputs and moved into place once all are fetched, so a failed or
    interrupted run leaves no output.
    """
    from huggingface_hub import hf_hub_download

    endpoint = endpoint or None
    started = utc_now()
    first = next(iter(files.values()))
    commit = resolve_revision(repo, revision, first, endpoint)
    log.info("hubstats %s@%s resolved to commit %s", repo, revision, commit)
    entries: dict[str, Any] = {}
    staged: dict[str, Path] = {}
    stagings: list[Path] = []
    try:
        # Every file is fetched before any is moved into place: a failure leaves no output at all.
        for kind, filename in files.items():
            target = Path(outputs[kind])
            target.parent.mkdir(parents=True, exist_ok=True)
            stagings.append(Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent)))
            try:
                staged[kind] = Path(hf_hub_download(
                    repo, filename, repo_type="dataset", revision=commit, endpoint=endpoint, local_dir=stagings[-1]
                ))  # fmt: skip
            except Exception as error:  # noqa: BLE001 - network, 404, auth: all reported as one line
                raise _download_error(repo, commit, filename, error) from None
        for kind, filename in files.items():
            target = Path(outputs[kind])
            os.replace(staged[kind], target)
            entries[kind] = {"filename": filename, "path": str(target), "bytes": target.stat().st_size,
                             "sha256": sha256_of(target)}  # fmt: skip
            log.info("hubstats %s: %s (%d bytes)", kind, filename, entries[kind]["bytes"])
    finally:
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)
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
