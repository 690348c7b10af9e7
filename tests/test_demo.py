"""The synthetic Hub (source: demo) keeps the Hub's arrow of time, stays deterministic, and writes records as large
and as rich as real ones.

Checked on the raw dump records with plain Python (no code of the pipeline reads them): a dataset is created no
later than the first model whose card names it, in any of the spellings the generator writes (case variants,
URLs, padding, a dropped namespace, a legacy id), and a base model no later than a model that names it. Model
records are as large as the real 2022 records of ../shared/corpora, carry the modern fields of ../shared/api-samples,
and, without those fields, are exactly what the generator wrote before it had them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest

from hubreuse.collect import demo
from tests.conftest import shared_path

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


# Bytes per record of ../shared/corpora/hub2022-models.jsonl.gz as compact JSON lines (the dump's own lines have
# spaces after separators: 1,128 / 1,437); test_the_size_targets_are_the_2022_corpus_sizes recomputes them.
TARGET_MEAN_BYTES, TARGET_P90_BYTES = 1067, 1353
# What the generator added for record shapes; everything else of a record is what it wrote before (#16 part 4).
NEW_FIELDS = {"sha", "library_name", "config", "siblings"}
NEW_CARD_KEYS = {"language", "tags", "metrics", "widget", "model-index"}
NEW_TAGS = {"pytorch", "safetensors", "jax", "tensorboard", "en", "generated_from_trainer", "autotrain_compatible",
            "endpoints_compatible", "region:us"}  # fmt: skip


def mean_and_p90(sizes: list[int]) -> tuple[float, int]:
    """Mean and nearest-rank 90th percentile."""
    ordered = sorted(sizes)
    return sum(ordered) / len(ordered), ordered[int(0.9 * len(ordered))]


def test_the_size_targets_are_the_2022_corpus_sizes() -> None:
    with gzip.open(shared_path("corpora/hub2022-models.jsonl.gz"), "rt", encoding="utf-8") as handle:
        sizes = [len(json.dumps(json.loads(line), separators=(",", ":"), ensure_ascii=False).encode())
                 for line in handle]  # fmt: skip
    mean, p90 = mean_and_p90(sizes)
    assert round(mean) == TARGET_MEAN_BYTES and abs(p90 - TARGET_P90_BYTES) <= 1, (mean, p90)


def test_model_records_are_as_large_as_real_ones(tmp_path: Path) -> None:
    models = tmp_path / "models.jsonl.gz"
    demo.write_demo_dumps(DOMAINS, 2000, 400, 3, models, tmp_path / "datasets.jsonl.gz")
    with gzip.open(models, "rb") as handle:
        sizes = [len(line.rstrip(b"\n")) for line in handle]
    mean, p90 = mean_and_p90(sizes)
    assert abs(mean / TARGET_MEAN_BYTES - 1) <= 0.15, mean
    assert abs(p90 / TARGET_P90_BYTES - 1) <= 0.20, p90


def test_model_records_have_the_fields_of_modern_records(hub) -> None:
    models, _ = hub
    for record in models:
        assert re.fullmatch(r"[0-9a-f]{40}", record["sha"]), record["sha"]
        assert record["library_name"] in record["tags"] and record["private"] is False
        assert isinstance(record["downloads"], int) and isinstance(record["likes"], int)
        assert record["lastModified"] >= record["createdAt"]
        siblings = record["siblings"]
        assert siblings and all(list(item) == ["rfilename"] and isinstance(item["rfilename"], str)
                                for item in siblings)  # fmt: skip
        assert len({item["rfilename"] for item in siblings}) == len(siblings)
    cards = [record["cardData"] for record in models if isinstance(record["cardData"], dict)]
    for key in NEW_CARD_KEYS:
        assert 0.02 < sum(key in card for card in cards) / len(cards) < 0.5, key
    assert all(isinstance(item["results"], list) for card in cards for item in card.get("model-index", []))
    assert not NEW_TAGS & set(DOMAINS)


def as_before(record: dict) -> dict:
    """The record without what #16 part 4 added."""
    out = {key: value for key, value in record.items() if key not in NEW_FIELDS}
    out["tags"] = [tag for tag in record["tags"] if tag not in NEW_TAGS]
    if isinstance(record["cardData"], dict):
        out["cardData"] = {key: value for key, value in record["cardData"].items() if key not in NEW_CARD_KEYS}
    return out


def test_without_the_new_fields_the_records_are_those_written_before(hub) -> None:
    """Every id, tag, date, pipeline tag and declaration is drawn as before, so the default run's tables are too.
    The digests are of the dumps written by the generator of commit b86a0fa (before the new fields), same seed."""
    models, datasets = hub
    digest = hashlib.sha256(json.dumps([as_before(record) for record in models]).encode()).hexdigest()
    assert digest == "eecf9d6bb0ce8e4f70d5bfd9260952e2e5965cbaf4dbc494b0d0e639c6d72ab2"
    assert hashlib.sha256(json.dumps(datasets).encode()).hexdigest() == (
        "cab271c6f1913ba1d9170a13463230ce5148706a30240ce7773ad00c364e4eff"
    )
