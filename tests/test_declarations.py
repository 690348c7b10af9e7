"""``declarations: card | tags`` on the real corpora: RQ1-RQ3 per task in both modes against plain Python.

The models corpora (hub2022 and lineage2025, first record per id) and the datasets corpus are cut into per-task
listings here with plain Python, parsed and merged by the package (parse_listing, build_matrices) and measured
by :func:`hubreuse.stats.paper.paper_measures`. Expected values are computed from the raw JSON records with a few
lines of plain Python following the issue's definitions (#16), not the package's code.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from hubreuse.core.declarations import tag_declarations
from hubreuse.core.settings import job_source, source_label
from hubreuse.matrices.build import build_matrices
from hubreuse.parse.listing import parse_listing
from hubreuse.stats import paper
from tests.conftest import run_snakemake, shared_path
from tests.corpus_matrices import DOMAINS
from tests.test_paper_measures import declared, describe, read_records

TYPED = re.compile(r"([a-z_]+):(.+)")


def tag_ids(tags: list | None, prefix: str) -> list[str] | None:
    """Plain-Python reading of the issue: ids after ``prefix`` (base_model: either form), distinct, first seen first."""
    ids: list[str] = []
    for tag in tags or []:
        if isinstance(tag, str) and tag.startswith(prefix):
            body = tag[len(prefix):]
            typed = TYPED.fullmatch(body) if prefix == "base_model:" else None
            body = typed.group(2) if typed else body
            if body not in ids:
                ids.append(body)
    return ids or None


def card_ids(record: dict, key: str) -> list | None:
    return declared(record, key)


def tags_ids(record: dict, key: str) -> list | None:
    return tag_ids(record.get("tags"), "dataset:" if key == "datasets" else "base_model:")


READERS = {"card": card_ids, "tags": tags_ids}


def expected(models: list[dict], datasets: list[dict], mode: str) -> dict[str, dict[str, tuple]]:
    """RQ1 (entries per declaring model), RQ2 (declaring models per task dataset), RQ3 (bases per declaring model)."""
    read = READERS[mode]
    out: dict[str, dict[str, tuple]] = {"rq1": {}, "rq2": {}, "rq3": {}}
    for task in DOMAINS:
        members = [m for m in models if task in (m.get("tags") or [])]
        declaring: Counter = Counter()
        for m in members:
            for name in {e for e in (read(m, "datasets") or []) if isinstance(e, str)}:
                declaring[name] += 1
        task_datasets = [d for d in datasets if f"task_categories:{task}" in (d.get("tags") or [])]
        out["rq1"][task] = describe([len(d) for m in members if (d := read(m, "datasets")) is not None])
        out["rq2"][task] = describe([declaring[d["id"]] for d in task_datasets])
        out["rq3"][task] = describe([len(d) for m in members if (d := read(m, "base_model")) is not None])
    return out


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict], dict, dict]:
    """The raw records and each task's listings (models tagged with the task, datasets with task_categories:)."""
    models = read_records(shared_path("corpora/hub2022-models.jsonl.gz"),
                          shared_path("corpora/lineage2025-models.jsonl.gz"))  # fmt: skip
    datasets = read_records(shared_path("corpora/datasets2023.jsonl.gz"))
    folder = tmp_path_factory.mktemp("declarations")
    parsed: dict[str, dict[str, str]] = {"models": {}, "datasets": {}}
    for task in DOMAINS:
        members = {
            "models": [m for m in models if task in (m.get("tags") or [])],
            "datasets": [d for d in datasets if f"task_categories:{task}" in (d.get("tags") or [])],
        }
        for kind, records in members.items():
            listing = folder / f"{kind}-{task}.jsonl"
            listing.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
            parsed[kind][task] = str(folder / f"{kind}-{task}.parquet")
            parse_listing(kind, listing, parsed[kind][task], "dump")
    return models, datasets, parsed["models"], parsed["datasets"]


def measured(model_paths: dict, dataset_paths: dict, mode: str) -> dict:
    tables = build_matrices(model_paths, dataset_paths, declarations=mode)
    frames = {name: table.drop_columns(["tags"]) if name == "models" else table for name, table in tables.items()}
    frames = {name: table.to_pandas() for name, table in frames.items()}
    return {key: summary.set_index("task") for key, (summary, _) in paper.paper_measures(frames, DOMAINS).items()}


def close(actual: float | None, wanted: float | None) -> bool:
    if actual is None or math.isnan(actual):
        return wanted is None
    return wanted is not None and math.isclose(actual, wanted, rel_tol=0, abs_tol=1e-9)


@pytest.mark.parametrize("mode", ["card", "tags"])
def test_rq_measures_per_task_equal_plain_python(corpora, mode: str) -> None:
    models, datasets, model_paths, dataset_paths = corpora
    want = expected(models, datasets, mode)
    got = measured(model_paths, dataset_paths, mode)
    declaring = 0
    for key in ("rq1", "rq2", "rq3"):
        for task, (n, mean, sd) in want[key].items():
            row = got[key].loc[task]
            assert int(row["n"]) == n, f"{mode} {key} {task} n: {row['n']} != {n}"
            assert close(row["mean"], mean), f"{mode} {key} {task} mean: {row['mean']} != {mean}"
            assert close(row["sd"], sd), f"{mode} {key} {task} sd: {row['sd']} != {sd}"
            declaring += key != "rq2" and n > 0
    assert declaring > 10, "the corpora should exercise many tasks (RQ1 and RQ3 with declaring models)"


def test_tags_and_cards_differ_on_the_corpora(corpora) -> None:
    """The modes are not the same reading: on these corpora some tasks' RQ1 differs (RQ3 happens to agree)."""
    models, datasets, _, _ = corpora
    card, tags = expected(models, datasets, "card"), expected(models, datasets, "tags")
    assert sum(card["rq1"][t] != tags["rq1"][t] for t in DOMAINS) > 0
    hub2022 = read_records(shared_path("corpora/hub2022-models.jsonl.gz"))
    assert sum(tag_ids(m.get("tags"), "dataset:") is not None for m in hub2022) == 3889
    # The 3,783 models "declare card datasets" counts the key; 19 of them hold null,
    # which declare nothing by the paper's reading.
    cards = [m["cardData"] for m in hub2022 if isinstance(m.get("cardData"), dict)]
    assert sum("datasets" in card for card in cards) == 3783
    assert sum(declared(m, "datasets") is not None for m in hub2022) == 3783 - 19


@pytest.mark.parametrize(
    ("tags", "datasets", "bases"),
    [
        (["dataset:squad", "dataset:squad", "dataset:glue"], ["squad", "glue"], None),  # duplicates once
        (["base_model:org/a", "base_model:finetune:org/a"], None, ["org/a"]),  # both forms: one id
        (["base_model:adapter:org/b", "base_model:org/a", "base_model:org/b"], None, ["org/b", "org/a"]),
        (["dataset:Odd Name/ü:v1 (x)", "dataset:"], ["Odd Name/ü:v1 (x)", ""], None),  # odd ids kept as is
        (["base_model:Org:x"], None, ["Org:x"]),  # before ':' not a lower-case relation: the whole body is the id
        (["base_model:quantized:"], None, ["quantized:"]),  # a relation without id: kept as written
        (["datasets:x", "license:mit", "base_model"], None, None),  # other tags declare nothing
        (None, None, None),
    ],
)
def test_tag_declarations_follow_the_rules(tags: list | None, datasets: list | None, bases: list | None) -> None:
    assert tag_declarations(tags) == (datasets, bases)
    assert tag_ids(tags, "dataset:") == datasets and tag_ids(tags, "base_model:") == bases


TAG_CASES = [
    ["dataset:squad", "dataset:squad", "dataset:glue"], ["base_model:org/a", "base_model:finetune:org/a"],
    ["base_model:adapter:org/b", "base_model:org/a", "base_model:org/b"], ["dataset:Odd Name/ü:v1 (x)", "dataset:"],
    ["base_model:Org:x"], ["base_model:quantized:"], ["datasets:x", "license:mit", "base_model"], None, [],
    ["base_model:merge:a b", "dataset:x", "base_model:merge:c", "dataset:x"],
]  # fmt: skip


def test_vectorised_tag_reading_equals_plain_python() -> None:
    """The matrices job reads the tags of a whole column at once; per model it must give the plain reading, on the
    rule cases and on the tags of every model of the 2022 corpus."""
    import pyarrow as pa

    from hubreuse.matrices.build import tag_declaration_lists

    corpus = [m.get("tags") for m in read_records(shared_path("corpora/hub2022-models.jsonl.gz"))]
    tags = [[t for t in lst if isinstance(t, str)] if isinstance(lst, list) else None for lst in TAG_CASES + corpus]
    datasets, bases = tag_declaration_lists(pa.array(tags, pa.list_(pa.string())), pa.list_(pa.string()))
    assert datasets.to_pylist() == [tag_ids(t, "dataset:") for t in tags]
    assert bases.to_pylist() == [tag_ids(t, "base_model:") for t in tags]
    assert sum(d is not None for d in datasets.to_pylist()[len(TAG_CASES):]) == 3889  # the corpus's models with dataset: tags


def test_source_label_names_the_declarations() -> None:
    assert source_label(job_source("demo", "card")) == "demo (SYNTHETIC data)"
    assert source_label(job_source("dump", "card")) == "dump"
    assert source_label(job_source("dump", "tags")) == "dump; declarations: tags"
    assert source_label(job_source("demo", "tags")) == "demo (SYNTHETIC data); declarations: tags"


def test_a_tags_run_says_so_in_every_table_and_its_manifest(workflow_dir: Path) -> None:
    """A small demo run with ``declarations: tags``: RQ1/RQ3 counts follow the demo dump's tags, and every table's
    source, the manifest and the report name the declarations."""
    tasks = {"nlp": ["text-classification"], "cv": ["image-classification"]}
    config = {"demo_models": 1000, "demo_datasets": 200, "declarations": "tags", "tasks": tasks}
    (workflow_dir / "tags.yaml").write_text(json.dumps(config), encoding="utf-8")
    result = run_snakemake(workflow_dir, "--configfile", "tags.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    results = workflow_dir / "results"
    label = "demo (SYNTHETIC data); declarations: tags"
    tables = sorted((results / "tables").glob("*.csv"))
    assert len(tables) > 20
    for path in tables:
        with open(path, newline="", encoding="utf-8") as handle:
            sources = {row["source"] for row in csv.DictReader(handle)}
        assert sources <= {label}, f"{path.name}: {sources}"
    manifest = json.loads((results / "raw" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["declarations"] == "tags" and manifest["source_label"] == label
    assert "declarations: tags" in (results / "report" / "report.html").read_text(encoding="utf-8")

    models = read_records(results / "demo" / "models.jsonl.gz")
    datasets = read_records(results / "demo" / "datasets.jsonl.gz")
    want = expected(models, datasets, "tags")
    for key, name in (("rq1", "rq1_datasets_per_model"), ("rq3", "rq3_base_models_per_model")):
        with open(results / "tables" / f"{name}.csv", newline="", encoding="utf-8") as handle:
            rows = {row["task"]: row for row in csv.DictReader(handle)}
        for task in (*tasks["nlp"], *tasks["cv"]):
            assert int(rows[task]["n"]) == want[key][task][0], f"{name} {task}"
            assert close(float(rows[task]["mean"]), want[key][task][1]), f"{name} {task}"


def expected_dataset_disagreement(models: list[dict]) -> dict[str, dict[str, int]]:
    """Per task, plain Python: models whose card dataset set (string entries) and ``dataset:`` tag set differ."""
    out = {}
    for task in DOMAINS:
        counts = Counter()
        for m in models:
            if task not in (m.get("tags") or []):
                continue
            card = {e for e in (declared(m, "datasets") or []) if isinstance(e, str)}
            tags = set(tag_ids(m.get("tags"), "dataset:") or [])
            counts["n"] += 1
            counts["n_card"] += bool(card)
            counts["n_tags"] += bool(tags)
            counts["n_both"] += bool(card and tags)
            counts["n_differ"] += bool(card and tags and card != tags)
            counts["n_card_only"] += bool(card and not tags)
            counts["n_tags_only"] += bool(tags and not card)
        out[task] = counts
    return out


def test_dataset_disagreement_table_equals_plain_python_in_both_modes(corpora, tmp_path: Path) -> None:
    from hubreuse.core.names import REUSE_TABLES, REUSE_VALUES
    from hubreuse.matrices.build import write_matrices
    from hubreuse.stats.steps import reuse_tables

    models, _, model_paths, dataset_paths = corpora
    want = expected_dataset_disagreement(models)
    assert sum(c["n_differ"] + c["n_card_only"] + c["n_tags_only"] for c in want.values()) > 0
    written = {}
    for mode in ("card", "tags"):
        folder = tmp_path / mode
        folder.mkdir()
        tables = build_matrices(model_paths, dataset_paths, declarations=mode)
        paths = {name: str(folder / f"{name}.parquet") for name in tables}
        write_matrices(tables, paths, job_source("dump", mode))
        out = {name: str(folder / f"{name}.csv") for name in REUSE_TABLES}
        reuse_tables(paths, DOMAINS, job_source("dump", mode), out,
                     {name: str(folder / f"{name}.parquet") for name in REUSE_VALUES})  # fmt: skip
        with open(out["dataset_card_tag_disagreement_by_task"], newline="", encoding="utf-8") as handle:
            rows = {row["task"]: row for row in csv.DictReader(handle)}
        for task, counts in want.items():
            for column in ("n", "n_card", "n_tags", "n_both", "n_differ", "n_card_only", "n_tags_only"):
                assert int(rows[task][column]) == counts[column], f"{mode} {task} {column}"
            share = counts["n_differ"] / counts["n_both"] if counts["n_both"] else None
            assert close(float(rows[task]["share_differ"]) if rows[task]["share_differ"] else None, share)
            assert rows[task]["source"] == source_label(job_source("dump", mode))
        written[mode] = {
            name: [{k: v for k, v in row.items() if k != "source"}
                   for row in csv.DictReader(Path(out[name]).read_text(encoding="utf-8").splitlines())]
            for name in ("dataset_card_tag_disagreement_by_task", "base_card_tag_disagreement_by_task")
        }  # fmt: skip
    assert written["card"] == written["tags"], "card against tags: the same comparison in either mode"
