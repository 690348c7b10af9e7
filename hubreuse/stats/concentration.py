"""Concentration of reuse: Gini, HHI, top shares, Lorenz curves, bootstrap intervals, heavy-tail comparison.

Why: a mean and sd (all the paper reports) cannot say whether reuse is spread evenly or held by a few datasets or
models. These measures say how unequal each task's distribution is, with 95% bootstrap intervals, and whether its
tail is power-law, lognormal or exponential (Clauset, Shalizi & Newman 2009, via the ``powerlaw`` package).

Input everywhere: a per-unit frame with columns task, domain, unit_id, value (non-negative counts), e.g.
``results/stats/rq2_values.parquet``. The bootstrap works on counts of distinct values (a multinomial draw per
replicate is exactly a resample of the units with replacement), so it costs O(replicates x distinct values), not
O(replicates x units), and runs on millions of units.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import warnings

import numpy as np
import pandas as pd

TOP_SHARES = {"top1": 0.01, "top10": 0.10}
_MAX_CELLS = 20_000_000  # bootstrap replicates x distinct values held in memory at once


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: G = 2*sum_i(i*x_(i)) / (n*sum x) - (n+1)/n, x sorted ascending,
    i = 1..n. 0 = all equal, (n-1)/n = one unit holds everything; NaN when n = 0 or the total is 0."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return float("nan")
    return float(2.0 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)


def top_k(n: int, share: float) -> int:
    """Number of units in the top ``share`` of n units: ceil(share*n), at least 1 (when n > 0)."""
    return max(1, math.ceil(share * n - 1e-9)) if n > 0 else 0


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v, c = np.unique(np.asarray(values, dtype=float), return_counts=True)
    return v, c


def _stats_from_counts(v: np.ndarray, counts: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Mean, Gini, HHI and top shares for each row of ``counts`` (replicates x distinct values, v ascending)."""
    counts = np.atleast_2d(counts).astype(float)
    total = counts @ v
    cum = np.cumsum(counts, axis=1)
    prev = cum - counts
    # Sum over ranks i of one block of c copies at ranks prev+1..cum is c*(prev+cum+1)/2.
    rank_sum = (v * counts * (prev + cum + 1) / 2.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(total > 0, 2.0 * rank_sum / (n * total) - (n + 1) / n, np.nan)
        hhi = np.where(total > 0, (counts * v**2).sum(axis=1) / total**2, np.nan)
        out = {"mean": total / n, "gini": g, "hhi": hhi}
        # Top m units: walk blocks from the largest value down, take min(count, remaining).
        rev_counts = counts[:, ::-1]
        rev_v = v[::-1]
        before = np.cumsum(rev_counts, axis=1) - rev_counts
        for name, share in TOP_SHARES.items():
            m = top_k(n, share)
            take = np.clip(m - before, 0, rev_counts)
            out[name] = np.where(total > 0, (take * rev_v).sum(axis=1) / total, np.nan)
    return out


def _bootstrap(v: np.ndarray, c: np.ndarray, n_boot: int, seed: int) -> dict[str, np.ndarray]:
    """Percentile 95% intervals from ``n_boot`` multinomial resamples of the units (seeded)."""
    rng = np.random.default_rng(seed)
    n = int(c.sum())
    p = c / n
    chunk = max(1, _MAX_CELLS // max(1, len(v)))
    parts: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        draws = rng.multinomial(n, p, size=size)
        for key, arr in _stats_from_counts(v, draws, n).items():
            parts.setdefault(key, []).append(arr)
        done += size
    return {k: np.concatenate(a) for k, a in parts.items()}


def concentration_row(values: np.ndarray, n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """All concentration measures and their 95% percentile-bootstrap intervals for one vector of values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    row: dict[str, float] = {"n": n, "total": float(x.sum()) if n else 0.0,
                             "share_zero": float((x == 0).mean()) if n else float("nan")}
    if n == 0:
        for key in ["mean", "gini", "hhi", "top1", "top10"]:
            row[key] = row[f"{key}_lo"] = row[f"{key}_hi"] = float("nan")
        return row
    v, c = _distinct(x)
    point = _stats_from_counts(v, c, n)
    boot = _bootstrap(v, c, n_boot, seed) if n_boot > 0 else None
    for key, arr in point.items():
        row[key] = float(arr[0])
        if boot is not None:
            sample = boot[key][~np.isnan(boot[key])]
            lo, hi = np.percentile(sample, [2.5, 97.5]) if len(sample) else (np.nan, np.nan)
            row[f"{key}_lo"], row[f"{key}_hi"] = float(lo), float(hi)
        else:
            row[f"{key}_lo"] = row[f"{key}_hi"] = float("nan")
    return row


def concentration_table(values: pd.DataFrame, measure: str, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``results/tables/concentration_{measure}.csv``: per task, n, total, share_zero, mean, gini, hhi,
    top1_share, top10_share, each with a 95% percentile-bootstrap interval (_lo, _hi; ``n_boot`` resamples of the
    task's units, seeded by ``seed``).

    HHI = sum of squared shares of the total (1/n = equal, 1 = one unit holds all). top1/top10 share = share of the
    total held by the ceil(1%/10% * n) units with the largest values (ties cut by count).
    """
    rows = []
    for (task, domain), group in values.groupby(["task", "domain"], sort=False):
        row = concentration_row(group["value"].to_numpy(dtype=float), n_boot=n_boot, seed=seed)
        rows.append({"task": task, "domain": domain, "measure": measure, **row})
    cols = ["task", "domain", "measure", "n", "total", "share_zero",
            "mean", "mean_lo", "mean_hi", "gini", "gini_lo", "gini_hi", "hhi", "hhi_lo", "hhi_hi",
            "top1", "top1_lo", "top1_hi", "top10", "top10_lo", "top10_hi"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.rename(columns={"top1": "top1_share", "top10": "top10_share"})
    out["n"] = out["n"].astype("int64")
    out["n_boot"] = n_boot
    out["seed"] = seed
    return out


def lorenz_points(values: pd.DataFrame, max_points: int = 1000) -> pd.DataFrame:
    """``results/tables/lorenz_{measure}.csv``: Lorenz curve per task, units sorted by value ascending.

    Points (population_share, value_share) at (0, 0) and at the end of each block of equal values; the curve is
    exactly linear between them, so the table is exact however many units there are. With more than
    ``max_points`` distinct values, evenly spaced block ends are kept (first and last always).
    """
    frames = []
    for (task, domain), group in values.groupby(["task", "domain"], sort=False):
        v, c = _distinct(group["value"].to_numpy(dtype=float))
        if len(v) == 0:
            continue
        n = c.sum()
        total = (v * c).sum()
        pop = np.concatenate([[0.0], np.cumsum(c) / n])
        val = np.concatenate([[0.0], np.cumsum(v * c) / total]) if total > 0 else np.full(len(v) + 1, np.nan)
        if len(pop) > max_points:
            keep = np.unique(np.linspace(0, len(pop) - 1, max_points).round().astype(int))
            pop, val = pop[keep], val[keep]
        frames.append(pd.DataFrame({"task": task, "domain": domain, "population_share": pop, "value_share": val}))
    if not frames:
        return pd.DataFrame(columns=["task", "domain", "population_share", "value_share"])
    return pd.concat(frames, ignore_index=True)


def _compare_verdict(r: float, p: float, other: str, alpha: float = 0.1) -> str:
    if not np.isfinite(r) or not np.isfinite(p):
        return f"power law vs {other}: not computable"
    if p >= alpha:
        return f"power law vs {other}: indistinguishable (R={r:.2f}, p={p:.3f})"
    winner = "power law" if r > 0 else other
    return f"power law vs {other}: {winner} favoured (R={r:.2f}, p={p:.3g})"


def _best_fit(r_ln: float, p_ln: float, r_exp: float, p_exp: float, alpha: float = 0.1) -> str:
    exp_wins = np.isfinite(p_exp) and p_exp < alpha and r_exp < 0
    pl_beats_exp = np.isfinite(p_exp) and p_exp < alpha and r_exp > 0
    ln_wins = np.isfinite(p_ln) and p_ln < alpha and r_ln < 0
    pl_beats_ln = np.isfinite(p_ln) and p_ln < alpha and r_ln > 0
    if exp_wins:
        return "exponential (not heavy-tailed)"
    if ln_wins:
        return "lognormal"
    if pl_beats_ln and pl_beats_exp:
        return "power law"
    if pl_beats_exp:
        return "heavy-tailed (power law and lognormal indistinguishable)"
    return "inconclusive"


def heavy_tail_row(values: np.ndarray, min_n: int = 50, max_n: int = 100_000, seed: int = 0) -> dict[str, object]:
    """Fit a discrete power law (xmin by KS minimisation) to the positive values and compare it with lognormal and
    exponential by normalised loglikelihood ratio (R > 0 favours the power law; p is the significance of the sign).

    Zeros are left out (a power law has no zeros). With more than ``max_n`` positive values a seeded random
    subsample of ``max_n`` is fitted (xmin search is quadratic-ish); ``subsampled`` says so. ``alpha_se`` (the
    standard error of alpha, (alpha - 1) / sqrt(n_tail)) and ``ks_d`` (the KS distance of the fitted tail, as
    powerlaw computes it at the distinct tail values) come last, so a reader can judge how well alpha is pinned
    down and how close the fit is, not only which family wins.
    """
    x = np.asarray(values, dtype=float)
    pos = x[np.isfinite(x) & (x > 0)]
    row: dict[str, object] = {"n": int(len(x)), "n_positive": int(len(pos)), "n_fit": 0, "subsampled": False,
                              "xmin": np.nan, "alpha": np.nan, "n_tail": 0, "R_lognormal": np.nan,
                              "p_lognormal": np.nan, "R_exponential": np.nan, "p_exponential": np.nan,
                              "best_fit": "", "verdict": "", "alpha_se": np.nan, "ks_d": np.nan}  # fmt: skip
    if len(pos) < min_n or len(np.unique(pos)) < 3:
        row["best_fit"] = "not fitted"
        row["verdict"] = (f"too few positive values to fit (n_positive={len(pos)}, distinct={len(np.unique(pos))}; "
                          f"need >= {min_n} and >= 3 distinct)")
        return row
    if len(pos) > max_n:
        pos = np.random.default_rng(seed).choice(pos, size=max_n, replace=False)
        row["subsampled"] = True
    row["n_fit"] = int(len(pos))
    import powerlaw  # local import: heavy module, only needed here

    sink = io.StringIO()
    logger = logging.getLogger("powerlaw")
    old_level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fit = powerlaw.Fit(pos, discrete=True, verbose=False)
            row["xmin"] = float(fit.power_law.xmin)
            row["alpha"] = float(fit.power_law.alpha)
            row["n_tail"] = int(np.sum(pos >= fit.power_law.xmin))
            # powerlaw 2 names the standard error standard_err (sigma, its old name, is deprecated).
            row["alpha_se"] = float(fit.power_law.standard_err)
            row["ks_d"] = float(fit.power_law.D)
            r_ln, p_ln = fit.distribution_compare("power_law", "lognormal", normalized_ratio=True)
            r_ex, p_ex = fit.distribution_compare("power_law", "exponential", normalized_ratio=True)
    except (ValueError, ZeroDivisionError, FloatingPointError) as error:
        # powerlaw cannot fit some small or degenerate tails (e.g. xmin leaves no points): report, don't fail.
        row["best_fit"] = "not fitted"
        row["verdict"] = f"fit failed ({error})"
        return row
    finally:
        logger.setLevel(old_level)
    row["R_lognormal"], row["p_lognormal"] = float(r_ln), float(p_ln)
    row["R_exponential"], row["p_exponential"] = float(r_ex), float(p_ex)
    row["best_fit"] = _best_fit(row["R_lognormal"], row["p_lognormal"], row["R_exponential"], row["p_exponential"])
    row["verdict"] = "; ".join(
        [f"best: {row['best_fit']}", _compare_verdict(row["R_lognormal"], row["p_lognormal"], "lognormal"),
         _compare_verdict(row["R_exponential"], row["p_exponential"], "exponential")]
    )
    return row


def heavy_tail_table(values: pd.DataFrame, measure: str, min_n: int = 50, max_n: int = 100_000,
                     seed: int = 0) -> pd.DataFrame:
    """``results/tables/heavy_tail_{measure}.csv``: per task, the power-law fit (xmin, alpha, n_tail) and the
    loglikelihood-ratio comparisons with lognormal and exponential (R, p), best_fit and a verdict sentence, then
    alpha's standard error and the fit's KS distance (alpha_se, ks_d).
    Tasks with too few positive values get a row saying so instead of failing."""
    rows = []
    for (task, domain), group in values.groupby(["task", "domain"], sort=False):
        row = heavy_tail_row(group["value"].to_numpy(dtype=float), min_n=min_n, max_n=max_n, seed=seed)
        rows.append({"task": task, "domain": domain, "measure": measure, **row})
    return pd.DataFrame(rows)
