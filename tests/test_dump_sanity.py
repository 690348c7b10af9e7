"""Dumps that cannot be what they claim stop the run with one line, never an all-zero report.

Swapped models/datasets dumps, empty or blank dumps, a models dump without any configured task's tag, ``tags`` that
is not a list, and Parquet nested columns stored as JSON text (decoded, or rejected when the text is not JSON of the
right type). Expected counts come from plain Python over the raw records, never from the code under test.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubreuse.collect import dumps, steps
from hubreuse.core.errors import InputError
from hubreuse.core.names import MATRIX_NAMES
from hubreuse.matrices.steps import matrices
from hubreuse.parse.tables import SCHEMAS
from tests.conftest import run_snakemake, shared_path
from tests.test_bad_input import (
    GOOD_DATASET,
    TWO_TASKS,
    assert_failed_cleanly,
    error_lines,
    run_dump,
    write_gz_lines,
)

TASKS = ["text-classification", "image-classification"]
SAMPLE = 400  # records read from each real corpus


def corpus_records(name: str, limit: int = SAMPLE) -> list[dict]:
    with gzip.open(shared_path(f"corpora/{name}"), "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in itertools.islice(handle, limit)]


def write_jsonl(records: list[dict], path: Path) -> Path:
    return write_gz_lines(path, [json.dumps(record) for record in records])


def write_parquet(rows: list[dict], fields: list[tuple[str, pa.DataType]], path: Path) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path)
    return path


def as_json_text(records: list[dict], *, tags: bool = True) -> list[dict]:
    """id, tags and cardData of each record, ``tags`` (optionally) and ``cardData`` as JSON text (null kept)."""
    return [
        {"id": record["id"],
         "tags": json.dumps(record["tags"]) if tags else record["tags"],
         "cardData": None if record.get("cardData") is None else json.dumps(record["cardData"])}
        for record in records
    ]  # fmt: skip


TEXT_FIELDS = [("id", pa.string()), ("tags", pa.string()), ("cardData", pa.string())]


def index(dump: Path, kind: str, work: Path, tasks: list[str] | None = TASKS) -> dict:
    """steps.index_dump as the workflow calls it; returns the manifest."""
    out, manifest = work / f"{kind}_index.parquet", work / f"{kind}_index.json"
    steps.index_dump(str(dump), f"{kind}_dump", str(out), str(manifest), "dump", tasks=tasks)
    return json.loads(manifest.read_text())


def index_error(dump: Path, kind: str, work: Path, tasks: list[str] | None = TASKS) -> str:
    """The one-line error of indexing ``dump``; the index and its manifest must not be written."""
    with pytest.raises(InputError) as caught:
        index(dump, kind, work, tasks)
    message = str(caught.value)
    assert "\n" not in message
    assert not (work / f"{kind}_index.parquet").exists() and not (work / f"{kind}_index.json").exists()
    assert not [
        path.name for path in work.iterdir() if path.name.startswith(f".{kind}_index")
    ]  # no temporaries
    return message


def tag_counts(records: list[dict]) -> tuple[int, int, int]:
    """(records, with a configured task's tag, with a task_categories: tag), first record per id."""
    firsts = {}
    for record in records:
        firsts.setdefault(record["id"], record)
    tags = [record.get("tags") or [] for record in firsts.values()]
    return (
        len(tags),
        sum(1 for entries in tags if any(tag in TASKS for tag in entries)),
        sum(1 for entries in tags if any(str(tag).startswith("task_categories:") for tag in entries)),
    )


# ------------------------------------------------------------------------------------------ index sanity checks


def kinds_error(models: Path, datasets: Path, work: Path, tasks: list[str] = TASKS) -> str:
    """The one-line error of the check of both dumps (each indexed first); nothing may be written."""
    manifests = {}
    for kind, path in (("models", models), ("datasets", datasets)):
        folder = work / f"check-{kind}-{path.stem}"
        folder.mkdir(exist_ok=True)
        index(path, kind, folder, tasks)
        manifests[kind] = str(folder / f"{kind}_index.json")
    out = work / "dumps_check.json"
    with pytest.raises(InputError) as caught:
        steps.check_dumps(manifests["models"], manifests["datasets"], tasks, str(out))
    assert not out.exists()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_swapped_dumps_are_named_with_real_counts(tmp_path: Path) -> None:
    models = corpus_records("hub2022-models.jsonl.gz")
    datasets = corpus_records("datasets2023.jsonl.gz")
    n_datasets, datasets_with_task, datasets_with_categories = tag_counts(datasets)
    n_models, models_with_task, models_with_categories = tag_counts(models)
    # What the sample must hold for the check to be meaningful.
    assert (
        datasets_with_task == 0 < datasets_with_categories and models_with_categories == 0 < models_with_task
    )
    models_path = write_jsonl(models, tmp_path / "models.jsonl.gz")
    datasets_path = write_jsonl(datasets, tmp_path / "datasets.jsonl.gz")
    as_models = (f"0 of {n_datasets:,} records have a tag of a configured task, "
                 f"{datasets_with_categories:,} have task_categories: tags")  # fmt: skip
    as_datasets = (f"0 of {n_models:,} records have a task_categories: tag, "
                   f"{models_with_task:,} have a tag of a configured task as models do")  # fmt: skip
    # Both swapped: one line naming both.
    assert kinds_error(datasets_path, models_path, tmp_path) == (
        f"models_dump {datasets_path} and datasets_dump {models_path}: the dumps look swapped: "
        f"models_dump: {as_models}; datasets_dump: {as_datasets}"
    )
    # One dump given for both: the wrong one is named.
    assert kinds_error(datasets_path, datasets_path, tmp_path) == (
        f"models_dump {datasets_path}: {as_models}; are the dumps swapped?"
    )
    assert kinds_error(models_path, models_path, tmp_path) == (
        f"datasets_dump {models_path}: {as_datasets}; are the dumps swapped?"
    )
    # The right way round both pass, and the manifests hold the plain-Python counts.
    manifest = index(models_path, "models", tmp_path)
    assert (manifest["records"], manifest["records_with_task_tag"], manifest["records_with_task_categories_tag"]) == (
        n_models, models_with_task, models_with_categories,
    )  # fmt: skip
    manifest = index(datasets_path, "datasets", tmp_path)
    assert (manifest["records"], manifest["records_with_task_categories_tag"]) == (
        n_datasets,
        datasets_with_categories,
    )
    steps.check_dumps(str(tmp_path / "models_index.json"), str(tmp_path / "datasets_index.json"), TASKS,
                      str(tmp_path / "ok.json"))  # fmt: skip
    assert (tmp_path / "ok.json").exists()


def test_thousands_separators_and_a_long_task_list(tmp_path: Path) -> None:
    datasets = write_jsonl([GOOD_DATASET], tmp_path / "d.jsonl.gz")
    records = [{"id": f"d/{i}", "tags": ["task_categories:text-classification"]} for i in range(1234)]
    message = kinds_error(write_jsonl(records, tmp_path / "m.jsonl.gz"), datasets, tmp_path)
    assert "0 of 1,234 records have a tag of a configured task, 1,234 have task_categories: tags" in message

    tasks = [f"task-{i}" for i in range(30)]
    models = [{"id": "o/m", "tags": ["pytorch"]}, {"id": "o/n", "tags": []}, {"id": "o/o"}]
    message = kinds_error(write_jsonl(models, tmp_path / "n.jsonl.gz"), datasets, tmp_path, tasks=tasks)
    assert message.endswith(
        ": none of its 3 records has a tag of a configured task (task-0, task-1, task-2, task-3, ... 30 tasks); "
        "no task would have any model"
    )


def test_models_dump_without_any_configured_task_tag(tmp_path: Path) -> None:
    models = [{"id": "o/a", "tags": ["translation", "pytorch"]}, {"id": "o/b", "tags": ["fill-mask"]}]
    path = write_jsonl(models, tmp_path / "models.jsonl.gz")
    datasets = write_jsonl([GOOD_DATASET], tmp_path / "datasets.jsonl.gz")
    assert kinds_error(path, datasets, tmp_path) == (
        f"models_dump {path}: none of its 2 records has a tag of a configured task "
        "(text-classification, image-classification); no task would have any model"
    )


@pytest.mark.parametrize(
    ("kind", "content", "why"),
    [
        ("models", b"", "the file is empty or holds only blank lines"),
        ("models", gzip.compress(b""), "the file is empty or holds only blank lines"),
        ("datasets", b"\n   \n\t\n\n", "the file is empty or holds only blank lines"),
        ("datasets", gzip.compress(b"\n \n"), "the file is empty or holds only blank lines"),
        ("models", None, "the Parquet file has no rows"),
    ],
    ids=["empty", "empty-gzip", "blank-lines", "blank-gzip", "parquet-0-rows"],
)
def test_empty_or_blank_dump(tmp_path: Path, kind: str, content: bytes | None, why: str) -> None:
    path = tmp_path / f"{kind}.dump"
    if content is None:
        write_parquet([], [("id", pa.string()), ("tags", pa.list_(pa.string()))], path)
    else:
        path.write_bytes(content)
    assert index_error(path, kind, tmp_path) == f"{kind}_dump {path}: no records ({why})"


def test_jsonl_tags_that_is_not_a_list(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "o/a", "tags": ["text-classification"]}),
        json.dumps({"id": "o/b", "tags": None}),  # null: no tags, legal
        json.dumps({"id": "o/c", "tags": "text-classification,pytorch"}),
    ]
    path = write_gz_lines(tmp_path / "models.jsonl.gz", lines)
    assert index_error(path, "models", tmp_path) == (
        f'models_dump {path}:3: tags must be a JSON list, got a string: "text-classification,pytorch"'
    )


# ------------------------------------------------------------------------------------------ Parquet encodings


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("text-classification,pytorch", "holds text that is not valid JSON, expected a JSON list"),
        ('"text-classification"', "holds JSON text of a string, not a JSON list"),
        ('{"0": "text-classification"}', "holds JSON text of an object, not a JSON list"),
        ("   ", "holds text that is not valid JSON, expected a JSON list"),
    ],
)
def test_parquet_tags_as_text_that_is_not_a_json_list(tmp_path: Path, value: str, problem: str) -> None:
    rows = [{"id": "o/a", "tags": '["text-classification"]'}, {"id": "o/b", "tags": None},
            {"id": "o/c", "tags": value}]  # fmt: skip
    path = write_parquet(rows, [("id", pa.string()), ("tags", pa.string())], tmp_path / "m.parquet")
    message = index_error(path, "models", tmp_path)
    # Short values are shown whole, quoted, instead of the parser's position.
    assert message == f"models_dump {path}: row 3: column 'tags' {problem}: {json.dumps(value)}"


def test_parquet_card_data_text_that_is_not_a_json_object(tmp_path: Path) -> None:
    long_card = "{datasets: [squad], " + "x" * 200 + "}"
    rows = [{"id": "o/a", "tags": '["text-classification"]', "cardData": '{"datasets": ["squad"]}'},
            {"id": "o/b", "tags": '["text-classification"]', "cardData": long_card}]  # fmt: skip
    path = write_parquet(rows, TEXT_FIELDS, tmp_path / "m.parquet")
    message = index_error(path, "models", tmp_path)
    assert message.startswith(
        f"models_dump {path}: row 2: column 'cardData' holds text that is not valid JSON ("
    ), message
    assert "expected a JSON object" in message and len(message) < len(str(path)) + 250  # the value is cut

    rows[1]["cardData"] = '["squad"]'
    path = write_parquet(rows, TEXT_FIELDS, tmp_path / "m2.parquet")
    assert index_error(path, "models", tmp_path) == (
        f"models_dump {path}: row 2: column 'cardData' holds JSON text of a list, not a JSON object: "
        + json.dumps('["squad"]')
    )


def test_parquet_json_text_is_decoded_like_json_lines(tmp_path: Path) -> None:
    """Real 2022 records: tags and cardData as JSON text give the very records of the JSON Lines dump."""
    records = [
        {"id": r["id"], "tags": r["tags"], "cardData": r.get("cardData")}
        for r in corpus_records("hub2022-models.jsonl.gz")
    ]
    assert any(isinstance(r["cardData"], dict) and r["cardData"].get("datasets") for r in records)
    parquet = write_parquet(as_json_text(records), TEXT_FIELDS, tmp_path / "models.parquet")
    (tmp_path / "p").mkdir(), (tmp_path / "j").mkdir()
    from_parquet = index(parquet, "models", tmp_path / "p")
    from_json = index(write_jsonl(records, tmp_path / "models.jsonl.gz"), "models", tmp_path / "j")

    n, with_task, with_categories = tag_counts(records)
    for manifest in (from_parquet, from_json):
        assert manifest["records"] == n and manifest["records_with_task_tag"] == with_task
    lines = {}
    for name in ("p", "j"):
        table = pq.read_table(tmp_path / name / "models_index.parquet")
        lines[name] = [json.loads(line) for line in table.column("line").to_pylist()]
    firsts = list({r["id"]: r for r in reversed(records)}.values())[::-1]  # first record per id, dump order
    assert lines["p"] == lines["j"] == firsts


def test_parquet_map_card_data_is_read_as_an_object(tmp_path: Path) -> None:
    """A cardData column of Arrow map type (string -> string) declares what the card says, as an object would."""
    card = pa.map_(pa.string(), pa.string())
    rows = [{"id": "o/a", "tags": ["text-classification"], "cardData": [("datasets", "org/data"), ("license", "mit")]},
            {"id": "o/b", "tags": ["text-classification"], "cardData": None}]  # fmt: skip
    path = write_parquet(rows, [("id", pa.string()), ("tags", pa.list_(pa.string())), ("cardData", card)],
                         tmp_path / "m.parquet")  # fmt: skip
    manifest = index(path, "models", tmp_path)
    assert manifest["records"] == 2
    lines = [json.loads(line) for line in pq.read_table(tmp_path / "models_index.parquet").column("line").to_pylist()]
    assert lines[0]["cardData"] == {"datasets": "org/data", "license": "mit"} and lines[1]["cardData"] is None


def test_no_model_in_any_configured_task_stops_matrices(tmp_path: Path) -> None:
    """Covers source: api too, where nothing is indexed: empty model listings for every task."""
    parsed = {}
    for kind in ("models", "datasets"):
        parsed[kind] = {}
        for task in TASKS:
            path = tmp_path / "parsed" / kind / f"{task}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(SCHEMAS[kind].empty_table(), path)
            parsed[kind][task] = str(path)
    out = tmp_path / "matrices"
    with pytest.raises(InputError) as caught:
        matrices(parsed["models"], parsed["datasets"], {name: str(out / f"{name}.parquet") for name in MATRIX_NAMES},
                 "api")
    assert str(caught.value) == (
        "matrices: no configured task has any model (2 tasks, all model listings empty); "
        "check the source and the task names"
    )
    assert not out.exists() or not list(out.iterdir())


def test_nested_fields_are_one_list() -> None:
    from hubreuse.collect import hubstats, parquet_dump

    assert dumps.column_encodings is parquet_dump.column_encodings
    assert dumps.NESTED_FIELDS is parquet_dump.NESTED_FIELDS
    assert not hasattr(hubstats, "convert_snapshot")  # hubstats files are read by the one Parquet reader


def test_parquet_lines_hold_the_projected_columns_with_api_timestamps(tmp_path: Path) -> None:
    """Only the fields the parser reads reach the line; a naive timestamp is written as UTC in the API's format;
    a repeated id keeps its first row; ``modelId`` stands in for a null ``id``."""
    import datetime as dt

    rows = [
        {"id": "o/a", "modelId": "o/a", "tags": ["text-classification"], "siblings": [{"rfilename": "x.bin"}],
         "createdAt": dt.datetime(2022, 3, 1, 12, 0, 5, 123456), "cardData": '{"datasets": ["d"]}', "likes": 3},
        {"id": None, "modelId": "o/b", "tags": ["text-classification"], "siblings": [], "createdAt": None,
         "cardData": "  ", "likes": 1},
        {"id": "o/a", "modelId": "o/a", "tags": [], "siblings": [], "createdAt": None, "cardData": None, "likes": 0},
    ]  # fmt: skip
    fields = [("id", pa.string()), ("modelId", pa.string()), ("tags", pa.list_(pa.string())),
              ("siblings", pa.list_(pa.struct([("rfilename", pa.string())]))), ("createdAt", pa.timestamp("us")),
              ("cardData", pa.string()), ("likes", pa.int64())]  # fmt: skip
    path = write_parquet(rows, fields, tmp_path / "m.parquet")
    manifest = index(path, "models", tmp_path)
    assert (manifest["records"], manifest["duplicates"]) == (2, 1)
    table = pq.read_table(tmp_path / "models_index.parquet")
    assert table.column("id").to_pylist() == ["o/a", "o/b"]
    assert [json.loads(line) for line in table.column("line").to_pylist()] == [
        {"id": "o/a", "modelId": "o/a", "tags": ["text-classification"], "createdAt": "2022-03-01T12:00:05.123Z",
         "cardData": {"datasets": ["d"]}},
        {"id": None, "modelId": "o/b", "tags": ["text-classification"], "createdAt": None, "cardData": None},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "fields", "problem"),
    [
        ([{"id": "o/a", "tags": []}, {"id": " ", "tags": []}], [("id", pa.string()), ("tags", pa.list_(pa.string()))],
         "row 2: record id must not be blank, got ' '"),
        ([{"id": "o/a", "tags": []}, {"id": None, "tags": []}], [("id", pa.string()), ("tags", pa.list_(pa.string()))],
         "row 2: record has no 'id' (nor 'modelId') that is a string (id: null, modelId: absent)"),
        ([{"id": "o/a", "tags": None}, {"id": "o/b", "tags": 7}], [("id", pa.string()), ("tags", pa.int64())],
         "row 2: tags must be a JSON list, got a number: 7"),
    ],
    ids=["blank-id", "null-id", "tags-a-number"],
)
def test_parquet_bad_rows_are_named(tmp_path: Path, rows: list[dict], fields: list, problem: str) -> None:
    path = write_parquet(rows, fields, tmp_path / "m.parquet")
    assert index_error(path, "models", tmp_path) == f"models_dump {path}: {problem}"


# ------------------------------------------------------------------------------------------ end to end


def declared(value: object) -> list | None:
    """The paper's declaration rule: a string is one entry, a non-empty list its entries, else nothing."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    return None


def test_workflow_swapped_dumps(workflow_dir: Path, tmp_path: Path) -> None:
    model_records, dataset_records = (
        corpus_records("hub2022-models.jsonl.gz"),
        corpus_records("datasets2023.jsonl.gz"),
    )
    models = write_jsonl(model_records, tmp_path / "models.jsonl.gz")
    datasets = write_jsonl(dataset_records, tmp_path / "datasets.jsonl.gz")
    n_models, n_datasets = tag_counts(model_records)[0], tag_counts(dataset_records)[0]
    result = run_dump(workflow_dir, datasets, models, TWO_TASKS)
    assert result.returncode == 1, result.stderr[-2000:]
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith(f"hubreuse: error: models_dump {datasets} and datasets_dump {models}: the dumps look "
                               f"swapped: models_dump: 0 of {n_datasets:,} records"), lines[0]  # fmt: skip
    assert f"datasets_dump: 0 of {n_models:,} records" in lines[0]
    assert not (workflow_dir / "results" / "tables").exists()
    assert not (workflow_dir / "results" / "raw").exists(), "no listing is cut from swapped dumps"


def test_workflow_empty_models_dump(workflow_dir: Path, tmp_path: Path) -> None:
    models = write_gz_lines(tmp_path / "models.jsonl.gz", [""])
    datasets = write_jsonl([GOOD_DATASET], tmp_path / "datasets.jsonl.gz")
    result = run_dump(workflow_dir, models, datasets, TWO_TASKS)
    assert result.returncode == 1
    assert_failed_cleanly(result, workflow_dir, f"models_dump {models}: no records (the file is empty")


def test_workflow_no_configured_task_has_a_model(workflow_dir: Path, tmp_path: Path) -> None:
    models = write_jsonl([{"id": "o/a", "tags": ["translation"], "cardData": {"datasets": ["org/data"]}}],
                         tmp_path / "models.jsonl.gz")  # fmt: skip
    datasets = write_jsonl([GOOD_DATASET], tmp_path / "datasets.jsonl.gz")
    result = run_dump(workflow_dir, models, datasets, TWO_TASKS)
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith(
        f"hubreuse: error: models_dump {models}: none of its 1 records has a tag of a configured"
    ), result.stderr[-2000:]
    assert not (workflow_dir / "results" / "tables").exists()
    assert not (workflow_dir / "results" / "raw").exists()


def test_workflow_parquet_card_data_not_json(workflow_dir: Path, tmp_path: Path) -> None:
    rows = [{"id": "o/a", "tags": '["text-classification"]', "cardData": '{"datasets": ["org/data"]}'},
            {"id": "o/b", "tags": '["text-classification"]', "cardData": "datasets: [org/data]"}]  # fmt: skip
    models = write_parquet(rows, TEXT_FIELDS, tmp_path / "models.parquet")
    datasets = write_jsonl([GOOD_DATASET], tmp_path / "datasets.jsonl.gz")
    result = run_dump(workflow_dir, models, datasets, TWO_TASKS)
    assert result.returncode == 1
    assert_failed_cleanly(
        result,
        workflow_dir,
        f"models_dump {models}: row 2: column 'cardData' holds text that is not valid JSON",
    )


def test_workflow_parquet_json_text_gives_the_real_measures(workflow_dir: Path, tmp_path: Path) -> None:
    """Real records as a hub-stats-like Parquet dump (tags and cardData as JSON text): RQ1 and RQ2 as counted here."""
    models = corpus_records("hub2022-models.jsonl.gz")
    datasets = corpus_records("datasets2023.jsonl.gz")
    models_dump = write_parquet(as_json_text(models), TEXT_FIELDS, tmp_path / "models.parquet")
    datasets_dump = write_parquet(as_json_text(datasets), TEXT_FIELDS, tmp_path / "datasets.parquet")
    targets = [f"results/tables/{name}.csv" for name in ("rq1_datasets_per_model", "rq2_models_per_dataset")]
    result = run_snakemake(workflow_dir, *targets, "--config", "source=dump", f"models_dump={models_dump}",
                           f"datasets_dump={datasets_dump}", TWO_TASKS)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    tables = workflow_dir / "results" / "tables"
    rq1 = pd.read_csv(tables / "rq1_datasets_per_model.csv").set_index("task")
    rq2 = pd.read_csv(tables / "rq2_models_per_dataset.csv").set_index("task")

    firsts = {}
    for record in models:
        firsts.setdefault(record["id"], record)
    dataset_ids = list(dict.fromkeys(d["id"] for d in datasets))
    dataset_tags = {d["id"]: d["tags"] for d in reversed(datasets)}
    declaring_somewhere = 0
    for task in TASKS:
        members = [m for m in firsts.values() if task in m["tags"]]
        decls = [declared((m.get("cardData") or {}).get("datasets")) if isinstance(m.get("cardData"), dict) else None
                 for m in members]  # fmt: skip
        counts = [len(d) for d in decls if d is not None]
        declaring_somewhere += len(counts)
        assert rq1.loc[task, "population"] == len(members)
        assert rq1.loc[task, "n"] == len(counts)
        assert rq1.loc[task, "mean"] == pytest.approx(
            sum(counts) / len(counts) if counts else float("nan"), nan_ok=True
        )
        listed = [d for d in dataset_ids if f"task_categories:{task}" in dataset_tags[d]]
        reuse = [sum(1 for entries in decls if entries and d in entries) for d in listed]
        assert rq2.loc[task, "n"] == len(listed)
        assert rq2.loc[task, "mean"] == pytest.approx(
            sum(reuse) / len(reuse) if reuse else float("nan"), nan_ok=True
        )
    assert declaring_somewhere > 0  # the sample must exercise the decoded cardData
