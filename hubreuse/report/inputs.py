"""What the report reads: the pipeline's tables by name, each as a DataFrame, absent ones left out.

Why by name: the workflow passes every table as name -> path (the names of :mod:`hubreuse.core.names`), tests
pass DataFrames under the same names, and a name that is missing, or whose file does not exist, renders as "not
computed in this run" instead of failing the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from hubreuse.stats.files import read_table  # noqa: F401 - the report's reader of every table

# The paper's tables are named by their file stems in the workflow and by rq1..rq3 in the report.
PAPER_FILES = {"rq1_datasets_per_model": "rq1", "rq2_models_per_dataset": "rq2", "rq3_base_models_per_model": "rq3"}


def load_inputs(sources: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """All given tables by name (file stems of the paper tables mapped to rq1..rq3), without their ``source``
    column (but the trend tables, whose rows each name their own); absent ones left out."""
    tables = {}
    for name, source in sources.items():
        table = read_table(source)
        if table is not None:
            # A trend table's source is its row's snapshot's (snapshots may differ); every other table has one.
            keep = name.startswith("trend_")
            tables[PAPER_FILES.get(name, name)] = table if keep else table.drop(columns=["source"], errors="ignore")
    return tables
