"""Model lineage: family trees built from base-model edges (base -> derived model).

Why: reuse as a base is layered (a base is fine-tuned, the fine-tune quantised, merged...). Roots, depth and
family sizes say how deep and how wide that layering goes; cycles (a card naming its own descendant, or itself)
are legal but messy metadata and must be reported, never crash or loop.

Graph: nodes are every id appearing in ``model_base`` (as model or as base), edge base_model_id -> model_id. Bases
outside the collected population are nodes too (``collected`` says which). All algorithms are iterative over numpy
arrays (CSR adjacency, frontier expansion, scipy strongly-connected components): no recursion, linear-ish in edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from hubreuse.stats.idcodes import isin_ids


def _graph(model_base: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    edges = model_base[["base_model_id", "model_id"]].dropna().drop_duplicates()
    nodes = pd.Index(pd.unique(pd.concat([edges["base_model_id"], edges["model_id"]], ignore_index=True)))
    parent = nodes.get_indexer(edges["base_model_id"])
    child = nodes.get_indexer(edges["model_id"])
    return nodes, parent.astype(np.int64), child.astype(np.int64)


def _expand(indptr: np.ndarray, indices: np.ndarray, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children of every frontier node, vectorised: (position in frontier, child) pairs."""
    starts, ends = indptr[frontier], indptr[frontier + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(frontier)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, indices[starts[owner] + offsets]


def lineage_tables(model_base: pd.DataFrame, models: pd.DataFrame, top: int = 100) -> dict[str, pd.DataFrame]:
    """Lineage tables, keyed by their intended file stem under ``results/tables/``:

    - ``lineage_summary``: measure, value (nodes, edges, collected models without any edge, roots, max depth,
      nodes unreachable from any root, cyclic groups, self-loops).
    - ``lineage_roots``: every root (a node with at least one child and no parent): root, collected, n_children,
      family_size, family_max_depth.
    - ``lineage_depth``: depth, n_nodes, n_collected; depth = fewest base-model edges from any root (roots 0);
      nodes reachable from no root (only via cycles) get depth "unreachable".
    - ``lineage_families``: the ``top`` largest families. A family is a root and every node reachable from it;
      a model with several parents (merges) belongs to the family of each of its roots, so family sizes can sum to
      more than the number of nodes.
    - ``lineage_cycles``: one row per strongly connected component with more than one node, or self-loop:
      cycle_id, size, members (";"-joined sorted ids).
    """
    nodes, parent, child = _graph(model_base)
    n = len(nodes)
    collected = isin_ids(nodes, models["model_id"])
    # Self-loops are reported as cycles but ignored for roots, depth and families (a model naming itself as its
    # own base says nothing about where it comes from).
    proper = parent != child
    adj = sparse.csr_matrix((np.ones(int(proper.sum()), dtype=np.int8), (parent[proper], child[proper])),
                            shape=(n, n))
    adj.sum_duplicates()
    indptr, indices = adj.indptr.astype(np.int64), adj.indices.astype(np.int64)
    n_children = np.diff(indptr)
    n_parents = np.bincount(child[proper], minlength=n)
    roots = np.flatnonzero((n_parents == 0) & (n_children > 0))

    # Depth: breadth-first frontier from all roots at once; each node enters the frontier once.
    depth = np.full(n, -1, dtype=np.int64)
    depth[roots] = 0
    frontier, level = roots, 0
    while len(frontier):
        _, kids = _expand(indptr, indices, frontier)
        kids = np.unique(kids)
        kids = kids[depth[kids] < 0]
        level += 1
        depth[kids] = level
        frontier = kids

    # Families: propagate (root, node) pairs level by level; visited pairs never re-enter, so cycles terminate.
    fam_root = roots.copy()
    fam_node = roots.copy()
    fam_depth = np.zeros(len(roots), dtype=np.int64)
    visited = np.sort(fam_root * n + fam_node)
    f_root, f_node, level = roots, roots, 0
    chunks_root, chunks_depth = [fam_root], [fam_depth]
    while len(f_node):
        owner, kids = _expand(indptr, indices, f_node)
        keys = np.unique(f_root[owner] * n + kids)
        pos = np.searchsorted(visited, keys)
        pos = np.minimum(pos, len(visited) - 1) if len(visited) else pos
        fresh = keys[(visited[pos] != keys)] if len(visited) else keys
        level += 1
        visited = np.sort(np.concatenate([visited, fresh]), kind="stable")  # fresh: distinct, not yet visited
        f_root, f_node = fresh // n, fresh % n
        chunks_root.append(f_root)
        chunks_depth.append(np.full(len(fresh), level, dtype=np.int64))
    all_root = np.concatenate(chunks_root)
    all_depth = np.concatenate(chunks_depth)
    fam = pd.DataFrame({"root": all_root, "d": all_depth}).groupby("root")["d"].agg(["size", "max"])

    root_table = pd.DataFrame(
        {
            "root": nodes[roots].astype("string"),
            "collected": collected[roots],
            "n_children": n_children[roots],
            "family_size": fam["size"].reindex(roots).to_numpy(),
            "family_max_depth": fam["max"].reindex(roots).to_numpy(),
        }
    ).sort_values(["family_size", "root"], ascending=[False, True]).reset_index(drop=True)

    reach = depth >= 0
    depth_table = (
        pd.DataFrame({"depth": depth[reach], "collected": collected[reach]})
        .groupby("depth")
        .agg(n_nodes=("collected", "size"), n_collected=("collected", "sum"))
        .reset_index()
    )
    depth_table["depth"] = depth_table["depth"].astype(str)
    if (~reach).any():
        depth_table = pd.concat(
            [depth_table, pd.DataFrame({"depth": ["unreachable"], "n_nodes": [int((~reach).sum())],
                                        "n_collected": [int(collected[~reach].sum())]})],
            ignore_index=True,
        )

    # Cycles: strongly connected components of size > 1, plus self-loops.
    _, labels = csgraph.connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels)
    self_loop = np.flatnonzero(parent == child)
    cyc_nodes = np.flatnonzero(sizes[labels] > 1)
    frame = pd.DataFrame({"label": labels[cyc_nodes], "id": nodes[cyc_nodes].astype(str)})
    loops = pd.DataFrame({"label": -1 - np.arange(len(self_loop)), "id": nodes[parent[self_loop]].astype(str)})
    frame = pd.concat([frame, loops[~loops["id"].isin(frame["id"])]], ignore_index=True)
    cycles = (
        frame.sort_values("id").groupby("label")["id"].agg(size="size", members=";".join).reset_index(drop=True)
        .sort_values(["size", "members"], ascending=[False, True]).reset_index(drop=True)
    )
    cycles.insert(0, "cycle_id", np.arange(1, len(cycles) + 1))

    edge_ids = pd.unique(np.concatenate([nodes[parent].astype(str), nodes[child].astype(str)])) if n else []
    summary = pd.DataFrame(
        [
            ("nodes", n),
            ("nodes_collected", int(collected.sum())),
            ("edges", int(len(parent))),
            ("collected_models_without_edges", int((~isin_ids(models["model_id"].drop_duplicates(), edge_ids)).sum())),
            ("roots", len(roots)),
            ("roots_collected", int(collected[roots].sum())),
            ("max_depth", int(depth.max()) if n else 0),
            ("nodes_unreachable_from_roots", int((~reach).sum())),
            ("cyclic_groups", len(cycles)),
            ("self_loops", len(self_loop)),
            ("largest_family", int(root_table["family_size"].max()) if len(root_table) else 0),
        ],
        columns=["measure", "value"],
    )
    return {
        "lineage_summary": summary,
        "lineage_roots": root_table,
        "lineage_depth": depth_table,
        "lineage_families": root_table.head(top).copy(),
        "lineage_cycles": cycles,
    }
