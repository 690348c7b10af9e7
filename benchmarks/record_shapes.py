"""How big and how rich Hub records are: the yardstick the synthetic Hub's records are matched against.

Usage::

    python benchmarks/record_shapes.py ../shared/corpora/hub2022-models.jsonl.gz results/raw/demo/models.jsonl.gz
    python benchmarks/record_shapes.py --markdown FILE ...   # one Markdown table row per source
    python benchmarks/record_shapes.py --card-only FILE ...  # only the records with a non-empty cardData

A source is a JSON Lines dump (plain or gzip, one record per line) or a single JSON record (``.json``, e.g. a
``GET /api/models/{id}`` response). Per record it measures the bytes of the record as one compact JSON line (as
``orjson.dumps`` writes it: what a dump line costs to store and to parse, whatever spacing the file had), the number
of ``tags``, of ``cardData`` keys (0 without a card) and of ``siblings``; per source it reports their mean and
p50/p90/p99 (numpy's linear interpolation) and the share of records whose ``cardData`` is a non-empty object.
Sizes are compared on the re-serialised line so that a dump written with spaces is not counted larger.
"""

from __future__ import annotations

import argparse
import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson

MEASURES = ("bytes", "tags", "card_keys", "siblings")
PERCENTILES = (50, 90, 99)
MIN_FOR_PERCENTILES = 20  # below this, percentiles of a handful of records say nothing: shown as "-"


def records(path: str | os.PathLike[str]) -> Iterator[dict]:
    """The records of a dump (``.jsonl``/``.jsonl.gz``: one per line) or of a single-record ``.json`` file."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        if path.suffix == ".json":
            yield orjson.loads(handle.read())
            return
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def record_shape(record: dict) -> tuple[int, int, int, int]:
    """(compact JSON bytes, tags, cardData keys, siblings) of one record; a field of the wrong type counts 0."""
    tags, card, siblings = record.get("tags"), record.get("cardData"), record.get("siblings")
    return (
        len(orjson.dumps(record)),
        len(tags) if isinstance(tags, list) else 0,
        len(card) if isinstance(card, dict) else 0,
        len(siblings) if isinstance(siblings, list) else 0,
    )


def summarise(shapes: np.ndarray) -> dict:
    """Mean and percentiles of each measure over an (n, 4) array of :func:`record_shape` rows."""
    n = int(shapes.shape[0])
    out: dict = {"records": n, "share_with_card": float((shapes[:, 2] > 0).mean()) if n else float("nan")}
    for column, name in enumerate(MEASURES):
        values = shapes[:, column].astype(np.float64)
        out[f"{name}_mean"] = float(values.mean()) if n else float("nan")
        for q in PERCENTILES:
            enough = n >= MIN_FOR_PERCENTILES
            out[f"{name}_p{q}"] = float(np.percentile(values, q)) if enough else None
    return out


def measure(path: str | os.PathLike[str], card_only: bool = False) -> dict:
    """:func:`summarise` of every record of ``path`` (``card_only``: of those with a non-empty ``cardData``, to
    compare like with like when one source has far more cards than another)."""
    shapes = np.array([record_shape(record) for record in records(path)], dtype=np.int64).reshape(-1, 4)
    if card_only:
        shapes = shapes[shapes[:, 2] > 0]
    return {"source": str(path) + (" (with card)" if card_only else ""), **summarise(shapes)}


def _number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def markdown_row(result: dict, label: str | None = None) -> str:
    """One row of RESULTS.md's table: source, records, mean/p90 bytes, tags, card keys, siblings, share with card."""
    cells = [label or result["source"].rsplit("/", 1)[-1], f"{result['records']:,}", _number(result["bytes_mean"]),
             _number(result["bytes_p90"]), _number(result["tags_mean"], 1), _number(result["card_keys_mean"], 1),
             _number(result["siblings_mean"], 1), f"{result['share_with_card']:.0%}"]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


MARKDOWN_HEADER = (
    "| source | records | mean bytes | p90 bytes | tags mean | card keys mean | siblings mean | share with card |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def text_report(result: dict) -> str:
    """Every measure of one source, one line each."""
    lines = [f"{result['source']}: {result['records']:,} records, {result['share_with_card']:.1%} with cardData"]
    for name in MEASURES:
        quantiles = "  ".join(f"p{q} {_number(result[f'{name}_p{q}'])}" for q in PERCENTILES)
        lines.append(f"  {name:<9} mean {_number(result[f'{name}_mean'], 1):>9}  {quantiles}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", help="JSON Lines dumps (.jsonl, .jsonl.gz) or single records (.json)")
    parser.add_argument("--markdown", action="store_true", help="print one Markdown table row per source")
    parser.add_argument("--card-only", action="store_true", help="measure only records with a non-empty cardData")
    args = parser.parse_args(argv)
    results = [measure(source, args.card_only) for source in args.sources]
    if args.markdown:
        print(MARKDOWN_HEADER)
        print("\n".join(markdown_row(result) for result in results))
    else:
        print("\n".join(text_report(result) for result in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
