"""Inference for the report: bootstrap intervals, the NB GLM shown R-style, and the Mann-Whitney test.

Expected values come from independent computations: group means and closed-form standard errors for a
one-factor log-link model, a grid search of the NB log-likelihood written with scipy.stats.nbinom, a plain
statsmodels GLM over the raw units, pair counting for U.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from hubreuse.stats import inference


def frame(nlp: list[int], cv: list[int]) -> pd.DataFrame:
    rows = [("t-nlp", "nlp", f"n{i}", v) for i, v in enumerate(nlp)] + [
        ("t-cv", "cv", f"c{i}", v) for i, v in enumerate(cv)
    ]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


NLP = [0, 1, 1, 2, 3, 5, 0, 8, 1, 2, 13, 0, 4, 1, 2]
CV = [0, 0, 1, 0, 2, 1, 0, 3, 0, 1, 0, 6]


def test_nb_glm_matches_group_means_closed_form_se_and_likelihood_grid():
    fit = inference.nb_glm(frame(NLP, CV), "rq")
    assert fit.ok, fit.error
    mean_nlp, mean_cv = sum(NLP) / len(NLP), sum(CV) / len(CV)
    intercept, slope = fit.coefficients
    assert math.exp(intercept.estimate) == pytest.approx(mean_cv, rel=1e-6)
    assert math.exp(intercept.estimate + slope.estimate) == pytest.approx(mean_nlp, rel=1e-6)
    assert slope.rate_ratio == pytest.approx(mean_nlp / mean_cv, rel=1e-6)
    # theta by ML: independent grid search over the NB log-likelihood at the group means.
    thetas = np.exp(np.linspace(np.log(0.05), np.log(50), 20001))

    def loglik(theta: float) -> float:
        return sum(stats.nbinom.logpmf(NLP, theta, theta / (theta + mean_nlp))) + sum(
            stats.nbinom.logpmf(CV, theta, theta / (theta + mean_cv))
        )

    best = thetas[int(np.argmax([loglik(t) for t in thetas]))]
    assert fit.theta == pytest.approx(best, rel=2e-3)
    # Fisher information of a log-link group mean: n mu / (1 + mu / theta).
    alpha = 1 / fit.theta
    se_cv = math.sqrt((1 + alpha * mean_cv) / (len(CV) * mean_cv))
    se_nlp = math.sqrt((1 + alpha * mean_nlp) / (len(NLP) * mean_nlp))
    assert intercept.std_error == pytest.approx(se_cv, rel=1e-4)
    assert slope.std_error == pytest.approx(math.hypot(se_cv, se_nlp), rel=1e-4)
    assert slope.z == pytest.approx(slope.estimate / slope.std_error)
    assert slope.p == pytest.approx(2 * stats.norm.sf(abs(slope.z)))
    assert slope.rr_lo == pytest.approx(math.exp(slope.estimate - 1.959964 * slope.std_error), rel=1e-5)


def test_nb_glm_equals_plain_statsmodels_glm_on_raw_units():
    fit = inference.nb_glm(frame(NLP, CV), "rq")
    y = np.array(NLP + CV, dtype=float)
    x = sm.add_constant(np.array([1.0] * len(NLP) + [0.0] * len(CV)))
    ref = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=1 / fit.theta)).fit()
    assert [c.estimate for c in fit.coefficients] == pytest.approx(list(ref.params), rel=1e-6)
    assert [c.std_error for c in fit.coefficients] == pytest.approx(list(ref.bse), rel=1e-6)
    assert fit.residual_deviance == pytest.approx(ref.deviance, rel=1e-6)
    assert fit.null_deviance == pytest.approx(ref.null_deviance, rel=1e-6)
    assert fit.residual_df == len(y) - 2


def test_underdispersed_counts_are_the_poisson_limit_and_one_empty_domain_is_not_estimable():
    fit = inference.nb_glm(frame([1, 1, 2, 1, 1, 2, 1], [1, 1, 1, 2, 1]), "rq3")
    assert fit.ok and fit.poisson_limit and math.isinf(fit.theta)
    assert "Theta:  Inf" in inference.format_r_summary(fit)
    empty = inference.nb_glm(frame([1, 2, 3], []), "rq1")
    assert not empty.ok and "no units" in empty.error


def test_r_style_summary_and_pvalues():
    text = inference.format_r_summary(inference.nb_glm(frame(NLP, CV), "rq2"))
    for piece in ("glm.nb(formula = rq2 ~ domain)", "Estimate Std. Error z value Pr(>|z|)", "(Intercept)",
                  "domainnlp", "Signif. codes:  0 '***' 0.001", "Residual deviance:", "AIC:", "Theta:"):
        assert piece in text
    assert inference.format_pvalue(1e-300) == "<2e-16"
    assert inference.format_pvalue(0.01234) == "0.0123"
    assert inference.format_pvalue(3.2e-7) == "3.20e-07"
    assert [inference.significance_stars(p) for p in (0.0005, 0.005, 0.03, 0.07, 0.5)] == ["***", "**", "*", ".", ""]


def test_bootstrap_ci_contains_mean_is_seeded_and_agrees_with_scipy():
    rng = np.random.default_rng(1)
    x = rng.negative_binomial(1, 0.3, size=400)
    mean, lo, hi = inference.bootstrap_mean_ci(x, n_resamples=4000, seed=7)
    assert mean == pytest.approx(x.sum() / len(x))
    assert lo < mean < hi
    assert inference.bootstrap_mean_ci(x, n_resamples=4000, seed=7) == (mean, lo, hi)
    assert inference.bootstrap_mean_ci(x, n_resamples=4000, seed=8) != (mean, lo, hi)
    ref = stats.bootstrap((x,), np.mean, n_resamples=20000, method="percentile", random_state=3).confidence_interval
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


def test_mann_whitney_u_by_pair_counting():
    test = inference.mann_whitney(frame(NLP, CV), "rq")
    u = sum((a > b) + 0.5 * (a == b) for a in NLP for b in CV)
    assert test.u == pytest.approx(u)
    assert test.prob_superiority == pytest.approx(u / (len(NLP) * len(CV)))
    assert test.rank_biserial == pytest.approx(2 * u / (len(NLP) * len(CV)) - 1)
    assert test.p == pytest.approx(stats.mannwhitneyu(NLP, CV, alternative="two-sided").pvalue)
    assert (test.median_nlp, test.median_cv) == (sorted(NLP)[len(NLP) // 2], 0.5)
