"""Inference for the stats tables: bootstrap intervals for means, and the two-sample tests of NLP against CV.

Why these: the paper reports means and sds only. A reader needs to know how precise a task's mean is (95%
percentile-bootstrap interval), and whether NLP and CV differ beyond noise. Units are nested in tasks (12 NLP and
18 CV in the study), so the domain tests here respect the tasks: the ratio of mean task means takes the tasks as
units (bootstrap and permutation over tasks), and the rank test's interval resamples whole tasks. The count
regression of the units lives in :mod:`hubreuse.stats.count_models`; the table that puts them together in
:mod:`hubreuse.stats.domains`.

Everything works on per-unit values (``results/stats/rq*_values.parquet``: task, domain, unit_id, value). Resampling
works on counts over the distinct values, which is identical in distribution to resampling the units with
replacement and costs O(resamples x distinct values) instead of O(resamples x units): millions of units stay fast.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"
_MAX_CELLS = 20_000_000


# --------------------------------------------------------------------------------------------- bootstrap


def bootstrap_mean_ci(values: np.ndarray, n_resamples: int = 2000, seed: int = 0,
                      level: float = 0.95) -> tuple[float, float, float]:  # fmt: skip
    """(mean, lower, upper): percentile bootstrap interval of the mean, seeded, vectorised.

    n = 0 gives NaNs; n = 1 gives a degenerate interval at the single value.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1 or n_resamples <= 0:
        return (mean, mean, mean) if n == 1 else (mean, math.nan, math.nan)
    v, c = np.unique(x, return_counts=True)
    rng = np.random.default_rng(seed)
    p = c / n
    chunk = max(1, _MAX_CELLS // max(1, len(v)))
    means = np.empty(n_resamples)
    done = 0
    while done < n_resamples:
        size = min(chunk, n_resamples - done)
        means[done:done + size] = rng.multinomial(n, p, size=size) @ v / n  # fmt: skip
        done += size
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(means, [tail, 100.0 - tail])
    return (mean, float(lo), float(hi))


def bootstrap_means(values: pd.DataFrame, order: list[str] | None = None, n_resamples: int = 2000,
                    seed: int = 0, level: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Per task: task, domain, n, mean, ci_lo, ci_hi. Every task of ``order`` gets a row (empty: NaN).

    Each task is resampled with the same seed, so one task's interval does not depend on the others'.
    """
    groups = {task: group["value"].to_numpy() for task, group in values.groupby("task", sort=False)}
    domains = values.drop_duplicates("task").set_index("task")["domain"].to_dict()
    tasks = list(order) if order is not None else list(groups)
    rows = []
    for task in tasks:
        x = groups.get(task, np.empty(0))
        mean, lo, hi = bootstrap_mean_ci(x, n_resamples=n_resamples, seed=seed, level=level)
        rows.append({"task": task, "domain": domains.get(task), "n": int(len(x)), "mean": mean,
                     "ci_lo": lo, "ci_hi": hi})  # fmt: skip
    return pd.DataFrame(rows, columns=["task", "domain", "n", "mean", "ci_lo", "ci_hi"])


# --------------------------------------------------------------------------------------------- p-values


def significance_stars(p: float) -> str:
    """R's significance codes."""
    if p is None or not np.isfinite(p):
        return ""
    for cut, star in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < cut:
            return star
    return ""


def format_pvalue(p: float) -> str:
    """p as R's ``format.pval`` prints it in ``summary()``: ``<2e-16`` below machine epsilon, else 3 digits."""
    if p is None or not np.isfinite(p):
        return "NA"
    if p < 2.2e-16:
        return "<2e-16"
    if p < 1e-4:
        return f"{p:.2e}"
    return f"{p:.3g}"


# --------------------------------------------------------------------------------------------- NLP against CV


class RatioTest(NamedTuple):
    """Ratio of the mean of sample a to the mean of sample b, its interval, and the permutation p-value."""

    estimate: float
    ci_low: float
    ci_high: float
    log_ratio: float
    p_value: float


def _ratio(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean(a, axis=axis) / np.mean(b, axis=axis)


def _log_ratio(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(_ratio(a, b, axis=axis))


def ratio_of_means(a: np.ndarray, b: np.ndarray, n_resamples: int, seed: int,
                   level: float = 0.95) -> RatioTest:  # fmt: skip
    """mean(a) / mean(b) with a percentile bootstrap interval (a and b resampled separately) and a two-sided
    permutation test of the labels (statistic: the log ratio), each seeded with ``seed``.

    For the domains compared with tasks as units, a and b are the task means of NLP and CV: the precision then
    comes from the spread between tasks, which pooling the units ignores. The percentile interval is used (not
    BCa) as everywhere else in the project; it stays defined when a resample is degenerate.
    """
    from scipy import stats as sps

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    estimate = float(_ratio(a, b))
    boot = sps.bootstrap((a, b), _ratio, n_resamples=n_resamples, method="percentile", confidence_level=level,
                         vectorized=True, random_state=np.random.default_rng(seed))  # fmt: skip
    perm = sps.permutation_test((a, b), _log_ratio, permutation_type="independent", n_resamples=n_resamples,
                                vectorized=True, alternative="two-sided",
                                random_state=np.random.default_rng(seed))  # fmt: skip
    return RatioTest(estimate, float(boot.confidence_interval.low), float(boot.confidence_interval.high),
                     math.log(estimate), float(perm.pvalue))  # fmt: skip


class RankTest(NamedTuple):
    """Mann-Whitney U of sample a against b, its p-value, P(a > b) + P(tie) / 2 and a cluster-bootstrap interval."""

    u: float
    p_value: float
    estimate: float
    ci_low: float
    ci_high: float


def _histograms(index: np.ndarray, clusters: np.ndarray, n_values: int) -> np.ndarray:
    """Units per (cluster, distinct value): one row per cluster (in sorted order), one column per value."""
    codes, uniques = pd.factorize(pd.Series(clusters), sort=True)
    flat = np.bincount(codes * n_values + index, minlength=len(uniques) * n_values)
    return flat.reshape(len(uniques), n_values).astype(float)


def auc_from_histograms(hist_a: np.ndarray, hist_b: np.ndarray) -> np.ndarray:
    """P(a > b) + P(tie) / 2 for each row of two (resamples x distinct values) count matrices, values ascending."""
    below_b = np.cumsum(hist_b, axis=-1) - hist_b
    with np.errstate(divide="ignore", invalid="ignore"):
        return (hist_a * (below_b + 0.5 * hist_b)).sum(axis=-1) / (hist_a.sum(axis=-1) * hist_b.sum(axis=-1))


def cluster_rank_test(a: np.ndarray, clusters_a: np.ndarray, b: np.ndarray, clusters_b: np.ndarray,
                      n_resamples: int, seed: int, level: float = 0.95) -> RankTest:  # fmt: skip
    """Two-sided Mann-Whitney U test of a against b (scipy, units as independent) and a percentile interval of
    P(a > b) + P(tie) / 2 that resamples whole clusters (tasks) within each sample, seeded.

    Why clusters: the units of a task share its conventions, so the interval must carry the between-task spread.
    Why histograms: a resample is a weighted sum of per-cluster histograms over the distinct values (counts drawn
    once, multinomially), and the AUC of two summed histograms needs one cumulative sum, so the cost is
    O(resamples x distinct values x clusters), whatever the number of units. With fewer than 2 clusters in a
    sample the interval is left empty (NaN).
    """
    from scipy import stats as sps

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    res = sps.mannwhitneyu(a, b, alternative="two-sided")
    u = float(res.statistic)
    estimate = u / (len(a) * len(b))
    values, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    hist_a = _histograms(index[: len(a)], clusters_a, len(values))
    hist_b = _histograms(index[len(a) :], clusters_b, len(values))
    if min(len(hist_a), len(hist_b)) < 2 or n_resamples <= 0:
        return RankTest(u, float(res.pvalue), estimate, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    draws = [rng.multinomial(len(h), np.full(len(h), 1.0 / len(h)), size=n_resamples).astype(float)
             for h in (hist_a, hist_b)]  # fmt: skip
    aucs = np.empty(n_resamples)
    chunk = max(1, _MAX_CELLS // (8 * len(values)))  # a few (chunk x values) temporaries at a time
    for start in range(0, n_resamples, chunk):
        rows = slice(start, start + chunk)
        aucs[rows] = auc_from_histograms(draws[0][rows] @ hist_a, draws[1][rows] @ hist_b)
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(aucs, [tail, 100.0 - tail])
    return RankTest(u, float(res.pvalue), estimate, float(lo), float(hi))
