"""An independent corpus loader for the beyond-paper tests: plain json, no package code.

Builds the data model's matrices from ../shared/corpora with a few lines of plain Python, so measures can be
checked against their definitions.
"""

from __future__ import annotations

import functools
import gzip
import json

import pandas as pd

from tests.conftest import shared_path

# --- independent corpus loader (plain json, no package code) ---------------------------------------------------
NLP = ["feature-extraction", "fill-mask", "question-answering", "sentence-similarity", "summarization",
       "table-question-answering", "text-classification", "text-generation", "text2text-generation",
       "token-classification", "translation", "zero-shot-classification"]
CV = ["depth-estimation", "image-classification", "image-feature-extraction", "image-segmentation", "image-to-3d",
      "image-to-image", "image-to-text", "image-to-video", "keypoint-detection", "mask-generation",
      "object-detection", "text-to-3d", "text-to-image", "text-to-video", "unconditional-image-generation",
      "video-classification", "zero-shot-image-classification", "zero-shot-object-detection"]
DOMAINS = {**{t: "nlp" for t in NLP}, **{t: "cv" for t in CV}}


def _records(name: str) -> list[dict]:
    with gzip.open(shared_path(f"corpora/{name}"), "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _declared(card: object, key: str) -> list | None:
    """The paper's declaration: string s -> [s]; non-empty list -> as is; anything else -> no declaration."""
    value = card.get(key) if isinstance(card, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        return value
    return None


@functools.lru_cache(maxsize=1)
def corpora() -> dict:
    """Raw records and the data-model matrices built from them with plain Python."""
    raw_models, seen = [], set()
    for rec in _records("hub2022-models.jsonl.gz") + _records("lineage2025-models.jsonl.gz"):
        if rec["id"] not in seen:  # first record wins
            seen.add(rec["id"])
            raw_models.append(rec)
    raw_datasets = _records("datasets2023.jsonl.gz")
    rows, mt, md, mb = [], [], [], []
    for rec in raw_models:
        ds, bm = _declared(rec.get("cardData"), "datasets"), _declared(rec.get("cardData"), "base_model")
        rows.append({"model_id": rec["id"], "created_at": rec.get("lastModified"), "tags": list(rec.get("tags") or []),
                     "datasets_n": None if ds is None else len(ds), "base_model_n": None if bm is None else len(bm)})
        mt += [(rec["id"], t) for t in set(rec.get("tags") or []) if t in DOMAINS]
        md += [(rec["id"], d) for d in dict.fromkeys(e for e in ds or [] if isinstance(e, str))]
        mb += [(rec["id"], b) for b in dict.fromkeys(e for e in bm or [] if isinstance(e, str))]
    models = pd.DataFrame(rows)
    models["created_at"] = pd.to_datetime(models["created_at"], utc=True)
    models["datasets_n"] = models["datasets_n"].astype("Int64")
    models["base_model_n"] = models["base_model_n"].astype("Int64")
    dsets = pd.DataFrame({"dataset_id": [r["id"] for r in raw_datasets],
                          "created_at": pd.to_datetime([r.get("createdAt") for r in raw_datasets], utc=True)})
    dt = [(r["id"], t.split(":", 1)[1]) for r in raw_datasets for t in r.get("tags") or []
          if t.startswith("task_categories:") and t.split(":", 1)[1] in DOMAINS]
    return {
        "raw_models": raw_models, "raw_datasets": raw_datasets, "models": models, "datasets": dsets,
        "model_task": pd.DataFrame(mt, columns=["model_id", "task"]),
        "model_dataset": pd.DataFrame(md, columns=["model_id", "dataset_id"]),
        "model_base": pd.DataFrame(mb, columns=["model_id", "base_model_id"]),
        "dataset_task": pd.DataFrame(list(dict.fromkeys(dt)), columns=["dataset_id", "task"]),
    }
# ----------------------------------------------------------------------------------------------------------------
