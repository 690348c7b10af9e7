"""NLP against CV per measure, as one table: the negative binomial GLM and the Mann-Whitney U test.

Why a table: the comparison is a result (a fitted model and a test), so a stats job computes it once and records
every number the report shows (``results/tables/domain_comparison.csv``); the report reads the table and prints
it, R-style summary included, without fitting anything. The statistics are those of
:mod:`hubreuse.stats.inference` (:func:`~hubreuse.stats.inference.nb_glm`,
:func:`~hubreuse.stats.inference.mann_whitney`); this module turns their results into rows and rows back into
results, and the CSV keeps every float exactly (shortest round-trip representation), so the printed numbers are
those of the fit.

One row per measure, level and method. ``level`` ``unit``: the per-unit values of all tasks of a domain pooled,
as the paper pooled them. Method ``nb_glm``: ``estimate`` is the rate ratio NLP / CV (exp of the ``domainnlp``
coefficient) with its 95% Wald interval, ``statistic`` the Wald z, and the columns ``coefficient`` ..
``log_likelihood`` the rest of R's ``summary(MASS::glm.nb(value ~ domain))``. Method ``mann_whitney``:
``estimate`` is P(NLP > CV) + P(tie) / 2 = U / (n_NLP n_CV), ``statistic`` U. ``n_tasks_*`` count the tasks of a
domain with at least one unit; ``error`` says why a method could not be computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import pandas as pd

from hubreuse.stats.inference import (
    OTHER_DOMAIN,
    REFERENCE_DOMAIN,
    Coefficient,
    NBResult,
    RankTest,
    mann_whitney,
    nb_glm,
)

LEVEL = "unit"
NB_GLM = "nb_glm"
MANN_WHITNEY = "mann_whitney"
INTERCEPT, SLOPE = "(Intercept)", f"domain{OTHER_DOMAIN}"
COLUMNS = [
    "measure", "level", "method", "estimate", "ci_low", "ci_high", "statistic", "p_value",
    "n_units_nlp", "n_units_cv", "n_tasks_nlp", "n_tasks_cv", "mean_nlp", "mean_cv", "median_nlp", "median_cv",
    "coefficient", "std_error", "intercept", "intercept_std_error", "intercept_statistic", "intercept_p_value",
    "theta", "theta_std_error", "null_deviance", "null_df", "residual_deviance", "residual_df", "aic",
    "log_likelihood", "poisson_limit", "rank_biserial", "note", "error",
]  # fmt: skip
INTEGER_COLUMNS = ["n_units_nlp", "n_units_cv", "n_tasks_nlp", "n_tasks_cv", "null_df", "residual_df"]


def compare_domains(values: pd.DataFrame, measure: str) -> list[dict[str, Any]]:
    """The two rows (NB GLM, Mann-Whitney) of one measure's per-unit values (columns task, domain, value)."""
    fit = nb_glm(values, measure)
    rank = mann_whitney(values, measure)
    tasks = values.groupby("domain")["task"].nunique()
    common = {"measure": measure, "level": LEVEL,
              "n_units_nlp": fit.n[OTHER_DOMAIN], "n_units_cv": fit.n[REFERENCE_DOMAIN],
              "n_tasks_nlp": int(tasks.get(OTHER_DOMAIN, 0)), "n_tasks_cv": int(tasks.get(REFERENCE_DOMAIN, 0)),
              "mean_nlp": fit.means[OTHER_DOMAIN], "mean_cv": fit.means[REFERENCE_DOMAIN],
              "median_nlp": rank.median_nlp, "median_cv": rank.median_cv}  # fmt: skip
    glm: dict[str, Any] = {**common, "method": NB_GLM, "note": fit.note, "error": fit.error}
    if fit.ok:
        intercept, slope = fit.coefficients
        glm.update(estimate=slope.rate_ratio, ci_low=slope.rr_lo, ci_high=slope.rr_hi, statistic=slope.z,
                   p_value=slope.p, coefficient=slope.estimate, std_error=slope.std_error,
                   intercept=intercept.estimate, intercept_std_error=intercept.std_error,
                   intercept_statistic=intercept.z, intercept_p_value=intercept.p, theta=fit.theta,
                   theta_std_error=fit.theta_se, null_deviance=fit.null_deviance, null_df=fit.null_df,
                   residual_deviance=fit.residual_deviance, residual_df=fit.residual_df, aic=fit.aic,
                   log_likelihood=fit.loglik, poisson_limit=fit.poisson_limit)  # fmt: skip
    ranks = {**common, "method": MANN_WHITNEY, "estimate": rank.prob_superiority, "statistic": rank.u,
             "p_value": rank.p, "rank_biserial": rank.rank_biserial, "note": "", "error": rank.error}  # fmt: skip
    return [glm, ranks]


def domain_comparison(values: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every measure of ``values`` (measure -> per-unit frame), in the given order: see the module's docstring."""
    rows = [row for measure, frame in values.items() for row in compare_domains(frame, measure)]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({column: "Int64" for column in INTEGER_COLUMNS})


def _value(row: Mapping[str, Any], column: str, default: Any = math.nan) -> Any:
    value = row.get(column)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return default
    return value


def _coefficient(name: str, estimate: float, std_error: float, z: float, p: float,
                 level: float = 0.95) -> Coefficient:  # fmt: skip
    zcrit = NormalDist().inv_cdf(0.5 + level / 2.0)
    return Coefficient(name, estimate, std_error, z, p, math.exp(estimate), math.exp(estimate - zcrit * std_error),
                       math.exp(estimate + zcrit * std_error))  # fmt: skip


def results_of(table: pd.DataFrame, measure: str, level: str = LEVEL) -> tuple[NBResult, RankTest] | None:
    """The fitted GLM and the rank test of ``measure`` as :mod:`~hubreuse.stats.inference` returned them, read
    back from the table's rows (None when the table has no row of the measure), for printing."""
    rows = table[(table["measure"] == measure) & (table["level"] == level)]
    by_method = {row["method"]: row for row in rows.to_dict(orient="records")}
    if NB_GLM not in by_method or MANN_WHITNEY not in by_method:
        return None
    glm, ranks = by_method[NB_GLM], by_method[MANN_WHITNEY]
    fit = NBResult(measure=measure, n={REFERENCE_DOMAIN: int(glm["n_units_cv"]), OTHER_DOMAIN: int(glm["n_units_nlp"])},
                   means={REFERENCE_DOMAIN: _value(glm, "mean_cv"), OTHER_DOMAIN: _value(glm, "mean_nlp")},
                   note=str(_value(glm, "note", "")), error=str(_value(glm, "error", "")))  # fmt: skip
    if fit.ok:
        fit.coefficients = [
            _coefficient(INTERCEPT, glm["intercept"], glm["intercept_std_error"], glm["intercept_statistic"],
                         glm["intercept_p_value"]),
            Coefficient(SLOPE, glm["coefficient"], glm["std_error"], glm["statistic"], glm["p_value"],
                        glm["estimate"], glm["ci_low"], glm["ci_high"]),
        ]  # fmt: skip
        fit.theta, fit.theta_se = float(glm["theta"]), float(_value(glm, "theta_std_error"))
        fit.null_deviance, fit.null_df = float(glm["null_deviance"]), int(glm["null_df"])
        fit.residual_deviance, fit.residual_df = float(glm["residual_deviance"]), int(glm["residual_df"])
        fit.aic, fit.loglik = float(glm["aic"]), float(glm["log_likelihood"])
        fit.poisson_limit = str(glm["poisson_limit"]) == "True"
    rank = RankTest(measure, int(ranks["n_units_nlp"]), int(ranks["n_units_cv"]), _value(ranks, "median_nlp"),
                    _value(ranks, "median_cv"), _value(ranks, "statistic"), _value(ranks, "p_value"),
                    _value(ranks, "estimate"), _value(ranks, "rank_biserial"),
                    str(_value(ranks, "error", "")))  # fmt: skip
    return fit, rank
