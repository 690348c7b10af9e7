"""Workflow profiles: the SLURM profile's dry run, a run through a real scheduler interface, lint per profile.

Every run happens in a copy of the workflow's files under tmp_path (other runs may be using the repo's results/),
with PYTHONPATH pointing at the copy so its ``hubreuse`` is the one imported.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SMALL_TASKS = "tasks={nlp: [text-classification], cv: [image-classification]}"
SMALL = ["demo_models=2000", "demo_datasets=500", SMALL_TASKS]
CLUSTER_TARGETS = [f"results/tables/{name}.csv" for name in
                   ("rq1_datasets_per_model", "rq2_models_per_dataset", "rq3_base_models_per_model", "rq1_canonical")]


def copy_tree(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml", "pyproject.toml"):
        shutil.copy2(REPO / name, dest / name)
    for name in ("rules", "scripts", "report", "profiles", "envs", "hubreuse"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def snakemake(work: Path, *args: str, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(work), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args], cwd=work, env=env, capture_output=True, text=True, timeout=timeout
    )


def job_blocks(output: str) -> list[dict[str, str]]:
    """Each job of a dry run's listing: rule name plus its indented fields (``resources``, ``threads`` ...)."""
    jobs: list[dict[str, str]] = []
    for line in output.splitlines():
        head = re.match(r"^(?:local)?(?:rule|checkpoint) (\S+):$", line)
        if head:
            jobs.append({"rule": head.group(1)})
        elif jobs and (field := re.match(r"^    (\w+): (.*)$", line)):
            jobs[-1][field.group(1)] = field.group(2)
    return jobs


def job_stats(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run: rule -> job count."""
    lines = output.split("Job stats:", 1)[1].splitlines()
    counts = {}
    for line in lines[3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


def resources(field: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in field.split(", "))


@pytest.fixture(scope="module")
def slurm_profile() -> dict:
    return yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())


def test_slurm_profile_is_self_sufficient(slurm_profile):
    default = yaml.safe_load((REPO / "profiles/default/config.yaml").read_text())
    # Snakemake reads profiles/default only when no --workflow-profile is given: the slurm profile repeats it.
    for key in ("scheduler", "resources", "rerun-incomplete"):
        assert slurm_profile[key] == default[key], key
    assert slurm_profile["executor"] == "slurm"
    assert slurm_profile["retries"] >= 1 and slurm_profile["latency-wait"] >= 30
    assert "slurm_account" not in str(slurm_profile.get("default-resources")), "the account is the site's, not ours"


@pytest.mark.parametrize("source", ["demo", "hubstats"])
def test_slurm_dry_run_lists_every_job_with_its_resources(tmp_path, slurm_profile, source):
    work = copy_tree(tmp_path / "tree")
    # The command (plus --cores, without which a dry run caps threads at 1); no sbatch/sinfo are
    # needed for a dry run (none exist on this machine).
    revision = ["hubstats_revision=89abcdef0123456789abcdef0123456789abcdef"] if source == "hubstats" else []
    run = snakemake(work, "--workflow-profile", "profiles/slurm", "-n", "--cores", "8", "--config", f"source={source}",
                    *revision)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    output = run.stdout + run.stderr
    stats = job_stats(output)
    jobs = job_blocks(output)
    assert "demo_hub" in stats if source == "demo" else {"hubstats_download", "index_dump"} <= set(stats)
    assert {"collect", "parse", "matrices", "paper_tables", "report"} <= set(stats)
    listed: dict[str, int] = {}
    for job in jobs:
        listed[job["rule"]] = listed.get(job["rule"], 0) + 1
    assert listed == stats  # every job of the DAG is listed

    defaults = slurm_profile["default-resources"]
    for job in jobs:
        if job["rule"] == "all":
            continue
        got = resources(job["resources"])
        wanted = {**defaults, **slurm_profile["set-resources"].get(job["rule"], {})}
        for name in ("mem_mb", "runtime"):
            assert int(got[name]) == eval(str(wanted[name]), {"attempt": 1}), (job["rule"], name)  # noqa: S307
        threads = slurm_profile["set-threads"].get(job["rule"], 1)
        assert int(job.get("threads", 1)) == threads, job["rule"]
    # The heavy merges ask for more memory than a per-task parse.
    by_rule = {job["rule"]: resources(job["resources"]) for job in jobs if job["rule"] != "all"}
    assert int(by_rule["matrices"]["mem_mb"]) > int(by_rule["parse"]["mem_mb"])
    assert int(by_rule["paper_tables"]["mem_mb"]) > int(by_rule["parse"]["mem_mb"])


SUBMIT = r"""#!/bin/bash
# Submit: run the jobscript as its own detached process (its own session), print the job id, return at once.
jobscript="${@: -1}"
state="$(dirname "$0")/jobs"
mkdir -p "$state"
id="$(basename "$(mktemp "$state/job.XXXXXXXX")")"
setsid bash -c 'bash "$1" > "$2.out" 2>&1; echo $? > "$2.rc.tmp"; mv "$2.rc.tmp" "$2.rc"' _ \
    "$jobscript" "$state/$id" < /dev/null > /dev/null 2>&1 &
echo $! > "$state/$id.pid"
echo "$id"
"""
STATUS = r"""#!/bin/bash
# Status of a job id printed by submit.sh: its exit code once written; running while its process lives.
job="$(dirname "$0")/jobs/$1"
if [ -f "$job.rc" ]; then
    if [ "$(cat "$job.rc")" = 0 ]; then echo success; else echo failed; fi
elif kill -0 "$(cat "$job.pid")" 2> /dev/null; then echo running
elif [ -f "$job.rc" ]; then
    if [ "$(cat "$job.rc")" = 0 ]; then echo success; else echo failed; fi
else echo failed
fi
"""


def test_default_workflow_through_cluster_generic_equals_local_run(tmp_path):
    sched = tmp_path / "sched"
    sched.mkdir()
    for name, text in (("submit.sh", SUBMIT), ("status.sh", STATUS)):
        (sched / name).write_text(text)
        (sched / name).chmod((sched / name).stat().st_mode | stat.S_IEXEC)

    # One snapshot of the workflow's files for both runs (the repo may change while the test runs).
    cluster = copy_tree(tmp_path / "cluster")
    local = tmp_path / "local"
    shutil.copytree(cluster, local)
    run = snakemake(
        cluster, "--executor", "cluster-generic", "--jobs", "2",
        "--cluster-generic-submit-cmd", str(sched / "submit.sh"),
        "--cluster-generic-status-cmd", str(sched / "status.sh"),
        "--latency-wait", "10", "--seconds-between-status-checks", "1", *CLUSTER_TARGETS, "--config", *SMALL,
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    submitted = list((sched / "jobs").glob("*.rc"))
    assert len(submitted) >= 10 and all(path.read_text().strip() == "0" for path in submitted)

    # Both runs build the paper's tables and the canonical ones (11 jobs, every stage up to stats): each job runs
    # through the executor as its own process, which is what this test is about; the rest of the DAG is covered
    # by the local runs of the other tests.
    run = snakemake(local, "--cores", "2", *CLUSTER_TARGETS, "--config", *SMALL)
    assert run.returncode == 0, run.stderr[-4000:]

    tables = sorted(path.relative_to(local) for path in (local / "results/tables").glob("*.csv"))
    assert len(tables) >= 6  # the targets and the tables their jobs write beside them
    for rel in tables:
        assert (cluster / rel).read_bytes() == (local / rel).read_bytes(), rel


@pytest.mark.parametrize("profile", ["default", "slurm"])
def test_lint_is_clean_with_each_profile(tmp_path, profile):
    work = copy_tree(tmp_path / "tree")
    run = snakemake(work, "--lint", "--workflow-profile", f"profiles/{profile}")
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "Lints for" not in output, output[-4000:]
