"""Whole-Hub Parquet through ``source: dump``: generate hub-stats-shaped files, then measure the dump reader on them.

Usage::

    python benchmarks/hubstats_parquet.py --out /tmp/hubstats-bench            # 3,000,000 models, 700,000 datasets
    python benchmarks/hubstats_parquet.py --out DIR --models 200000 --datasets 50000 --skip-measure

The files are shaped like ``cfahlgren1/hub-stats`` (issue #16 part 3): one root file per table, ``tags`` a list
of strings, ``cardData`` and ``config`` JSON text, ``baseModels`` a struct ``{relation, models: [{id}]}``,
``createdAt``/``lastModified`` timestamps without time zone, ``siblings`` a list of ``{rfilename}`` structs, row
groups of 100,000 rows. Every row is distinct (its id is spliced into its JSON text), so the files do not
compress into a dictionary. They are written one row group at a time, so the generator's memory stays bounded.
Values are synthetic: the sizes are the point, not the content.

The measurement runs the workflow's ``index_dump`` step (:func:`hubreuse.collect.steps.index_dump`, the dump
reader) on each file in its own process under ``/usr/bin/time -v``, one after the other: wall time and peak RSS
(the process and its threads; the step forks no child). Results are printed and appended to
``benchmarks/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

REPO = Path(__file__).resolve().parents[1]
ROW_GROUP = 100_000
OTHER_TASKS = ["feature-extraction", "text-to-speech", "reinforcement-learning", "tabular-classification",
               "automatic-speech-recognition", "audio-classification", "text-to-video", "robotics"]  # fmt: skip
LIBRARIES = ["transformers", "diffusers", "sentence-transformers", "timm", "peft", "gguf", "keras", "onnx"]
LICENSES = ["license:apache-2.0", "license:mit", "license:cc-by-4.0", "license:other", "license:llama3"]
FILES = ["config.json", "README.md", ".gitattributes", "model.safetensors", "tokenizer.json", "vocab.txt",
         "special_tokens_map.json", "tokenizer_config.json", "pytorch_model.bin", "generation_config.json",
         "training_args.bin", "merges.txt", "model-00001-of-00002.safetensors", "onnx/model.onnx"]  # fmt: skip
RELATIONS = ["finetune", "adapter", "quantized", "merge"]
# A vocabulary of 5,000 random lowercase "words" (seeded): filler text that compresses roughly like prose.
WORDS = np.array(["".join(chr(97 + c) for c in np.random.default_rng(5).integers(0, 26, n))
                  for n in np.random.default_rng(6).integers(2, 10, 5000)])  # fmt: skip


def configured_tasks() -> list[str]:
    """The shipped config's 30 tasks (the paper's), in order."""
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    return [task for tasks in config["tasks"].values() for task in tasks]


def json_pool(rng: np.random.Generator, n: int, kind: str, dataset_ids: list[str]) -> list[str]:
    """``n`` JSON object texts (without their opening brace) of realistic, heavy-tailed sizes: card data or config."""
    pool = []
    for size in np.clip(rng.lognormal(6.7 if kind == "card" else 5.6, 1.0, n), 40, 20_000).astype(int):
        body: dict[str, object] = {}
        if kind == "card":
            body["license"] = "apache-2.0"
            if rng.random() < 0.35:
                body["datasets"] = list(rng.choice(dataset_ids, size=int(rng.integers(1, 4))))
            if rng.random() < 0.3:
                body["base_model"] = f"org{int(rng.integers(0, 999))}/base-{int(rng.integers(0, 99_999))}"
            body["tags"] = ["generated_from_trainer"] * int(rng.integers(0, 4))
        else:
            body["architectures"] = ["BertForSequenceClassification"]
            body["model_type"] = "bert"
        text = json.dumps(body)
        filler = max(0, size - len(text) - 20)
        # Words, not one repeated character: the text must compress like real card text, not into nothing.
        words = " ".join(WORDS[rng.integers(0, len(WORDS), filler // 6 + 1)].tolist())[:filler]
        body["widget" if kind == "card" else "tokenizer_config"] = [{"text": words}] if filler else []
        pool.append(json.dumps(body)[1:])
    return pool


def spliced(ids: pa.Array, pool: list[str], picks: np.ndarray, present: np.ndarray) -> pa.Array:
    """JSON text ``{"model_name": <id>, <pool entry>`` per row (null where not ``present``): distinct per row."""
    names = pa.array([json.dumps(value) for value in ids.to_pylist()])
    rest = pa.array(pool).take(pa.array(picks))
    text = pc.binary_join_element_wise('{"model_name": ', names, ", ", rest, "")
    return pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))


def list_column(rng: np.random.Generator, counts: np.ndarray, values: pa.Array) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    flat = values.take(pa.array(rng.integers(0, len(values), int(offsets[-1]))))
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def timestamps(rng: np.random.Generator, n: int, start: int) -> pa.Array:
    """Naive timestamps (no time zone, as in hub-stats) over 2020-2026, milliseconds."""
    seconds = start + np.sort(rng.integers(0, 6 * 365 * 86_400, n))
    return pa.array(seconds * 1000, pa.timestamp("ms"))


def model_group(rng: np.random.Generator, first: int, n: int, tasks: list[str], pools: dict) -> pa.Table:
    numbers = np.arange(first, first + n)
    ids = pa.array([f"org{i % 97_003}/model-{i}" for i in numbers.tolist()])
    task_names = np.array(tasks + OTHER_TASKS)
    weights = np.r_[np.full(len(tasks), 0.6 / len(tasks)), np.full(len(OTHER_TASKS), 0.4 / len(OTHER_TASKS))]
    task = task_names[rng.choice(len(task_names), n, p=weights)]
    has_task = rng.random(n) < 0.6
    tag_pool = pa.array(LIBRARIES + LICENSES + ["region:us", "endpoints_compatible", "autotrain_compatible"]
                        + [f"dataset:{d}" for d in pools["datasets"][:300]]
                        + [f"base_model:org{i}/base-{i}" for i in range(200)])  # fmt: skip
    extra = list_column(rng, rng.integers(2, 12, n), tag_pool).to_pylist()
    tags = pa.array([[t, *e] if h else e for t, h, e in zip(task.tolist(), has_task.tolist(), extra, strict=True)],
                    pa.list_(pa.string()))  # fmt: skip
    siblings_files = pa.StructArray.from_arrays([pa.array(FILES)], names=["rfilename"])
    siblings = list_column(rng, rng.geometric(1 / 10, n), siblings_files)
    base = rng.random(n) < 0.2
    base_models = pa.StructArray.from_arrays(
        [pa.array(np.array(RELATIONS)[rng.integers(0, len(RELATIONS), n)]),
         pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), pa.StructArray.from_arrays(
             [pa.array([f"org{i % 997}/base-{i % 99_991}" for i in numbers.tolist()])], names=["id"]))],
        names=["relation", "models"], mask=pa.array(~base))  # fmt: skip
    columns = {
        "_id": pa.array([f"{i:024x}" for i in numbers.tolist()]),
        "id": ids,
        "author": pa.array([f"org{i % 97_003}" for i in numbers.tolist()]),
        "gated": pa.array(np.where(rng.random(n) < 0.03, "auto", "false")),
        "inference": pa.array(np.where(rng.random(n) < 0.1, "warm", None).tolist(), pa.string()),
        "lastModified": timestamps(rng, n, 1_600_000_000),
        "likes": pa.array(rng.zipf(2.0, n).clip(0, 10**6) - 1),
        "trendingScore": pa.array(rng.random(n)),
        "private": pa.array(np.zeros(n, dtype=bool)),
        "sha": pa.array([f"{(i * 2654435761) % 16**40:040x}" for i in numbers.tolist()]),
        "config": spliced(ids, pools["config"], rng.integers(0, len(pools["config"]), n), rng.random(n) < 0.7),
        "downloads": pa.array(rng.zipf(1.8, n).clip(0, 10**8) - 1),
        "tags": tags,
        "pipeline_tag": pa.array(np.where(has_task, task, None).tolist(), pa.string()),
        "library_name": pa.array(np.array(LIBRARIES)[rng.integers(0, len(LIBRARIES), n)]),
        "createdAt": timestamps(rng, n, 1_580_000_000),
        "safetensors": pa.array(np.where(rng.random(n) < 0.4, '{"total": 109482240}', None).tolist(), pa.string()),
        "siblings": siblings,
        "cardData": spliced(ids, pools["card"], rng.integers(0, len(pools["card"]), n), rng.random(n) < 0.55),
        "baseModels": base_models,
    }
    return pa.table(columns)


def dataset_group(rng: np.random.Generator, first: int, n: int, tasks: list[str], pools: dict) -> pa.Table:
    numbers = np.arange(first, first + n)
    ids = pa.array([f"dorg{i % 40_009}/data-{i}" for i in numbers.tolist()])
    categories = pa.array([f"task_categories:{t}" for t in tasks + OTHER_TASKS]
                          + LICENSES + ["language:en", "size_categories:1K<n<10K", "format:parquet"])  # fmt: skip
    columns = {
        "_id": pa.array([f"{i:024x}" for i in numbers.tolist()]),
        "id": ids,
        "author": pa.array([f"dorg{i % 40_009}" for i in numbers.tolist()]),
        "cardData": spliced(ids, pools["card"], rng.integers(0, len(pools["card"]), n), rng.random(n) < 0.5),
        "disabled": pa.array(np.zeros(n, dtype=bool)),
        "gated": pa.array(np.where(rng.random(n) < 0.05, "auto", "false")),
        "lastModified": timestamps(rng, n, 1_600_000_000),
        "likes": pa.array(rng.zipf(2.0, n).clip(0, 10**6) - 1),
        "trendingScore": pa.array(rng.random(n)),
        "private": pa.array(np.zeros(n, dtype=bool)),
        "sha": pa.array([f"{(i * 2654435761) % 16**40:040x}" for i in numbers.tolist()]),
        "description": spliced(ids, pools["config"], rng.integers(0, len(pools["config"]), n), rng.random(n) < 0.8),
        "downloads": pa.array(rng.zipf(1.8, n).clip(0, 10**8) - 1),
        "tags": list_column(rng, rng.integers(1, 8, n), categories),
        "createdAt": timestamps(rng, n, 1_580_000_000),
        "citation": pa.array(np.where(rng.random(n) < 0.2, "@article{x, title={A dataset}}", None).tolist(),
                             pa.string()),  # fmt: skip
    }
    return pa.table(columns)


def write_file(path: Path, rows: int, group, tasks: list[str], pools: dict, seed: int) -> None:  # noqa: ANN001
    """Write ``rows`` rows, one row group at a time (bounded memory)."""
    rng = np.random.default_rng(seed)
    writer = None
    try:
        for first in range(0, rows, ROW_GROUP):
            table = group(rng, first, min(ROW_GROUP, rows - first), tasks, pools)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy")
            writer.write_table(table, row_group_size=ROW_GROUP)
    finally:
        if writer is not None:
            writer.close()


def measure(path: Path, kind: str, work: Path, tasks: list[str]) -> dict:
    """Run index_dump on ``path`` in its own process under /usr/bin/time -v, as the workflow runs it (with each
    task's cut: ``<kind>_cuts/``): wall seconds, peak RSS, manifest, bytes written."""
    index, manifest, cuts = work / f"{kind}_index.parquet", work / f"{kind}_index.json", work / f"{kind}_cuts"
    code = ("import sys, json; from hubreuse.collect.steps import index_dump; "
            "index_dump(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], 'dump', tasks=json.loads(sys.argv[5]), "
            "cuts=sys.argv[6])")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", code, str(path), f"{kind}_dump", str(index),
                          str(manifest), json.dumps(tasks), str(cuts)], env=env, capture_output=True, text=True,
                         check=False)  # fmt: skip
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"index_dump {kind} failed: {run.stderr[-2000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    summary = json.loads(manifest.read_text())
    return {"kind": kind, "wall_s": round(wall, 1), "peak_rss_mib": round(peak_kib / 1024), "records": summary["records"],
            "records_with_task_tag": summary["records_with_task_tag"], "index_bytes": index.stat().st_size,
            "cuts_bytes": sum(path.stat().st_size for path in cuts.iterdir())}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--models", type=int, default=3_000_000)
    parser.add_argument("--datasets", type=int, default=700_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--skip-measure", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tasks = configured_tasks()
    rng = np.random.default_rng(args.seed)
    dataset_ids = [f"dorg{i % 40_009}/data-{i}" for i in range(0, args.datasets, 97)] or ["dorg0/data-0"]
    pools = {"card": json_pool(rng, 4000, "card", dataset_ids), "config": json_pool(rng, 1000, "config", dataset_ids),
             "datasets": dataset_ids}  # fmt: skip
    files = {"models": args.out / "models.parquet", "datasets": args.out / "datasets.parquet"}
    generated = {}
    for kind, rows, group in (("models", args.models, model_group), ("datasets", args.datasets, dataset_group)):
        started = time.perf_counter()
        write_file(files[kind], rows, group, tasks, pools, args.seed + len(kind))
        generated[kind] = {"rows": rows, "bytes": files[kind].stat().st_size,
                           "row_groups": pq.ParquetFile(files[kind]).num_row_groups,
                           "generate_s": round(time.perf_counter() - started, 1)}  # fmt: skip
        print(kind, generated[kind], flush=True)
    if args.skip_measure:
        return
    load_before = os.getloadavg()
    measured = [measure(files[kind], kind, args.out, tasks) for kind in ("models", "datasets")]
    result = {"benchmark": "hubstats_parquet", "generated": generated, "index_dump": measured,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
              "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    print(json.dumps(result, indent=1))
    with open(REPO / "benchmarks" / "results.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
