"""source: hubstats - snapshot download at a pinned commit, Parquet -> API-like dumps, tag fallbacks, errors.

Offline: small Parquet files in both encodings (JSON-text nested columns and native nested types) are served by
a loopback server acting as the Hub's file endpoint (tests/file_server.py). Expected values come from a few lines
of plain Python over the records below, never from the code under test.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubreuse.collect import hubstats
from hubreuse.collect import steps as collect_steps
from hubreuse.core.errors import InputError
from hubreuse.core.names import MATRIX_NAMES
from hubreuse.matrices.steps import matrices
from hubreuse.parse.steps import parse
from hubreuse.stats.steps import paper_tables

sys.path.insert(0, str(Path(__file__).parent))
from file_server import FileServer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DOMAINS = {"text-classification": "nlp", "image-classification": "cv"}
COMMIT = "89abcdef0123456789abcdef0123456789abcdef"

# API-like records; none needs a tag fallback except where a test says so.
MODELS = [
    {"id": "org/m1", "tags": ["text-classification", "dataset:squad"], "pipeline_tag": "text-classification",
     "createdAt": "2022-01-01T00:00:00.000Z", "cardData": {"datasets": ["squad", "glue"], "license": "mit"}},
    {"id": "org/m2", "tags": ["text-classification"], "pipeline_tag": "text-classification",
     "createdAt": "2022-02-01T10:30:00.000Z", "cardData": {"datasets": ["glue"]}},
    {"id": "org/m3", "tags": ["text-classification"], "pipeline_tag": None, "createdAt": None, "cardData": None},
    {"id": "org/m4", "tags": ["image-classification"], "pipeline_tag": "image-classification",
     "createdAt": "2023-05-05T00:00:00.000Z", "cardData": {"base_model": "org/base"}},
    {"id": "org/m5", "tags": ["image-classification"], "pipeline_tag": "image-classification",
     "createdAt": "2023-06-01T00:00:00.000Z",
     "cardData": {"datasets": ["imagenet", "cifar", "imagenet"], "base_model": "org/base"}},
    {"id": "org/m6", "tags": ["image-classification", "text-classification"], "pipeline_tag": None,
     "createdAt": "2024-01-01T00:00:00.000Z", "cardData": {"datasets": []}},
]  # fmt: skip
DATASETS = [
    {"id": "squad", "tags": ["task_categories:text-classification"], "createdAt": "2021-01-01T00:00:00.000Z"},
    {"id": "glue", "tags": ["task_categories:text-classification"], "createdAt": "2021-02-01T00:00:00.000Z"},
    {"id": "imagenet", "tags": ["task_categories:image-classification"], "createdAt": None},
    {"id": "cifar", "tags": ["task_categories:image-classification"], "createdAt": "2021-03-01T00:00:00.000Z"},
    {"id": "both", "tags": ["task_categories:text-classification", "task_categories:image-classification"],
     "createdAt": "2021-04-01T00:00:00.000Z"},
]  # fmt: skip
CARD_TYPE = pa.struct([("datasets", pa.list_(pa.string())), ("base_model", pa.string()), ("license", pa.string())])


def parquet_bytes(records: list[dict], encoding: str, kind: str) -> bytes:
    """The records as a snapshot Parquet file: nested columns as JSON text, or as native list/struct types."""
    rows = copy.deepcopy(records)
    for row in rows:
        if row.get("createdAt"):
            row["createdAt"] = pd.Timestamp(row["createdAt"]).to_pydatetime()
    if encoding == "json_text":
        for row in rows:
            row["tags"] = json.dumps(row["tags"])
            if "cardData" in row:
                row["cardData"] = None if row["cardData"] is None else json.dumps(row["cardData"])
        fields = [("id", pa.string()), ("tags", pa.string())]
        if kind == "models":
            fields += [("pipeline_tag", pa.string()), ("cardData", pa.string())]
    else:
        fields = [("id", pa.string()), ("tags", pa.list_(pa.string()))]
        if kind == "models":
            fields += [("pipeline_tag", pa.string()), ("cardData", CARD_TYPE)]
    fields.append(("createdAt", pa.timestamp("us", tz="UTC")))
    table = pa.Table.from_pylist(rows, schema=pa.schema(fields))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def read_dump(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_dump(records: list[dict], path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def rq_tables(models_dump: Path, datasets_dump: Path, work: Path) -> dict[str, pd.DataFrame]:
    """RQ1-RQ3 tables through the workflow's own steps (index -> collect -> parse -> matrices -> measures)."""
    parsed: dict[str, dict[str, str]] = {"models": {}, "datasets": {}}
    for kind, dump in (("models", models_dump), ("datasets", datasets_dump)):
        index, index_manifest = work / f"{kind}_index.parquet", work / f"{kind}_index.json"
        collect_steps.index_dump(str(dump), f"{kind}_dump", str(index), str(index_manifest), "dump")
        for task in DOMAINS:
            listing = work / "raw" / kind / f"{task}.jsonl.gz"
            outputs = {"listing": str(listing), "manifest": str(listing).replace(".jsonl.gz", ".manifest.json")}
            collect_steps.collect_listing("dump", kind, task, outputs, index=str(index), index_manifest=str(index_manifest))
            parsed[kind][task] = str(work / "parsed" / kind / f"{task}.parquet")
            parse({kind: str(listing)}, {kind: parsed[kind][task]}, "dump")
    mats = {name: str(work / "matrices" / f"{name}.parquet") for name in MATRIX_NAMES}
    matrices(parsed["models"], parsed["datasets"], mats, "dump")
    tables = {key: str(work / f"{key}.csv") for key in ("rq1", "rq2", "rq3")}
    values = {key: str(work / f"{key}.parquet") for key in ("rq1", "rq2", "rq3")}
    paper_tables(mats, DOMAINS, "dump", tables, values, str(work / "shapes.csv"))
    return {key: pd.read_csv(path).set_index("task") for key, path in tables.items()}


def declared(value: object) -> list | None:
    """The paper's declaration rule, written out independently: a string is one entry, a non-empty list its entries."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    return None


def expected_measures(models: list[dict], datasets: list[dict]) -> dict[str, dict[str, tuple[int, float]]]:
    """(n, mean) per RQ and task from the raw records."""
    out: dict[str, dict[str, tuple[int, float]]] = {"rq1": {}, "rq2": {}, "rq3": {}}
    for task in DOMAINS:
        members = [m for m in models if task in m["tags"]]
        cards = [m.get("cardData") if isinstance(m.get("cardData"), dict) else {} for m in members]
        for key, card_key in (("rq1", "datasets"), ("rq3", "base_model")):
            counts = [len(d) for d in (declared(c.get(card_key)) for c in cards) if d is not None]
            out[key][task] = (len(counts), sum(counts) / len(counts) if counts else float("nan"))
        listed = [d["id"] for d in datasets if f"task_categories:{task}" in d["tags"]]
        decls = [declared(c.get("datasets")) or [] for c in cards]
        reuse = [sum(1 for entries in decls if ds in entries) for ds in listed]
        out["rq2"][task] = (len(reuse), sum(reuse) / len(reuse))
    return out


@pytest.fixture(autouse=True)
def hub_cache(tmp_path, monkeypatch):
    """Keep huggingface_hub's cache, token lookup and telemetry inside the test's folder."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf_home" / "hub"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)


@pytest.mark.parametrize("encoding", ["json_text", "native"])
def test_snapshot_download_and_conversion_match_the_json_dump(tmp_path, encoding):
    files = {
        "models.parquet": parquet_bytes(MODELS, encoding, "models"),
        "datasets.parquet": parquet_bytes(DATASETS, encoding, "datasets"),
    }
    snap = tmp_path / "snapshot"
    outputs = {kind: str(snap / f"{kind}.parquet") for kind in ("models", "datasets")}
    with FileServer(files, commit=COMMIT) as hub:
        manifest = hubstats.download_snapshot(
            hub.repo, "main", hubstats.DEFAULT_FILES, outputs, str(snap / "manifest.json"), endpoint=hub.url
        )
        requests = list(hub.requests)
    # The branch was resolved once; both files were then fetched at that commit, and the sha is recorded.
    assert manifest["revision_requested"] == "main" and manifest["revision_resolved"] == COMMIT
    assert json.loads((snap / "manifest.json").read_text())["revision_resolved"] == COMMIT
    assert [r for r in requests if r[2] == "main"] == [("HEAD", f"/datasets/{hub.repo}/resolve/main/models.parquet", "main")]
    assert {r[1].rsplit("/", 1)[1] for r in requests if r[0] == "GET" and r[2] == COMMIT} == set(files)
    for kind in ("models", "datasets"):
        assert Path(outputs[kind]).read_bytes() == files[f"{kind}.parquet"]

    converted = {}
    for kind in ("models", "datasets"):
        converted[kind] = tmp_path / f"{kind}.jsonl.gz"
        summary = hubstats.convert_snapshot(outputs[kind], kind, converted[kind], tmp_path / f"{kind}.json", manifest)
        assert summary["rows"] == len(MODELS if kind == "models" else DATASETS)
        assert summary["revision_resolved"] == COMMIT
    assert read_dump(converted["models"]) == MODELS
    assert read_dump(converted["datasets"]) == DATASETS

    # Same RQ tables as the equivalent JSON dump, and both equal to the plain-Python values.
    from_snapshot = rq_tables(converted["models"], converted["datasets"], tmp_path / "a")
    from_json = rq_tables(write_dump(MODELS, tmp_path / "m.jsonl.gz"), write_dump(DATASETS, tmp_path / "d.jsonl.gz"),
                          tmp_path / "b")  # fmt: skip
    expected = expected_measures(MODELS, DATASETS)
    for key in ("rq1", "rq2", "rq3"):
        pd.testing.assert_frame_equal(from_snapshot[key], from_json[key])
        for task, (n, mean) in expected[key].items():
            assert from_snapshot[key].loc[task, "n"] == n, (key, task)
            assert from_snapshot[key].loc[task, "mean"] == pytest.approx(mean, nan_ok=True), (key, task)


@pytest.mark.parametrize("encoding", ["json_text", "native"])
def test_card_keys_fall_back_to_derived_tags(tmp_path, encoding):
    models = [
        # no card at all: both keys from tags; relation tags (base_model:finetune:...) are not ids
        {"id": "a/x", "tags": ["text-classification", "dataset:squad", "dataset:glue", "base_model:org/base",
                               "base_model:finetune:org/base"], "cardData": None},
        # card declares datasets: kept as declared; base_model absent: from tags
        {"id": "a/y", "tags": ["dataset:squad", "base_model:org/other"], "cardData": {"datasets": ["glue"]}},
        # nothing to fall back to
        {"id": "a/z", "tags": ["text-classification"], "cardData": {"license": "mit"}},
    ]  # fmt: skip
    path = tmp_path / "models.parquet"
    path.write_bytes(parquet_bytes([{**m, "pipeline_tag": None} for m in models], encoding, "models"))
    summary = hubstats.convert_snapshot(path, "models", tmp_path / "out.jsonl.gz")
    got = {record["id"]: record for record in read_dump(tmp_path / "out.jsonl.gz")}

    assert got["a/x"]["cardData"] == {"datasets": ["squad", "glue"], "base_model": ["org/base"]}
    assert got["a/x"]["_hubreuse_fallback"] == {"datasets": "tags", "base_model": "tags"}
    assert got["a/y"]["cardData"] == {"datasets": ["glue"], "base_model": ["org/other"]}
    assert got["a/y"]["_hubreuse_fallback"] == {"base_model": "tags"}
    assert got["a/z"]["cardData"] == {"license": "mit"} and "_hubreuse_fallback" not in got["a/z"]
    # Independent count: records whose card lacks the key and whose tags name one.
    for key, prefix in (("datasets", "dataset:"), ("base_model", "base_model:")):
        want = sum(
            1 for m in models
            if key not in (m["cardData"] or {}) and any(t.startswith(prefix) and ":" not in t[len(prefix):] for t in m["tags"])
        )  # fmt: skip
        assert summary["fallback_from_tags"][key] == want


@pytest.mark.parametrize(("drop", "named"), [(["tags"], "'tags'"), (["id", "tags"], "'id', 'tags'")])
def test_missing_required_column_is_one_clear_line(tmp_path, drop, named):
    table = pa.table({"id": ["a/b"], "tags": [["x"]], "likes": [3]}).drop_columns(drop)
    path = tmp_path / "models.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError) as caught:
        hubstats.convert_snapshot(path, "models", tmp_path / "out.jsonl.gz")
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and f"missing required column(s) {named}" in message
    assert not (tmp_path / "out.jsonl.gz").exists()


def test_bad_json_text_and_unknown_revision_are_one_line_errors(tmp_path):
    table = pa.table({"id": ["a/b", "a/c"], "tags": ['["x"]', '["x"'], "cardData": [None, None]})
    path = tmp_path / "models.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError, match=r"row 2: column 'tags' holds text that is not valid JSON"):
        hubstats.convert_snapshot(path, "models", tmp_path / "out.jsonl.gz")
    assert not (tmp_path / "out.jsonl.gz").exists()

    with FileServer({"models.parquet": b"x"}) as hub, pytest.raises(InputError) as caught:
        hubstats.download_snapshot(hub.repo, "no-such-tag", {"models": "models.parquet"},
                                   {"models": str(tmp_path / "m.parquet")}, str(tmp_path / "s.json"), endpoint=hub.url)  # fmt: skip
    assert "\n" not in str(caught.value) and "no-such-tag" in str(caught.value)
    assert not (tmp_path / "m.parquet").exists() and not (tmp_path / "s.json").exists()


def copy_tree(dest: Path) -> Path:
    """The workflow's files in a scratch folder (other runs may be using the repo's results/)."""
    for name in ("Snakefile", "config.yaml", "pyproject.toml"):
        shutil.copy2(REPO / name, dest / name)
    for name in ("rules", "scripts", "report", "profiles", "envs", "hubreuse"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_workflow_end_to_end_with_source_hubstats(tmp_path):
    (tmp_path / "tree").mkdir()
    work = copy_tree(tmp_path / "tree")
    files = {
        "models.parquet": parquet_bytes(MODELS, "json_text", "models"),
        "datasets.parquet": parquet_bytes(DATASETS, "native", "datasets"),
    }
    env = {**os.environ, "PYTHONPATH": str(work), "HF_HOME": str(tmp_path / "hf_home")}
    with FileServer(files, commit=COMMIT) as hub:
        run = subprocess.run(
            # Tables and manifest are what this source changes; the report (slow) is covered elsewhere.
            [sys.executable, "-m", "snakemake", "--cores", "2", "--omit-from", "report", "--config", "source=hubstats",
             f"hub_endpoint={hub.url}", "hubstats_revision=main",
             "tasks={nlp: [text-classification], cv: [image-classification]}"],
            cwd=work, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    manifest = json.loads((work / "results/raw/manifest.json").read_text())
    assert COMMIT in json.dumps(manifest)  # the resolved snapshot commit is part of the run's provenance
    expected = expected_measures(MODELS, DATASETS)
    rq1 = pd.read_csv(work / "results/tables/rq1_datasets_per_model.csv").set_index("task")
    for task, (n, mean) in expected["rq1"].items():
        assert rq1.loc[task, "n"] == n and rq1.loc[task, "mean"] == pytest.approx(mean, nan_ok=True)
    listing = work / "results/raw/models/text-classification.jsonl.gz"
    assert {record["id"] for record in read_dump(listing)} == {m["id"] for m in MODELS if "text-classification" in m["tags"]}
