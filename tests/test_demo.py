"""The synthetic Hub (source: demo) keeps the Hub's arrow of time, and stays deterministic.

Checked on the raw dump records with plain Python (no code of the pipeline reads them): a dataset is created no
later than the first model whose card names it, in any of the spellings the generator writes (case variants,
URLs, padding, a dropped namespace, a legacy id), and a base model no later than a model that names it.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from hubreuse.collect import demo

DOMAINS = {"text-classification": "nlp", "question-answering": "nlp", "translation": "nlp",
           "image-classification": "cv", "object-detection": "cv"}  # fmt: skip
URL = "https://huggingface.co/datasets/"


def generate(
    folder: Path, seed: int, n_models: int = 4000, n_datasets: int = 800
) -> tuple[list[dict], list[dict]]:
    """A small demo Hub written to ``folder``: (model records, dataset records) as read back from the dumps."""
    folder.mkdir(parents=True, exist_ok=True)
    models, datasets = folder / "models.jsonl.gz", folder / "datasets.jsonl.gz"
    demo.write_demo_dumps(DOMAINS, n_models, n_datasets, seed, models, datasets)

    def read(path: Path) -> list[dict]:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]

    return read(models), read(datasets)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict]]:
    return generate(tmp_path_factory.mktemp("demo"), seed=11)


def entries(value: object) -> list[str]:
    """The string entries of a card field: a string is one entry, a list its string entries."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def dataset_key(name: str) -> str:
    """One key for every spelling of a dataset id: no padding, case, URL prefix or namespace."""
    return name.strip().lower().removeprefix(URL).rsplit("/", 1)[-1]


def test_every_dataset_is_created_before_the_first_model_declaring_it(hub) -> None:
    models, datasets = hub
    created = {dataset_key(record["id"]): record["createdAt"] for record in datasets}
    assert len(created) == len(datasets), "the key must identify one dataset"
    first: dict[str, str] = {}
    for record in models:
        card = record.get("cardData") or {}
        names = entries(card.get("datasets"))
        names += [tag.removeprefix("dataset:") for tag in record["tags"] if tag.startswith("dataset:")]
        for name in names:
            key = dataset_key(name)
            if key in created:
                first[key] = min(first.get(key, record["createdAt"]), record["createdAt"])
    assert len(first) > len(datasets) // 5, "too few declared datasets for the check to mean anything"
    late = {key: (created[key], when) for key, when in first.items() if created[key] > when}
    assert not late, (
        f"{len(late)} datasets created after a model declaring them, e.g. {list(late.items())[:3]}"
    )


def test_every_base_model_is_created_before_the_models_naming_it(hub) -> None:
    models, _ = hub
    created: dict[str, str] = {}
    for record in models:
        created.setdefault(record.get("id") or record["modelId"], record["createdAt"])
    pairs = 0
    for record in models:
        card = record.get("cardData") or {}
        bases = set(entries(card.get("base_model")))
        bases |= {tag.rsplit(":", 1)[-1] for tag in record["tags"] if tag.startswith("base_model:")}
        for base in bases & created.keys():
            pairs += 1
            assert created[base] <= record["createdAt"], (base, record.get("id") or record["modelId"])
    assert pairs > len(models) // 5, "too few base-model declarations for the check to mean anything"


def test_same_seed_same_dumps_other_seed_other_dumps(tmp_path: Path) -> None:
    runs = {name: generate(tmp_path / name, seed, n_models=600, n_datasets=150)
            for name, seed in (("a", 5), ("b", 5), ("c", 6))}  # fmt: skip
    dumps = {name: [(tmp_path / name / f"{kind}.jsonl.gz").read_bytes() for kind in ("models", "datasets")]
             for name in runs}  # fmt: skip
    assert dumps["a"] == dumps["b"]
    assert runs["a"][0] != runs["c"][0] and runs["a"][1] != runs["c"][1]
