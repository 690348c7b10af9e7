"""Reproducible by construction: every setting is tracked, a changed dump is noticed, a killed run recovers.

One small demo run is made once; each test then changes one thing and checks what Snakemake reruns (a dry
run's job list) and, for the settings that matter most, what the real rerun writes.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_workflow, run_snakemake

SCHEMA = yaml.safe_load((REPO / "hubreuse" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
SMALL = {
    "demo_models": 1000,
    "demo_datasets": 200,
    "tasks": {"nlp": ["text-classification"], "cv": ["image-classification"]},
}
ALL_RULES = {
    "demo_hub", "index_dump", "check_dumps", "collect", "parse", "raw_manifest", "matrices", "canonical_tables", "lineage",
    "paper_tables", "reuse_tables", "concentration", "concentration_stack", "mean_intervals", "domain_comparison",
    "report", "all",
}  # fmt: skip
# What the provenance of a run (its manifest and the report's config listing) shows: every setting.
PROVENANCE = {"raw_manifest", "report", "all"}
# Every step that resamples: the concentration intervals, the intervals of the task means and the domain comparison.
RESAMPLING = {"concentration", "concentration_stack", "mean_intervals", "domain_comparison"}
# For each setting of the schema: a new value, and the rules whose jobs must rerun (demo source).
CHANGES = {
    "source": ("dump", ALL_RULES - {"demo_hub"}),  # the same demo dumps, read as a user's dump
    # Declarations are read when the matrices are built: everything from there on, and the provenance.
    "declarations": ("tags", ALL_RULES - {"demo_hub", "index_dump", "check_dumps", "collect", "parse"}),
    "demo_models": (900, ALL_RULES),
    "demo_datasets": (150, ALL_RULES),
    "demo_seed": (7, ALL_RULES),
    "seed": (1, RESAMPLING | PROVENANCE),
    "bootstrap_resamples": (300, RESAMPLING | PROVENANCE),
    "canonical.alias_files": (["aliases.csv"], {"canonical_tables"} | PROVENANCE),
    "canonical.pseudo_files": (["pseudo.csv"], {"canonical_tables"} | PROVENANCE),
    # The synthetic Hub is generated over the configured tasks: another task list is another Hub.
    "tasks": ({**SMALL["tasks"], "cv": ["image-classification", "text-to-image"]}, ALL_RULES),
    # Settings of other sources: read by no job of a demo run, shown in its provenance.
    "models_dump": ("models.jsonl.gz", PROVENANCE),
    "datasets_dump": ("datasets.jsonl.gz", PROVENANCE),
    "hub_endpoint": ("http://127.0.0.1:9", PROVENANCE),
    "hubstats_repo": ("someone/else", PROVENANCE),
    "hubstats_revision": ("0" * 40, PROVENANCE),
    "hubstats_models_file": ("m.parquet", PROVENANCE),
    "hubstats_datasets_file": ("d.parquet", PROVENANCE),
    # Two snapshots of the same synthetic Hub: each one's jobs and the comparison; the Hub is not generated again.
    "snapshots": ({"early": {"date": "2023-06-30", "source": "demo"}, "late": {"date": "2026-10-31", "source": "demo"}},
                  (ALL_RULES - {"demo_hub"}) | {"trends"}),
}
# Files of a run that are provenance or logs rather than results.
VOLATILE = re.compile(r"^(logs/|benchmarks/|raw/manifest\.json$|report/|demo/manifest\.json$)")


def schema_keys(schema: dict, prefix: str = "") -> list[str]:
    """Every setting of the schema; nested objects other than ``tasks`` are walked into."""
    keys = []
    for name, spec in schema["properties"].items():
        if spec.get("type") == "object" and name not in ("tasks", "snapshots"):
            keys += schema_keys(spec, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def write_config(workdir: Path, config: dict, name: str = "small.yaml") -> Path:
    path = workdir / name
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def with_setting(config: dict, key: str, value: object) -> dict:
    config = json.loads(json.dumps(config))
    *parents, last = key.split(".")
    node = config
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return config


def planned_rules(workdir: Path, config_file: Path, *targets: str) -> dict[str, int]:
    """Jobs per rule that a dry run plans (empty when nothing is to be done)."""
    result = run_snakemake(workdir, *targets, "--dry-run", "--quiet", "rules", "--configfile", str(config_file))
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:", 1)[1] if "Job stats:" in text else text
    return {rule: int(count) for rule, count in re.findall(r"^(\w+)\s+(\d+)$", table, re.M) if rule != "total"}


def result_files(workdir: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every result file, by path under results/."""
    root = workdir / "results"
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not VOLATILE.match(rel):
            files[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return files


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, tuple[str, int]]]:
    """A complete small demo run: its folder, its config file and its result files."""
    workdir = copy_workflow(tmp_path_factory.mktemp("small") / "wf")
    (workdir / "aliases.csv").write_text("alias,canonical,source,version\nimdb,lyrics200,test,1\n", encoding="utf-8")
    (workdir / "pseudo.csv").write_text("name,kind,source\nlyrics200,builder,test\n", encoding="utf-8")
    config_file = write_config(workdir, SMALL)
    result = run_snakemake(workdir, "--configfile", str(config_file))
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir, config_file, result_files(workdir)


def test_every_schema_setting_has_a_description_a_default_and_a_tracked_effect() -> None:
    keys = schema_keys(SCHEMA)
    assert set(keys) == set(CHANGES), "each setting needs its expected effect in CHANGES"
    for key in keys:
        node = SCHEMA
        for part in key.split("."):
            node = node["properties"][part]
        assert node.get("description"), f"{key} has no description"
        assert "default" in node, f"{key} has no default"


def test_rules_read_only_schema_settings_and_scripts_never_read_the_config() -> None:
    rules = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "rules").glob("*.smk"))
    used = set(re.findall(r'config\["(\w+)"\](?:\["(\w+)"\])?', rules))
    assert used, "the rules read settings through config[...]"
    keys = set(schema_keys(SCHEMA))
    for top, nested in used:
        assert (f"{top}.{nested}" if nested else top) in keys | {"tasks"}, (top, nested)
    assert "config.get(" not in rules, "a setting read with a fallback default bypasses the schema"
    for folder in ("scripts", "hubreuse"):
        for path in (REPO / folder).rglob("*.py"):
            assert "snakemake.config" not in path.read_text(encoding="utf-8"), f"{path} reads an untracked setting"


def test_changing_a_setting_reruns_exactly_the_jobs_it_affects(small_run) -> None:
    """For every setting of the schema, the jobs a dry run plans after changing it (two dry runs at a time)."""
    workdir, _, _ = small_run

    def plan(key: str) -> tuple[str, set[str]]:
        value = CHANGES[key][0]
        if key == "source":
            changed = {**SMALL, "source": "dump", "models_dump": str(workdir / "results/demo/models.jsonl.gz"),
                       "datasets_dump": str(workdir / "results/demo/datasets.jsonl.gz")}  # fmt: skip
        else:
            changed = with_setting(SMALL, key, value)
        config_file = write_config(workdir, changed, f"changed-{key}.yaml")
        return key, set(planned_rules(workdir, config_file))

    with ThreadPoolExecutor(max_workers=2) as pool:
        planned = dict(pool.map(plan, CHANGES))
    wrong = {key: sorted(rules) for key, rules in planned.items() if rules != CHANGES[key][1]}
    assert not wrong, f"planned rules differ from the expected ones: {wrong}"


def test_unchanged_config_plans_nothing(small_run) -> None:
    workdir, config_file, _ = small_run
    assert planned_rules(workdir, config_file) == {}


TABLE_TARGETS = ["results/tables/rq1_datasets_per_model.csv", "results/tables/concentration.csv",
                 "results/tables/rq1_canonical.csv", "results/tables/coverage.csv",
                 "results/tables/mean_intervals.csv"]  # fmt: skip


def rerun_and_compare(workdir: Path, config: dict, before: dict[str, tuple[str, int]]) -> tuple[set[str], set[str]]:
    """Run the table targets under ``config``; return (files rewritten, files whose content changed)."""
    result = run_snakemake(workdir, *TABLE_TARGETS, "--configfile", str(write_config(workdir, config, "rerun.yaml")))
    assert result.returncode == 0, result.stderr[-3000:]
    after = result_files(workdir)
    rewritten = {path for path in before if path in after and after[path][1] != before[path][1]}
    changed = {path for path in before if path in after and after[path][0] != before[path][0]}
    return rewritten, changed


def test_new_seed_recomputes_only_the_bootstrap_tables(small_run) -> None:
    workdir, _, before = small_run
    work = copy_workflow(workdir.parent / "seed")
    shutil.copytree(workdir / "results", work / "results")
    shutil.copytree(workdir / ".snakemake", work / ".snakemake", ignore=shutil.ignore_patterns("locks"))
    before = result_files(work)
    rewritten, changed = rerun_and_compare(work, {**SMALL, "seed": 12345}, before)
    assert rewritten and all(p.startswith(("stats/concentration/", "tables/concentration.csv", "tables/heavy_tail.csv",
                                           "stats/lorenz.csv", "tables/mean_intervals.csv")) for p in rewritten), rewritten
    assert "tables/concentration.csv" in changed, "another seed draws other bootstrap intervals"


def test_user_alias_file_is_an_input_of_the_canonical_tables(small_run) -> None:
    workdir, _, _ = small_run
    work = copy_workflow(workdir.parent / "alias")
    shutil.copytree(workdir / "results", work / "results")
    shutil.copytree(workdir / ".snakemake", work / ".snakemake", ignore=shutil.ignore_patterns("locks"))
    aliases = work / "user_aliases.csv"
    aliases.write_text("alias,canonical,source,version\nimdb,lyrics200,test,1\n", encoding="utf-8")
    config = with_setting(SMALL, "canonical.alias_files", [str(aliases)])
    before = result_files(work)
    rewritten, changed = rerun_and_compare(work, config, before)
    assert {"tables/rq1_canonical.csv", "tables/rq2_canonical.csv"} <= rewritten
    assert "tables/rq2_canonical.csv" in changed and "tables/rq1_datasets_per_model.csv" not in rewritten
    # Editing the file (same path) reruns the canonical tables again.
    aliases.write_text("alias,canonical,source,version\nglue,lyrics200,test,1\n", encoding="utf-8")
    plan = planned_rules(work, work / "rerun.yaml", *TABLE_TARGETS)
    assert set(plan) == {"canonical_tables"}, plan


# The tables of the paper's measures: the shortest path through every stage (10 jobs on the small config).
PAPER_TARGETS = ["results/tables/rq1_datasets_per_model.csv", "results/tables/rq2_models_per_dataset.csv"]


def test_new_demo_seed_gives_the_tables_of_a_clean_run(small_run, tmp_path: Path) -> None:
    workdir, _, _ = small_run
    work = copy_workflow(tmp_path / "rerun")
    shutil.copytree(workdir / "results", work / "results")
    shutil.copytree(workdir / ".snakemake", work / ".snakemake", ignore=shutil.ignore_patterns("locks"))
    seeded = {**SMALL, "demo_seed": 7}
    rerun = run_snakemake(work, "results/raw/manifest.json", *PAPER_TARGETS, "--configfile",
                          str(write_config(work, seeded)))  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    clean = copy_workflow(tmp_path / "clean")
    fresh = run_snakemake(clean, *PAPER_TARGETS, "--configfile", str(write_config(clean, seeded)))
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    for target in PAPER_TARGETS:
        assert (work / target).read_bytes() == (clean / target).read_bytes(), target
    old = (workdir / "results/tables/rq1_datasets_per_model.csv").read_bytes()
    assert (work / "results/tables/rq1_datasets_per_model.csv").read_bytes() != old
    manifest = json.loads((work / "results/raw/manifest.json").read_text())
    assert manifest["config"]["demo_seed"] == 7


def write_dump(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(record) + "\n" for record in records))
    return path


def test_replaced_dump_with_an_older_mtime_reruns_everything_after_it(tmp_path: Path) -> None:
    work = copy_workflow(tmp_path / "wf")
    model = {"tags": ["text-classification"], "cardData": {"datasets": ["org/a"]}}
    models = write_dump(tmp_path / "models.jsonl.gz", [{**model, "id": "o/m1"}, {**model, "id": "o/m2"}])
    datasets = write_dump(tmp_path / "datasets.jsonl.gz",
                          [{"id": "org/a", "tags": ["task_categories:text-classification"]}])  # fmt: skip
    config = write_config(work, {"source": "dump", "models_dump": str(models), "datasets_dump": str(datasets),
                                 "tasks": {"nlp": ["text-classification"], "cv": []}})  # fmt: skip
    target = "results/tables/rq2_models_per_dataset.csv"
    first = run_snakemake(work, target, "--configfile", str(config))
    assert first.returncode == 0, first.stderr[-3000:]
    assert (work / target).read_text().splitlines()[1].split(",")[2:4] == ["1", "2.0"]
    old = models.stat()
    # The new dump: three models declaring org/a; its mtime is set back to before the first run.
    write_dump(models, [{**model, "id": f"o/m{i}"} for i in range(3)])
    os.utime(models, ns=(old.st_atime_ns, old.st_mtime_ns - 10**9 * 3600))
    assert set(planned_rules(work, config, target)) >= {"index_dump", "collect", "parse", "paper_tables"}
    second = run_snakemake(work, target, "--configfile", str(config))
    assert second.returncode == 0, second.stderr[-3000:]
    assert (work / target).read_text().splitlines()[1].split(",")[2:4] == ["1", "3.0"]
    assert planned_rules(work, config, target) == {}, "an unchanged dump is not hashed into a rerun"


def test_rerun_after_kill_9_needs_no_unlock(small_run, tmp_path: Path) -> None:
    workdir, config_file, finished = small_run
    work = copy_workflow(tmp_path / "wf")
    shutil.copy2(config_file, work / config_file.name)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *PAPER_TARGETS, "--configfile", config_file.name]
    run = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)  # fmt: skip
    parsed = work / "results" / "parsed" / "models"
    deadline = time.monotonic() + 300
    # Wait (by polling the file system, bounded) until the run is part-way: some tasks parsed.
    while not (parsed.is_dir() and any(parsed.glob("*.parquet"))):
        assert run.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no parse output within 300 s"
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert list((work / ".snakemake" / "locks").glob("*.lock")), "the killed run left its lock"
    again = run_snakemake(work, *PAPER_TARGETS, "--configfile", config_file.name)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "removed the lock of an interrupted run" in again.stderr
    for target in PAPER_TARGETS:
        assert (work / target).read_bytes() == (workdir / target).read_bytes(), target


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"demo_models": -5}, "config: demo_models: -5 is less than the minimum of 1"),
        ({"bootstrap_resamples": 0}, "config: bootstrap_resamples: 0 is less than the minimum of 1"),
        ({"demo_seed": "abc"}, "config: demo_seed: 'abc' is not of type 'integer'"),
        ({"colour": "blue"}, "config: Additional properties are not allowed ('colour' was unexpected)"),
        ({"canonical": {"alias_files": [3]}}, "config: canonical.alias_files.0: 3 is not of type 'string'"),
        ({"tasks": {"nlp": ["a b"]}},
         "config: tasks.nlp.0: task name 'a b' is not a plain Hub tag (letters, digits, '.', '_', '-'; no ':', '/' "
         "or spaces)"),
    ],
)  # fmt: skip
def test_schema_errors_are_one_line(change: dict, line: str) -> None:
    from hubreuse.core.errors import InputError
    from hubreuse.core.settings import check_config

    config = {**yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8")), **change}
    with pytest.raises(InputError) as error:
        check_config(config)
    assert str(error.value) == line


def test_schema_error_through_snakemake_is_one_line(workflow_dir: Path) -> None:
    result = run_snakemake(workflow_dir, "--dry-run", "--config", "demo_models=-5")
    assert result.returncode != 0
    errors = [text for text in result.stderr.splitlines() if "error" in text.lower()]
    assert errors == ["hubreuse: error: config: demo_models: -5 is less than the minimum of 1"], result.stderr
    assert len(result.stderr.splitlines()) <= 3, result.stderr  # the profile's notice, the config notice, the error


def snakemake_report_data(archive: Path) -> dict:
    """What ``snakemake --report x.zip`` stores in the archive's report.html, as JSON in three script elements:
    the registered results (each with its HTML caption), the categories and the workflow description."""
    with zipfile.ZipFile(archive) as bundle:
        html = bundle.read(f"{archive.stem}/report.html").decode()  # data/ holds the results, our report.html too
    data = {}
    elements = {"results": "results", "categories": "categories", "workflow-desc": "workflow_desc"}
    for element, name in elements.items():
        match = re.search(rf'<script id="{element}">\s*var {name} = (.*?);\s*</script>', html, re.S)
        assert match, f"no {name} in the archive's report.html: has Snakemake's report layout changed?"
        data[name] = json.loads(match.group(1))
    return data


def test_snakemake_report_registers_every_result_with_a_caption(small_run, tmp_path: Path) -> None:
    workdir, config_file, _ = small_run
    archive = tmp_path / "snakemake_report.zip"
    result = run_snakemake(workdir, "--report", str(archive), "--configfile", str(config_file))
    assert result.returncode == 0, result.stderr[-3000:]
    data = snakemake_report_data(archive)
    results = workdir / "results"
    expected = {path.relative_to(workdir).as_posix() for pattern in ("tables/*.csv", "report/figures/*.svg")
                for path in results.glob(pattern)}  # fmt: skip
    expected |= {f"results/report/{name}" for name in ("report.html", "report.pdf", "config.yaml")}
    assert set(data["results"]) == expected
    for path, item in data["results"].items():
        text = re.sub(r"<[^>]+>", "", item["caption"]).strip()
        assert len(text) > 40, f"{path}: caption {item['caption']!r}"
        assert "system-message" not in item["caption"], f"{path}: the caption's reStructuredText has an error"
        assert "synthetic demo" in text.lower(), f"{path}: a demo caption must say the data is synthetic"
    categories = {"Report", "Figures", "Paper measures", "Beyond the paper", "Inference", "Data quality"}
    assert set(data["categories"]) == categories, "a table without its category lands in 'Other'"
    description = data["workflow_desc"]
    assert "reuse of datasets and models on the Hugging Face Hub" in description
    assert "SYNTHETIC DEMO DATA" in description and "1 nlp, 1 cv tasks" in description
    assert "system-message" not in description


def test_report_config_reruns_nothing_and_demo_reuse_never_precedes_creation(small_run) -> None:
    """The config file the report's rerun command names holds exactly the run's settings; and in the demo Hub no
    dataset is declared before it exists (the time table counts no negative time, over reused datasets)."""
    workdir, _, _ = small_run
    assert planned_rules(workdir, workdir / "results/report/config.yaml") == {}
    with open(workdir / "results/tables/dataset_time_to_first_reuse_by_task.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and sum(int(row["n_reused"]) for row in rows) > 0
    assert [row["n_negative"] for row in rows] == ["0", "0"]
