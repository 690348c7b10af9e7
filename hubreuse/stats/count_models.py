"""Count regressions of value ~ domain on distinct units, with standard errors cluster-robust by task.

Why a module of its own: the NLP-against-CV model (:mod:`hubreuse.stats.domains`) is a negative binomial or Poisson
regression with one binary predictor, optionally zero-truncated (RQ1 and RQ3 count only units that declare
something, so their values start at 1), and its units are nested in tasks, so its standard errors are the
cluster-robust sandwich by task. statsmodels fits these models on the raw units, but on a paper-scale frame
(480,000 Zipf-distributed units over 30 tasks) its zero-truncated negative binomial ran 205 s without converging
and its negative binomial returned NaN standard errors. The one-factor design (value ~ domain, a dummy per domain)
allows an exact, fast fit:

- units with equal (task, domain, value) are exchangeable, so everything is computed on the distinct triples with
  frequency weights (O(distinct values x tasks), not O(units));
- for a fixed dispersion alpha the ML mean of each domain solves one equation: the (truncated) model mean equals
  the domain's sample mean, so for the untruncated models the ML rate ratio is the ratio of the domain means;
- alpha is found on the profile likelihood (a grid over log alpha, then Brent), so a maximum at either boundary
  is recognised instead of failing. alpha -> 0 (no overdispersion): the Poisson counterpart is fitted. alpha -> Inf
  (theta -> 0), which zero-truncated counts with a long tail after a mass at 1 do show (RQ1 and RQ3 on the demo
  Hub): the zero-truncated negative binomial tends to the logarithmic series P(y) = -p^y / (y log(1 - p)), fitted
  as the limit model with logit p = intercept + coefficient x. Its coefficient is the limit of the negative
  binomial's log rate ratio (mu = theta p / (1 - p), so the ratio of the untruncated means tends to the ratio of
  p / (1 - p)), and its p-value tests the same null.

The standard errors are those of statsmodels' ``cov_type="cluster"`` (and of R's ``sandwich::vcovCL``, type HC1):
the sandwich H^-1 M H^-1 of the observed information H and the outer products M of the per-task score sums,
times G/(G-1) (N-1)/(N-K) (G tasks, N units, K parameters, alpha included). The tests check them against
statsmodels on small frames. theta = 1/alpha is reported with its model-based standard error, as ``glm.nb``
prints it. For the truncated models exp(coefficient) is the ratio of the untruncated (parent) means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

NEGBIN, POISSON, LOGSERIES = "negbin", "poisson", "logseries"
ZT_NEGBIN, ZT_POISSON = "zt_negbin", "zt_poisson"
LOG_ALPHA_GRID = np.arange(-14.0, 20.5, 1.0)  # alpha from 8e-7 to 5e8; the ends: Poisson / logarithmic series
NO_OVERDISPERSION = 1e-4  # alpha x largest mean below this: NB variance within 0.01% of the Poisson variance
LEVEL = 0.95
LOGSERIES_NOTE = ("theta -> 0 (the zero-truncated negative binomial's ML lies at this boundary): its limit, the "
                  "logarithmic series, fitted; the rate ratio is the limit of the ratio of untruncated means (the "
                  "ratio of p / (1 - p))")  # fmt: skip


@dataclass(frozen=True)
class CountData:
    """Distinct (cluster, domain, value) triples with their number of units (``w``)."""

    y: np.ndarray
    x: np.ndarray  # the domain's code as a float: 0.0 the baseline level (CV of NLP / CV), 1.0, 2.0... the others
    w: np.ndarray
    cluster: np.ndarray  # codes 0..n_clusters-1
    n_clusters: int
    truncated: bool

    @property
    def n_units(self) -> int:
        return int(self.w.sum())

    @property
    def n_groups(self) -> int:
        """Domains in the model: the codes run 0..n_groups-1 (at least 2, as in a two-domain comparison)."""
        return max(2, int(self.x.max(initial=0.0)) + 1)

    def indicators(self) -> list[np.ndarray]:
        """One 0/1 column per non-baseline domain (code 1, 2...): the design's dummies."""
        return [(self.x == float(j)).astype(float) for j in range(1, self.n_groups)]


@dataclass(frozen=True)
class CountFit:
    """A fitted model (``error`` empty) or the reason it could not be fitted; ``note`` says what was done."""

    method: str
    coefficient: float = math.nan
    std_error: float = math.nan
    statistic: float = math.nan
    p_value: float = math.nan
    intercept: float = math.nan
    intercept_std_error: float = math.nan
    intercept_statistic: float = math.nan
    intercept_p_value: float = math.nan
    theta: float = math.nan
    theta_std_error: float = math.nan
    log_likelihood: float = math.nan
    aic: float = math.nan
    rate_ratio: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    n_clusters: int = 0
    note: str = ""
    error: str = ""
    params: np.ndarray | None = field(default=None, compare=False, repr=False)  # all of the fit's parameters
    covariance: np.ndarray | None = field(default=None, compare=False, repr=False)  # their cluster-robust one


def compress(values: np.ndarray, groups: np.ndarray, clusters: np.ndarray, truncated: bool) -> CountData:
    """The units as distinct (cluster, domain, value) triples with frequency weights; clusters coded 0..G-1.
    ``groups``: each unit's domain code, 0 for the baseline level (a boolean "is NLP" for NLP / CV)."""
    frame = pd.DataFrame({"c": np.asarray(clusters), "x": np.asarray(groups, dtype=float),
                          "y": np.asarray(values, dtype=float)})  # fmt: skip
    counts = frame.value_counts(sort=False).reset_index(name="w")
    codes, uniques = pd.factorize(counts["c"], sort=True)
    return CountData(counts["y"].to_numpy(float), counts["x"].to_numpy(float), counts["w"].to_numpy(float),
                     codes.astype(np.int64), len(uniques), truncated)  # fmt: skip


def loglik_rows(d: CountData, eta: np.ndarray, family: str, theta: float = math.nan) -> np.ndarray:
    """Log-likelihood of each distinct row (not weighted) at linear predictor ``eta``: log mu for the negative
    binomial (dispersion 1 / ``theta``) and Poisson, logit p for the logarithmic series."""
    from scipy.special import gammaln

    y = d.y
    if family == LOGSERIES:
        return -y * np.log1p(np.exp(-eta)) - np.log(y) - np.log(np.log1p(np.exp(eta)))
    mu = np.exp(eta)
    if family == POISSON:
        ll = y * eta - mu - gammaln(y + 1.0)
        return ll - np.log(-np.expm1(-mu)) if d.truncated else ll
    r = np.log1p(mu / theta)  # log((theta + mu) / theta)
    ll = gammaln(y + theta) - gammaln(theta) - gammaln(y + 1.0) - theta * r + y * (eta - np.log(theta + mu))
    return ll - np.log(-np.expm1(-theta * r)) if d.truncated else ll


def score_rows(d: CountData, eta: np.ndarray, family: str, theta: float = math.nan) -> np.ndarray:
    """Per distinct row (not weighted), d loglik / d (intercept, coefficient[, log alpha])."""
    from scipy.special import digamma, expit

    y = d.y
    if family == LOGSERIES:
        p = expit(eta)
        s_eta = y * (1.0 - p) - p / np.log1p(np.exp(eta))
        return np.column_stack([s_eta, *(s_eta * x for x in d.indicators())])
    mu = np.exp(eta)
    if family == POISSON:
        s_eta = y - (mu / -np.expm1(-mu) if d.truncated else mu)
        return np.column_stack([s_eta, *(s_eta * x for x in d.indicators())])
    r = np.log1p(mu / theta)
    q = -np.expm1(-theta * r)  # 1 - P(0)
    s_eta = theta / (theta + mu) * (y - (mu / q if d.truncated else mu))
    d_theta = digamma(y + theta) - digamma(theta) - r + (mu - y) / (theta + mu)
    if d.truncated:
        d_theta = d_theta + (1.0 - q) / q * (mu / (theta + mu) - r)
    return np.column_stack([s_eta, *(s_eta * x for x in d.indicators()), -theta * d_theta])


def model_mean(eta: float, family: str, theta: float, truncated: bool) -> float:
    """E[y] at linear predictor ``eta``: mu, or mu / (1 - P(0)) when zero-truncated; for the logarithmic series
    p / ((1 - p) (-log(1 - p))) with p = expit(eta)."""
    if family == LOGSERIES:
        softplus = math.log1p(math.exp(eta)) if eta < 30 else eta + math.log1p(math.exp(-eta))
        return math.exp(eta) / softplus if eta > -30 else 1.0 + math.exp(eta) / 2.0
    mu = math.exp(eta)
    if not truncated:
        return mu
    p_positive = -math.expm1(-mu) if family == POISSON else -math.expm1(-theta * math.log1p(mu / theta))
    return mu / p_positive if p_positive > 0 else 1.0


def group_eta(mean: float, family: str, theta: float, truncated: bool) -> float:
    """The ML linear predictor of one domain: the eta whose model mean equals the domain's sample mean.

    Untruncated: log(mean). Truncated: the model mean rises from 1 (eta -> -inf) without bound, so the root is
    bracketed by doubling and found by Brent's method.
    """
    from scipy.optimize import brentq

    if not truncated:
        return math.log(mean)
    f = lambda eta: model_mean(eta, family, theta, True) - mean  # noqa: E731
    high = math.log(mean) + 1.0
    while f(high) < 0:
        high = 2.0 * high + 1.0
    return float(brentq(f, -60.0, high, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def ml_params(d: CountData, family: str, theta: float = math.nan) -> np.ndarray:
    """(intercept, coefficient per non-baseline domain[, log alpha]): the ML estimates of the family (for the
    negative binomial, given theta), from each domain's sample mean (with one dummy per domain the ML means of
    the domains are free of each other)."""
    eta_base, *etas = (group_eta(m, family, theta, d.truncated) for m in domain_means(d))
    head = [eta_base, *(eta - eta_base for eta in etas)]
    return np.array([*head, -math.log(theta)] if family == NEGBIN else head)


def _split(params: np.ndarray, d: CountData, family: str) -> tuple[np.ndarray, float]:
    k = d.n_groups
    if k == 2:
        eta = params[0] + params[1] * d.x
    else:
        eta = np.concatenate([[params[0]], params[0] + params[1:k]])[d.x.astype(np.int64)]
    return eta, (math.exp(-params[k]) if family == NEGBIN else math.nan)


def total_loglik(d: CountData, params: np.ndarray, family: str) -> float:
    """Log-likelihood of all units (each distinct row times its number of units)."""
    eta, theta = _split(params, d, family)
    return float(d.w @ loglik_rows(d, eta, family, theta))


def total_score(d: CountData, params: np.ndarray, family: str) -> np.ndarray:
    """Gradient of :func:`total_loglik` in the parameters."""
    eta, theta = _split(params, d, family)
    return d.w @ score_rows(d, eta, family, theta)


def hessian(d: CountData, params: np.ndarray, family: str) -> np.ndarray:
    """Observed Hessian of the log-likelihood: central differences of the analytic score."""
    k = len(params)
    out = np.empty((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = h = 1e-5 * (1.0 + abs(params[j]))
        up, down = total_score(d, params + step, family), total_score(d, params - step, family)
        out[:, j] = (up - down) / (2.0 * h)
    return (out + out.T) / 2.0


def cluster_covariance(d: CountData, params: np.ndarray, family: str, hess: np.ndarray) -> np.ndarray:
    """Cluster-robust covariance, as statsmodels' ``cov_type="cluster"`` computes it (see the module docstring)."""
    eta, theta = _split(params, d, family)
    scores = score_rows(d, eta, family, theta) * d.w[:, None]
    sums = np.zeros((d.n_clusters, scores.shape[1]))
    np.add.at(sums, d.cluster, scores)
    bread = np.linalg.inv(-hess)
    n, k, g = d.n_units, len(params), d.n_clusters
    return g / (g - 1.0) * (n - 1.0) / (n - k) * bread @ (sums.T @ sums) @ bread


def domain_means(d: CountData) -> tuple[float, ...]:
    """The sample means of the units of each domain, by code (CV, NLP for NLP / CV)."""
    masks = [d.x == float(j) for j in range(d.n_groups)]
    return tuple(float(d.w[m] @ d.y[m] / d.w[m].sum()) for m in masks)


def profile_alpha(d: CountData) -> tuple[float, str]:
    """log alpha maximising the negative binomial's profile likelihood, and where it lies: ``""`` inside the grid,
    ``POISSON`` at its lower end (alpha -> 0), ``LOGSERIES`` at its upper end (alpha -> Inf)."""
    from scipy.optimize import minimize_scalar

    def negative(log_alpha: float) -> float:
        return -total_loglik(d, ml_params(d, NEGBIN, math.exp(-log_alpha)), NEGBIN)

    values = [negative(a) for a in LOG_ALPHA_GRID]
    best = int(np.nanargmin(values))
    if best in (0, len(LOG_ALPHA_GRID) - 1):
        return float(LOG_ALPHA_GRID[best]), (POISSON if best == 0 else LOGSERIES)
    res = minimize_scalar(negative, bounds=(LOG_ALPHA_GRID[best - 1], LOG_ALPHA_GRID[best + 1]), method="bounded",
                          options={"xatol": 1e-9})  # fmt: skip
    return float(res.x), ""


def _wald(estimate: float, se: float) -> tuple[float, float]:
    z = estimate / se if se > 0 else math.nan
    return z, (math.erfc(abs(z) / math.sqrt(2.0)) if math.isfinite(z) else math.nan)


def fit_family(d: CountData, method: str, family: str, theta: float = math.nan, note: str = "") -> CountFit:
    """The ML fit of one family (the negative binomial at the given theta, which is then also estimated), with
    cluster-robust Wald statistics and interval for the coefficients."""
    from scipy.special import ndtri

    params = ml_params(d, family, theta)
    hess = hessian(d, params, family)
    if not np.all(np.isfinite(hess)) or np.any(np.linalg.eigvalsh(hess) >= 0):
        return CountFit(method, n_clusters=d.n_clusters, note=note,
                        error="not estimable: the information matrix is singular at the estimate")  # fmt: skip
    covariance = cluster_covariance(d, params, family, hess)
    se = np.sqrt(np.diag(covariance))
    (z0, p0), (z1, p1) = _wald(params[0], se[0]), _wald(params[1], se[1])
    zcrit = float(ndtri(0.5 + LEVEL / 2.0))
    theta_se = math.nan
    if family == NEGBIN:  # model-based, delta method from log alpha
        theta_se = theta * math.sqrt(np.linalg.inv(-hess)[-1, -1])
    elif family == LOGSERIES:
        theta = 0.0
    ll = total_loglik(d, params, family)
    return CountFit(method, coefficient=float(params[1]), std_error=float(se[1]), statistic=z1, p_value=p1,
                    intercept=float(params[0]), intercept_std_error=float(se[0]), intercept_statistic=z0,
                    intercept_p_value=p0, theta=theta, theta_std_error=theta_se, log_likelihood=ll,
                    aic=-2.0 * ll + 2.0 * len(params), rate_ratio=math.exp(params[1]),
                    ci_low=math.exp(params[1] - zcrit * se[1]), ci_high=math.exp(params[1] + zcrit * se[1]),
                    n_clusters=d.n_clusters, note=note, params=params, covariance=covariance)  # fmt: skip


def contrast(fit: CountFit, group: int, baseline: int) -> CountFit:
    """The fit read with domain ``baseline`` as the reference level: the coefficient eta_group - eta_baseline
    (its exp the rate ratio group / baseline) and the intercept eta_baseline, with cluster-robust Wald statistics
    from the one fitted covariance. Why: a model with k domains is fitted once; each pair is a linear contrast of
    its parameters, exactly what R prints after ``relevel(domain, ref = baseline)``. ``(1, 0)`` is the fit itself.
    """
    from scipy.special import ndtri

    if fit.error or fit.params is None or (group, baseline) == (1, 0):
        return fit
    k = len(fit.params) - (1 if fit.method in (NEGBIN, ZT_NEGBIN) else 0)
    slope, level = np.zeros(len(fit.params)), np.zeros(len(fit.params))
    level[0] = 1.0
    for vector, sign, code in ((slope, 1.0, group), (slope, -1.0, baseline), (level, 1.0, baseline)):
        if 0 < code < k:
            vector[code] += sign
    (b1, s1), (b0, s0) = ((float(v @ fit.params), math.sqrt(float(v @ fit.covariance @ v))) for v in (slope, level))
    (z0, p0), (z1, p1) = _wald(b0, s0), _wald(b1, s1)
    zcrit = float(ndtri(0.5 + LEVEL / 2.0))
    return replace(fit, coefficient=b1, std_error=s1, statistic=z1, p_value=p1, intercept=b0,
                   intercept_std_error=s0, intercept_statistic=z0, intercept_p_value=p0, rate_ratio=math.exp(b1),
                   ci_low=math.exp(b1 - zcrit * s1), ci_high=math.exp(b1 + zcrit * s1))  # fmt: skip


def domain_problem(y: np.ndarray, w: np.ndarray, cluster: np.ndarray, truncated: bool, name: str) -> str:
    """Why one domain's units (values ``y`` with counts ``w`` in tasks ``cluster``) cannot enter the model, or
    ``""``: none, all at the floor (its mean would be 0), or in fewer than 2 tasks (no task-clustered error)."""
    floor = 1.0 if truncated else 0.0
    if not w.sum():
        return f"{name} has no units"
    if np.all(y == floor):
        return f"every {name} value is {floor:g} (its {'untruncated ' * truncated}mean is 0)"
    if len(np.unique(cluster)) < 2:
        return f"{name} units lie in fewer than 2 tasks (task-clustered errors need 2 or more)"
    return ""


def fit_count_model(d: CountData, names: Sequence[str] = ("CV", "NLP")) -> CountFit:
    """Negative binomial (zero-truncated when ``d.truncated``) of value ~ domain; at a boundary of its dispersion
    the limit model instead, said in ``note``: the Poisson counterpart when the data show no overdispersion, the
    logarithmic series (truncated only) when theta -> 0. ``error`` says why nothing could be estimated. ``names``:
    the domains by code (0 the baseline); the fit's coefficient compares code 1 with code 0 (:func:`contrast`
    reads the others)."""
    nb, pois = (ZT_NEGBIN, ZT_POISSON) if d.truncated else (NEGBIN, POISSON)
    failed = lambda why: CountFit(nb, n_clusters=d.n_clusters, error=f"not estimable: {why}")  # noqa: E731
    masks = [d.x == float(j) for j in range(d.n_groups)]
    if not all(d.w[mask].sum() for mask in masks):
        return failed("a domain has no units")
    n_params = d.n_groups + 1
    if d.n_units <= n_params:
        return failed(f"{d.n_units} units are too few for a model with up to {n_params} parameters")
    if d.truncated and d.y.min() < 1:
        return failed(f"zero-truncated counts start at 1, but {int(d.w[d.y < 1].sum())} values are below 1")
    for code in [1, 0, *range(2, d.n_groups)]:  # the compared domain first, as NLP before CV
        mask = masks[code]
        problem = domain_problem(d.y[mask], d.w[mask], d.cluster[mask], d.truncated, names[code])
        if problem:
            return failed(problem)
    log_alpha, limit = profile_alpha(d)
    if limit == LOGSERIES and d.truncated:
        return fit_family(d, LOGSERIES, LOGSERIES, note=LOGSERIES_NOTE)
    if limit == LOGSERIES:
        return failed("the negative binomial dispersion diverges (theta -> 0)")
    if limit == POISSON or math.exp(log_alpha) * max(domain_means(d)) < NO_OVERDISPERSION:
        note = f"no overdispersion (negative binomial alpha -> 0): {'zero-truncated ' * d.truncated}Poisson fitted"
        return fit_family(d, pois, POISSON, note=note)
    return fit_family(d, nb, NEGBIN, theta=math.exp(-log_alpha))
