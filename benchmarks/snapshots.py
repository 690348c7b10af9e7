"""What adding a paper-scale snapshot to a run costs (issue #17): wall time and peak memory of the rerun.

Usage::

    python benchmarks/run.py --scale paper        # once: writes the paper-scale demo dumps it measures on
    python benchmarks/snapshots.py                # then this, on those dumps

Two ``snakemake --cores 2`` invocations in one work directory, the way a user grows a run: first a run with one
snapshot (the paper-scale dumps, ``source: dump``, card declarations), to the report; then the same config with a
second snapshot of the same size added (the same dumps read with ``declarations: tags``), to the report. The second
invocation is the cost of adding a snapshot: the new snapshot's own jobs (indexing and cutting its dumps included,
since a new snapshot must be collected), the comparison and the report. Before it, a dry run lists the jobs it
plans, so the record shows that no job of the first snapshot reruns. Time and peak RSS of the process tree are
metered as ``benchmarks/run.py`` meters them. Results are appended to ``benchmarks/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import yaml

from benchmarks.run import REPO, WORKFLOW_FILES, run_measured


def planned_jobs(smk: list[str], workdir: Path, env: dict[str, str]) -> dict[str, int]:
    """Jobs per rule a dry run plans."""
    out = subprocess.run([*smk, "--dry-run", "--quiet", "rules"], cwd=workdir, env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    table = (out.stdout + out.stderr).split("Job stats:", 1)[-1]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", table, re.M) if rule != "total"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dumps", type=Path, default=Path("/tmp/hubreuse-bench-paper/results/demo"),
                        help="folder with models.jsonl.gz and datasets.jsonl.gz (default: run.py's paper scale)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hubreuse-bench-snapshots"))
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    models, datasets = args.dumps / "models.jsonl.gz", args.dumps / "datasets.jsonl.gz"
    if not models.exists() or not datasets.exists():
        sys.exit(f"no dumps in {args.dumps}: run `python benchmarks/run.py --scale paper` first")
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    for name in WORKFLOW_FILES:
        source, target = REPO / name, args.workdir / name
        shutil.copytree(source, target) if source.is_dir() else shutil.copy2(source, target)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    dumps = {"source": "dump", "models_dump": str(models.resolve()), "datasets_dump": str(datasets.resolve())}
    snapshots = {"card": {"date": "2025-02-15", **dumps}}
    runs = {}
    for step, added in (("one snapshot", None), ("snapshot added", "tags")):
        if added:
            snapshots[added] = {"date": "2025-02-15", **dumps, "declarations": added}
        config = args.workdir / f"{step.replace(' ', '-')}.yaml"
        config.write_text(yaml.safe_dump({"snapshots": snapshots}), encoding="utf-8")
        smk = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--configfile", str(config)]
        plan = planned_jobs(smk, args.workdir, env)
        print(f"[{step}] {sum(plan.values())} jobs planned: {plan}")
        wall, meter = run_measured(smk, args.workdir, env)
        runs[step] = {"wall_s": round(wall, 2), "peak_rss_mib": round(meter.peak / 2**20), "jobs": plan}
        print(f"  {wall:.1f} s, peak RSS {meter.peak / 2**20:.0f} MiB")
    listed = json.loads((args.workdir / "results" / "snapshots" / "tags" / "raw" / "manifest.json").read_text())
    result = {
        "benchmark": "snapshots",
        "dumps": str(args.dumps),
        "models_listed": sum(t["models"] for t in listed["tasks"]),
        "datasets_listed": sum(t["datasets"] for t in listed["tasks"]),
        "runs": runs,
        "added_snapshot_s": runs["snapshot added"]["wall_s"],
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with open(REPO / "benchmarks" / "results.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
