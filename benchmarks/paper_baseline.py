"""A faithful re-implementation of the paper's RQ2 algorithm, as the benchmark's baseline.

The study's analysis code (park-jay/huggingface-models) loaded each task's records, kept for every model its
``cardData.datasets`` list (a string as a one-element list), then for each dataset of the task scanned the
task's models and counted those whose list contains the dataset's id. This module does exactly that, in plain
Python, over the raw listings the workflow collects, so both run on the same input.
"""

from __future__ import annotations

import gzip
import json
import statistics
from pathlib import Path


def declared_datasets(record: dict) -> list | None:
    card = record.get("cardData")
    if not isinstance(card, dict):
        return None
    value = card.get("datasets")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    return None


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def rq2_task(models: list[dict], datasets: list[dict]) -> tuple[int, float | None, float | None]:
    """Per dataset, scan the task's models (the paper's nested loop); n, mean, sample sd."""
    model_lists = [d for m in models if (d := declared_datasets(m)) is not None]
    counts = []
    for dataset in datasets:
        dataset_id = dataset["id"]
        count = 0
        for declared in model_lists:
            if dataset_id in declared:
                count += 1
        counts.append(count)
    n = len(counts)
    return n, (statistics.fmean(counts) if n else None), (statistics.stdev(counts) if n > 1 else None)


def rq2_all(raw_dir: Path, tasks: list[str]) -> dict[str, tuple[int, float | None, float | None]]:
    return {
        task: rq2_task(load(raw_dir / "models" / f"{task}.jsonl.gz"), load(raw_dir / "datasets" / f"{task}.jsonl.gz"))
        for task in tasks
    }
