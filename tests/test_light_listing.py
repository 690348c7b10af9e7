"""``declarations: tags`` with ``source: api``: the light models listing (no ``full``, no card) on the loopback Hub.

The fake Hub (tests/hub_server.py) serves the corpora through the real huggingface_hub client's requests; the
light listing's records are the full listing's without ``cardData`` (checked against the raw corpus lines here),
the tag declarations read from either are the same, and the bytes on the wire per record and the pages per task
of both listings are measured from what the server sent.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pyarrow.compute as pc
import pytest

from hubreuse.collect.hub_api import collect_listing
from hubreuse.collect.hub_pages import listing_query
from hubreuse.matrices.build import build_matrices
from hubreuse.parse.listing import parse_listing
from tests.conftest import shared_path
from tests.test_hub_api import DATASET_FILES, MODEL_FILES, expected  # expected: raw corpus records

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hub_server import FakeHub  # noqa: E402

# Tasks with many models in the corpora, with and without cards; pages of 100 records as the fake Hub serves them.
TASKS = ("text-classification", "image-classification")
PAGE_SIZE = 100


def read_listing(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture
def corpora() -> None:
    """The fake Hub serves ../shared/corpora: missing, these tests skip with the path (and fail in CI)."""
    for name in (*MODEL_FILES, *DATASET_FILES):
        shared_path(f"corpora/{name}")


def test_light_query_is_the_plain_listing() -> None:
    assert listing_query("models", "translation", light=True) == ("/api/models", {"filter": ["translation"]})
    assert listing_query("models", "translation") == (
        "/api/models", {"filter": ["translation"], "full": True, "cardData": True}
    )  # fmt: skip
    assert listing_query("datasets", "translation", light=True) == listing_query("datasets", "translation")


def test_light_listing_has_the_same_records_and_tags_in_fewer_bytes(tmp_path: Path, corpora: None) -> None:
    measured = {}
    with FakeHub(page_size=PAGE_SIZE) as hub:
        for task in TASKS:
            for light in (False, True):
                out = tmp_path / f"{task}-{light}.jsonl.gz"
                hub.reset()
                manifest = collect_listing("models", task, out, tmp_path / f"state-{task}-{light}",
                                           endpoint=hub.url, sleep=lambda _: None, light=light)  # fmt: skip
                records = read_listing(out)
                pages = sum(n for (kind, t, _), n in hub.served.items() if kind == "models" and t == task)
                measured[task, light] = (records, pages, hub.served_bytes[("models", task)], manifest)
                sent = {key for _, params in hub.queries for key, _ in params}
                assert ("full" in sent, "cardData" in sent) == (not light, not light)
    for task in TASKS:
        raw = expected("models", task)
        full, full_pages, full_bytes, _ = measured[task, False]
        light, light_pages, light_bytes, _ = measured[task, True]
        assert full == raw
        assert light == [{k: v for k, v in r.items() if k != "cardData"} for r in raw]
        assert full_pages == light_pages == -(-len(raw) // PAGE_SIZE)
        if any("cardData" in r for r in raw):
            assert light_bytes < full_bytes, task
        print(f"{task}: {len(raw)} records, {full_pages} pages; bytes/record full {full_bytes / len(raw):.0f}, "
              f"light {light_bytes / len(raw):.0f} ({light_bytes / full_bytes:.1%})")


def test_tag_declarations_of_the_light_listing_equal_those_of_the_full_one(tmp_path: Path, corpora: None) -> None:
    with FakeHub(page_size=PAGE_SIZE) as hub:
        tables = {}
        for light in (False, True):
            paths = {}
            for task in TASKS:
                listing = tmp_path / f"{task}-{light}.jsonl.gz"
                collect_listing("models", task, listing, tmp_path / f"state-{task}-{light}", endpoint=hub.url,
                                sleep=lambda _: None, light=light)  # fmt: skip
                paths[task] = str(tmp_path / f"{task}-{light}.parquet")
                parse_listing("models", listing, paths[task], "api")
            empty = tmp_path / f"datasets-{light}.jsonl"
            empty.write_text("", encoding="utf-8")
            parse_listing("datasets", empty, tmp_path / f"datasets-{light}.parquet", "api")
            datasets = {task: str(tmp_path / f"datasets-{light}.parquet") for task in TASKS}
            tables[light] = build_matrices(paths, datasets, declarations="tags")
    for name in ("model_dataset", "model_base", "model_task"):
        assert tables[True][name].equals(tables[False][name]), name
    full, light = tables[False]["models"], tables[True]["models"]
    for column in ("model_id", "datasets_n", "base_model_n"):
        assert light.column(column).equals(full.column(column)), column
    assert pc.sum(light.column("datasets_n")).as_py() > 0
    # The light listing has no card: every card declaration is absent, so the card edges are empty.
    assert tables[True]["card_dataset"].num_rows == 0 and tables[True]["card_base"].num_rows == 0
    assert set(light.column("datasets_shape").to_pylist()) == {"absent"}


def test_without_cards_the_disagreement_tables_leave_card_counts_empty(tmp_path: Path, corpora: None) -> None:
    """The light listing has no card: the disagreement tables count the models with tags and leave the rest empty."""
    import csv

    from hubreuse.core.names import REUSE_TABLES, REUSE_VALUES
    from hubreuse.matrices.build import write_matrices
    from hubreuse.stats.steps import reuse_tables

    task = "text-classification"
    with FakeHub(page_size=PAGE_SIZE) as hub:
        listing = tmp_path / "models.jsonl.gz"
        collect_listing("models", task, listing, tmp_path / "state", endpoint=hub.url, sleep=lambda _: None, light=True)
    parse_listing("models", listing, tmp_path / "models.parquet", "api")
    (tmp_path / "datasets.jsonl").write_text("", encoding="utf-8")
    parse_listing("datasets", tmp_path / "datasets.jsonl", tmp_path / "datasets.parquet", "api")
    tables = build_matrices({task: str(tmp_path / "models.parquet")}, {task: str(tmp_path / "datasets.parquet")},
                            declarations="tags")  # fmt: skip
    paths = {name: str(tmp_path / f"m-{name}.parquet") for name in tables}
    write_matrices(tables, paths, "api; declarations: tags")
    out = {name: str(tmp_path / f"{name}.csv") for name in REUSE_TABLES}
    reuse_tables(paths, {task: "nlp"}, "api; declarations: tags", out,
                 {name: str(tmp_path / f"{name}.parquet") for name in REUSE_VALUES}, cards=False)  # fmt: skip
    raw = expected("models", task)
    tagged = {
        "dataset": sum(any(t.startswith("dataset:") for t in r.get("tags") or []) for r in raw),
        "base": sum(any(t.startswith("base_model:") for t in r.get("tags") or []) for r in raw),
    }
    assert tagged["dataset"] > 0
    for prefix in ("dataset", "base"):
        with open(out[f"{prefix}_card_tag_disagreement_by_task"], newline="", encoding="utf-8") as handle:
            (row,) = list(csv.DictReader(handle))
        assert (int(row["n"]), int(row["n_tags"])) == (len(raw), tagged[prefix])
        assert {row[c] for c in ("n_card", "n_both", "n_differ", "n_card_only", "n_tags_only", "share_differ")} == {""}
        assert row["source"] == "api; declarations: tags"


def test_api_run_with_tags_declarations_collects_light_and_labels_tables(workflow_dir: Path, corpora: None) -> None:
    """Through Snakemake: ``source=api declarations=tags`` sends the light models query, keeps no card, and its
    tables say which declarations they used."""
    import csv

    from tests.conftest import run_snakemake

    tasks = 'tasks={"nlp": ["text-classification"], "cv": ["image-classification"]}'
    targets = ["results/raw/manifest.json", "results/tables/rq1_datasets_per_model.csv",
               "results/tables/dataset_card_tag_disagreement_by_task.csv"]  # fmt: skip
    with FakeHub(page_size=PAGE_SIZE) as hub:
        result = run_snakemake(workflow_dir, *targets, "--config", "source=api", "declarations=tags",
                               f"hub_endpoint={hub.url}", tasks)  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        sent = {(path, key) for path, params in hub.queries for key, _ in params}
    assert ("/api/models", "filter") in sent and ("/api/models", "full") not in sent
    assert ("/api/models", "cardData") not in sent
    raw = workflow_dir / "results" / "raw" / "models"
    for task in ("text-classification", "image-classification"):
        assert read_listing(raw / f"{task}.jsonl.gz") == [
            {k: v for k, v in r.items() if k != "cardData"} for r in expected("models", task)
        ]  # fmt: skip
    with open(workflow_dir / targets[1], newline="", encoding="utf-8") as handle:
        rows = {row["task"]: row for row in csv.DictReader(handle)}
    for task in ("text-classification", "image-classification"):
        declaring = [r for r in expected("models", task) if any(t.startswith("dataset:") for t in r.get("tags") or [])]
        assert int(rows[task]["n"]) == len(declaring) and rows[task]["source"] == "api; declarations: tags"
    with open(workflow_dir / targets[2], newline="", encoding="utf-8") as handle:
        assert {row["n_card"] for row in csv.DictReader(handle)} == {""}
