"""What the report reads: the pipeline's tables by name, each as a DataFrame, absent ones left out.

Why by name: the workflow passes every table as name -> path (the names of :mod:`hubreuse.core.names`), tests
pass DataFrames under the same names, and a name that is missing, or whose file does not exist, renders as "not
computed in this run" instead of failing the report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

# pandas 3 reads floats back exactly by default (and deprecates the option); pandas 2 needs the round-trip parser.
EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
# The paper's tables are named by their file stems in the workflow and by rq1..rq3 in the report.
PAPER_FILES = {"rq1_datasets_per_model": "rq1", "rq2_models_per_dataset": "rq2", "rq3_base_models_per_model": "rq3"}


def read_table(source: str | os.PathLike[str] | pd.DataFrame | None) -> pd.DataFrame | None:
    """A table from a DataFrame or a CSV/Parquet path; None when not given or the file does not exist.

    CSV cells are read as written (``NA``, ``null`` or ``None`` as an id stay strings); only empty cells are
    missing values. Floats are read back exactly as the stats jobs computed them (they write the shortest
    representation that round-trips), so a number printed from a table is the number that was computed.
    """
    if source is None or isinstance(source, pd.DataFrame):
        return source
    path = Path(source)
    if not path.exists():
        return None
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **EXACT_FLOATS)


def load_inputs(sources: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """All given tables by name (file stems of the paper tables mapped to rq1..rq3), without their ``source``
    column; absent ones left out."""
    tables = {}
    for name, source in sources.items():
        table = read_table(source)
        if table is not None:
            tables[PAPER_FILES.get(name, name)] = table.drop(columns=["source"], errors="ignore")
    return tables
