"""Integer codes for ids: one sorted vocabulary shared by every column, nulls kept missing, exact round trip."""

import numpy as np
import pandas as pd
import pytest

from hubreuse.stats.idcodes import IdCodes, encode_tables


def test_codes_are_shared_sorted_and_round_trip():
    models = pd.DataFrame({"model_id": ["org/b", "org/a", "Org/c"]})
    edges = pd.DataFrame({"model_id": ["org/a", "org/a"], "base_model_id": ["org/b", "elsewhere/z"]})
    coded, ids = encode_tables({"models": models, "edges": edges},
                               {"models": ["model_id"], "edges": ["model_id", "base_model_id"]})  # fmt: skip
    vocabulary = sorted({"org/b", "org/a", "Org/c", "elsewhere/z"})
    assert ids.vocabulary.to_pylist() == vocabulary
    assert coded["models"]["model_id"].tolist() == [vocabulary.index(v) for v in models["model_id"]]
    # A base-model entry gets the code of the model it names.
    assert coded["edges"]["base_model_id"].iloc[0] == coded["models"]["model_id"].iloc[0]
    assert ids.decode(coded["edges"]["base_model_id"]).tolist() == ["org/b", "elsewhere/z"]
    assert models["model_id"].tolist() == ["org/b", "org/a", "Org/c"]  # inputs untouched


def test_nulls_stay_missing_and_unknown_ids_are_refused():
    ids, (codes,) = IdCodes.build([pd.Series(["b", None, "a"])])
    assert np.isnan(codes[1]) and codes[0] == 1 and codes[2] == 0
    decoded = ids.decode(pd.Series(codes, index=[10, 11, 12]))
    assert decoded.index.tolist() == [10, 11, 12]
    assert decoded[10] == "b" and pd.isna(decoded[11]) and decoded[12] == "a"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        ids.encode(pd.Series(["c"]))


def test_many_chunks_share_one_vocabulary():
    import pyarrow as pa

    first = pa.chunked_array([pa.array(["d", "a"]), pa.array(["c", "a", "b"])])
    second = pd.Series(["b", "e", "d"])
    ids, (codes_first, codes_second) = IdCodes.build([first, second])
    assert ids.vocabulary.to_pylist() == ["a", "b", "c", "d", "e"]
    assert codes_first.tolist() == [3, 0, 2, 0, 1]
    assert codes_second.tolist() == [1, 4, 3]
