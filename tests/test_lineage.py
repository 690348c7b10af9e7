"""Tests of hubreuse.stats.lineage against plain-Python graph walks over lineage2025-models (../shared/corpora), plus
constructed cycles and multi-parent families."""

from __future__ import annotations

import functools
import gzip
import json
from collections import defaultdict, deque

import pandas as pd

from hubreuse.stats import lineage
from tests.conftest import shared_path


@functools.lru_cache(maxsize=1)
def _lineage_records() -> tuple[dict, ...]:
    with gzip.open(shared_path("corpora/lineage2025-models.jsonl.gz"), "rt", encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle)


def _edges(records: tuple[dict, ...]) -> list[tuple[str, str]]:
    """(base, model) pairs from the card's base_model: string -> [s], non-empty list as is, string entries."""
    out = []
    for rec in records:
        card = rec.get("cardData")
        value = card.get("base_model") if isinstance(card, dict) else None
        entries = [value] if isinstance(value, str) else (value if isinstance(value, list) else [])
        out += [(b, rec["id"]) for b in dict.fromkeys(e for e in entries if isinstance(e, str))]
    return out


def _frames(edges: list[tuple[str, str]], ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.DataFrame([(m, b) for b, m in edges], columns=["model_id", "base_model_id"]),
            pd.DataFrame({"model_id": ids}))


def _plain(edges: list[tuple[str, str]]) -> tuple[set[str], dict[str, int], dict[str, set[str]]]:
    kids, parents, nodes = defaultdict(set), defaultdict(set), set()
    for b, m in edges:
        nodes |= {b, m}
        if b != m:
            kids[b].add(m)
            parents[m].add(b)
    roots = {n for n in nodes if kids[n] and not parents[n]}
    depth = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        n = queue.popleft()
        for k in kids[n]:
            if k not in depth:
                depth[k] = depth[n] + 1
                queue.append(k)
    return roots, depth, kids


def _family(root: str, kids: dict[str, set[str]]) -> set[str]:
    seen, stack = {root}, [root]
    while stack:
        for k in kids[stack.pop()]:
            if k not in seen:
                seen.add(k)
                stack.append(k)
    return seen


def test_lineage2025_roots_depth_families_cycles() -> None:
    records = _lineage_records()
    edges = _edges(records)
    model_base, models = _frames(edges, [r["id"] for r in records])
    tables = lineage.lineage_tables(model_base, models, top=20)
    roots, depth, kids = _plain(edges)
    got_roots = tables["lineage_roots"].set_index("root")
    assert set(got_roots.index) == roots
    expected_depth: dict[str, int] = defaultdict(int)
    for d in depth.values():
        expected_depth[str(d)] += 1
    got_depth = tables["lineage_depth"].set_index("depth")["n_nodes"]
    for d, count in expected_depth.items():
        assert got_depth[d] == count
    assert max(depth.values()) >= 5  # real chains: base -> finetune -> quantised ...
    nodes = {x for e in edges for x in e}
    assert got_depth.get("unreachable", 0) == len(nodes - set(depth))
    for root in tables["lineage_families"]["root"]:
        fam = _family(root, kids)
        assert got_roots.loc[root, "family_size"] == len(fam)
        assert got_roots.loc[root, "family_max_depth"] == max(
            _bfs_depth(root, kids)[n] for n in fam)
    self_loops = {m for b, m in edges if b == m}
    assert self_loops  # real cards naming themselves as their base
    cyc = tables["lineage_cycles"]
    singles = set(cyc.loc[cyc["size"] == 1, "members"])
    assert self_loops <= singles | {m for ms in cyc["members"] for m in ms.split(";")}
    summary = tables["lineage_summary"].set_index("measure")["value"]
    assert summary["self_loops"] == len(self_loops)
    assert summary["edges"] == len(edges)


def _bfs_depth(root: str, kids: dict[str, set[str]]) -> dict[str, int]:
    depth, queue = {root: 0}, deque([root])
    while queue:
        n = queue.popleft()
        for k in kids[n]:
            if k not in depth:
                depth[k] = depth[n] + 1
                queue.append(k)
    return depth


def test_constructed_cycle_is_reported_not_looped() -> None:
    edges = [("r", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "x"), ("y", "z"), ("s", "s")]
    model_base, models = _frames(edges, ["r", "a", "b", "c", "x", "y", "z"])
    tables = lineage.lineage_tables(model_base, models)
    cycles = tables["lineage_cycles"]
    assert sorted(cycles["members"]) == ["a;b;c", "s", "x;y"]
    assert sorted(cycles["size"]) == [1, 2, 3]
    depth = tables["lineage_depth"].set_index("depth")["n_nodes"]
    assert depth["0"] == 1 and depth["1"] == 1 and depth["2"] == 1 and depth["3"] == 1  # r, a, b, c
    assert depth["unreachable"] == 4  # x, y, z only reachable through the x <-> y cycle; s only from itself
    assert tables["lineage_roots"]["root"].tolist() == ["r"]
    assert tables["lineage_roots"]["family_size"].tolist() == [4]


def test_model_with_two_parents_belongs_to_both_families() -> None:
    edges = [("p1", "merge"), ("p2", "merge"), ("merge", "q"), ("p1", "f")]
    model_base, models = _frames(edges, ["p1", "merge", "q", "f"])
    roots = lineage.lineage_tables(model_base, models)["lineage_roots"].set_index("root")
    assert roots.loc["p1", "family_size"] == 4 and roots.loc["p2", "family_size"] == 3
    assert not roots.loc["p2", "collected"] and roots.loc["p1", "collected"]
