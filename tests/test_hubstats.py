"""source: hubstats - snapshot download at a pinned commit, the Parquet files read as they are, errors.

Offline: small Parquet files in both encodings (JSON-text nested columns and native nested types) are served by
a loopback server acting as the Hub's file endpoint (tests/file_server.py). Expected values come from a few lines
of plain Python over the records below, never from the code under test. Files shaped like the real snapshot are
tested in tests/test_hubstats_shape.py.
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
import yaml

from hubreuse.collect import hubstats
from hubreuse.collect import steps as collect_steps
from hubreuse.core.errors import InputError
from hubreuse.core.names import MATRIX_NAMES
from hubreuse.core.settings import check_config
from hubreuse.matrices.steps import matrices
from hubreuse.parse.steps import parse
from hubreuse.stats.steps import paper_tables

sys.path.insert(0, str(Path(__file__).parent))
from file_server import FileServer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DOMAINS = {"text-classification": "nlp", "image-classification": "cv"}
COMMIT = "89abcdef0123456789abcdef0123456789abcdef"

# API-like records.
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


def index_lines(dump: Path, kind: str, work: Path) -> list[dict]:
    """The records of a dump's index (what every listing is cut from), through the workflow's own step."""
    work.mkdir(parents=True, exist_ok=True)
    index = work / f"{kind}_index.parquet"
    collect_steps.index_dump(str(dump), f"{kind}_dump", str(index), str(work / f"{kind}_index.json"), "hubstats")
    return [json.loads(line) for line in pq.read_table(index).column("line").to_pylist()]


@pytest.mark.parametrize("encoding", ["json_text", "native"])
def test_snapshot_download_and_reading_match_the_json_dump(tmp_path, encoding):
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

    if encoding == "json_text":  # a native struct keeps its null fields (a Parquet dump's struct passes through)
        assert index_lines(Path(outputs["models"]), "models", tmp_path / "i") == MODELS
    assert index_lines(Path(outputs["datasets"]), "datasets", tmp_path / "i") == DATASETS

    # The snapshot files read as they are give the RQ tables of the equivalent JSON dump and the plain-Python values.
    from_snapshot = rq_tables(Path(outputs["models"]), Path(outputs["datasets"]), tmp_path / "a")
    from_json = rq_tables(write_dump(MODELS, tmp_path / "m.jsonl.gz"), write_dump(DATASETS, tmp_path / "d.jsonl.gz"),
                          tmp_path / "b")  # fmt: skip
    expected = expected_measures(MODELS, DATASETS)
    for key in ("rq1", "rq2", "rq3"):
        pd.testing.assert_frame_equal(from_snapshot[key], from_json[key])
        for task, (n, mean) in expected[key].items():
            assert from_snapshot[key].loc[task, "n"] == n, (key, task)
            assert from_snapshot[key].loc[task, "mean"] == pytest.approx(mean, nan_ok=True), (key, task)


@pytest.mark.parametrize(("drop", "named"), [(["tags"], "'tags'"), (["id", "tags"], "'id', 'tags'")])
def test_missing_required_column_is_one_clear_line(tmp_path, drop, named):
    table = pa.table({"id": ["a/b"], "tags": [["x"]], "likes": [3]}).drop_columns(drop)
    path = tmp_path / "models.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError) as caught:
        index_lines(path, "models", tmp_path / "i")
    left = ", ".join(name for name in ("id", "tags", "likes") if name not in drop)
    assert str(caught.value) == f"models_dump {path}: missing required column(s) {named}; columns present: {left}"
    assert not list((tmp_path / "i").iterdir())


def test_bad_json_text_is_a_one_line_error(tmp_path):
    table = pa.table({"id": ["a/b", "a/c"], "tags": ['["x"]', '["x"'], "cardData": [None, None]})
    path = tmp_path / "models.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError) as caught:
        index_lines(path, "models", tmp_path / "i")
    assert str(caught.value) == (
        f"models_dump {path}: row 2: column 'tags' holds text that is not valid JSON, expected a JSON list: "
        + json.dumps('["x"')
    )
    assert not list((tmp_path / "i").iterdir())


@pytest.mark.parametrize(
    ("repo", "revision", "error"),
    [("cfahlgren1/hub-stats", "no-such-tag", "RevisionNotFoundError"), ("someone/gone", "main", "RepositoryNotFoundError")],
    ids=["unknown-revision", "unknown-repo"],
)
def test_unreachable_repo_or_revision_is_one_line_naming_both(tmp_path, repo, revision, error):
    outputs = {kind: str(tmp_path / f"{kind}.parquet") for kind in ("models", "datasets")}
    files = {"models.parquet": parquet_bytes(MODELS, "native", "models"),
             "datasets.parquet": parquet_bytes(DATASETS, "native", "datasets")}  # fmt: skip
    with FileServer(files, repo="cfahlgren1/hub-stats") as hub, pytest.raises(InputError) as caught:
        hubstats.download_snapshot(repo, revision, hubstats.DEFAULT_FILES, outputs, str(tmp_path / "s.json"),
                                   endpoint=hub.url)  # fmt: skip
    assert str(caught.value) == (
        f"hubstats {repo}@{revision} models.parquet: not reachable ({error}: 404 Client Error.); "
        "use source: api, or download the Parquet files yourself and use source: dump"
    )
    assert not list(tmp_path.iterdir())  # no output, no temporary


def test_a_missing_second_file_leaves_no_output(tmp_path):
    outputs = {kind: str(tmp_path / f"{kind}.parquet") for kind in ("models", "datasets")}
    with FileServer({"models.parquet": parquet_bytes(MODELS, "native", "models")}, commit=COMMIT) as hub, \
            pytest.raises(InputError) as caught:  # fmt: skip
        hubstats.download_snapshot(hub.repo, "main", hubstats.DEFAULT_FILES, outputs, str(tmp_path / "s.json"),
                                   endpoint=hub.url)  # fmt: skip
    assert str(caught.value).startswith(f"hubstats {hub.repo}@{COMMIT} datasets.parquet: not reachable (")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("revision", [None, "", "  "])
def test_source_hubstats_needs_a_revision(revision):
    config = {**yaml.safe_load((REPO / "config.yaml").read_text()), "source": "hubstats"}
    if revision is not None:
        config["hubstats_revision"] = revision
    with pytest.raises(InputError) as caught:
        check_config(config)
    assert str(caught.value) == (
        "config: hubstats_revision: source=hubstats needs a revision of cfahlgren1/hub-stats you chose (a commit sha, "
        "for a reproducible run); no default is shipped because no revision was tested by this project"
    )
    assert check_config({**config, "hubstats_revision": COMMIT}).source == "hubstats"


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


def test_workflow_unreachable_revision_is_one_line(tmp_path):
    """What a user sees: one ``hubreuse: error:`` line on stderr, non-zero exit, no snapshot file (the missing
    revision's line is checked on check_config above)."""
    (tmp_path / "tree").mkdir()
    work = copy_tree(tmp_path / "tree")
    env = {**os.environ, "PYTHONPATH": str(work), "HF_HOME": str(tmp_path / "hf_home")}

    def run(*config: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--config", "source=hubstats", *config],
                              cwd=work, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip

    files = {"models.parquet": parquet_bytes(MODELS, "json_text", "models"),
             "datasets.parquet": parquet_bytes(DATASETS, "native", "datasets")}  # fmt: skip
    with FileServer(files, commit=COMMIT) as hub:
        unreachable = run(f"hub_endpoint={hub.url}", "hubstats_revision=v-gone")
    assert unreachable.returncode != 0
    assert [line for line in unreachable.stderr.splitlines() if line.startswith("hubreuse: error: ")] == [
        f"hubreuse: error: hubstats {hub.repo}@v-gone models.parquet: not reachable (RevisionNotFoundError: 404 Client "
        "Error.); use source: api, or download the Parquet files yourself and use source: dump"
    ], unreachable.stderr[-3000:]
    assert not list((work / "results").glob("hubstats/snapshot/*.parquet"))
