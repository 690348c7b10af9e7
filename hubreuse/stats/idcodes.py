"""Integer codes for repo ids, so the measures join and group on integers instead of strings.

Why: at Hub scale every measure joins millions of model ids; pandas hashes Arrow-backed strings afresh (and
converts them to Python objects) in every merge, ``map`` and ``isin``, which made the beyond-paper stage spend
most of its time on string hashing. A step encodes all its id columns against one shared, sorted vocabulary once
(Arrow kernels), runs the unchanged measures on the codes, and decodes the id columns of what it writes.

One vocabulary serves model, base-model and dataset ids alike: equal strings get equal codes wherever they occur
(a base_model entry meets the model it names), and the vocabulary is sorted, so ordering by code is ordering by
id. Nulls stay missing (the column becomes float with NaN), so ``dropna`` and joins behave as on the strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values: pd.Series | pd.Index | pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    if isinstance(values, pa.ChunkedArray):
        return values
    array = pa.array(values)  # zero-copy for Arrow-backed pandas strings
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


class IdCodes:
    """A sorted vocabulary of id strings and the two directions of the mapping."""

    def __init__(self, vocabulary: pa.Array) -> None:
        self.vocabulary = vocabulary

    @classmethod
    def build(cls, columns: Sequence[pd.Series | pd.Index | pa.Array | pa.ChunkedArray]) -> tuple[IdCodes, list[np.ndarray]]:
        """The vocabulary of ``columns`` and each column's codes, hashing every value once."""
        arrays = [_arrow(column).cast(pa.string()) for column in columns]
        encoded = pc.dictionary_encode(pa.chunked_array([c for a in arrays for c in a.chunks], pa.string()))
        chunks = encoded.chunks  # Arrow gives every chunk the same, final dictionary
        dictionary = chunks[0].dictionary if chunks else pa.array([], pa.string())
        order = pc.sort_indices(dictionary).to_numpy()
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order), dtype="int64")
        indices = pa.chunked_array([chunk.indices for chunk in chunks], pa.int32())
        codes, start = [], 0
        for array in arrays:
            codes.append(cls._ranked(indices.slice(start, len(array)), rank))
            start += len(array)
        return cls(dictionary.take(pa.array(order))), codes

    @staticmethod
    def _ranked(indices: pa.ChunkedArray, rank: np.ndarray) -> np.ndarray:
        if indices.null_count:
            raw = indices.to_numpy().astype("float64")  # nulls -> NaN
            out = np.full(len(raw), np.nan)
            valid = ~np.isnan(raw)
            out[valid] = rank[raw[valid].astype("int64")]
            return out
        return rank[indices.to_numpy().astype("int64", copy=False)]

    def encode(self, values: pd.Series | pd.Index | pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Codes of ``values`` (int64; float64 with NaN where a value is null). Every value must be in the
        vocabulary: a missing one is a programming error, not bad input."""
        array = _arrow(values).cast(pa.string())
        codes = pc.index_in(array, value_set=self.vocabulary)
        if codes.null_count != array.null_count:
            raise ValueError(f"{codes.null_count - array.null_count} id(s) not in the vocabulary")
        if codes.null_count:
            return codes.to_numpy().astype("float64")
        return codes.to_numpy().astype("int64", copy=False)

    def decode(self, codes: pd.Series | np.ndarray) -> pd.Series:
        """The id strings of ``codes`` (missing stays missing), as a pandas string column."""
        index = codes.index if isinstance(codes, pd.Series) else None
        values = np.asarray(codes, dtype="float64")
        valid = ~np.isnan(values)
        positions = pa.array(np.where(valid, values, 0).astype("int64"), mask=~valid)
        strings = self.vocabulary.take(positions).to_pandas()
        if index is not None:
            strings.index = index
        return strings

    def decode_frame(self, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        """A copy of ``frame`` with the code ``columns`` (those present) replaced by their id strings."""
        present = [column for column in columns if column in frame.columns]
        return frame.assign(**{column: self.decode(frame[column]).to_numpy() for column in present})


MATRIX_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "models": ("model_id",),
    "model_task": ("model_id",),
    "model_base": ("model_id", "base_model_id"),
    "model_dataset": ("model_id", "dataset_id"),
    "card_base": ("model_id", "base_model_id"),
    "card_dataset": ("model_id", "dataset_id"),
    "datasets": ("dataset_id",),
    "dataset_task": ("dataset_id",),
}


def encode_tables(tables: Mapping[str, pd.DataFrame], extra: Mapping[str, Sequence[str]] | None = None,
                  ) -> tuple[dict[str, pd.DataFrame], IdCodes]:  # fmt: skip
    """Encode the id columns of ``tables`` against one vocabulary built from all of them: the matrices' own
    (:data:`MATRIX_ID_COLUMNS`, by table name) and ``extra`` ones (table name -> columns) of derived tables;
    other tables pass through unchanged."""
    id_columns = {name: MATRIX_ID_COLUMNS[name] for name in tables if name in MATRIX_ID_COLUMNS} | dict(extra or {})
    pairs = [(name, column) for name, cols in id_columns.items() for column in cols]
    codes, encoded = IdCodes.build([tables[name][column] for name, column in pairs])
    out = dict(tables)
    for name in id_columns:
        out[name] = tables[name].copy(deep=False)
    for (name, column), values in zip(pairs, encoded, strict=True):
        out[name][column] = values
    return out, codes


def isin_ids(values: pd.Series | pd.Index, pool: pd.Series | pd.Index) -> np.ndarray:
    """Boolean membership of ``values`` in ``pool`` via a hash index: pandas' own ``isin`` on Arrow-backed strings
    builds a Python list of the values and is ~10x slower on millions of ids."""
    index = pd.Index(pd.unique(pd.Series(pool).dropna()))
    return index.get_indexer(pd.Index(values)) >= 0
