"""Parquet files shaped like the real hub-stats snapshot, built from ../shared/corpora, read as they are.

The corpora (hub2022 and lineage2025 models, first record per id; datasets2023) are written as hub-stats-shaped
Parquet (tests/hubstats_shape.py: JSON-text cardData and config, struct baseModels, list-of-struct siblings, naive
timestamps; a second revision without ``gated`` and ``modelId``), then indexed, cut into per-task listings, parsed
and merged by the package as ``source: dump`` does (``declarations: card``). RQ1 and RQ3 inputs (each model's
declared datasets and base models) and the creation times are compared with plain Python over the raw records.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hubreuse.collect import parquet_dump
from hubreuse.collect import steps as collect_steps
from hubreuse.matrices.build import build_matrices
from hubreuse.parse.listing import _COLUMNS
from hubreuse.parse.steps import parse
from tests.conftest import shared_path
from tests.hubstats_shape import created_at, write_datasets, write_models
from tests.test_paper_measures import read_records

TASKS = ["text-classification", "text-generation", "image-classification"]


def entries(record: dict, key: str) -> list[str]:
    """The paper's reading of a card key, written out: a string is one entry, a non-empty list its string entries."""
    card = record.get("cardData")
    value = card.get(key) if isinstance(card, dict) else None
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return list(dict.fromkeys(v for v in values if isinstance(v, str)))


SAMPLE = {"hub2022-models": 8_000, "lineage2025-models": 3_000, "datasets2023": 6_000}  # records kept: a fast test


@pytest.fixture(scope="module")
def corpora() -> tuple[list[dict], list[dict]]:
    """The first records of each corpus (first record per id, in file order)."""
    hub2022, lineage = (read_records(shared_path(f"corpora/{name}.jsonl.gz"))[: SAMPLE[name]]
                        for name in ("hub2022-models", "lineage2025-models"))  # fmt: skip
    models = list({m["id"]: m for m in reversed(hub2022 + lineage)}.values())[::-1]
    return models, read_records(shared_path("corpora/datasets2023.jsonl.gz"))[: SAMPLE["datasets2023"]]


def run_dump(models_dump: Path, datasets_dump: Path, work: Path) -> dict:
    """index_dump -> collect -> parse -> build_matrices, as the workflow's jobs call them; manifests and matrices."""
    parsed: dict[str, dict[str, str]] = {"models": {}, "datasets": {}}
    manifests = {}
    for kind, dump in (("models", models_dump), ("datasets", datasets_dump)):
        index, manifest = work / f"{kind}_index.parquet", work / f"{kind}_index.json"
        collect_steps.index_dump(str(dump), f"{kind}_dump", str(index), str(manifest), "dump", tasks=TASKS)
        manifests[kind] = json.loads(manifest.read_text())
        for task in TASKS:
            listing = work / "raw" / kind / f"{task}.jsonl.gz"
            outputs = {"listing": str(listing), "manifest": str(listing).replace(".jsonl.gz", ".manifest.json")}
            collect_steps.collect_listing("dump", kind, task, outputs, index=str(index), index_manifest=str(manifest))
            parsed[kind][task] = str(work / "parsed" / kind / f"{task}.parquet")
            parse({kind: str(listing)}, {kind: parsed[kind][task]}, "dump")
    return {"manifests": manifests, "parsed": parsed,
            "matrices": build_matrices(parsed["models"], parsed["datasets"], declarations="card")}  # fmt: skip


@pytest.mark.parametrize("optional", [True, False], ids=["with-gated-and-modelId", "without"])
def test_hub_stats_shaped_files_give_the_card_declarations_of_the_raw_records(corpora, tmp_path, monkeypatch,
                                                                               optional: bool) -> None:  # fmt: skip
    models, datasets = corpora
    monkeypatch.setattr(parquet_dump, "BATCH_ROWS", 2_000)  # several batches and row groups per file
    models_dump = write_models(models, tmp_path / "models.parquet", optional=optional)
    datasets_dump = write_datasets(datasets, tmp_path / "datasets.parquet", optional=optional)
    assert ("gated" in pq.read_schema(models_dump).names) is optional
    got = run_dump(models_dump, datasets_dump, tmp_path)

    assert got["manifests"]["models"]["records"] == len(models)
    assert got["manifests"]["datasets"]["records"] == len(datasets)
    members = [m for m in models if any(task in (m.get("tags") or []) for task in TASKS)]
    assert got["manifests"]["models"]["records_with_task_tag"] == len(members)

    # RQ1 and RQ3 inputs: each member model's declared datasets and base models, from its card only.
    mats = got["matrices"]
    edges = {
        key: sorted(zip(mats[name].column("model_id").to_pylist(), mats[name].column(column).to_pylist(),
                        strict=True))
        for key, name, column in (("datasets", "model_dataset", "dataset_id"),
                                  ("base_model", "model_base", "base_model_id"))
    }  # fmt: skip
    for key in ("datasets", "base_model"):
        want = sorted((m["id"], entry) for m in members for entry in entries(m, key))
        assert want, key  # the corpora declare both
        assert edges[key] == want, key

    # Creation times: the naive timestamps read as UTC.
    by_row = {m["id"]: created_at(m, row) for row, m in enumerate(models)}
    models_table = mats["models"]
    for model_id, created in zip(models_table.column("model_id").to_pylist(),
                                 models_table.column("created_at").to_pylist(), strict=True):  # fmt: skip
        assert created == by_row[model_id].replace(tzinfo=dt.UTC), model_id


def test_card_mode_takes_nothing_from_tags(corpora, tmp_path) -> None:
    """A model with ``dataset:`` tags and no card datasets declares no dataset (no fallback to tags)."""
    models, datasets = corpora
    members = [m for m in models if any(task in (m.get("tags") or []) for task in TASKS)]
    tag_only = {m["id"] for m in members
                if any(t.startswith("dataset:") for t in m.get("tags") or []) and not entries(m, "datasets")}  # fmt: skip
    assert tag_only  # real cases in the 2022 corpus
    got = run_dump(write_models(members, tmp_path / "models.parquet"), write_datasets(datasets, tmp_path / "d.parquet"),
                   tmp_path)  # fmt: skip
    declaring = set(got["matrices"]["model_dataset"].column("model_id").to_pylist())
    assert not declaring & tag_only
    assert declaring == {m["id"] for m in members if entries(m, "datasets")}


def test_projection_covers_what_parse_reads() -> None:
    """The Parquet reader keeps every field the parser reads from a models record (and id, tags, createdAt)."""
    parse_fields = {part.split(":")[0].strip(" {'") for part in _COLUMNS.split(",")}
    assert parse_fields == set(parquet_dump.PROJECTIONS["models"])
    assert {"id", "tags", "createdAt"} <= set(parquet_dump.PROJECTIONS["datasets"])
