"""Step of stage trends: the comparison tables of a run's snapshots, from each snapshot's own tables.

Heavy modules are imported inside the step: a job starts a fresh interpreter and loads only what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hubreuse.core.io import atomic_path

# What each snapshot contributes, by the name its tables have in the workflow.
SNAPSHOT_TABLES = {"rq1": "rq1", "rq2": "rq2", "rq3": "rq3", "children": "rq3_children_per_model",
                   "mean_intervals": "mean_intervals", "concentration": "concentration"}  # fmt: skip


def trends(snapshots: Sequence[Mapping[str, Any]], tables: Mapping[str, Mapping[str, str]], published: str,
           outputs: Mapping[str, str]) -> None:  # fmt: skip
    """``results/tables/trend_<name>.csv`` for each name of :data:`hubreuse.core.names.TREND_TABLES`.

    ``snapshots``: each snapshot's name, date, source and declarations, in date order; ``tables``: per snapshot,
    its tables by the names of :data:`SNAPSHOT_TABLES` (paths); ``published``: the paper's per-task values.
    """
    from hubreuse.core.names import TREND_MEASURES
    from hubreuse.stats.files import read_table
    from hubreuse.stats.published import load_published
    from hubreuse.trends import tables as trend

    frames = {name: {key: read_table(tables[name][key]).drop(columns=["source"], errors="ignore")
                     for key in SNAPSHOT_TABLES} for name in tables}  # fmt: skip
    meta = trend.snapshot_frame(snapshots)
    paper = load_published(published)
    measures = {m: trend.measure_trend(m, meta, frames, paper) for m in TREND_MEASURES}
    results = {**measures, "population": trend.population_trend(meta, frames),
               "concentration": trend.concentration_trend(meta, frames), "changes": trend.changes(measures, meta)}
    for name, frame in results.items():
        with atomic_path(outputs[name]) as tmp:
            frame.to_csv(tmp, index=False)
