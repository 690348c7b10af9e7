"""A deterministic synthetic Hub, so the workflow runs end to end without the network.

The generator writes a models dump and a datasets dump shaped like the Hub API's records, then the
workflow treats them exactly like ``source: dump``. It reproduces what makes real metadata hard, as met in
``../shared/corpora``: heavy-tailed declaration counts and popularity, giant and tiny tasks, models in
several tasks, strings instead of lists, nulls and objects in lists, legacy un-namespaced ids, case
variants, URLs, builder pseudo-datasets, base-model chains and merges, card/tag disagreements, and
repeated records. Its numbers mean nothing about the real Hub: every output derived from it says so.

Time runs as on the Hub: a model can only declare a dataset that already exists and only name an earlier model
as its base, so every dataset is created before the first model that declares it and every base model before its
children (times to first reuse are never negative). Model ``j`` is created in the ``j``-th slot of the time span,
so "earlier model" is "smaller index", and datasets are sorted by creation time, so the datasets that exist at
a given time are an index prefix: both constraints cost one binary search per declaring model.

Records are as large and as rich as real ones: the fields no measure reads (``sha``, ``library_name``, ``config``,
``siblings``, framework and region tags, more card keys) come from :mod:`hubreuse.collect.demo_shapes`, drawn from a
stream of their own, so that adding them left every draw the analysis depends on, and every table, as it was.

Memory stays bounded at any size: per-model attributes are small numpy arrays and records are built and
written chunk by chunk.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import orjson

from hubreuse.collect import demo_shapes
from hubreuse.core.io import gzip_writer

log = logging.getLogger(__name__)

# Rough popularity order of Hub tasks (largest first); unknown tasks rank after these.
POPULARITY = [
    "text-generation", "text-classification", "text2text-generation", "token-classification",
    "feature-extraction", "fill-mask", "sentence-similarity", "question-answering", "image-classification",
    "text-to-image", "translation", "summarization", "image-to-text", "object-detection",
    "image-segmentation", "zero-shot-classification", "image-to-image", "depth-estimation",
    "video-classification", "zero-shot-image-classification", "image-feature-extraction", "text-to-video",
    "mask-generation", "table-question-answering", "unconditional-image-generation", "image-to-video",
    "keypoint-detection", "zero-shot-object-detection", "image-to-3d", "text-to-3d",
]  # fmt: skip
PSEUDO_DATASETS = ["imagefolder", "audiofolder", "csv", "json", "parquet", "text", "generator"]
WORDS = [
    "news", "reviews", "wiki", "chat", "code", "math", "legal", "medical", "tweets", "books", "faces",
    "cats", "street", "aerial", "xray", "receipts", "poems", "dialogs", "scenes", "sketches", "lyrics",
    "recipes", "papers", "captions", "charts", "tables", "speech", "videos", "depth", "points",
]  # fmt: skip
ARCHS = ["bert", "roberta", "t5", "gpt2", "llama", "mistral", "qwen", "vit", "resnet", "clip", "sd", "detr"]
RELATIONS = ["finetune", "adapter", "quantized"]
# Real datasets that moved into an organisation: declarations sometimes use the legacy id (as on the Hub).
FAMOUS = [
    ("stanfordnlp/imdb", "imdb", "text-classification"),
    ("nyu-mll/glue", "glue", "text-classification"),
    ("fancyzhx/ag_news", "ag_news", "text-classification"),
    ("rajpurkar/squad", "squad", "question-answering"),
    ("ylecun/mnist", "mnist", "image-classification"),
    ("uoft-cs/cifar10", "cifar10", "image-classification"),
]
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_DAYS = (datetime(2026, 10, 31, tzinfo=UTC) - START).days
CHUNK = 20_000


def task_weights(tasks: Sequence[str], exponent: float) -> np.ndarray:
    """Zipf-like weights over tasks by their usual popularity on the Hub."""
    rank = {
        task: POPULARITY.index(task) if task in POPULARITY else len(POPULARITY) + i
        for i, task in enumerate(tasks)
    }
    weights = np.array([1.0 / (rank[task] + 1) ** exponent for task in tasks])
    return weights / weights.sum()


def iso_times(days: np.ndarray) -> list[str]:
    """ISO timestamps (whole seconds, floored) ``days`` after START. Models and datasets go through this one
    function, so the order of two floating-point times is never inverted by rounding them differently."""
    seconds = (np.asarray(days, dtype=np.float64) * 86400).astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(np.datetime64(START.replace(tzinfo=None)) + seconds, unit="s"),
                       ".000Z").tolist()  # fmt: skip


class SyntheticHub:
    """Seeded generator of a synthetic Hub over the configured tasks."""

    def __init__(self, domains: Mapping[str, str], n_models: int, n_datasets: int, seed: int,
                 every_task: bool = False) -> None:  # fmt: skip
        self.tasks = list(domains)
        self.domains = dict(domains)
        self.n_models = n_models
        self.n_datasets = n_datasets
        self.seed = seed
        rng = np.random.default_rng([seed, 0])
        n_tasks = len(self.tasks)
        self.model_task_p = task_weights(self.tasks, 1.25)
        self.dataset_task_p = task_weights(self.tasks, 0.8)
        n_orgs = max(10, n_models // 40)
        self.org_names = np.array([f"{WORDS[k % len(WORDS)]}-lab{k}" for k in range(n_orgs)], dtype=object)
        # Datasets: primary task, org (Zipf-sized), popularity, a few legacy un-namespaced ids.
        self.dataset_task = rng.choice(n_tasks, size=n_datasets, p=self.dataset_task_p).astype(np.int32)
        self.dataset_second = np.where(
            rng.random(n_datasets) < 0.2, rng.choice(n_tasks, size=n_datasets, p=self.dataset_task_p), -1
        )
        dataset_org = (rng.zipf(1.6, size=n_datasets) - 1) % n_orgs
        legacy = rng.random(n_datasets) < 0.04
        self.dataset_ids = np.array(
            [
                f"{WORDS[i % len(WORDS)]}{i}"
                if legacy[i]
                else f"{self.org_names[dataset_org[i]]}/{WORDS[i % len(WORDS)]}-{i}"
                for i in range(n_datasets)
            ],
            dtype=object,
        )
        popularity = 1.0 / rng.permutation(np.arange(1, n_datasets + 1)) ** 1.1
        self.legacy_alias: dict[int, str] = {}
        famous = [(new, old, self.tasks.index(task)) for new, old, task in FAMOUS if task in self.tasks]
        for slot, (new, old, task) in enumerate(famous[: n_datasets // 10]):
            self.dataset_ids[slot], self.dataset_task[slot], self.dataset_second[slot] = new, task, -1
            popularity[slot] = 1.0
            self.legacy_alias[slot] = old
        # Sorted: dataset i is the i-th created, so the datasets that exist at a time are the indexes before
        # searchsorted(dataset_days, time).
        self.dataset_days = np.sort(rng.random(n_datasets) * SPAN_DAYS)
        # Per-task dataset pools with popularity weights, for drawing declarations; members are in index (so
        # creation) order. Cumulative weights, so a draw is a binary search (rng.choice with p= rebuilds them on
        # every call), and a draw among the first k members scales the uniform by the k-th cumulative weight.
        self.pools: list[tuple[np.ndarray, np.ndarray]] = []
        for t in range(n_tasks):
            members = np.flatnonzero((self.dataset_task == t) | (self.dataset_second == t))
            cumulative = np.cumsum(popularity[members])
            self.pools.append((members, cumulative / cumulative[-1] if members.size else cumulative))
        self.global_cdf = np.cumsum(popularity) / popularity.sum()
        # Models: primary task, org, legacy ids; all small arrays so ids of earlier models can be rebuilt.
        self.model_task = rng.choice(n_tasks, size=n_models, p=self.model_task_p).astype(np.int32)
        self.model_org = ((rng.zipf(1.5, size=n_models) - 1) % n_orgs).astype(np.int32)
        self.model_legacy = rng.random(n_models) < 0.005
        # every_task (tasks: all): each task is some model's pipeline tag even in a small Hub, so the task list read
        # back from the dump is the whole taxonomy. Tasks no model drew take the last models of the largest task;
        # each task's first model always has its pipeline tag. Off by default: the default Hub is unchanged.
        self.tagged: set[int] = set()
        if every_task:
            counts = np.bincount(self.model_task, minlength=n_tasks)
            missing = np.flatnonzero(counts == 0)
            if 0 < missing.size < counts.max():
                donors = np.flatnonzero(self.model_task == int(np.argmax(counts)))[-missing.size :]
                self.model_task[donors] = missing
            self.tagged = {int(np.argmax(self.model_task == t)) for t in np.unique(self.model_task)}
        order = np.argsort(self.model_task, kind="stable")
        bounds = np.searchsorted(self.model_task[order], np.arange(n_tasks + 1))
        self.task_models = [order[bounds[t] : bounds[t + 1]] for t in range(n_tasks)]

    def model_days(self, start: int, stop: int, jitter: np.ndarray) -> np.ndarray:
        """Creation times (days after START) of models ``start``..``stop``: model j in the j-th of n_models equal
        slots of the span (``jitter`` in [0, 1) places it in its slot), so a smaller index is an earlier model."""
        return (np.arange(start, stop) + jitter) / max(self.n_models, 1) * SPAN_DAYS

    def pick_base(self, rng: np.random.Generator, j: int) -> int:
        """An earlier model (so created before ``j``), mostly of the same task, favouring early ones: chains and
        popular roots."""
        task = int(self.model_task[j])
        same_task = self.task_models[task]
        position = int(np.searchsorted(same_task, j))
        if position > 0 and rng.random() < 0.85:
            return int(same_task[int(position * rng.random() ** 3)])
        return int(j * rng.random() ** 3)

    def model_id(self, j: int) -> str:
        task = self.tasks[self.model_task[j]]
        name = f"{ARCHS[j % len(ARCHS)]}-{task}-{j}"
        return name if self.model_legacy[j] else f"{self.org_names[self.model_org[j]]}/{name}"

    # -- datasets -------------------------------------------------------------------------------------
    def dataset_records(self):
        rng = np.random.default_rng([self.seed, 1])
        downloads = np.floor(rng.lognormal(3, 2.5, size=self.n_datasets))
        created_at = iso_times(self.dataset_days)
        for i in range(self.n_datasets):
            categories = [self.tasks[self.dataset_task[i]]]
            second = int(self.dataset_second[i])
            if second >= 0 and self.tasks[second] not in categories:
                categories.append(self.tasks[second])
            dataset_id = self.dataset_ids[i]
            yield {
                "id": dataset_id,
                "author": dataset_id.split("/")[0] if "/" in dataset_id else None,
                "createdAt": created_at[i],
                "downloads": int(downloads[i]),
                "tags": [f"task_categories:{c}" for c in categories] + ["size_categories:1K<n<10K"],
                "cardData": {"task_categories": categories},
            }

    # -- models ---------------------------------------------------------------------------------------
    def declared_datasets(self, rng: np.random.Generator, task: int, existing: int) -> list:
        """A heavy-tailed list of dataset ids, mostly from the model's task, with real-world messiness; only the
        ``existing`` first-created datasets (at least one) can be picked, as a card can only name a dataset that
        exists."""
        k = int(min(rng.zipf(2.2), 150))
        members, cdf = self.pools[task]
        available = int(np.searchsorted(members, existing))  # the pool's members created before the model
        if available and rng.random() < 0.85:
            u = rng.random(k) * cdf[available - 1]
            picks = members[np.minimum(np.searchsorted(cdf, u, side="right"), available - 1)]
        else:
            u = rng.random(k) * self.global_cdf[existing - 1]
            picks = np.minimum(np.searchsorted(self.global_cdf, u, side="right"), existing - 1)
        entries: list = []
        for pick in dict.fromkeys(int(p) for p in picks):
            dataset_id = str(self.dataset_ids[pick])
            roll = rng.random()
            if roll < 0.03:
                dataset_id = dataset_id.upper() if rng.random() < 0.3 else dataset_id.capitalize()
            elif roll < 0.05:
                dataset_id = f"https://huggingface.co/datasets/{dataset_id}"
            elif roll < 0.06:
                dataset_id = f" {dataset_id} "
            elif roll < 0.08 and "/" in dataset_id:
                dataset_id = dataset_id.split("/", 1)[1]
            elif roll < 0.5 and pick in self.legacy_alias:
                dataset_id = self.legacy_alias[pick]
            entries.append(dataset_id)
        roll = rng.random()
        if roll < 0.01:
            entries.append(PSEUDO_DATASETS[int(rng.integers(len(PSEUDO_DATASETS)))])
        elif roll < 0.02:
            entries.append({"name": entries[0], "url": f"https://example.org/{entries[0]}"})
        elif roll < 0.035:
            return [None]
        return entries

    def model_records(self, start: int, stop: int):
        """Records of models ``start``..``stop``; random draws are made per chunk, as arrays."""
        rng = np.random.default_rng([self.seed, 2, start])
        n = stop - start
        days = self.model_days(start, stop, rng.random(n))
        created_at, modified_at = iso_times(days), iso_times(days + 3)
        # How many datasets exist when each model is created: those of index below the count.
        existing = np.searchsorted(self.dataset_days, days, side="left").tolist()
        extra_task = np.where(
            rng.random(n) < 0.12, rng.choice(len(self.tasks), size=n, p=self.model_task_p), -1
        )
        downloads = np.floor(rng.lognormal(1.5, 2.5, size=n)).astype(np.int64)
        likes = rng.geometric(0.6, size=n) - 1
        relation = rng.choice(3, size=n, p=[0.65, 0.2, 0.15])
        n_bases = np.where(rng.random(n) < 0.93, 1, rng.integers(2, 4, size=n))
        (u_library, u_declare, u_ds_shape, u_base, u_renamed, u_base_shape, u_no_card, u_pipeline, u_dup) = (
            rng.random((9, n)).tolist()
        )
        # Python lists: element access in the per-record loop is several times faster than on numpy arrays.
        extra_task, downloads, likes = extra_task.tolist(), downloads.tolist(), likes.tolist()
        relation, n_bases = relation.tolist(), n_bases.tolist()
        # The fields no measure reads come from a stream of their own: the draws above are as they were.
        shapes = demo_shapes.draw(self.seed, start, n)
        sha, n_files, tag_bits, card_bits = shapes["sha"], shapes["files"], shapes["tag_bits"], shapes["card_bits"]
        for offset in range(n):
            j = start + offset
            task = int(self.model_task[j])
            task_name = self.tasks[task]
            nlp = self.domains[task_name] == "nlp"
            model_id = self.model_id(j)
            tags = [task_name]
            if extra_task[offset] >= 0 and extra_task[offset] != task:
                tags.append(self.tasks[extra_task[offset]])
            library = "transformers" if nlp else "diffusers" if u_library[offset] < 0.3 else "timm"
            tags.append(library)
            card: dict | None = {"license": "apache-2.0"}
            if u_declare[offset] < (0.30 if nlp else 0.15) and existing[offset] > 0:
                declared = self.declared_datasets(rng, task, existing[offset])
                shape_roll = u_ds_shape[offset]
                if len(declared) == 1 and isinstance(declared[0], str) and shape_roll < 0.3:
                    card["datasets"] = declared[0]
                elif shape_roll < 0.01:
                    card["datasets"] = None
                elif shape_roll < 0.015:
                    card["datasets"] = []
                elif shape_roll < 0.018:
                    card["datasets"] = 42
                else:
                    card["datasets"] = declared
                tags.extend(f"dataset:{d.strip()}" for d in declared if isinstance(d, str))
            if j > 20 and u_base[offset] < 0.45:
                bases = list(dict.fromkeys(self.pick_base(rng, j) for _ in range(int(n_bases[offset]))))
                base_ids = [self.model_id(b) for b in bases]
                kind = "merge" if len(base_ids) > 1 else RELATIONS[int(relation[offset])]
                for base in base_ids:
                    tags.extend([f"base_model:{base}", f"base_model:{kind}:{base}"])
                card_bases: list[str] = list(base_ids)
                # A renamed base: the card keeps the old name, the tags the new one.
                if u_renamed[offset] < 0.02:
                    card_bases[0] = card_bases[0] + "-old"
                if u_base_shape[offset] < 0.01:
                    card["base_model"] = None
                elif len(card_bases) == 1 and u_base_shape[offset] < 0.85:
                    card["base_model"] = card_bases[0]
                else:
                    card["base_model"] = card_bases
            if u_no_card[offset] < 0.08:
                card = None  # no model card metadata at all
            tags.append("license:apache-2.0")
            tags += demo_shapes.bit_items(demo_shapes.EXTRA_TAGS, tag_bits[offset])
            if card is not None and card_bits[offset]:
                card.update(demo_shapes.card_extras(card_bits[offset], model_id, WORDS[j % len(WORDS)], task_name,
                                                    shapes["languages"][offset], shapes["scores"][offset]))
            record = {
                "_id": f"{j:024x}",
                "id": model_id,
                "modelId": model_id,
                "author": model_id.split("/")[0] if "/" in model_id else None,
                "sha": sha[offset],
                "createdAt": created_at[offset],
                "lastModified": modified_at[offset],
                "pipeline_tag": task_name if u_pipeline[offset] < 0.95 or j in self.tagged else None,
                "library_name": library,
                "tags": tags,
                "downloads": downloads[offset],
                "likes": likes[offset],
                "private": False,
                "config": demo_shapes.config(library, ARCHS[j % len(ARCHS)]),
                "siblings": demo_shapes.siblings(library, n_files[offset]),
                "cardData": card,
            }
            if self.model_legacy[j]:
                del record["id"]  # 2022-era records carry only modelId
            yield record
            if u_dup[offset] < 0.0005:
                yield record  # the same record listed twice, as paging over a changing listing does


def write_jsonl_gz(path: str | os.PathLike[str], records) -> int:
    count = 0
    with gzip_writer(path, compresslevel=3) as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
            count += 1
    return count


def write_demo_dumps(
    domains: Mapping[str, str],
    n_models: int,
    n_datasets: int,
    seed: int,
    models_path: str | os.PathLike[str],
    datasets_path: str | os.PathLike[str],
    every_task: bool = False,
) -> dict:
    """Write the synthetic models and datasets dumps; returns what was written, for the manifest.
    ``every_task``: see :class:`SyntheticHub` (tasks: all)."""
    hub = SyntheticHub(domains, n_models, n_datasets, seed, every_task)

    def all_models():
        for start in range(0, n_models, CHUNK):
            yield from hub.model_records(start, min(n_models, start + CHUNK))

    datasets_written = write_jsonl_gz(datasets_path, hub.dataset_records())
    models_written = write_jsonl_gz(models_path, all_models())
    log.info(
        "synthetic hub: %d model lines, %d dataset lines (seed %d)", models_written, datasets_written, seed
    )
    return {"synthetic": True, "seed": seed, "model_lines": models_written, "dataset_lines": datasets_written}
