"""How the stats jobs read the matrices and write their tables: every table says its source.

A CSV table carries a ``source`` column and a Parquet values file its source in the schema metadata, so a table
read alone still says whether it came from synthetic data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hubreuse.core.io import atomic_path
from hubreuse.core.settings import source_label

if TYPE_CHECKING:
    import pandas as pd

Paths = Mapping[str, str | os.PathLike[str]]


def read_table(source: str | os.PathLike[str] | pd.DataFrame | None) -> pd.DataFrame | None:
    """A table from a DataFrame or a CSV/Parquet path; None when not given or the file does not exist.

    CSV cells are read as written (``NA``, ``null`` or ``None`` as an id stay strings); only empty cells are
    missing values. Floats are read back exactly as the stats jobs computed them (they write the shortest
    representation that round-trips), so a number printed from a table is the number that was computed.
    """
    import pandas as pd

    if source is None or isinstance(source, pd.DataFrame):
        return source
    path = Path(source)
    if not path.exists():
        return None
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    # pandas 3 reads floats back exactly by default (and deprecates the option); pandas 2 needs the round-trip parser.
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **exact)


def load_matrices(matrices: Paths, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The named matrices (``matrices``: matrix name -> path) as pandas frames."""
    import pyarrow.parquet as pq

    return {name: pq.read_table(matrices[name]).to_pandas() for name in names}


def load_models(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The models matrix without its tags (lists of strings are slow and large in pandas)."""
    import pyarrow.parquet as pq

    columns = [name for name in pq.read_schema(path).names if name != "tags"]
    return pq.read_table(path, columns=columns).to_pandas()


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str], source: str) -> None:
    """CSV with a ``source`` column, so a table read alone still says whether it is synthetic."""
    table = table.copy()
    table["source"] = source_label(source)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)  # shortest exact repr: values round-trip


def write_values(values: pd.DataFrame, path: str | os.PathLike[str], source: str) -> None:
    """Parquet tagged with its source in the schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(values, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata({"hubreuse.source": source}), tmp, compression="zstd")
