"""Inference helpers: bootstrap intervals of means, and p-values and significance codes as R prints them.

Expected values come from independent computations: plain means, scipy's own bootstrap, R's printed forms. The
NLP-against-CV tests are in test_domain_comparison.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hubreuse.stats import inference


def frame(nlp: list[int], cv: list[int]) -> pd.DataFrame:
    rows = [("t-nlp", "nlp", f"n{i}", v) for i, v in enumerate(nlp)] + [
        ("t-cv", "cv", f"c{i}", v) for i, v in enumerate(cv)
    ]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


NLP = [0, 1, 1, 2, 3, 5, 0, 8, 1, 2, 13, 0, 4, 1, 2]
CV = [0, 0, 1, 0, 2, 1, 0, 3, 0, 1, 0, 6]


def test_r_style_pvalues_and_significance_stars():
    assert inference.format_pvalue(1e-300) == "<2e-16"
    assert inference.format_pvalue(0.01234) == "0.0123"
    assert inference.format_pvalue(3.2e-7) == "3.20e-07"
    stars = [inference.significance_stars(p) for p in (0.0005, 0.005, 0.03, 0.07, 0.5)]
    assert stars == ["***", "**", "*", ".", ""]


def test_bootstrap_ci_contains_mean_is_seeded_and_agrees_with_scipy():
    rng = np.random.default_rng(1)
    x = rng.negative_binomial(1, 0.3, size=400)
    mean, lo, hi = inference.bootstrap_mean_ci(x, n_resamples=4000, seed=7)
    assert mean == pytest.approx(x.sum() / len(x))
    assert lo < mean < hi
    assert inference.bootstrap_mean_ci(x, n_resamples=4000, seed=7) == (mean, lo, hi)
    assert inference.bootstrap_mean_ci(x, n_resamples=4000, seed=8) != (mean, lo, hi)
    ref = stats.bootstrap((x,), np.mean, n_resamples=20000, method="percentile", random_state=3)
    ref = ref.confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.05 * mean)
    assert hi == pytest.approx(ref.high, abs=0.05 * mean)
    assert inference.bootstrap_mean_ci([4], n_resamples=100) == (4.0, 4.0, 4.0)
    assert all(math.isnan(v) for v in inference.bootstrap_mean_ci([], n_resamples=100))


def test_bootstrap_means_keeps_every_task_in_order():
    values = frame(NLP, CV)
    table = inference.bootstrap_means(values, order=["t-cv", "t-nlp", "t-empty"], n_resamples=500, seed=0)
    assert list(table["task"]) == ["t-cv", "t-nlp", "t-empty"]
    assert list(table["n"]) == [len(CV), len(NLP), 0]
    assert table.loc[0, "mean"] == pytest.approx(sum(CV) / len(CV))
    assert math.isnan(table.loc[2, "mean"])
