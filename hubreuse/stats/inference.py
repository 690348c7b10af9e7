"""Inference for the report: bootstrap intervals for means, the NLP-vs-CV count regression and a rank test.

Why these: the paper reports means and sds only. A reader needs to know how precise a task's mean is (95%
percentile-bootstrap interval), and whether NLP and CV differ beyond noise. Reuse counts are overdispersed
counts, so the domain comparison is a negative binomial GLM (log link, domain as the only predictor), shown the
way R's ``summary(MASS::glm.nb(value ~ domain))`` shows it, with a distribution-free Mann-Whitney U test beside it.

Everything works on per-unit frames with columns task, domain, unit_id, value (``results/stats/rq*_values.parquet``).
The bootstrap resamples units through multinomial counts over the distinct values, which is identical in
distribution to resampling the units with replacement and costs O(resamples x distinct values) instead of
O(resamples x units): the report stays fast on millions of units.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"
REFERENCE_DOMAIN = "cv"  # R orders factor levels alphabetically: "cv" < "nlp", so cv is the baseline
OTHER_DOMAIN = "nlp"
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
        means[done:done + size] = rng.multinomial(n, p, size=size) @ v / n
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
                     "ci_lo": lo, "ci_hi": hi})
    return pd.DataFrame(rows, columns=["task", "domain", "n", "mean", "ci_lo", "ci_hi"])


# --------------------------------------------------------------------------------------------- NB GLM


@dataclass
class Coefficient:
    name: str
    estimate: float
    std_error: float
    z: float
    p: float
    rate_ratio: float
    rr_lo: float
    rr_hi: float

    @property
    def stars(self) -> str:
        return significance_stars(self.p)


@dataclass
class NBResult:
    """A fitted negative binomial GLM, or the reason it could not be fitted (``error``)."""

    measure: str
    n: dict[str, int] = field(default_factory=dict)
    means: dict[str, float] = field(default_factory=dict)
    coefficients: list[Coefficient] = field(default_factory=list)
    theta: float = math.nan
    theta_se: float = math.nan
    null_deviance: float = math.nan
    null_df: int = 0
    residual_deviance: float = math.nan
    residual_df: int = 0
    aic: float = math.nan
    loglik: float = math.nan
    poisson_limit: bool = False
    note: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


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


def nb_loglik(y: np.ndarray, mu: np.ndarray, alpha: float, weights: np.ndarray | None = None) -> float:
    """NB2 log-likelihood sum_i w_i log P(y_i | mean mu_i, variance mu_i + alpha mu_i^2)."""
    from scipy.special import gammaln

    theta = 1.0 / alpha
    ll = (gammaln(y + theta) - gammaln(theta) - gammaln(y + 1.0) + theta * np.log(theta / (theta + mu))
          + np.where(y > 0, y * np.log(np.where(y > 0, mu, 1.0) / (theta + mu)), 0.0))  # fmt: skip
    return float(np.sum(ll if weights is None else ll * weights))


def nb_alpha_ml(y: np.ndarray, mu: np.ndarray, weights: np.ndarray | None = None,
                bounds: tuple[float, float] = (-18.0, 8.0)) -> tuple[float, float, bool]:  # fmt: skip
    """ML dispersion alpha of NB2 given the fitted means, and its SE from the observed information.

    With domain as the only (categorical) predictor the ML means are the group means whatever alpha is, so
    the likelihood in alpha is one-dimensional and alpha is orthogonal to the coefficients: a bounded search
    over log(alpha) finds it reliably (statsmodels' joint optimiser fails on zero-heavy counts). Returns
    (alpha, se, poisson_limit); alpha < 1e-6 means no overdispersion (the Poisson limit).
    """
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda la: -nb_loglik(y, mu, math.exp(la), weights), bounds=bounds, method="bounded",
                          options={"xatol": 1e-7})  # fmt: skip
    log_alpha = float(res.x)
    alpha = math.exp(log_alpha)
    if alpha < 1e-6:  # theta > 1e6: the likelihood is flat towards the Poisson limit (variance <= mean)
        return alpha, math.nan, True
    h = 1e-4 * alpha
    f0 = nb_loglik(y, mu, alpha, weights)
    second = (nb_loglik(y, mu, alpha + h, weights) - 2 * f0 + nb_loglik(y, mu, alpha - h, weights)) / h**2
    se = math.sqrt(-1.0 / second) if second < 0 else math.nan
    return alpha, se, False


def nb_glm(values: pd.DataFrame, measure: str, level: float = 0.95) -> NBResult:
    """Negative binomial GLM value ~ domain (log link), theta by maximum likelihood, like ``MASS::glm.nb``.

    The dispersion alpha = 1/theta is estimated by ML (:func:`nb_alpha_ml`); statsmodels' GLM is then fitted
    with that alpha, so estimates, standard errors (conditional on theta), z, p, deviances and AIC read as in R.
    Reference level cv (R's alphabetical default): ``domainnlp`` is log(mean NLP / mean CV) and its exponential
    the rate ratio, with a Wald interval.
    """
    import statsmodels.api as sm
    from scipy import stats as sps

    result = NBResult(measure=measure)
    frame = values[values["domain"].isin([REFERENCE_DOMAIN, OTHER_DOMAIN])]
    y = frame["value"].to_numpy(dtype=float)
    is_other = (frame["domain"] == OTHER_DOMAIN).to_numpy(dtype=float)
    for name, mask in ((REFERENCE_DOMAIN, is_other == 0), (OTHER_DOMAIN, is_other == 1)):
        result.n[name] = int(mask.sum())
        result.means[name] = float(y[mask].mean()) if mask.any() else math.nan
    if min(result.n.values()) == 0:
        result.error = "not estimable: one domain has no units"
        return result
    if y.sum() == 0 or min(result.means.values()) == 0:
        result.error = "not estimable: a domain has only zeros (its log mean is minus infinity)"
        return result
    # Units with equal (domain, value) are exchangeable: fit on the distinct pairs with frequency weights
    # (identical estimates, SEs, deviances and likelihood; O(distinct values) instead of O(units)).
    pairs = pd.DataFrame({"y": y, "g": is_other}).value_counts().reset_index(name="w")
    yu, gu, w = (pairs["y"].to_numpy(float), pairs["g"].to_numpy(float), pairs["w"].to_numpy(float))
    mu = np.where(gu == 1, result.means[OTHER_DOMAIN], result.means[REFERENCE_DOMAIN])
    alpha, alpha_se, poisson_limit = nb_alpha_ml(yu, mu, w)
    result.poisson_limit = poisson_limit
    x = np.column_stack([np.ones_like(yu), gu])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(yu, x, family=sm.families.NegativeBinomial(alpha=alpha), freq_weights=w).fit()
    zcrit = sps.norm.ppf(0.5 + level / 2.0)
    for i, name in enumerate(["(Intercept)", f"domain{OTHER_DOMAIN}"]):
        est, se = float(glm.params[i]), float(glm.bse[i])
        z = est / se if se > 0 else math.nan
        p = float(2.0 * sps.norm.sf(abs(z))) if np.isfinite(z) else math.nan
        result.coefficients.append(Coefficient(name, est, se, z, p, math.exp(est), math.exp(est - zcrit * se),
                                               math.exp(est + zcrit * se)))  # fmt: skip
    result.theta = math.inf if poisson_limit else 1.0 / alpha
    result.theta_se = alpha_se / alpha**2 if np.isfinite(alpha_se) else math.nan  # delta method
    result.null_deviance = float(glm.null_deviance)
    result.null_df = int(round(glm.df_resid + glm.df_model))
    result.residual_deviance = float(glm.deviance)
    result.residual_df = int(round(glm.df_resid))
    result.loglik = float(glm.llf)
    result.aic = float(-2.0 * glm.llf + 2.0 * (len(glm.params) + 1))  # + theta, as glm.nb counts it
    if poisson_limit:
        result.note = "theta at its upper limit: no overdispersion (variance <= mean), the Poisson limit"
    return result


def format_r_summary(result: NBResult) -> str:
    """The fit as R's ``summary()`` prints it (coefficient block, codes, deviances, AIC, theta)."""
    lines = [f"Call:\nglm.nb(formula = {result.measure} ~ domain)", ""]
    if not result.ok:
        return "\n".join([*lines, result.error])
    table = [("", "Estimate", "Std. Error", "z value", "Pr(>|z|)", "")]
    for c in result.coefficients:
        table.append((c.name, f"{c.estimate:.5f}", f"{c.std_error:.5f}", f"{c.z:.3f}", format_pvalue(c.p), c.stars))
    widths = [max(len(row[i]) for row in table) for i in range(6)]
    theta = "Inf" if math.isinf(result.theta) else f"{result.theta:.4g}"
    lines.append("Coefficients:")
    for row in table:
        cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, 5)] + [row[5]]
        lines.append(" ".join(cells).rstrip())
    lines += ["---", SIGNIF_LEGEND, "",
              f"(Dispersion parameter for Negative Binomial({theta}) family taken to be 1)", "",
              f"    Null deviance: {result.null_deviance:.2f}  on {result.null_df} degrees of freedom",
              f"Residual deviance: {result.residual_deviance:.2f}  on {result.residual_df} degrees of freedom",
              f"AIC: {result.aic:.2f}", "",
              f"              Theta:  {'Inf' if math.isinf(result.theta) else f'{result.theta:.4g}'}",
              f"          Std. Err.:  {result.theta_se:.4g}",
              f" 2 x log-likelihood:  {2 * result.loglik:.3f}"]  # fmt: skip
    if result.note:
        lines += ["", f"Note: {result.note}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- rank test


@dataclass
class RankTest:
    measure: str
    n_nlp: int
    n_cv: int
    median_nlp: float
    median_cv: float
    u: float
    p: float
    prob_superiority: float  # P(NLP > CV) + 0.5 P(tie) = U / (n_nlp n_cv)
    rank_biserial: float  # 2 * prob_superiority - 1
    error: str = ""

    @property
    def stars(self) -> str:
        return significance_stars(self.p)


def mann_whitney(values: pd.DataFrame, measure: str) -> RankTest:
    """Two-sided Mann-Whitney U test of NLP against CV (U of the NLP sample; asymptotic with tie and
    continuity correction for large samples, exact for small tie-free ones, scipy's ``method='auto'``)."""
    from scipy import stats as sps

    nlp = values.loc[values["domain"] == OTHER_DOMAIN, "value"].to_numpy(dtype=float)
    cv = values.loc[values["domain"] == REFERENCE_DOMAIN, "value"].to_numpy(dtype=float)
    med = (float(np.median(nlp)) if len(nlp) else math.nan, float(np.median(cv)) if len(cv) else math.nan)
    if len(nlp) == 0 or len(cv) == 0:
        return RankTest(measure, len(nlp), len(cv), *med, math.nan, math.nan, math.nan, math.nan,
                        "not computed: one domain has no units")  # fmt: skip
    res = sps.mannwhitneyu(nlp, cv, alternative="two-sided")
    u = float(res.statistic)
    ps = u / (len(nlp) * len(cv))
    return RankTest(measure, len(nlp), len(cv), *med, u, float(res.pvalue), ps, 2.0 * ps - 1.0)
