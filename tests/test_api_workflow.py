"""``source: api`` end to end: Snakemake + the real huggingface_hub client against a faulty loopback Hub."""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

import pytest

from tests.conftest import copy_workflow, run_snakemake, shared_path
from tests.hub_server import FakeHub, Fault

TASKS = 'tasks={"nlp": ["text-classification", "token-classification"], "cv": ["image-classification"]}'
TABLES = ("rq1_datasets_per_model.csv", "rq2_models_per_dataset.csv", "rq3_base_models_per_model.csv")
PAGE_SIZE = 100
# Collection is what these tests are about: build the tables and the manifest, not the report.
TARGETS = ["results/raw/manifest.json", *(f"results/tables/{name}" for name in TABLES)]


def listing_records(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def table_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if k != "source"} for row in csv.DictReader(handle)]


def assert_listings_match_server(workdir: Path, hub: FakeHub) -> None:
    for kind in ("models", "datasets"):
        for task in ("text-classification", "token-classification", "image-classification"):
            served = [json.loads(line) for line in hub.records(kind, task)]
            expected = list({(r.get("id") or r.get("modelId")): r for r in reversed(served)}.values())[::-1]
            got = listing_records(workdir / "results" / "raw" / kind / f"{task}.jsonl.gz")
            assert got == expected, f"{kind}/{task}: listing differs from the server's records"
            ids = [r.get("id") or r.get("modelId") for r in got]
            assert len(ids) == len(set(ids))


@pytest.fixture(scope="module")
def dump_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """RQ tables of ``source: dump`` on the records the fake Hub serves (the corpora)."""
    root = tmp_path_factory.mktemp("dumprun")
    workdir = copy_workflow(root / "wf")
    models = root / "models.jsonl.gz"
    with open(models, "wb") as out:
        for name in ("hub2022-models.jsonl.gz", "lineage2025-models.jsonl.gz"):
            out.write(shared_path(f"corpora/{name}").read_bytes())
    datasets = shared_path("corpora/datasets2023.jsonl.gz")
    result = run_snakemake(
        workdir,
        *TARGETS,
        "--config",
        "source=dump",
        f"models_dump={models}",
        f"datasets_dump={datasets}",
        TASKS,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {name: table_rows(workdir / "results" / "tables" / name) for name in TABLES}


def test_api_collection_with_faults_matches_server_and_dump(workflow_dir: Path, dump_tables) -> None:
    faults = [
        Fault("429", page=2, times=6, listing="models", task="text-classification", t=1),
        Fault("503", page=3, times=2, listing="models", task="text-classification"),
        Fault("close", page=2, times=1, listing="models", task="token-classification"),
        Fault("503", page=1, times=1, listing="datasets", task="image-classification"),
    ]
    with FakeHub(page_size=PAGE_SIZE, faults=faults) as hub:
        result = run_snakemake(
            workflow_dir, *TARGETS, "--config", "source=api", f"hub_endpoint={hub.url}", TASKS
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert_listings_match_server(workflow_dir, hub)
        hits = hub.page_hits("models", "text-classification")
        assert hits[2] == 7 and hits[3] == 3, hits  # the 429 burst and the 503s were retried, nothing else
    for name in TABLES:
        assert table_rows(workflow_dir / "results" / "tables" / name) == dump_tables[name], name
    manifest = json.loads((workflow_dir / "results" / "raw" / "manifest.json").read_text())
    assert manifest["source"] == "api"
    listing = next(
        m for m in manifest["listings"] if m["kind"] == "models" and m["task"] == "text-classification"
    )
    assert listing["endpoint"] == hub.url and listing["rate_limit_waits"] >= 6


def test_killed_collection_resumes_without_refetching(workflow_dir: Path, dump_tables) -> None:
    with FakeHub(page_size=PAGE_SIZE) as hub:
        n_pages = -(-len(hub.records("models", "text-classification")) // PAGE_SIZE)
        kill_page = random.Random(20250215).randint(2, n_pages - 1)
        hub.faults = [Fault("kill-peer", page=kill_page, listing="models", task="text-classification")]
        first = run_snakemake(
            workflow_dir, *TARGETS, "--config", "source=api", f"hub_endpoint={hub.url}", TASKS
        )
        assert first.returncode != 0, "the killed collector must fail its job"
        assert not (workflow_dir / "results" / "raw" / "models" / "text-classification.jsonl.gz").exists()
        hub.faults = []
        second = run_snakemake(
            workflow_dir, *TARGETS, "--config", "source=api", f"hub_endpoint={hub.url}", TASKS
        )
        assert second.returncode == 0, second.stderr[-3000:]
        hits = hub.page_hits("models", "text-classification")
        assert sorted(hits) == list(range(1, n_pages + 1))
        assert all(hits[p] == 1 for p in range(1, kill_page)), f"completed pages refetched: {hits}"
        assert hits[kill_page] == 2
        assert_listings_match_server(workflow_dir, hub)
    for name in TABLES:
        assert table_rows(workflow_dir / "results" / "tables" / name) == dump_tables[name], name


def test_failed_listing_keeps_finished_sibling_counters_and_log(workflow_dir: Path, dump_tables) -> None:
    """One task's datasets listing fails after retries while its models listing (one page of which had a record
    without an id) finished: the rerun fetches no models page again, every request of both sessions is in the
    manifests, and the job log still holds the failed session."""
    task = "text-classification"
    faults = [
        Fault("bad-record", page=2, listing="models", task=task, record=5),  # retried once, never kept
        Fault("503", page=2, times=2, listing="datasets", task=task),  # retried twice...
        Fault("404", page=2, times=1, listing="datasets", task=task),  # ...then the listing fails
    ]
    raw = workflow_dir / "results" / "raw"
    with FakeHub(page_size=PAGE_SIZE, faults=faults) as hub:
        first = run_snakemake(
            workflow_dir, *TARGETS, "--config", "source=api", f"hub_endpoint={hub.url}", TASKS
        )
        assert first.returncode != 0
        error = f"hubreuse: error: datasets listing for task '{task}', page 2: HTTP 404, not retried"
        assert error in first.stderr, first.stderr[-3000:]
        # Snakemake removed the failed job's outputs, the finished models listing too
        assert not (raw / "models" / f"{task}.jsonl.gz").exists()
        assert json.loads((raw / ".partial" / "models" / task / "state.json").read_text())["complete"]
        models_hits = hub.page_hits("models", task)
        assert models_hits[2] == 2
        hub.faults = []
        second = run_snakemake(
            workflow_dir, *TARGETS, "--config", "source=api", f"hub_endpoint={hub.url}", TASKS
        )
        assert second.returncode == 0, second.stderr[-3000:]
        assert hub.page_hits("models", task) == models_hits, "finished listing's pages fetched again"
        assert_listings_match_server(workflow_dir, hub)
        for kind, retries in (("models", 1), ("datasets", 2)):
            manifest = json.loads((raw / kind / f"{task}.manifest.json").read_text())
            hits = hub.page_hits(kind, task)
            assert (manifest["requests"], manifest["retries"]) == (sum(hits.values()), retries), (kind, hits)
    for name in TABLES:
        assert table_rows(workflow_dir / "results" / "tables" / name) == dump_tables[name], name
    log = (workflow_dir / "results" / "logs" / "collect" / f"{task}.log").read_text()
    assert f"datasets/{task} page 2: HTTP 503; retry 1/8" in log and error in log  # the first session
    assert f"models/{task} page 2: record 5 of 100 has no string id" in log
    partial = raw / ".partial"
    assert not any(path.exists() for path in (partial / "models" / task, partial / "datasets" / task))
    assert not (partial / "sessions" / f"{task}.log").exists()
