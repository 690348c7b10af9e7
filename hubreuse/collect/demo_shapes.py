"""The fields of the synthetic Hub's model records that no measure reads, so that records are as large and as rich
as real ones.

Real model records carry much that the analysis never looks at: the commit ``sha``, ``library_name``, ``config``,
the repository's files (``siblings``, the largest field), framework and region tags, and card keys such as
``language``, ``tags``, ``metrics``, ``widget`` and ``model-index``. Parsing cost and dump sizes depend on them, so
a demo without them understates both (``benchmarks/record_shapes.py`` measures it; ``benchmarks/RESULTS.md`` has
the demo beside ``../shared/corpora/hub2022-models.jsonl.gz`` and ``../shared/api-samples``). Their values are drawn
from a stream of their own (``[seed, 3, start]``), never from the streams the analysed fields are drawn from, so
adding them changed no id, tag the analysis reads, date or declaration, and no table. Shapes follow the real
records (``siblings`` a list of ``{"rfilename": ...}``, ``sha`` 40 hex digits); the probabilities are set so that
bytes and tags per record match the 2022 corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

REPO_FILES = {
    "transformers": [".gitattributes", "README.md", "config.json", "pytorch_model.bin", "tokenizer_config.json",
                     "special_tokens_map.json", "vocab.json", "training_args.bin", "tokenizer.json", "merges.txt",
                     "model.safetensors", "generation_config.json", "vocab.txt"],
    "diffusers": [".gitattributes", "README.md", "model_index.json", "scheduler/scheduler_config.json",
                  "text_encoder/config.json", "text_encoder/model.safetensors", "tokenizer/merges.txt",
                  "tokenizer/vocab.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                  "vae/config.json", "vae/diffusion_pytorch_model.safetensors"],
    "timm": [".gitattributes", "README.md", "config.json", "model.safetensors", "pytorch_model.bin"],
}  # fmt: skip
# Tags the Hub adds that name no task, dataset or base model (none is a task of hubreuse/data/task_domains.csv).
EXTRA_TAGS = ("pytorch", "safetensors", "jax", "tensorboard", "en", "generated_from_trainer", "autotrain_compatible",
              "endpoints_compatible", "region:us")  # fmt: skip
EXTRA_TAG_P = (0.4, 0.12, 0.05, 0.05, 0.1, 0.05, 0.04, 0.04, 0.05)
CARD_EXTRAS = ("language", "tags", "metrics", "widget", "model-index")
CARD_EXTRA_P = (0.1, 0.12, 0.05, 0.06, 0.07)
LANGUAGES = ["en", "de", "fr", "es", "zh", "ja", "ru", "ar", "hi", "pt", "it", "ko", "nl", "sv", "tr", "pl"]
METRICS = ["accuracy", "f1", "precision", "recall", "bleu", "rouge", "wer", "map"]
FILES_MEDIAN, FILES_SIGMA, FILES_MAX = 7.0, 0.45, 400
SHARDED = 0.03


def draw(seed: int, start: int, n: int) -> dict[str, list]:
    """Per-record draws for models ``start``..``start + n``, as Python lists (fast to index in the record loop):
    sha, files (sibling count), tag_bits and card_bits (:func:`subset_bits`), languages, scores."""
    rng = np.random.default_rng([seed, 3, start])
    files = np.ceil(rng.lognormal(np.log(FILES_MEDIAN), FILES_SIGMA, size=n))
    files = np.minimum(np.where(rng.random(n) < SHARDED, files * 4, files), FILES_MAX)  # a few big repositories
    return {
        "sha": np.frombuffer(rng.bytes(20 * n).hex().encode(), dtype="S40").astype(str).tolist(),
        "files": files.astype(np.int64).tolist(),
        "tag_bits": subset_bits(rng, n, EXTRA_TAG_P),
        "card_bits": subset_bits(rng, n, CARD_EXTRA_P),
        "languages": np.minimum(rng.geometric(0.6, size=n), len(LANGUAGES)).tolist(),
        "scores": rng.random(n).tolist(),
    }


def subset_bits(rng: np.random.Generator, n: int, p: Sequence[float]) -> list[int]:
    """``n`` random subsets of ``len(p)`` items, item k kept with probability ``p[k]``, as bit masks."""
    return ((rng.random((n, len(p))) < np.asarray(p)) @ (1 << np.arange(len(p)))).tolist()


@lru_cache(maxsize=1024)
def bit_items(items: tuple[str, ...], bits: int) -> list[str]:
    """The items whose bit is set in ``bits`` (bit k for ``items[k]``): a drawn subset, built once per subset."""
    return [item for k, item in enumerate(items) if bits >> k & 1]


@lru_cache(maxsize=4096)
def siblings(library: str, count: int) -> list[dict]:
    """``count`` repository files of a ``library`` model as the API lists them: the usual files, then weight
    shards. Cached and shared between records (they are only serialised), as most repositories hold the same."""
    files = REPO_FILES[library][:count]
    shards = count - len(files)
    files += [f"model-{k + 1:05d}-of-{shards:05d}.safetensors" for k in range(shards)]
    return [{"rfilename": name} for name in files]


@lru_cache(maxsize=256)
def config(library: str, arch: str) -> dict | None:
    """The ``config`` summary the API returns for a model of ``library`` and architecture ``arch``."""
    if library == "transformers":
        return {"architectures": [f"{arch.capitalize()}ForSequenceClassification"], "model_type": arch}
    return {"diffusers": {"_class_name": "StableDiffusionPipeline"}} if library == "diffusers" else None


def card_extras(bits: int, name: str, word: str, task: str, languages: int, score: float) -> dict:
    """The card keys of :data:`CARD_EXTRAS` selected by ``bits``, for model ``name`` of ``task``; ``word`` names its
    evaluation dataset, ``languages`` counts languages (and model-index results), ``score`` is its metric value."""
    extras: dict = {}
    for key in bit_items(CARD_EXTRAS, bits):
        if key == "language":
            extras[key] = LANGUAGES[0] if languages == 1 else LANGUAGES[:languages]
        elif key == "tags":
            extras[key] = ["generated_from_trainer", word][: 1 + languages % 2]
        elif key == "metrics":
            extras[key] = METRICS[: languages]
        elif key == "widget":
            extras[key] = [{"text": f"An example about {word} for {task}."}] * languages
        else:
            result = {"task": {"type": task, "name": task.replace("-", " ").title()},
                      "dataset": {"name": word, "type": word, "split": "test"},
                      "metrics": [{"type": m, "value": round(score, 4), "name": m.title()} for m in METRICS[:3]]}
            extras[key] = [{"name": name, "results": [result] * languages}]
    return extras
