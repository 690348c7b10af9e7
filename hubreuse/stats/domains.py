"""NLP against CV per measure, as one table fitted to the study design: tasks, then distinct units in tasks.

Why this design: units are nested in tasks (12 NLP and 18 CV in the study), a model listed under k tasks is one
model, and RQ1 and RQ3 only count models that declare something (values start at 1). So each measure gets three
rows in ``results/tables/domain_comparison.csv``, computed once by a stats job; the report reads and prints them
(:func:`summary_text` prints the model R-style from its row) and fits nothing. Floats are written exactly.

1. ``task`` / ``task_means``: the tasks are the units; each task with units contributes its mean. The estimate is
   the mean of the NLP task means over the mean of the CV task means (``mean_nlp`` / ``mean_cv`` of the row, which
   hold those means of task means; the medians likewise), with a 95% percentile bootstrap interval resampling tasks
   within each domain and a two-sided permutation test of the domain labels over tasks (statistic: the log ratio),
   both with ``n_boot`` resamples and ``seed`` (:func:`hubreuse.stats.inference.ratio_of_means`).
2. ``unit`` / a count regression value ~ domain over **distinct units** (:mod:`hubreuse.stats.count_models`),
   standard errors cluster-robust by task: ``zt_negbin`` (zero-truncated negative binomial) for RQ1 and RQ3,
   ``negbin`` for RQ2 and children; ``zt_poisson`` / ``poisson`` when the data show no overdispersion, and
   ``logseries`` (the limit theta -> 0 of the zero-truncated negative binomial) when its ML lies there; the
   ``note`` says which and why. The estimate is the rate ratio exp(coefficient) NLP / CV with its Wald interval; for the
   truncated models it compares the untruncated (parent) means, not the means of the declaring units.
3. ``unit`` / ``mann_whitney``: P(NLP > CV) + P(tie) / 2 = U / (n_NLP n_CV) over the same distinct units; p and U
   from the Mann-Whitney test (units as independent), the interval from resampling tasks within each domain.

Distinct units: for RQ1, RQ3 and children a unit's value is the same in each of its tasks, so a unit counts once
per domain (in each domain when its tasks span both), and belongs for clustering to its first task in the
configured order. For RQ2 the value is defined per task (models of that task declaring the dataset), so the unit is
the (task, dataset) pair. ``n_units_*`` count distinct units, ``n_tasks_*`` tasks with at least one unit,
``n_clusters`` the tasks holding the distinct units of a row; ``error`` says why a row could not be computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.stats import count_models, inference

REFERENCE_DOMAIN, OTHER_DOMAIN = "cv", "nlp"  # R orders factor levels alphabetically: cv is the baseline
PER_TASK_MEASURES = frozenset({"rq2"})
ZERO_TRUNCATED = frozenset({"rq1", "rq3"})
TASK_LEVEL, UNIT_LEVEL = "task", "unit"
TASK_MEANS, MANN_WHITNEY = "task_means", "mann_whitney"
MODEL_METHODS = (count_models.NEGBIN, count_models.POISSON, count_models.ZT_NEGBIN, count_models.ZT_POISSON,
                 count_models.LOGSERIES)  # fmt: skip
EFFECTS = {TASK_MEANS: "ratio of mean task means (NLP / CV)", MANN_WHITNEY: "P(NLP > CV) + P(tie)/2",
           "model": "rate ratio (NLP / CV)"}  # fmt: skip
SE_TYPE = "cluster-robust (task)"
COLUMNS = [
    "measure", "level", "method", "effect", "estimate", "ci_low", "ci_high", "null_value", "statistic", "p_value",
    "n_units_nlp", "n_units_cv", "n_tasks_nlp", "n_tasks_cv", "mean_nlp", "mean_cv", "median_nlp", "median_cv",
    "se_type", "n_clusters", "coefficient", "std_error", "intercept", "intercept_std_error", "intercept_statistic",
    "intercept_p_value", "theta", "theta_std_error", "log_likelihood", "aic", "n_boot", "seed", "note", "error",
]  # fmt: skip
INTEGER_COLUMNS = ["n_units_nlp", "n_units_cv", "n_tasks_nlp", "n_tasks_cv", "n_clusters", "n_boot", "seed"]
PAIR_NOTE = "unit: a (task, dataset) pair, as a dataset's count of declaring models is per task"
TASK_NOTE = ("tasks as units: 95% percentile bootstrap resampling tasks within each domain; p from a permutation "
             "test of the domain labels over tasks")  # fmt: skip
RANK_NOTE = "p treats units as independent; the interval resamples tasks within each domain"
FEW_TASKS_NOTE = "interval not computed: a domain has fewer than 2 tasks with units"
TRUNCATED_NOTE = "zero-truncated: the rate ratio compares the untruncated means"


def task_order(frame: pd.DataFrame, domains: Mapping[str, str]) -> list[str]:
    """The configured tasks in order, then any other task of the frame in order of appearance."""
    return list(domains) + [task for task in pd.unique(frame["task"]) if task not in domains]


@dataclass(frozen=True)
class Coded:
    """A measure's NLP and CV rows as arrays: task rank in the order (the cluster), NLP flag, unit code, value.

    Why codes: the frames hold up to millions of string ids; hashing them once and working on integers keeps the
    job to seconds."""

    task: np.ndarray
    nlp: np.ndarray
    unit: np.ndarray
    value: np.ndarray
    positions: np.ndarray  # row positions in the frame

    def take(self, index: np.ndarray) -> Coded:
        """The rows at ``index``."""
        arrays = (self.task, self.nlp, self.unit, self.value, self.positions)
        return Coded(*(array[index] for array in arrays))


def encode(frame: pd.DataFrame, order: Sequence[str]) -> Coded:
    """The NLP and CV rows of ``frame``, coded; ``order`` must hold every task of the frame."""
    is_nlp = (frame["domain"] == OTHER_DOMAIN).to_numpy(dtype=bool)
    positions = np.flatnonzero(is_nlp | (frame["domain"] == REFERENCE_DOMAIN).to_numpy(dtype=bool))
    task = np.asarray(pd.Categorical(frame["task"], categories=list(order)).codes, dtype=np.int64)
    unit = pd.factorize(frame["unit_id"])[0].astype(np.int64)
    value = frame["value"].to_numpy(dtype=float)
    return Coded(task, is_nlp, unit, value, np.arange(len(frame))).take(positions)


def distinct(coded: Coded, measure: str) -> Coded:
    """The units of the comparison; ``task`` is their cluster.

    RQ2 (:data:`PER_TASK_MEASURES`): every (task, dataset) row is a unit of its task. Other measures: a unit_id
    counts once per domain, with the value and task of its first task in the order.
    """
    if measure in PER_TASK_MEASURES:
        _, first = np.unique((coded.unit * (coded.task.max(initial=0) + 1) + coded.task) * 2 + coded.nlp,
                             return_index=True)  # fmt: skip
        return coded.take(np.sort(first))
    by_task = np.argsort(coded.task, kind="stable")
    _, first = np.unique((coded.unit * 2 + coded.nlp)[by_task], return_index=True)  # first in task order
    return coded.take(np.sort(by_task[first]))


def distinct_units(frame: pd.DataFrame, measure: str, order: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` that are the comparison's units (see :func:`distinct`): domain, task, unit_id, value."""
    units = distinct(encode(frame, order), measure)
    return frame.iloc[units.positions][["domain", "task", "unit_id", "value"]].reset_index(drop=True)


def task_means(coded: Coded, order: Sequence[str]) -> pd.DataFrame:
    """Per task with at least one unit: task, domain and mean value over the task's rows, in ``order``."""
    counts = np.bincount(coded.task, minlength=len(order))
    sums = np.bincount(coded.task, weights=coded.value, minlength=len(order))
    nlp = np.bincount(coded.task, weights=coded.nlp, minlength=len(order)) > 0
    used = np.flatnonzero(counts)
    return pd.DataFrame({"task": [order[i] for i in used],
                         "domain": np.where(nlp[used], OTHER_DOMAIN, REFERENCE_DOMAIN),
                         "mean": sums[used] / counts[used]})  # fmt: skip


def _summary(x: np.ndarray) -> tuple[float, float]:
    return (float(np.mean(x)), float(np.median(x))) if len(x) else (math.nan, math.nan)


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _task_row(means: pd.DataFrame, n_boot: int, seed: int) -> dict[str, Any]:
    nlp = means.loc[means["domain"] == OTHER_DOMAIN, "mean"].to_numpy(float)
    cv = means.loc[means["domain"] == REFERENCE_DOMAIN, "mean"].to_numpy(float)
    (mean_nlp, median_nlp), (mean_cv, median_cv) = _summary(nlp), _summary(cv)
    row = {"level": TASK_LEVEL, "method": TASK_MEANS, "effect": EFFECTS[TASK_MEANS], "null_value": 1.0,
           "mean_nlp": mean_nlp, "mean_cv": mean_cv, "median_nlp": median_nlp, "median_cv": median_cv,
           "n_boot": n_boot, "seed": seed, "note": TASK_NOTE}  # fmt: skip
    if min(len(nlp), len(cv)) < 2:
        return {**row, "error": f"not estimable: needs 2 or more tasks with units in each domain (NLP {len(nlp)}, "
                                f"CV {len(cv)})"}  # fmt: skip
    if mean_nlp == 0 or mean_cv == 0:
        return {**row, "error": f"not estimable: every {'NLP' if mean_nlp == 0 else 'CV'} task mean is 0"}
    test = inference.ratio_of_means(nlp, cv, n_resamples=n_boot, seed=seed)
    return {**row, "estimate": test.estimate, "ci_low": test.ci_low, "ci_high": test.ci_high,
            "statistic": test.log_ratio, "p_value": test.p_value}  # fmt: skip


def _model_row(units: Coded, measure: str, extra_note: str) -> dict[str, Any]:
    data = count_models.compress(units.value, units.nlp, units.task, truncated=measure in ZERO_TRUNCATED)
    fit = count_models.fit_count_model(data)
    truncated = fit.method in (count_models.ZT_NEGBIN, count_models.ZT_POISSON) and not fit.error
    notes = _join(fit.note, TRUNCATED_NOTE if truncated else "", extra_note)
    row = {"level": UNIT_LEVEL, "method": fit.method, "effect": EFFECTS["model"], "null_value": 1.0,
           "se_type": SE_TYPE, "n_clusters": data.n_clusters, "note": notes, "error": fit.error}  # fmt: skip
    if fit.error:
        return row
    return {**row, "estimate": fit.rate_ratio, "ci_low": fit.ci_low, "ci_high": fit.ci_high,
            "statistic": fit.statistic, "p_value": fit.p_value, "coefficient": fit.coefficient,
            "std_error": fit.std_error, "intercept": fit.intercept, "intercept_std_error": fit.intercept_std_error,
            "intercept_statistic": fit.intercept_statistic, "intercept_p_value": fit.intercept_p_value,
            "theta": fit.theta, "theta_std_error": fit.theta_std_error, "log_likelihood": fit.log_likelihood,
            "aic": fit.aic}  # fmt: skip


def _rank_row(units: Coded, n_boot: int, seed: int, extra_note: str) -> dict[str, Any]:
    row = {"level": UNIT_LEVEL, "method": MANN_WHITNEY, "effect": EFFECTS[MANN_WHITNEY], "null_value": 0.5,
           "n_clusters": len(np.unique(units.task)), "n_boot": n_boot, "seed": seed}  # fmt: skip
    if units.nlp.all() or not units.nlp.any():
        return {**row, "note": extra_note, "error": "not computed: a domain has no units"}
    nlp, cv = units.nlp, ~units.nlp
    test = inference.cluster_rank_test(units.value[nlp], units.task[nlp], units.value[cv], units.task[cv],
                                       n_resamples=n_boot, seed=seed)  # fmt: skip
    few = "" if math.isfinite(test.ci_low) else FEW_TASKS_NOTE
    return {**row, "estimate": test.estimate, "ci_low": test.ci_low, "ci_high": test.ci_high, "statistic": test.u,
            "p_value": test.p_value, "note": _join(RANK_NOTE, few, extra_note)}  # fmt: skip


def compare_domains(frame: pd.DataFrame, measure: str, order: Sequence[str], n_boot: int,
                    seed: int) -> list[dict[str, Any]]:  # fmt: skip
    """The three rows (task means, count model, Mann-Whitney) of one measure's per-unit values."""
    coded = encode(frame, order)
    units = distinct(coded, measure)
    means = task_means(coded, order)
    nlp, cv = units.value[units.nlp], units.value[~units.nlp]
    (mean_nlp, median_nlp), (mean_cv, median_cv) = _summary(nlp), _summary(cv)
    common = {"measure": measure, "n_units_nlp": len(nlp), "n_units_cv": len(cv),
              "n_tasks_nlp": int((means["domain"] == OTHER_DOMAIN).sum()),
              "n_tasks_cv": int((means["domain"] == REFERENCE_DOMAIN).sum()), "note": "", "error": ""}  # fmt: skip
    per_unit = {"mean_nlp": mean_nlp, "mean_cv": mean_cv, "median_nlp": median_nlp, "median_cv": median_cv}
    extra = PAIR_NOTE if measure in PER_TASK_MEASURES else ""
    return [{**common, **_task_row(means, n_boot, seed)},
            {**common, **per_unit, **_model_row(units, measure, extra)},
            {**common, **per_unit, **_rank_row(units, n_boot, seed, extra)}]  # fmt: skip


def domain_comparison(values: Mapping[str, pd.DataFrame], domains: Mapping[str, str], n_boot: int,
                      seed: int) -> pd.DataFrame:  # fmt: skip
    """Every measure of ``values`` (measure -> per-unit frame: task, domain, unit_id, value), in the given order,
    three rows each (see the module's docstring); ``domains`` maps each task to its domain in configured order."""
    rows = [row for measure, frame in values.items()
            for row in compare_domains(frame, measure, task_order(frame, domains), int(n_boot), int(seed))]  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({column: "Int64" for column in INTEGER_COLUMNS})


# --------------------------------------------------------------------------------------------- R-style print

CALLS = {
    count_models.ZT_NEGBIN: 'zerotrunc(formula = value ~ domain, data = {measure}, dist = "negbin")',
    count_models.ZT_POISSON: 'zerotrunc(formula = value ~ domain, data = {measure}, dist = "poisson")',
    count_models.NEGBIN: "glm.nb(formula = value ~ domain, data = {measure})",
    count_models.POISSON: "glm(formula = value ~ domain, family = poisson, data = {measure})",
    count_models.LOGSERIES: 'zerotrunc(formula = value ~ domain, data = {measure}, dist = "negbin") at its limit '
    "theta -> 0: the logarithmic series, logit link",
}


def _number(row: Mapping[str, Any], column: str) -> float:
    value = row.get(column)
    return math.nan if value is None or value is pd.NA or pd.isna(value) else float(value)


def _text(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None or value is pd.NA or pd.isna(value) else str(value)


def r_column(values: Sequence[float], digits: int) -> list[str]:
    """Numbers with the common number of decimals that gives the smallest of them ``digits`` significant digits,
    as R's ``format(x, digits)`` lays out a column."""
    nonzero = [abs(v) for v in values if math.isfinite(v) and v != 0]
    decimals = min(12, max(0, digits - 1 - math.floor(math.log10(min(nonzero))))) if nonzero else 0
    return [f"{v:.{decimals}f}" if math.isfinite(v) else "NA" for v in values]


def summary_text(table: pd.DataFrame, measure: str) -> str | None:
    """The unit-level count model of ``measure`` as R prints ``lmtest::coeftest(fit, vcov = sandwich::vcovCL(fit,
    cluster = ~ task))`` after ``countreg::zerotrunc`` / ``MASS::glm.nb`` (or their Poisson counterparts), read
    from the table's row: nothing is fitted. None when the table has no model row of ``measure``."""
    rows = table[(table["measure"] == measure) & table["method"].isin(MODEL_METHODS)]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    lines = ["Call:", CALLS[row["method"]].format(measure=measure), ""]
    if _text(row, "error"):
        error = _text(row, "error")
        return "\n".join([*lines, error[:1].upper() + error[1:]])
    names = ["(Intercept)", f"domain{OTHER_DOMAIN}"]
    est = [_number(row, "intercept"), _number(row, "coefficient")]
    se = [_number(row, "intercept_std_error"), _number(row, "std_error")]
    z = [_number(row, "intercept_statistic"), _number(row, "statistic")]
    p = [_number(row, "intercept_p_value"), _number(row, "p_value")]
    numbers = r_column(est + se, 5)
    cells = [["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", ""]]
    cells += [[names[i], numbers[i], numbers[2 + i], r_column(z, 4)[i], inference.format_pvalue(p[i]),
               inference.significance_stars(p[i])] for i in range(2)]  # fmt: skip
    widths = [max(len(c[i]) for c in cells) for i in range(6)]
    lines += ["z test of coefficients:", ""]
    lines += [" ".join([c[0].ljust(widths[0]), *(c[i].rjust(widths[i]) for i in range(1, 5)), c[5]]).rstrip()
              for c in cells]  # fmt: skip
    lines += ["---", inference.SIGNIF_LEGEND, ""]
    n_clusters = int(_number(row, "n_clusters"))
    lines.append(f"Standard errors: cluster-robust by task (vcovCL, HC1), {n_clusters} clusters; units: NLP "
                 f"{int(_number(row, 'n_units_nlp')):,}, CV {int(_number(row, 'n_units_cv')):,}")  # fmt: skip
    negbin = row["method"] in (count_models.NEGBIN, count_models.ZT_NEGBIN)
    if negbin:
        theta, theta_se = _number(row, "theta"), _number(row, "theta_std_error")
        lines.append(f"Theta: {theta:.5g} (model-based SE {theta_se:.5g})")
    elif row["method"] == count_models.LOGSERIES:
        lines.append("Theta: 0 (the boundary: no standard error)")
    k = 3 if negbin else 2
    lines += [f"'log Lik.' {_number(row, 'log_likelihood'):.7g} (df={k})", f"AIC: {_number(row, 'aic'):.7g}",
              f"Rate ratio NLP / CV: {_number(row, 'estimate'):.4g}, 95% CI {_number(row, 'ci_low'):.4g} to "
              f"{_number(row, 'ci_high'):.4g}"]  # fmt: skip
    if _text(row, "note"):
        lines.append(f"Note: {_text(row, 'note')}")
    return "\n".join(lines)
