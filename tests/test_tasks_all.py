"""``tasks: all``: every pipeline task of the snapshot, each with its domain from the Hub's taxonomy.

Expected values come from plain Python over the raw records and from the shipped CSV read with the csv module.
"""

from __future__ import annotations

import csv
import gzip
import json
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_workflow, run_snakemake, shared_path

TAXONOMY_CSV = REPO / "hubreuse" / "data" / "task_domains.csv"


def taxonomy_from_csv() -> dict[str, str]:
    with open(TAXONOMY_CSV, encoding="utf-8", newline="") as handle:
        return {row["task"]: row["domain"] for row in csv.DictReader(line for line in handle if line[0] != "#")}


def read_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(record) + "\n" for record in records))
    return path


def task_list_of(dump: Path, tmp_path: Path):
    from hubreuse.collect import dumps, tasks
    from hubreuse.core.settings import task_taxonomy

    index = tmp_path / "models_index.parquet"
    dumps.build_index(dump, "models_dump", index)
    return tasks.tasks_from_index(index, task_taxonomy(), f"models_dump {dump}")


# ---------------------------------------------------------------------------------------------------- settings
def test_taxonomy_is_the_shipped_csv() -> None:
    from hubreuse.core.settings import task_taxonomy

    expected = taxonomy_from_csv()
    assert task_taxonomy() == expected
    assert len(expected) == 56
    assert set(expected.values()) == {"nlp", "cv", "audio", "multimodal", "tabular", "rl", "other"}


def test_tasks_all_is_accepted_and_bad_values_are_one_line() -> None:
    from hubreuse.core.errors import InputError
    from hubreuse.core.settings import check_config

    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    settings = check_config({**config, "tasks": "all"})
    assert settings.all_tasks and settings.domains == {}
    assert not check_config(config).all_tasks and len(check_config(config).tasks) == 30
    bad = {
        "every": "config: tasks: expected 'all' or a mapping of domains to lists of tasks, got 'every'",
        "ALL": "config: tasks: expected 'all' or a mapping of domains to lists of tasks, got 'ALL'",
        7: "config: tasks: expected 'all' or a mapping of domains to lists of tasks, got 7",
    }
    for value, line in bad.items():
        with pytest.raises(InputError) as error:
            check_config({**config, "tasks": value})
        assert str(error.value) == line and "\n" not in line


# ----------------------------------------------------------------------------------------- the task-list step
def test_task_list_of_a_small_dump(tmp_path: Path) -> None:
    """Distinct pipeline tags; a tag outside the taxonomy is domain other; one that is not a plain tag, a number
    or null is skipped; a repeated id keeps its first record (as the index does)."""
    records = [
        {"id": "a/1", "pipeline_tag": "text-classification", "tags": ["text-classification"]},
        {"id": "a/2", "pipeline_tag": "text-classification", "tags": []},
        {"id": "a/3", "pipeline_tag": "automatic-speech-recognition", "tags": []},
        {"id": "a/4", "pipeline_tag": "image-classification", "tags": []},
        {"id": "a/5", "pipeline_tag": "conversational", "tags": []},
        {"id": "a/6", "pipeline_tag": "has space", "tags": []},
        {"id": "a/7", "pipeline_tag": 5, "tags": []},
        {"id": "a/8", "pipeline_tag": None, "tags": []},
        {"id": "a/9", "tags": []},
        {"id": "a/1", "pipeline_tag": "fill-mask", "tags": []},
    ]
    dump = write_jsonl(tmp_path / "models.jsonl.gz", records)
    first = {}
    for record in records:
        first.setdefault(record["id"], record)
    counts: dict[str, int] = {}
    for record in first.values():
        tag = record.get("pipeline_tag")
        if isinstance(tag, str) and " " not in tag:
            counts[tag] = counts.get(tag, 0) + 1
    taxonomy = taxonomy_from_csv()
    result = task_list_of(dump, tmp_path)
    assert {row["task"]: row["models"] for row in result.rows} == counts
    assert result.domains == {task: taxonomy.get(task, "other") for task in result.domains}
    assert [row["in_taxonomy"] for row in result.rows if row["task"] == "conversational"] == [False]
    assert result.skipped == {"'has space'": 1, "5": 1}
    # Table order: domains in the taxonomy's order of modalities, then task names.
    assert list(result.domains) == ["text-classification", "image-classification", "automatic-speech-recognition",
                                    "conversational"]  # fmt: skip

    from hubreuse.collect import tasks

    out = tmp_path / "task_list.csv"
    tasks.write_task_list(result, out)
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[-1] == {"task": "conversational", "domain": "other", "models": "1", "in_taxonomy": "false"}
    assert tasks.read_task_list(out) == result.domains


def test_dump_without_pipeline_tags_is_one_line(tmp_path: Path) -> None:
    from hubreuse.core.errors import InputError

    dump = write_jsonl(tmp_path / "models.jsonl.gz", [{"id": "a/1", "tags": ["text-classification"]}])
    with pytest.raises(InputError) as error:
        task_list_of(dump, tmp_path)
    assert str(error.value).startswith(f"models_dump {dump}: no record has a pipeline_tag")


def test_task_list_of_the_2022_corpus(tmp_path: Path) -> None:
    dump = shared_path("corpora/hub2022-models.jsonl.gz")
    records = read_jsonl(dump)
    expected: dict[str, int] = {}
    for record in records:
        tag = record.get("pipeline_tag")
        if tag is not None:
            expected[tag] = expected.get(tag, 0) + 1
    taxonomy = taxonomy_from_csv()
    result = task_list_of(dump, tmp_path)
    assert {row["task"]: row["models"] for row in result.rows} == expected
    assert result.domains == {task: taxonomy.get(task, "other") for task in expected}
    assert result.skipped == {}
    # 25 tasks; nlp, cv and audio from the taxonomy, and three tags it lacks (conversational, ...) as other.
    assert len(expected) == 25
    assert set(result.domains.values()) == {"nlp", "cv", "audio", "other"}
    assert sorted(t for t in expected if t not in taxonomy) == ["conversational", "protein-folding",
                                                                "structured-data-classification"]  # fmt: skip


def test_demo_over_the_taxonomy_has_every_task(tmp_path: Path) -> None:
    """With every_task (tasks: all), even a small synthetic Hub has each taxonomy task as a pipeline tag."""
    from hubreuse.collect import demo

    taxonomy = taxonomy_from_csv()
    models, datasets = tmp_path / "m.jsonl.gz", tmp_path / "d.jsonl.gz"
    demo.write_demo_dumps(taxonomy, 300, 100, 3, models, datasets, every_task=True)
    tags = {record.get("pipeline_tag") for record in read_jsonl(models)}
    assert set(taxonomy) <= tags


# --------------------------------------------------------------------------------------------------------- api
def test_api_task_list_is_the_hubs(tmp_path: Path) -> None:
    shared_path("corpora/hub2022-models.jsonl.gz")
    from hubreuse.collect import tasks
    from hubreuse.core.settings import task_taxonomy
    from tests.hub_server import FakeHub

    served = {"text-classification": {}, "image-classification": {}, "new-task": {}, "bad/task": {}}
    with FakeHub(tasks=served) as hub:
        with urllib.request.urlopen(f"{hub.url}/api/tasks") as response:
            keys = list(json.loads(response.read()))
        assert tasks.fetch_task_ids(hub.url) == keys == list(served)
        result = tasks.tasks_from_api(hub.url, task_taxonomy())
    assert result.domains == {"text-classification": "nlp", "image-classification": "cv", "new-task": "other"}
    assert [row["models"] for row in result.rows] == [None, None, None]
    assert result.skipped == {"'bad/task'": 0}
    with FakeHub() as hub:
        assert tasks.fetch_task_ids(hub.url) == list(taxonomy_from_csv())


# ---------------------------------------------------------------------------------------------- end to end
def test_tasks_all_end_to_end_on_a_corpus_dump(tmp_path: Path) -> None:
    """A few hundred corpus records with tasks: all, run to the report: the tasks planned are the dump's pipeline
    tags, in three domains and other; the per-task paper table and the raw manifest list exactly them, and the
    domain comparison compares every other domain with the reference (NLP), in the table and the report."""
    models = read_jsonl(shared_path("corpora/hub2022-models.jsonl.gz"))
    datasets = read_jsonl(shared_path("corpora/datasets2023.jsonl.gz"))
    wanted = ("text-classification", "fill-mask", "automatic-speech-recognition", "image-classification",
              "conversational")  # fmt: skip
    picked = [r for tag in wanted for r in [m for m in models if m.get("pipeline_tag") == tag][:40]]
    picked += [m for m in models if m.get("pipeline_tag") is None][:40]
    categories = {f"task_categories:{tag}" for tag in wanted}
    chosen = [d for d in datasets if categories & set(d.get("tags") or [])][:300]
    work = copy_workflow(tmp_path / "wf")
    config = {"source": "dump", "tasks": "all", "bootstrap_resamples": 50,
              "models_dump": str(write_jsonl(tmp_path / "models.jsonl.gz", picked)),
              "datasets_dump": str(write_jsonl(tmp_path / "datasets.jsonl.gz", chosen))}  # fmt: skip
    (work / "all.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    targets = ["results/tables/rq1_datasets_per_model.csv", "results/raw/manifest.json",
               "results/tables/domain_comparison.csv", "results/report/report.html"]
    result = run_snakemake(work, *targets, "--configfile", "all.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    taxonomy = taxonomy_from_csv()
    expected = {tag: taxonomy.get(tag, "other") for tag in {r.get("pipeline_tag") for r in picked} - {None}}
    with open(work / "results/interim/task_list.csv", encoding="utf-8", newline="") as handle:
        listed = {row["task"]: row["domain"] for row in csv.DictReader(handle)}
    assert listed == expected and set(expected.values()) == {"nlp", "cv", "audio", "other"}
    with open(work / targets[0], encoding="utf-8", newline="") as handle:
        rq1 = {row["task"]: row["domain"] for row in csv.DictReader(handle)}
    assert rq1 == expected
    manifest = json.loads((work / targets[1]).read_text(encoding="utf-8"))
    assert manifest["config"]["tasks"] == "all"
    assert {item["task"]: item["domain"] for item in manifest["tasks"]} == expected
    # A model's listing is "tags contain the task": at least the models whose pipeline tag it is.
    counts = {item["task"]: item["models"] for item in manifest["tasks"]}
    assert all(counts[tag] >= 40 for tag in wanted), counts
    with open(work / targets[2], encoding="utf-8", newline="") as handle:
        comparison = list(csv.DictReader(handle))
    pairs = {(row["reference"], row["domain"]) for row in comparison}
    assert pairs == {("nlp", "cv"), ("nlp", "audio"), ("nlp", "other")}, pairs
    assert {row["measure"] for row in comparison} == {"rq1", "rq2", "rq3", "children"}
    html = (work / targets[3]).read_text(encoding="utf-8")
    assert "NLP, CV, Audio and Other compared" in html
    # Rerunning with the same config plans nothing (the checkpoint's list is read back, not recomputed).
    again = run_snakemake(work, *targets, "--configfile", "all.yaml", "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr, again.stderr[-2000:]
