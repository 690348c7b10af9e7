"""Bad input stops the run with one line naming the file (and line) and what is wrong, exit 1, no results."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import run_snakemake

GOOD_MODEL = {"id": "org/model", "tags": ["text-classification"], "cardData": {"datasets": ["org/data"]}}
GOOD_DATASET = {"id": "org/data", "tags": ["task_categories:text-classification"]}
TWO_TASKS = 'tasks={"nlp": ["text-classification"], "cv": ["image-classification"]}'


def write_gz_lines(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("hubreuse: error: ")]


def assert_failed_cleanly(result, workdir: Path, *fragments: str) -> None:
    assert result.returncode != 0
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    results = workdir / "results"
    assert not (results / "tables").exists(), "no tables may be written from bad input"
    assert not list((results / "raw").glob("models/*.jsonl.gz")) if (results / "raw").exists() else True
    assert not (results / "interim" / "models_index.parquet").exists()


@pytest.fixture
def datasets_dump(tmp_path: Path) -> Path:
    return write_gz_lines(tmp_path / "datasets.jsonl.gz", [json.dumps(GOOD_DATASET)])


def run_dump(workdir: Path, models: Path, datasets: Path, *extra: str):
    """``extra`` are more ``key=value`` config items (one --config option: a second would replace the first)."""
    return run_snakemake(
        workdir, "--config", "source=dump", f"models_dump={models}", f"datasets_dump={datasets}", *extra
    )


def test_missing_dump(workflow_dir: Path, datasets_dump: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl.gz"
    result = run_dump(workflow_dir, missing, datasets_dump)
    assert_failed_cleanly(result, workflow_dir, f"models_dump {missing}", "does not exist")


def test_line_that_is_not_json(workflow_dir: Path, datasets_dump: Path, tmp_path: Path) -> None:
    models = write_gz_lines(
        tmp_path / "models.jsonl.gz", [json.dumps(GOOD_MODEL), "{not json", json.dumps(GOOD_MODEL)]
    )
    result = run_dump(workflow_dir, models, datasets_dump)
    assert_failed_cleanly(result, workflow_dir, f"{models}:2", "not valid JSON")


def test_truncated_gzip(workflow_dir: Path, datasets_dump: Path, tmp_path: Path) -> None:
    full = write_gz_lines(
        tmp_path / "full.jsonl.gz", [json.dumps({**GOOD_MODEL, "id": f"o/m{i}"}) for i in range(2000)]
    )
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    result = run_dump(workflow_dir, truncated, datasets_dump)
    assert_failed_cleanly(result, workflow_dir, str(truncated), "truncated or corrupt gzip")


def test_record_without_id(workflow_dir: Path, datasets_dump: Path, tmp_path: Path) -> None:
    no_id = {"tags": ["text-classification"], "cardData": None}
    models = write_gz_lines(tmp_path / "models.jsonl.gz", [json.dumps(GOOD_MODEL), json.dumps(no_id)])
    result = run_dump(workflow_dir, models, datasets_dump)
    assert_failed_cleanly(result, workflow_dir, f"{models}:2", "no 'id'")


def test_unknown_source(workflow_dir: Path) -> None:
    result = run_snakemake(workflow_dir, "--config", "source=ftp")
    assert_failed_cleanly(result, workflow_dir, "unknown source 'ftp'")


@pytest.mark.parametrize(
    "task", ["text classification", "task_categories:text-classification", "org/task", ""]
)
def test_task_name_that_is_not_a_plain_tag(workflow_dir: Path, task: str) -> None:
    result = run_snakemake(workflow_dir, "--config", f'tasks={{"nlp": ["{task}"], "cv": []}}')
    assert_failed_cleanly(result, workflow_dir, repr(task), "not a plain Hub tag")


def test_odd_declarations_are_counted_not_errors(
    workflow_dir: Path, datasets_dump: Path, tmp_path: Path
) -> None:
    """Messy but legal values: string, [null], objects, null, empty list, number. All kept and counted."""
    odd = [None, "org/data", [None], ["org/data", {"name": "x"}], [], 42, ["org/data", "org/data"]]
    lines = [json.dumps({"id": f"o/m{i}", "tags": ["text-classification"], "cardData": {"datasets": value}})
             for i, value in enumerate(odd)]  # fmt: skip
    lines.append(json.dumps({"modelId": "legacy-model", "tags": ["text-classification"], "cardData": None}))
    lines.append(json.dumps({"id": "o/m1", "tags": ["text-classification"]}))  # a duplicate id: first kept
    models = write_gz_lines(tmp_path / "models.jsonl.gz", lines)
    targets = [
        f"results/tables/{n}.csv"
        for n in ("rq1_datasets_per_model", "rq2_models_per_dataset", "declaration_shapes")
    ]
    result = run_snakemake(
        workflow_dir,
        *targets,
        "--config",
        "source=dump",
        f"models_dump={models}",
        f"datasets_dump={datasets_dump}",
        TWO_TASKS,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    tables = workflow_dir / "results" / "tables"
    rq1 = (tables / "rq1_datasets_per_model.csv").read_text().splitlines()
    # declaring: "org/data" (1), [None] (1), [org/data, {..}] (2), [org/data, org/data] (2) -> n=4, mean 1.5
    row = next(line for line in rq1 if line.startswith("text-classification,"))
    assert row.split(",")[2:4] == ["4", "1.5"]
    rq2 = (tables / "rq2_models_per_dataset.csv").read_text().splitlines()
    row = next(line for line in rq2 if line.startswith("text-classification,"))
    assert row.split(",")[2:4] == ["1", "3.0"]  # one dataset, declared by three models
    empty = next(line for line in rq2 if line.startswith("image-classification,"))
    assert empty.split(",")[2:5] == ["0", "", ""]  # a task with no records: n 0, mean and sd empty
    shapes = (tables / "declaration_shapes.csv").read_text().splitlines()
    header = shapes[0].split(",")
    row = dict(
        zip(header, next(s for s in shapes if s.startswith("text-classification,nlp,datasets")).split(","), strict=True)
    )
    assert {k: row[k] for k in ("absent", "null", "string", "list", "list_nonstring", "empty_list", "other")} == {
        "absent": "1", "null": "1", "string": "1", "list": "1", "list_nonstring": "2", "empty_list": "1", "other": "1",
    }  # fmt: skip
    index = json.loads((workflow_dir / "results" / "interim" / "models_index.json").read_text())
    assert index["duplicates"] == 1 and index["records"] == len(odd) + 1
