"""Several snapshots in one run (``snapshots:``, issue #17): settings, cuts at a date, and the comparison.

The end-to-end tests run the workflow as a user would: two snapshots of the real 2022 models corpus (card and
tags declarations), whose per-snapshot tables must equal single runs of each and whose trend tables must equal
plain Python over the raw records; and demo snapshots of one synthetic Hub at two dates, whose populations must
equal plain Python over the generated dump. Expected values never come from the package.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from pathlib import Path

import pytest
import yaml

from hubreuse.collect.dumps import build_index
from hubreuse.core.errors import InputError
from hubreuse.core.snapshots import snapshot_settings
from tests import hubstats_shape
from tests.conftest import copy_workflow, run_snakemake, shared_path
from tests.test_declarations import expected
from tests.test_paper_measures import read_records

TASKS = {"nlp": ["text-classification", "fill-mask", "token-classification"], "cv": ["image-classification"]}
ALL_TASKS = [*TASKS["nlp"], *TASKS["cv"]]
BASE = {"source": "demo", "tasks": TASKS}


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def close(actual: str, wanted: float | None) -> bool:
    if wanted is None:
        return actual == ""
    return math.isclose(float(actual), wanted, rel_tol=1e-9, abs_tol=1e-12)


# --- settings -----------------------------------------------------------------------------------------------------


def test_snapshots_are_in_date_order_and_take_the_run_settings_they_do_not_set() -> None:
    config = {**BASE, "seed": 3, "snapshots": {
        "late": {"date": "2025-02-15", "source": "demo", "declarations": "tags"},
        "early": {"date": "2023-02-15", "source": "demo"},
    }}  # fmt: skip
    snaps = snapshot_settings(config)
    assert list(snaps) == ["early", "late"]
    assert snaps["early"].config["seed"] == 3 and "snapshots" not in snaps["early"].config
    assert snaps["late"].declarations == "tags" and snaps["early"].declarations == "card"
    assert snaps["early"].cutoff == "2023-02-15"  # a demo snapshot is the synthetic Hub as of its date
    assert snapshot_settings(BASE) == {}


@pytest.mark.parametrize(("entry", "line"), [
    ({"date": "2025-02-30", "source": "demo"}, "config: snapshots.s.date: expected an ISO date (YYYY-MM-DD), got '2025-02-30'"),
    ({"date": "2025-02-15"}, "config: snapshots.s: needs a source"),
    ({"date": "2025-02-15", "source": "demo", "tasks": "all"}, "config: snapshots.s: unknown setting(s) ['tasks']"),
    ({"date": "2025-02-15", "source": "dump", "models_dump": "/no/such.jsonl", "datasets_dump": "/no/such.jsonl"},
     "config: snapshots.s: models_dump /no/such.jsonl: file does not exist"),
    ({"date": "2025-02-15", "source": "api", "exclude_after_date": True},
     "config: snapshots.s.exclude_after_date: source api has no creation times to cut at"),
])  # fmt: skip
def test_a_snapshot_mistake_is_one_line_naming_the_snapshot(entry: dict, line: str) -> None:
    with pytest.raises(InputError) as error:
        snapshot_settings({**BASE, "snapshots": {"s": entry}})
    assert str(error.value).startswith(line), str(error.value)
    assert "\n" not in str(error.value)


# --- a snapshot as of its date ------------------------------------------------------------------------------------


def test_a_cut_keeps_exactly_the_records_created_by_the_date(tmp_path: Path) -> None:
    """JSON Lines (datasets2023, API createdAt) and a hub-stats-shaped Parquet (naive timestamps, from the 2022
    corpus's lastModified): the kept ids are those dated on or before the cut-off, plain Python."""
    cutoff = "2021-06-30"
    datasets = shared_path("corpora/datasets2023.jsonl.gz")
    records = read_records(datasets)
    wanted = {r["id"] for r in records if not isinstance(r.get("createdAt"), str) or r["createdAt"][:10] <= cutoff}
    summary = build_index(datasets, "datasets_dump", tmp_path / "d.parquet", tasks=[], cutoff=cutoff)
    import pyarrow.parquet as pq

    assert set(pq.read_table(tmp_path / "d.parquet", columns=["id"]).column("id").to_pylist()) == wanted
    assert summary["cutoff"]["after_cutoff"] == len(records) - len(wanted) > 0
    undated = sum(not isinstance(r.get("createdAt"), str) for r in records)
    assert summary["cutoff"]["undated_kept"] == undated

    models = read_records(shared_path("corpora/hub2022-models.jsonl.gz"))
    parquet = hubstats_shape.write_models(models, tmp_path / "models.parquet")
    dated = [(m["id"], hubstats_shape.created_at(m, row)) for row, m in enumerate(models)]
    wanted = {rid for rid, when in dated if when.date().isoformat() <= cutoff}
    summary = build_index(parquet, "models_dump", tmp_path / "m.parquet", tasks=ALL_TASKS, cutoff=cutoff)
    assert set(pq.read_table(tmp_path / "m.parquet", columns=["id"]).column("id").to_pylist()) == wanted
    assert 0 < len(wanted) < len(models) and summary["cutoff"]["after_cutoff"] == len(models) - len(wanted)


def test_a_snapshot_date_before_every_record_is_one_line(tmp_path: Path) -> None:
    datasets = shared_path("corpora/datasets2023.jsonl.gz")
    with pytest.raises(InputError, match=r"no record created on or before the snapshot's date 1999-01-01 \("):
        build_index(datasets, "datasets_dump", tmp_path / "d.parquet", tasks=[], cutoff="1999-01-01")
    assert not (tmp_path / "d.parquet").exists()


# --- two snapshots of the real corpus -----------------------------------------------------------------------------


def corpus_config(models: Path, datasets: Path) -> dict:
    dumps = {"source": "dump", "models_dump": str(models), "datasets_dump": str(datasets)}
    return {"tasks": TASKS, "bootstrap_resamples": 200, "snapshots": {
        "card": {"date": "2022-02-15", **dumps},
        "tags": {"date": "2022-02-15", **dumps, "declarations": "tags"},
    }}  # fmt: skip


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run with both snapshots (to the report), and a single run of each (its tables)."""
    models = shared_path("corpora/hub2022-models.jsonl.gz")
    datasets = shared_path("corpora/datasets2023.jsonl.gz")
    config = corpus_config(models, datasets)
    runs = {}
    both = copy_workflow(tmp_path_factory.mktemp("snapshots") / "wf")
    (both / "snapshots.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_snakemake(both, "--configfile", "snapshots.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    runs["both"] = both
    for name, entry in config["snapshots"].items():
        single = copy_workflow(tmp_path_factory.mktemp(f"single-{name}") / "wf")
        settings = {key: value for key, value in entry.items() if key != "date"}
        one = {"tasks": TASKS, "bootstrap_resamples": 200, **settings}
        (single / "single.yaml").write_text(yaml.safe_dump(one), encoding="utf-8")
        targets = ("paper_tables", "canonical_tables", "reuse_tables", "concentration_stack", "lineage",
                   "mean_intervals", "domain_comparison")  # fmt: skip
        result = run_snakemake(single, *targets, "--configfile", "single.yaml")
        assert result.returncode == 0, result.stderr[-3000:]
        runs[name] = single
    return runs


def test_each_snapshots_tables_equal_a_single_run_of_it(corpus_runs) -> None:
    for name in ("card", "tags"):
        mine = sorted((corpus_runs["both"] / "results" / "snapshots" / name / "tables").glob("*.csv"))
        single = corpus_runs[name] / "results" / "tables"
        assert len(mine) == 24, [p.name for p in mine]
        for path in mine:
            assert path.read_bytes() == (single / path.name).read_bytes(), f"{name}: {path.name}"
        manifest = json.loads((path.parents[1] / "raw" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["snapshot"]["snapshot"] == name and manifest["declarations"] == name


def test_trend_tables_equal_plain_python_over_the_raw_records(corpus_runs) -> None:
    models = read_records(shared_path("corpora/hub2022-models.jsonl.gz"))
    datasets = read_records(shared_path("corpora/datasets2023.jsonl.gz"))
    tables = corpus_runs["both"] / "results" / "tables"
    for mode in ("card", "tags"):
        want = expected(models, datasets, mode)
        for key in ("rq1", "rq2", "rq3"):
            found = {r["task"]: r for r in rows(tables / f"trend_{key}.csv") if r["snapshot"] == mode}
            assert set(found) == set(ALL_TASKS)
            for task in ALL_TASKS:
                row, (n, mean, sd) = found[task], want[key][task]
                members = sum(task in (m.get("tags") or []) for m in models)
                task_datasets = sum(f"task_categories:{task}" in (d.get("tags") or []) for d in datasets)
                population = task_datasets if key == "rq2" else members
                assert (row["origin"], row["declarations"], row["present"]) == ("computed", mode, "True")
                assert row["source"] == ("dump" if mode == "card" else "dump; declarations: tags")
                assert int(row["n"]) == n and close(row["mean"], mean) and close(row["sd"], sd), (mode, key, task)
                assert int(row["population"]) == population, (mode, key, task)
                if key != "rq2" and population:
                    assert close(row["share_declaring"], n / population)
                assert (row["ci_low"] == "") == (n == 0)
    published = [r for r in rows(tables / "trend_rq1.csv") if r["origin"] == "published"]
    assert {r["task"] for r in published} == set(ALL_TASKS) and {r["snapshot"] for r in published} == {"published"}
    assert all(r["n"] == "" and r["ci_low"] == "" for r in published)  # a fixed point, never a computed row


def test_population_and_changes_say_how_each_snapshot_was_read(corpus_runs) -> None:
    tables = corpus_runs["both"] / "results" / "tables"
    models = read_records(shared_path("corpora/hub2022-models.jsonl.gz"))
    population = {(r["snapshot"], r["task"]): r for r in rows(tables / "trend_population.csv")}
    for task in ALL_TASKS:
        members = sum(task in (m.get("tags") or []) for m in models)
        assert int(population[("card", task)]["models"]) == int(population[("tags", task)]["models"]) == members
    changes = rows(tables / "trend_changes.csv")
    assert changes and all(r["modes_differ"] == "True" and r["span"] == "consecutive" for r in changes)
    for r in changes:
        if "" in (r["ci_low_to"], r["ci_high_from"], r["ci_high_to"], r["ci_low_from"]):  # no unit in one of them
            assert (r["direction"], r["moved"]) == ("no interval", "False")
            continue
        moved = float(r["ci_low_to"]) > float(r["ci_high_from"]) or float(r["ci_high_to"]) < float(r["ci_low_from"])
        assert (r["moved"] == "True") == moved
    html = (corpus_runs["both"] / "results" / "report" / "report.html").read_text(encoding="utf-8")
    assert "Change over time" in html
    assert "card and tags differ in declarations (card against tags): a change between them may come" in html


def test_adding_a_snapshot_plans_only_its_jobs_and_the_comparison(corpus_runs) -> None:
    both = corpus_runs["both"]
    config = yaml.safe_load((both / "snapshots.yaml").read_text(encoding="utf-8"))
    config["snapshots"]["later"] = {**config["snapshots"]["card"], "date": "2022-03-01"}
    (both / "three.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_snakemake(both, "--configfile", "three.yaml", "--dry-run", "--quiet", "rules")
    assert result.returncode == 0, result.stderr[-3000:]
    plan = dict(re.findall(r"^(\w+)\s+(\d+)$", (result.stdout + result.stderr).split("Job stats:", 1)[1], re.M))
    per_task = str(len(ALL_TASKS))
    assert plan.pop("total")
    assert plan == {"index_dump": "2", "check_dumps": "1", "collect": per_task, "parse": per_task, "matrices": "1",
                    "raw_manifest": "1", "paper_tables": "1", "canonical_tables": "1", "reuse_tables": "1",
                    "concentration": "2", "concentration_stack": "1", "lineage": "1", "mean_intervals": "1",
                    "domain_comparison": "1", "trends": "1", "report": "1", "all": "1"}  # fmt: skip


# --- demo snapshots: one synthetic Hub at several dates -----------------------------------------------------------


def test_demo_snapshots_cut_one_hub_and_show_absent_tasks(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    tasks = {"nlp": ["text-classification", "summarization"], "cv": ["image-classification", "text-to-3d"]}
    dates = {"first_weeks": "2021-01-20", "now": "2026-10-31"}
    config = {"demo_models": 1000, "demo_datasets": 200, "bootstrap_resamples": 200, "tasks": tasks,
              "snapshots": {name: {"date": date, "source": "demo"} for name, date in dates.items()}}  # fmt: skip
    (workdir / "demo.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_snakemake(workdir, "--configfile", "demo.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    results = workdir / "results"
    assert len(list(results.glob("demo/models.jsonl.gz"))) == 1  # generated once for both snapshots
    with gzip.open(results / "demo" / "models.jsonl.gz", "rt", encoding="utf-8") as handle:
        models = [json.loads(line) for line in handle]
    with gzip.open(results / "demo" / "datasets.jsonl.gz", "rt", encoding="utf-8") as handle:
        datasets = [json.loads(line) for line in handle]
    population = {(r["snapshot"], r["task"]): r for r in rows(results / "tables" / "trend_population.csv")}
    absent = []
    for name, date in dates.items():
        for task in (*tasks["nlp"], *tasks["cv"]):
            n_models = sum(m["createdAt"][:10] <= date and task in m["tags"] for m in models)
            n_datasets = sum(d["createdAt"][:10] <= date and f"task_categories:{task}" in d["tags"] for d in datasets)
            row = population[(name, task)]
            assert row["source"] == "demo (SYNTHETIC data)" and row["declarations"] == "card"
            if n_models or n_datasets:
                assert (int(row["models"]), int(row["datasets"]), row["present"]) == (n_models, n_datasets, "True")
            else:  # absent: empty cells, never zeros
                assert (row["models"], row["datasets"], row["present"]) == ("", "", "False"), (name, task)
                absent.append(task)
    assert absent, "the first weeks' snapshot should lack a task"
    rq1 = [r for r in rows(results / "tables" / "trend_rq1.csv") if r["present"] == "False"]
    assert rq1 and all(r["n"] == r["mean"] == "" for r in rq1)
    html = (results / "report" / "report.html").read_text(encoding="utf-8")
    assert "Absent from a snapshot" in html and ">absent</td>" in html
    assert "the sections describe the newest, now" in html
    for figure in ("trend_population", "trend_rq1", "trend_children"):
        assert (results / "report" / "figures" / f"{figure}.svg").stat().st_size > 1000


# --- the report's reading -----------------------------------------------------------------------------------------


def test_the_reading_names_exactly_the_tasks_whose_intervals_separate() -> None:
    """Hand-made trend tables: a task whose intervals separate upwards, one downwards, one overlapping, one absent
    from the first snapshot; the sentences follow the numbers, and a declarations change is warned about."""
    import pandas as pd

    from hubreuse.report.change import change_section
    from hubreuse.report.figurebook import FigureBook
    from hubreuse.trends import tables as trend

    snapshots = [{"snapshot": "a", "date": "2023-01-01", "source": "dump", "declarations": "card"},
                 {"snapshot": "b", "date": "2024-01-01", "source": "dump", "declarations": "tags"}]  # fmt: skip
    values = {  # task: (mean, lo, hi) in a, then in b; None = absent
        "up": ((1.0, 0.9, 1.1), (2.0, 1.8, 2.2)),
        "down": ((3.0, 2.8, 3.2), (1.0, 0.9, 1.1)),
        "same": ((1.0, 0.8, 1.2), (1.1, 0.9, 1.3)),
        "new": (None, (1.0, 0.9, 1.1)),
    }
    frames = {}
    for i, snap in enumerate(("a", "b")):
        rq = pd.DataFrame([{"task": t, "domain": "nlp", "n": 10 if v[i] else 0, "mean": v[i][0] if v[i] else None,
                            "sd": 0.1, "median": 1.0, "population": 20 if v[i] else 0, "share_declaring": 0.5}
                           for t, v in values.items()])  # fmt: skip
        intervals = pd.concat([pd.DataFrame([{"measure": m, "task": t, "ci_low": v[i][1], "ci_high": v[i][2]}
                                             for t, v in values.items() if v[i]]) for m in ("rq1", "rq2", "rq3", "children")])  # fmt: skip
        children = rq.rename(columns={"share_declaring": "share_with_children"})
        gini = pd.DataFrame([{"task": t, "measure": m, "n": 10, "gini": 0.5, "gini_lo": 0.4, "gini_hi": 0.6, "hhi": 0.1,
                              "hhi_lo": 0.05, "hhi_hi": 0.2} for t in values for m in ("rq1", "rq2", "rq3", "children")])  # fmt: skip
        frames[snap] = {"rq1": rq, "rq2": rq, "rq3": rq, "children": children, "mean_intervals": intervals,
                        "concentration": gini}  # fmt: skip
    meta = trend.snapshot_frame(snapshots)
    measures = {m: trend.measure_trend(m, meta, frames) for m in ("rq1", "rq2", "rq3", "children")}
    tables = {**{f"trend_{m}": t for m, t in measures.items()}, "trend_population": trend.population_trend(meta, frames),
              "trend_concentration": trend.concentration_trend(meta, frames),
              "trend_changes": trend.changes(measures, meta)}  # fmt: skip
    assert not measures["rq1"].query("task == 'new' and snapshot == 'a'")["present"].item()
    section = change_section(tables, snapshots, FigureBook())
    rq1 = next(m for m in section["measures"] if m["key"] == "rq1")
    sentence = rq1["sentences"][0]
    assert "moved beyond both 95% intervals in 2 of 3 tasks present in both" in sentence, sentence
    assert "up in up (1.00 → 2.00)" in sentence and "down in down (3.00 → 1.00)" in sentence
    assert "same" not in sentence and "new" not in sentence
    assert rq1["absent"].endswith("new (in a).")
    assert [r["cells"][0] for r in rq1["rows"] if r["task"] == "new"] == ["absent"]
    assert section["warnings"] == ["a and b differ in declarations (card against tags): a change between them may "
                                   "come from how they were read, not from the Hub."]  # fmt: skip


# --- per-task cuts written while indexing -------------------------------------------------------------------------


def test_listings_cut_while_indexing_equal_plain_python(tmp_path: Path) -> None:
    """A task's listing read from its cut, and one read from the index (a task without a cut), hold exactly the
    dump's lines whose tags contain the task's tag, first record per id, in dump order (plain Python)."""
    from hubreuse.collect.listings import collect_from_index

    models = shared_path("corpora/hub2022-models.jsonl.gz")
    with gzip.open(models, "rt", encoding="utf-8") as handle:
        lines = [line.rstrip("\r\n") for line in handle if line.strip()]
    first: dict[str, str] = {}
    for line in lines:
        record = json.loads(line)
        first.setdefault(record["id"] if isinstance(record.get("id"), str) else record["modelId"], line)
    index, cuts = tmp_path / "index.parquet", tmp_path / "cuts"
    build_index(models, "models_dump", index, tasks=ALL_TASKS, cuts=cuts)
    assert sorted(p.name for p in cuts.iterdir()) == sorted(f"{task}.parquet" for task in ALL_TASKS)
    for task in [*ALL_TASKS, "conversational"]:  # conversational has no cut: it is read from the index
        out = tmp_path / f"{task}.jsonl.gz"
        manifest = collect_from_index(index, {}, "models", task, "dump", out, tmp_path / f"{task}.json", cuts=cuts)
        wanted = [line for line in first.values() if task in (json.loads(line).get("tags") or [])]
        with gzip.open(out, "rt", encoding="utf-8") as handle:
            got = handle.read().splitlines()
        assert got == wanted and manifest["records"] == len(wanted), task
    assert len(wanted) > 0  # conversational is in the 2022 corpus


def test_every_task_of_each_snapshot_and_a_finished_run_plans_nothing(tmp_path: Path) -> None:
    """``tasks: all`` with two demo snapshots: each snapshot's task list is its own (its checkpoint), the trend
    tables cover the union with tasks a snapshot lacks marked absent (plain Python over the demo dump), and a
    second invocation has nothing to do."""
    workdir = copy_workflow(tmp_path / "wf")
    dates = {"early": "2021-03-01", "late": "2026-10-31"}
    config = {"demo_models": 1000, "demo_datasets": 200, "bootstrap_resamples": 100, "tasks": "all",
              "snapshots": {name: {"date": date, "source": "demo"} for name, date in dates.items()}}  # fmt: skip
    (workdir / "all.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = run_snakemake(workdir, "--configfile", "all.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    results = workdir / "results"
    with gzip.open(results / "demo" / "models.jsonl.gz", "rt", encoding="utf-8") as handle:
        models = [json.loads(line) for line in handle]
    with gzip.open(results / "demo" / "datasets.jsonl.gz", "rt", encoding="utf-8") as handle:
        datasets = [json.loads(line) for line in handle]
    population = {(r["snapshot"], r["task"]): r for r in rows(results / "tables" / "trend_population.csv")}
    for name, date in dates.items():
        listed = {r["task"] for r in rows(results / "snapshots" / name / "interim" / "task_list.csv")}
        # The snapshot's tasks: the pipeline tags of its models (tasks: all on a dump), plain Python.
        assert listed == {m["pipeline_tag"] for m in models if m["createdAt"][:10] <= date and m.get("pipeline_tag")}
        for (snap, task), row in population.items():
            if snap != name:
                continue
            n_models = sum(m["createdAt"][:10] <= date and task in m["tags"] for m in models)
            n_datasets = sum(d["createdAt"][:10] <= date and f"task_categories:{task}" in d["tags"] for d in datasets)
            if task in listed:
                assert (row["present"], int(row["models"]), int(row["datasets"])) == ("True", n_models, n_datasets)
            else:
                assert (row["present"], row["models"]) == ("False", ""), (name, task)
    assert {t for (s, t), r in population.items() if s == "early" and r["present"] == "False"}, "early lacks tasks"
    again = run_snakemake(workdir, "--configfile", "all.yaml", "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr, again.stdout[-2000:]
