"""Task memberships: distinct (id, task) pairs in (task, id) order, as plain Python sorts and de-duplicates them."""

from __future__ import annotations

import pyarrow as pa

from hubreuse.matrices.build import task_memberships

LISTINGS = {
    "text-generation": ["org/b", "org/a", "org/b", "Org/a", "org/é"],
    "fill-mask": ["org/a", "org/c", "org/c"],
    "image-to-3d": [],
    "audio": ["z/z"],
}


def test_memberships_are_distinct_pairs_sorted_by_task_then_id() -> None:
    tables = {task: pa.table({"model_id": pa.array(ids, pa.string())}) for task, ids in LISTINGS.items()}
    expected = sorted({(task, model) for task, ids in LISTINGS.items() for model in ids},
                      key=lambda pair: (pair[0].encode(), pair[1].encode()))  # fmt: skip
    for threads in (1, 2):
        got = task_memberships(tables, "model_id", threads)
        assert got.column_names == ["model_id", "task"]
        assert list(zip(got.column("task").to_pylist(), got.column("model_id").to_pylist(), strict=True)) == expected
