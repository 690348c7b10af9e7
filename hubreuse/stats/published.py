"""The study's published per-task values (Park & Yoon 2025), shipped in ``hubreuse/data/published_values.csv``.

Why here, before the report: the replication section and the comparison of snapshots both show them, always
labelled as published and never mixed into a computed statistic.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hubreuse.core.errors import InputError
from hubreuse.core.settings import data_path

PUBLISHED_COLUMNS = ["rq", "domain", "task", "mean", "sd"]


def published_path() -> Path:
    return data_path("published_values.csv")


def load_published(path: str | Path | None = None) -> pd.DataFrame:
    """The published table (rq, domain, task, mean, sd); ``#`` lines are the citation header."""
    path = published_path() if path is None else Path(path)
    table = pd.read_csv(path, comment="#", dtype={"rq": str, "domain": str, "task": str})
    missing = [c for c in PUBLISHED_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}")
    return table[PUBLISHED_COLUMNS]
