"""Scale benchmark: the workflow's post-collection stages at paper and full scale, against the paper's algorithm.

Usage::

    python benchmarks/run.py --scale paper          # ~480,000 models, 38,000 datasets over the 30 tasks
    python benchmarks/run.py --scale full           # 3,000,000 models, 700,000 datasets
    python benchmarks/run.py --scale paper --baseline   # also time the paper's RQ2 algorithm
    python benchmarks/run.py --scale paper --declarations tags   # declarations from the Hub's tags

For each scale it generates the demo Hub and collects the per-task listings (not timed: collection), then runs
the post-collection stages (parse, matrices, stats, report) in one ``snakemake --cores 2`` invocation, as a user
would, and records its wall time and the peak resident memory summed over the whole process tree (Snakemake
and its jobs, sampled every 50 ms with psutil). Each job process is attributed to its stage by the script it
runs; a stage's wall time is the span during which its jobs ran, its peak the tree's peak meanwhile. The floor is the time to decompress and
parse the raw JSON Lines listings once (gzip + orjson, one process). Results are appended as JSON lines to
``benchmarks/results.jsonl``; ``benchmarks/RESULTS.md`` records them with the machine.

Every rule has a ``benchmark:`` file: ``results/benchmarks/<rule>.tsv``, or ``results/benchmarks/<rule>/<wildcard>.tsv``
for per-task, per-kind and per-group jobs. After the run, the per-rule summary of those files in the work
directory (jobs, largest ``max_rss``, longest ``s``; collection jobs included) is printed and recorded as
``rules``, beside each rule's peak RSS as this script's 50 ms meter saw it (``meter_rss_mib``: a job's process and
the processes it forked). Snakemake samples a job's memory every 0.5 s for about its first 15 s and every 30 s
afterwards, so for long jobs the meter's figure is the one that does not miss short peaks. The profiles'
``mem_mb`` and ``runtime`` are set from this summary (see ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
SCALES = {"paper": (480_000, 38_000), "full": (3_000_000, 700_000), "small": (20_000, 4_000)}
WORKFLOW_FILES = ("Snakefile", "config.yaml", "rules", "scripts", "report", "envs", "profiles")


def tasks() -> list[str]:
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    return config["tasks"]["nlp"] + config["tasks"]["cv"]


STAGES = ("parse", "matrices", "stats", "report")
# "collection" is not a timed stage: a collection job inside the timed run would hide in Snakemake's overhead.
STAGE_SCRIPTS = {
    "collection": ("demo_hub.py", "index_dump.py", "collect.py", "raw_manifest.py", "hubstats_download.py"),
    "parse": ("parse.py",),
    "matrices": ("matrices.py",),
    "stats": ("paper_tables.py", "canonical_tables.py", "reuse_tables.py", "concentration.py", "concentration_stack.py",
              "lineage.py"),
    "report": ("report.py",),
}  # fmt: skip


def stage_of(cmdline: list[str]) -> str | None:
    """The post-collection stage a job process belongs to, from the script Snakemake runs (a temporary copy
    named ``.snakemake/scripts/tmpXXXX.<script>``), or None for Snakemake itself and anything else."""
    for arg in cmdline[1:3]:
        name = os.path.basename(arg)
        for stage, scripts in STAGE_SCRIPTS.items():
            if any(name.endswith("." + script) or name == script for script in scripts):
                return stage
    return None


class ProcessTreeMeter:
    """Samples a process tree every ``interval`` seconds: peak summed RSS of the whole tree, and for each stage
    the first and last time one of its job processes was seen and the peak tree RSS while it ran."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.start = time.perf_counter()
        self.peak = 0
        self.stages: dict[str, dict[str, float]] = {}
        self.kinds: dict[int, str] = {}
        self.jobs: dict[int, dict[str, object]] = {}
        self.procs: dict[int, psutil.Process] = {pid: self.root}
        self.parents: dict[int, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def tree(self) -> list[psutil.Process]:
        """The root and all its descendants.

        Why not ``psutil.Process.children(recursive=True)``: it reads every process of the machine, about 2 ms a
        sample, 4% of a core taken from the workflow it measures; Linux lists each thread's children in
        ``/proc/<pid>/task/<tid>/children``, a tenth of that.
        """
        if not os.path.exists(f"/proc/{self.root.pid}/task/{self.root.pid}/children"):
            with contextlib.suppress(psutil.Error):
                return [self.root, *self.root.children(recursive=True)]
            return []
        pids, todo = [], [self.root.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/children") as handle:
                        children = [int(child) for child in handle.read().split()]
                        self.parents.update(dict.fromkeys(children, pid))
                        todo.extend(children)
        procs = []
        for pid in pids:
            if pid not in self.procs:
                with contextlib.suppress(psutil.Error):
                    self.procs[pid] = psutil.Process(pid)
            if pid in self.procs:
                procs.append(self.procs[pid])
        return procs

    def classify(self, proc: psutil.Process) -> str | None:
        # Only a stage is remembered: a process seen between fork and exec still shows its parent's command line.
        if proc.pid not in self.kinds:
            try:
                cmdline = proc.cmdline()
            except psutil.Error:
                return None
            stage = stage_of(cmdline)
            if stage is None:
                return None
            self.kinds[proc.pid] = stage
            script = next((os.path.basename(a).split(".", 1)[-1] for a in cmdline[1:3] if a.endswith(".py")), "")
            self.jobs[proc.pid] = {"stage": stage, "script": script, "first": time.perf_counter() - self.start}
        return self.kinds[proc.pid]

    def sample(self) -> None:
        while not self.done.is_set():
            now = time.perf_counter() - self.start
            total, seen, by_job = 0, set(), {}
            procs = self.tree()
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    rss = proc.memory_info().rss
                    total += rss
                    stage = self.classify(proc)
                    if stage:
                        seen.add(stage)
                        cpu = proc.cpu_times()
                        self.jobs[proc.pid].update(last=now, cpu=cpu.user + cpu.system)
                        # A job is a script process with the processes it forked (the report's workers).
                        job = proc.pid
                        while self.parents.get(job) in self.kinds:
                            job = self.parents[job]
                        by_job[job] = by_job.get(job, 0) + rss
            for job, rss in by_job.items():
                self.jobs[job]["peak_rss"] = max(self.jobs[job].get("peak_rss", 0), rss)
            self.peak = max(self.peak, total)
            for stage in seen:
                record = self.stages.setdefault(stage, {"first": now, "last": now, "peak": 0})
                record["last"] = now
                record["peak"] = max(record["peak"], total)
            self.done.wait(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, ProcessTreeMeter]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    meter = ProcessTreeMeter(proc.pid)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    meter.stop()
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-3000:]}")
    return wall, meter


def script_rss(*meters: ProcessTreeMeter) -> dict[str, int]:
    """Largest per-job peak RSS (MiB) seen by the meters, by script name without ``.py`` (= the rule's name)."""
    peaks: dict[str, int] = {}
    for meter in meters:
        for job in meter.jobs.values():
            if "peak_rss" in job:
                name = str(job["script"]).removesuffix(".py")
                peaks[name] = max(peaks.get(name, 0), round(job["peak_rss"] / 2**20))
    return peaks


def rule_benchmarks(bench_dir: Path, meter_rss: dict[str, int]) -> dict[str, dict]:
    """Per rule, from its ``benchmark:`` files: jobs, largest max_rss (MiB) and longest s; "NA" rows (a job too short
    for Snakemake's first sample) count as jobs without a memory figure."""
    rules: dict[str, dict] = {}
    for path in sorted(bench_dir.rglob("*.tsv")):
        rel = path.relative_to(bench_dir)
        rule = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        record = rules.setdefault(rule, {"jobs": 0, "max_rss_mib": None, "s": 0.0})
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                record["jobs"] += 1
                record["s"] = max(record["s"], round(float(row["s"]), 2))
                if row["max_rss"] not in ("", "NA"):
                    rss = round(float(row["max_rss"]), 1)
                    record["max_rss_mib"] = max(record["max_rss_mib"] or 0.0, rss)
    for rule, record in rules.items():
        record["meter_rss_mib"] = meter_rss.get(rule)
    return rules


def floor_seconds(raw_dir: Path) -> tuple[float, int]:
    """Decompress and parse every raw listing once, in one process: the least any analysis must do."""
    start = time.perf_counter()
    records = 0
    for path in sorted(raw_dir.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rb") as handle:
            for line in handle:
                orjson.loads(line)
                records += 1
    return time.perf_counter() - start, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="paper")
    parser.add_argument("--workdir", type=Path, default=None, help="default: /tmp/hubreuse-bench-<scale>")
    parser.add_argument("--baseline", action="store_true", help="also time the paper's RQ2 algorithm")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--reuse-collection", action="store_true",
                        help="keep the workdir's collected listings from an earlier run at the same scale")
    parser.add_argument("--declarations", choices=("card", "tags"), default="card",
                        help="where declarations come from (config key declarations; default card)")
    args = parser.parse_args()
    n_models, n_datasets = SCALES[args.scale]
    suffix = "" if args.declarations == "card" else f"-{args.declarations}"
    workdir = args.workdir or Path(f"/tmp/hubreuse-bench-{args.scale}{suffix}")
    workdir.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source, target = REPO / name, workdir / name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        shutil.copytree(source, target) if source.is_dir() else shutil.copy2(source, target)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    smk = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--config",
           f"demo_models={n_models}", f"demo_datasets={n_datasets}", f"declarations={args.declarations}"]  # fmt: skip

    print(f"[{args.scale}] generating and collecting {n_models:,} models / {n_datasets:,} datasets (not timed)")
    collect_wall, collect_meter = 0.0, None
    if not (args.reuse_collection and (workdir / "results" / "raw" / "manifest.json").exists()):
        collect_wall, collect_meter = run_measured([*smk, "--until", "raw_manifest"], workdir, env)
    shutil.rmtree(workdir / "results" / "parsed", ignore_errors=True)
    for stage_dir in ("matrices", "tables", "stats", "report"):
        shutil.rmtree(workdir / "results" / stage_dir, ignore_errors=True)

    floor, records = floor_seconds(workdir / "results" / "raw")
    print(f"  floor: {floor:.1f} s to decompress and parse {records:,} raw records")
    # One invocation, as users run it: Snakemake starts and builds the DAG once; each stage's wall time is the
    # span during which its job processes ran, the rest (start-up, DAG, scheduling between stages) is overhead.
    total, meter = run_measured([*smk[:3], "results/report/report.pdf", *smk[3:]], workdir, env)
    if "collection" in meter.stages:
        sys.exit("a collection job ran inside the timed run (listings out of date?): rerun without --reuse-collection")
    stages = {}
    for stage in STAGES:
        record = meter.stages.get(stage)
        if record is None:
            sys.exit(f"no {stage} job was seen running: are the outputs already there?")
        wall = record["last"] - record["first"] + meter.interval
        cpu = sum(job.get("cpu", 0.0) for job in meter.jobs.values() if job["stage"] == stage)
        stages[stage] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 1), "peak_rss_mib": round(record["peak"] / 2**20)}
        print(f"  {stage:9s} {wall:7.1f} s   {cpu:6.1f} CPU-s   peak RSS {record['peak'] / 2**20:7.0f} MiB")
    overhead = total - sum(s["wall_s"] for s in stages.values())
    print(f"  snakemake start-up, DAG and scheduling {overhead:.1f} s")
    result = {
        "scale": args.scale,
        "declarations": args.declarations,
        "models": n_models,
        "datasets": n_datasets,
        "raw_records": records,
        "collect_s": round(collect_wall, 1),
        "floor_s": round(floor, 2),
        "stages": stages,
        "snakemake_overhead_s": round(overhead, 2),
        "post_collection_s": round(total, 2),
        "peak_rss_mib": round(meter.peak / 2**20),
        "rules": rule_benchmarks(
            workdir / "results" / "benchmarks", script_rss(*(m for m in (collect_meter, meter) if m is not None))
        ),
        "ratio_to_floor": round(total / floor, 2),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"  post-collection total {total:.1f} s = {total / floor:.2f} x floor")
    print(f"  per rule, from {workdir / 'results' / 'benchmarks'} (meter: this script's 50 ms sampling of each job):")
    print(f"    {'rule':20s} {'jobs':>4s} {'max_rss MiB':>11s} {'meter MiB':>9s} {'longest s':>9s}")
    for rule, record in result["rules"].items():
        rss = "NA" if record["max_rss_mib"] is None else f"{record['max_rss_mib']:.0f}"
        seen = "-" if record["meter_rss_mib"] is None else str(record["meter_rss_mib"])
        print(f"    {rule:20s} {record['jobs']:4d} {rss:>11s} {seen:>9s} {record['s']:9.1f}")
    # Every job's span and CPU time, for finding the critical path (not part of the recorded results).
    timeline = sorted(meter.jobs.values(), key=lambda job: job["first"])
    (workdir / "timeline.json").write_text(json.dumps(timeline, indent=1))

    if args.baseline:
        result["rq2"] = compare_rq2(workdir)
    with open(REPO / "benchmarks" / "results.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


def compare_rq2(workdir: Path) -> dict:
    """Our RQ2 (joins over the matrices) vs the paper's nested loop, same input, equal results checked."""
    sys.path.insert(0, str(REPO))
    import pandas as pd

    from benchmarks.paper_baseline import rq2_all
    from hubreuse.core.names import matrix
    from hubreuse.stats import paper as stats
    from hubreuse.stats.files import load_matrices

    names = tasks()
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    domains = {t: "nlp" for t in config["tasks"]["nlp"]} | {t: "cv" for t in config["tasks"]["cv"]}
    needed = ("model_task", "dataset_task", "model_dataset")
    mats = load_matrices({name: workdir / matrix(name) for name in needed}, needed)
    start = time.perf_counter()
    values = stats.models_per_dataset(mats["model_task"], mats["dataset_task"], mats["model_dataset"], domains)
    ours = values.groupby("task")["value"].agg(["size", "mean", "std"])
    ours_s = time.perf_counter() - start
    print(f"  RQ2 ours: {ours_s:.2f} s; running the paper's algorithm (minutes)...")
    start = time.perf_counter()
    theirs = rq2_all(workdir / "results" / "raw", names)
    theirs_s = time.perf_counter() - start
    for task, (n, mean, _sd) in theirs.items():
        row = ours.loc[task] if task in ours.index else pd.Series({"size": 0, "mean": None, "std": None})
        assert int(row["size"]) == n, task
        if n:
            assert abs(row["mean"] - mean) < 1e-9, task
        if n > 1:
            assert abs(row["std"] - _sd) < 1e-9, task
    print(f"  RQ2 paper algorithm: {theirs_s:.1f} s -> {theirs_s / ours_s:.0f} x")
    return {"ours_s": round(ours_s, 3), "baseline_s": round(theirs_s, 1), "speedup": round(theirs_s / ours_s)}


if __name__ == "__main__":
    main()
