"""The paper's three measures on the real corpora, end to end through Snakemake, against plain Python.

Expected values are computed here from the raw JSON lines with a few lines of plain Python, following the
definitions of the issue (not the package's code).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import statistics
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_snakemake, shared_path

TABLES = {
    "rq1": "rq1_datasets_per_model.csv",
    "rq2": "rq2_models_per_dataset.csv",
    "rq3": "rq3_base_models_per_model.csv",
}


def read_records(*paths: Path) -> list[dict]:
    """First record per id (``id``, else ``modelId``), in file order."""
    seen: dict[str, dict] = {}
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                rid = record["id"] if record.get("id") is not None else record["modelId"]
                seen.setdefault(rid, record)
    return list(seen.values())


def declared(record: dict, key: str) -> list | None:
    card = record.get("cardData")
    if not isinstance(card, dict):
        return None
    value = card.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    return None


def describe(values: list[int]) -> tuple[int, float | None, float | None]:
    n = len(values)
    mean = statistics.fmean(values) if n else None
    sd = statistics.stdev(values) if n > 1 else None
    return n, mean, sd


def expected_tables(models: list[dict], datasets: list[dict], tasks: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {"rq1": {}, "rq2": {}, "rq3": {}}
    for task in tasks:
        members = [m for m in models if task in (m.get("tags") or [])]
        rq1 = [len(d) for m in members if (d := declared(m, "datasets")) is not None]
        rq3 = [len(d) for m in members if (d := declared(m, "base_model")) is not None]
        declaring = Counter()
        for m in members:
            for name in {e for e in (declared(m, "datasets") or []) if isinstance(e, str)}:
                declaring[name] += 1
        task_datasets = [d for d in datasets if f"task_categories:{task}" in (d.get("tags") or [])]
        rq2 = [declaring[d["id"]] for d in task_datasets]
        out["rq1"][task], out["rq2"][task], out["rq3"][task] = describe(rq1), describe(rq2), describe(rq3)
    return out


def read_table(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["task"]: row for row in csv.DictReader(handle)}


def assert_close(actual: str, expected: float | None, what: str) -> None:
    if expected is None:
        assert actual == "", f"{what}: expected empty, got {actual!r}"
    else:
        assert actual != "", f"{what}: expected {expected}, got empty"
        assert math.isclose(float(actual), expected, rel_tol=0, abs_tol=1e-9), (
            f"{what}: {actual} != {expected}"
        )


@pytest.fixture(scope="module")
def corpora_dumps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """hub2022-models and lineage2025-models as one models dump (gzip members concatenated)."""
    folder = tmp_path_factory.mktemp("dumps")
    models = folder / "models.jsonl.gz"
    with open(models, "wb") as out:
        for name in ("hub2022-models.jsonl.gz", "lineage2025-models.jsonl.gz"):
            out.write(shared_path(f"corpora/{name}").read_bytes())
    return models, shared_path("corpora/datasets2023.jsonl.gz")


def test_rq_tables_on_corpora_equal_plain_python(
    workflow_dir: Path, corpora_dumps: tuple[Path, Path]
) -> None:
    models_dump, datasets_dump = corpora_dumps
    result = run_snakemake(
        workflow_dir,
        "--config",
        "source=dump",
        f"models_dump={models_dump}",
        f"datasets_dump={datasets_dump}",
    )
    assert result.returncode == 0, result.stderr[-3000:]

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    domains = {t: "nlp" for t in config["tasks"]["nlp"]} | {t: "cv" for t in config["tasks"]["cv"]}
    models = read_records(
        shared_path("corpora/hub2022-models.jsonl.gz"), shared_path("corpora/lineage2025-models.jsonl.gz")
    )
    datasets = read_records(datasets_dump)
    expected = expected_tables(models, datasets, list(domains))

    nonempty = 0
    for key, name in TABLES.items():
        table = read_table(workflow_dir / "results" / "tables" / name)
        assert list(table) == list(domains), f"{name}: one row per configured task, in config order"
        for task, (n, mean, sd) in expected[key].items():
            row = table[task]
            assert row["domain"] == domains[task]
            assert int(row["n"]) == n, f"{name} {task} n"
            assert_close(row["mean"], mean, f"{name} {task} mean")
            assert_close(row["sd"], sd, f"{name} {task} sd")
            assert row["source"] == "dump"
            nonempty += n > 0
    assert nonempty > 30, "the corpora should exercise most tasks"

    manifest = json.loads((workflow_dir / "results" / "raw" / "manifest.json").read_text())
    assert manifest["source"] == "dump" and not manifest["synthetic"]
    per_task = {row["task"]: row for row in manifest["tasks"]}
    assert per_task["text-generation"]["models"] == sum(
        "text-generation" in (m.get("tags") or []) for m in models
    )
    assert (workflow_dir / "results" / "report" / "report.pdf").stat().st_size > 10_000
