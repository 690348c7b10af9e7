"""Scale benchmark: the workflow's post-collection stages at paper and full scale, against the paper's algorithm.

Usage::

    python benchmarks/run.py --scale paper          # ~480,000 models, 38,000 datasets over the 30 tasks
    python benchmarks/run.py --scale full           # 3,000,000 models, 700,000 datasets
    python benchmarks/run.py --scale paper --baseline   # also time the paper's RQ2 algorithm

For each scale it generates the demo Hub and collects the per-task listings (not timed: collection), then runs
each post-collection stage (parse, matrices, stats, report) as its own ``snakemake --cores 2`` invocation on the
same targets the workflow builds, and records wall time and the peak resident memory summed over the whole
process tree (Snakemake and its jobs, sampled every 50 ms with psutil). The floor is the time to decompress and
parse the raw JSON Lines listings once (gzip + orjson, one process). Results are appended as JSON lines to
``benchmarks/results.jsonl``; ``benchmarks/RESULTS.md`` records them with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
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


def stage_targets(stage: str) -> list[str]:
    names = tasks()
    if stage == "parse":
        return [f"results/parsed/{kind}/{t}.parquet" for kind in ("models", "datasets") for t in names]
    if stage == "matrices":
        return ["results/matrices/models.parquet"]
    if stage == "stats":
        return ["results/tables/rq1_datasets_per_model.csv", "results/tables/rq3_children_per_model.csv",
                "results/tables/concentration.csv", "results/tables/lineage_summary.csv"]  # fmt: skip
    if stage == "report":
        return ["results/report/report.pdf"]
    raise ValueError(stage)


class PeakRSS:
    """Peak of the summed RSS of a process and all its descendants, sampled in a background thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self.done.wait(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    meter = PeakRSS(proc.pid)
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    peak = meter.stop()
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-3000:]}")
    return wall, peak


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
    args = parser.parse_args()
    n_models, n_datasets = SCALES[args.scale]
    workdir = args.workdir or Path(f"/tmp/hubreuse-bench-{args.scale}")
    workdir.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source, target = REPO / name, workdir / name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        shutil.copytree(source, target) if source.is_dir() else shutil.copy2(source, target)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    smk = [sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--config",
           f"demo_models={n_models}", f"demo_datasets={n_datasets}"]  # fmt: skip

    print(f"[{args.scale}] generating and collecting {n_models:,} models / {n_datasets:,} datasets (not timed)")
    collect_wall, _ = run_measured([*smk, "--until", "raw_manifest"], workdir, env)
    shutil.rmtree(workdir / "results" / "parsed", ignore_errors=True)
    for stage_dir in ("matrices", "tables", "stats", "report"):
        shutil.rmtree(workdir / "results" / stage_dir, ignore_errors=True)

    floor, records = floor_seconds(workdir / "results" / "raw")
    print(f"  floor: {floor:.1f} s to decompress and parse {records:,} raw records")
    stages = {}
    for stage in ("parse", "matrices", "stats", "report"):
        wall, peak = run_measured([*smk[:3], *stage_targets(stage), *smk[3:]], workdir, env)
        stages[stage] = {"wall_s": round(wall, 2), "peak_rss_mib": round(peak / 2**20)}
        print(f"  {stage:9s} {wall:7.1f} s   peak RSS {peak / 2**20:7.0f} MiB")
    total = sum(s["wall_s"] for s in stages.values())
    result = {
        "scale": args.scale,
        "models": n_models,
        "datasets": n_datasets,
        "raw_records": records,
        "collect_s": round(collect_wall, 1),
        "floor_s": round(floor, 2),
        "stages": stages,
        "post_collection_s": round(total, 2),
        "peak_rss_mib": max(s["peak_rss_mib"] for s in stages.values()),
        "ratio_to_floor": round(total / floor, 2),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"  post-collection total {total:.1f} s = {total / floor:.2f} x floor")

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
    from hubreuse import stats
    from hubreuse.steps import load_matrices

    names = tasks()
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    domains = {t: "nlp" for t in config["tasks"]["nlp"]} | {t: "cv" for t in config["tasks"]["cv"]}
    mats = load_matrices(workdir / "results" / "matrices", ("model_task", "dataset_task", "model_dataset"))
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
