"""Domains against each other per measure, as one table fitted to the study design: tasks, then distinct units in
tasks.

Why this design: units are nested in tasks (12 NLP and 18 CV in the study), a model listed under k tasks is one
model, and RQ1 and RQ3 only count models that declare something (values start at 1). The domains are those with
configured tasks, in the taxonomy's order (:data:`hubreuse.core.names.DOMAIN_NAMES`); the first (NLP whenever it
has tasks) is the ``reference`` and every other ``domain`` is compared with it, the reference in the numerator:
the default NLP and CV give exactly the rows NLP / CV. Per measure and method, one row per compared domain, in
``results/tables/domain_comparison.csv``, computed once by a stats job; the report reads and prints them
(:func:`summary_text` prints the model R-style from its rows) and fits nothing. Floats are written exactly.

1. ``task`` / ``task_means``: the tasks are the units; each task with units contributes its mean. The estimate is
   the mean of the reference's task means over the mean of the domain's (``mean_<reference>`` /
   ``mean_<domain>`` of the row, which hold those means of task means; the medians likewise), with a 95%
   percentile bootstrap interval resampling tasks within each domain and a two-sided permutation test of the
   domain labels over the two domains' tasks (statistic: the log ratio), both with ``n_boot`` resamples and
   ``seed`` (:func:`hubreuse.stats.inference.ratio_of_means`).
2. ``unit`` / a count regression value ~ domain over **distinct units** (:mod:`hubreuse.stats.count_models`),
   fitted ONCE per measure with a dummy per domain (k domains: k - 1 coefficients), standard errors
   cluster-robust by task: ``zt_negbin`` (zero-truncated negative binomial) for RQ1 and RQ3, ``negbin`` for RQ2
   and children; ``zt_poisson`` / ``poisson`` when the data show no overdispersion, and ``logseries`` (the limit
   theta -> 0 of the zero-truncated negative binomial) when its ML lies there; the ``note`` says which and why.
   Each row reads the fit with its domain as the reference level (R's ``relevel``): the estimate is the rate
   ratio exp(coefficient) reference / domain with its Wald interval, the intercept the domain's linear predictor;
   for the truncated models it compares the untruncated (parent) means, not the means of the declaring units. A
   domain whose units cannot enter the model (none, all at the floor, in fewer than 2 tasks) is left out of it
   and its row says why.
3. ``unit`` / ``mann_whitney``: P(reference > domain) + P(tie) / 2 = U / (n_reference n_domain) over the same
   distinct units; p and U from the Mann-Whitney test (units as independent), the interval from resampling tasks
   within each domain.

Distinct units: for RQ1, RQ3 and children a unit's value is the same in each of its tasks, so a unit counts once
per domain (in each domain when its tasks span several), and belongs for clustering to its first task in the
configured order. For RQ2 the value is defined per task (models of that task declaring the dataset), so the unit is
the (task, dataset) pair. ``n_units_<d>`` count distinct units, ``n_tasks_<d>`` tasks with at least one unit (a
column per configured domain, filled for the row's two), ``n_clusters`` the tasks holding the distinct units of a
row (of the whole fit for a model row); ``error`` says why a row could not be computed (a domain with tasks but no
units for a measure: every row of its pair).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.core.names import DOMAIN_NAMES
from hubreuse.stats import count_models, inference

PER_TASK_MEASURES = frozenset({"rq2"})
ZERO_TRUNCATED = frozenset({"rq1", "rq3"})
TASK_LEVEL, UNIT_LEVEL = "task", "unit"
TASK_MEANS, MANN_WHITNEY = "task_means", "mann_whitney"
MODEL_METHODS = (count_models.NEGBIN, count_models.POISSON, count_models.ZT_NEGBIN, count_models.ZT_POISSON,
                 count_models.LOGSERIES)  # fmt: skip
EFFECTS = {TASK_MEANS: "ratio of mean task means ({a} / {b})", MANN_WHITNEY: "P({a} > {b}) + P(tie)/2",
           "model": "rate ratio ({a} / {b})"}  # fmt: skip
SE_TYPE = "cluster-robust (task)"
HEAD_COLUMNS = ["measure", "level", "method", "reference", "domain", "effect", "estimate", "ci_low", "ci_high",
                "null_value", "statistic", "p_value"]  # fmt: skip
PER_DOMAIN = ("n_units", "n_tasks", "mean", "median")  # a column <stat>_<domain> per configured domain
TAIL_COLUMNS = [
    "se_type", "n_clusters", "coefficient", "std_error", "intercept", "intercept_std_error", "intercept_statistic",
    "intercept_p_value", "theta", "theta_std_error", "log_likelihood", "aic", "n_boot", "seed", "note", "error",
]  # fmt: skip
PAIR_NOTE = "unit: a (task, dataset) pair, as a dataset's count of declaring models is per task"
TASK_NOTE = ("tasks as units: 95% percentile bootstrap resampling tasks within each domain; p from a permutation "
             "test of the domain labels over tasks")  # fmt: skip
RANK_NOTE = "p treats units as independent; the interval resamples tasks within each domain"
FEW_TASKS_NOTE = "interval not computed: a domain has fewer than 2 tasks with units"
TRUNCATED_NOTE = "zero-truncated: the rate ratio compares the untruncated means"


def name(domain: str) -> str:
    """A domain as text names it (``nlp`` -> ``NLP``)."""
    return DOMAIN_NAMES.get(domain, domain)


def configured_domains(domains: Mapping[str, str]) -> list[str]:
    """The domains that have configured tasks (``domains``: task -> domain), in the taxonomy's order; the first
    is the reference every other is compared with (NLP, so the default's NLP / CV keeps its direction)."""
    present = list(dict.fromkeys(domains.values()))
    return [d for d in DOMAIN_NAMES if d in present] + [d for d in present if d not in DOMAIN_NAMES]


def columns(doms: Sequence[str]) -> list[str]:
    """The table's columns for the configured domains ``doms`` (NLP, CV: the columns of the two-domain table)."""
    return [*HEAD_COLUMNS, *(f"{stat}_{d}" for stat in PER_DOMAIN for d in doms), *TAIL_COLUMNS]


def integer_columns(doms: Sequence[str]) -> list[str]:
    return [*(f"{stat}_{d}" for stat in ("n_units", "n_tasks") for d in doms), "n_clusters", "n_boot", "seed"]


def task_order(frame: pd.DataFrame, domains: Mapping[str, str]) -> list[str]:
    """The configured tasks in order, then any other task of the frame in order of appearance."""
    return list(domains) + [task for task in pd.unique(frame["task"]) if task not in domains]


@dataclass(frozen=True)
class Coded:
    """A measure's rows as arrays: task rank in the order (the cluster), domain code, unit code, value.

    Why codes: the frames hold up to millions of string ids; hashing them once and working on integers keeps the
    job to seconds."""

    task: np.ndarray
    group: np.ndarray  # index of the row's domain in the configured domains
    unit: np.ndarray
    value: np.ndarray
    positions: np.ndarray  # row positions in the frame

    def take(self, index: np.ndarray) -> Coded:
        """The rows at ``index``."""
        arrays = (self.task, self.group, self.unit, self.value, self.positions)
        return Coded(*(array[index] for array in arrays))


def encode(frame: pd.DataFrame, order: Sequence[str], doms: Sequence[str] = ("nlp", "cv")) -> Coded:
    """The rows of ``frame`` in the domains ``doms``, coded; ``order`` must hold every task of the frame."""
    group = np.asarray(pd.Categorical(frame["domain"], categories=list(doms)).codes, dtype=np.int64)
    task = np.asarray(pd.Categorical(frame["task"], categories=list(order)).codes, dtype=np.int64)
    unit = pd.factorize(frame["unit_id"])[0].astype(np.int64)
    value = frame["value"].to_numpy(dtype=float)
    return Coded(task, group, unit, value, np.arange(len(frame))).take(np.flatnonzero(group >= 0))


def distinct(coded: Coded, measure: str) -> Coded:
    """The units of the comparison; ``task`` is their cluster.

    RQ2 (:data:`PER_TASK_MEASURES`): every (task, dataset) row is a unit of its task. Other measures: a unit_id
    counts once per domain, with the value and task of its first task in the order.
    """
    k = int(coded.group.max(initial=0)) + 1
    if measure in PER_TASK_MEASURES:
        _, first = np.unique((coded.unit * (coded.task.max(initial=0) + 1) + coded.task) * k + coded.group,
                             return_index=True)  # fmt: skip
        return coded.take(np.sort(first))
    by_task = np.argsort(coded.task, kind="stable")
    _, first = np.unique((coded.unit * k + coded.group)[by_task], return_index=True)  # first in task order
    return coded.take(np.sort(by_task[first]))


def distinct_units(frame: pd.DataFrame, measure: str, order: Sequence[str],
                   doms: Sequence[str] = ("nlp", "cv")) -> pd.DataFrame:  # fmt: skip
    """The rows of ``frame`` that are the comparison's units (see :func:`distinct`): domain, task, unit_id, value."""
    units = distinct(encode(frame, order, doms), measure)
    return frame.iloc[units.positions][["domain", "task", "unit_id", "value"]].reset_index(drop=True)


def task_means(coded: Coded, order: Sequence[str], doms: Sequence[str] = ("nlp", "cv")) -> pd.DataFrame:
    """Per task with at least one unit: task, domain and mean value over the task's rows, in ``order``."""
    counts = np.bincount(coded.task, minlength=len(order))
    sums = np.bincount(coded.task, weights=coded.value, minlength=len(order))
    group = np.zeros(len(order), dtype=np.int64)
    group[coded.task] = coded.group
    used = np.flatnonzero(counts)
    return pd.DataFrame({"task": [order[i] for i in used], "domain": [doms[g] for g in group[used]],
                         "mean": sums[used] / counts[used]})  # fmt: skip


def _summary(x: np.ndarray) -> tuple[float, float]:
    return (float(np.mean(x)), float(np.median(x))) if len(x) else (math.nan, math.nan)


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def _task_row(means: pd.DataFrame, ref: str, dom: str, n_boot: int, seed: int) -> dict[str, Any]:
    a = means.loc[means["domain"] == ref, "mean"].to_numpy(float)
    b = means.loc[means["domain"] == dom, "mean"].to_numpy(float)
    (mean_a, median_a), (mean_b, median_b) = _summary(a), _summary(b)
    row = {"level": TASK_LEVEL, "method": TASK_MEANS, "null_value": 1.0, f"mean_{ref}": mean_a,
           f"mean_{dom}": mean_b, f"median_{ref}": median_a, f"median_{dom}": median_b, "n_boot": n_boot,
           "seed": seed, "note": TASK_NOTE}  # fmt: skip
    if min(len(a), len(b)) < 2:
        return {**row, "error": f"not estimable: needs 2 or more tasks with units in each domain ({name(ref)} "
                                f"{len(a)}, {name(dom)} {len(b)})"}  # fmt: skip
    if mean_a == 0 or mean_b == 0:
        return {**row, "error": f"not estimable: every {name(ref) if mean_a == 0 else name(dom)} task mean is 0"}
    test = inference.ratio_of_means(a, b, n_resamples=n_boot, seed=seed)
    return {**row, "estimate": test.estimate, "ci_low": test.ci_low, "ci_high": test.ci_high,
            "statistic": test.log_ratio, "p_value": test.p_value}  # fmt: skip


def _fit_row(fit: count_models.CountFit, measure: str, dom: str, n_clusters: int, extra: str) -> dict[str, Any]:
    truncated = fit.method in (count_models.ZT_NEGBIN, count_models.ZT_POISSON) and not fit.error
    intercept = f"intercept logit p of {name(dom)}" if fit.method == count_models.LOGSERIES and not fit.error else ""
    row = {"level": UNIT_LEVEL, "method": fit.method, "null_value": 1.0, "se_type": SE_TYPE,
           "n_clusters": n_clusters, "note": _join(fit.note, intercept, TRUNCATED_NOTE if truncated else "", extra),
           "error": fit.error}  # fmt: skip
    if fit.error:
        return row
    return {**row, "estimate": fit.rate_ratio, "ci_low": fit.ci_low, "ci_high": fit.ci_high,
            "statistic": fit.statistic, "p_value": fit.p_value, "coefficient": fit.coefficient,
            "std_error": fit.std_error, "intercept": fit.intercept, "intercept_std_error": fit.intercept_std_error,
            "intercept_statistic": fit.intercept_statistic, "intercept_p_value": fit.intercept_p_value,
            "theta": fit.theta, "theta_std_error": fit.theta_std_error, "log_likelihood": fit.log_likelihood,
            "aic": fit.aic}  # fmt: skip


def _model_rows(units: Coded, measure: str, doms: Sequence[str], extra: str) -> dict[str, dict[str, Any]]:
    """The unit-level rows (compared domain -> row) of ONE count model of value ~ domain over the reference and
    every compared domain whose units can enter it; a domain that cannot gets a row saying why."""
    truncated = measure in ZERO_TRUNCATED
    method = count_models.ZT_NEGBIN if truncated else count_models.NEGBIN
    problems = {}
    for code, dom in enumerate(doms[1:], start=1):
        mask = units.group == code
        problems[dom] = count_models.domain_problem(units.value[mask], np.ones(int(mask.sum())), units.task[mask],
                                                    truncated, name(dom))  # fmt: skip
    fitted = [dom for dom in doms[1:] if not problems[dom]]
    rows = {}
    for dom in doms[1:]:
        if problems[dom] or not fitted:
            pair = np.isin(units.group, [0, doms.index(dom)])
            why = problems[dom] or f"no other domain can enter the model ({problems[doms[1]]})"
            fit = count_models.CountFit(method, error=f"not estimable: {why}")
            rows[dom] = _fit_row(fit, measure, dom, len(np.unique(units.task[pair])), extra)
    if not fitted:
        return rows
    # Codes of the fit: the first compared domain is the baseline level (0), the reference 1 (NLP / CV as fitted
    # before: cv the baseline, the coefficient NLP's), the other compared domains 2, 3...
    in_fit = [fitted[0], doms[0], *fitted[1:]]
    recode = np.full(len(doms), -1, dtype=np.int64)
    recode[[doms.index(d) for d in in_fit]] = np.arange(len(in_fit))
    mask = recode[units.group] >= 0
    data = count_models.compress(units.value[mask], recode[units.group[mask]], units.task[mask], truncated)
    fit = count_models.fit_count_model(data, [name(d) for d in in_fit])
    several = (f"one model of value ~ domain over {', '.join(name(d) for d in doms if d in in_fit)}, "
               "this row its contrast of the reference with the row's domain") if len(in_fit) > 2 else ""  # fmt: skip
    for code, dom in enumerate(in_fit):
        if code != 1:
            rows[dom] = _fit_row(count_models.contrast(fit, 1, code), measure, dom, data.n_clusters,
                                 _join(several, extra))  # fmt: skip
    return rows


def _rank_row(units: Coded, ref: str, dom: str, doms: Sequence[str], n_boot: int, seed: int,
              extra_note: str) -> dict[str, Any]:  # fmt: skip
    a, b = units.group == 0, units.group == doms.index(dom)
    row = {"level": UNIT_LEVEL, "method": MANN_WHITNEY, "null_value": 0.5,
           "n_clusters": len(np.unique(units.task[a | b])), "n_boot": n_boot, "seed": seed}  # fmt: skip
    if not a.any() or not b.any():
        return {**row, "note": extra_note, "error": "not computed: a domain has no units"}
    test = inference.cluster_rank_test(units.value[a], units.task[a], units.value[b], units.task[b],
                                       n_resamples=n_boot, seed=seed)  # fmt: skip
    few = "" if math.isfinite(test.ci_low) else FEW_TASKS_NOTE
    return {**row, "estimate": test.estimate, "ci_low": test.ci_low, "ci_high": test.ci_high, "statistic": test.u,
            "p_value": test.p_value, "note": _join(RANK_NOTE, few, extra_note)}  # fmt: skip


def compare_domains(frame: pd.DataFrame, measure: str, order: Sequence[str], n_boot: int, seed: int,
                    doms: Sequence[str] = ("nlp", "cv")) -> list[dict[str, Any]]:  # fmt: skip
    """One measure's rows: per method (task means, count model, Mann-Whitney), one row per domain of ``doms``
    after the first (the reference), each comparing the reference with that domain."""
    coded = encode(frame, order, doms)
    units = distinct(coded, measure)
    means = task_means(coded, order, doms)
    ref, extra = doms[0], PAIR_NOTE if measure in PER_TASK_MEASURES else ""
    if len(doms) < 2:
        why = f"not computed: tasks in one domain only ({name(ref)}); a comparison needs two or more"
        return [{"measure": measure, "level": level, "method": method, "reference": ref, "domain": "",
                 "note": "", "error": why} for level, method in ((TASK_LEVEL, TASK_MEANS),
                 (UNIT_LEVEL, count_models.ZT_NEGBIN if measure in ZERO_TRUNCATED else count_models.NEGBIN),
                 (UNIT_LEVEL, MANN_WHITNEY))]  # fmt: skip
    per_domain, per_unit = {}, {}
    for code, dom in enumerate(doms):
        values = units.value[units.group == code]
        (mean, median) = _summary(values)
        per_domain[dom] = {f"n_units_{dom}": len(values), f"n_tasks_{dom}": int((means["domain"] == dom).sum())}
        per_unit[dom] = {f"mean_{dom}": mean, f"median_{dom}": median}
    models = _model_rows(units, measure, doms, extra)
    rows: list[list[dict[str, Any]]] = [[], [], []]
    for dom in doms[1:]:
        effect = {key: text.format(a=name(ref), b=name(dom)) for key, text in EFFECTS.items()}
        common = {"measure": measure, "reference": ref, "domain": dom, **per_domain[ref], **per_domain[dom],
                  "note": "", "error": ""}  # fmt: skip
        unit = {**common, **per_unit[ref], **per_unit[dom], "effect": effect["model"]}
        empty = next((f"not computed: {name(d)} has no units for {measure}" for d in (ref, dom)
                      if not per_domain[d][f"n_units_{d}"]), "")  # fmt: skip
        task_row = _task_row(means, ref, dom, n_boot, seed)
        rank_row = _rank_row(units, ref, dom, doms, n_boot, seed, extra)
        model_row = models[dom]
        if empty:
            task_row, model_row, rank_row = ({**r, "error": empty} for r in (task_row, model_row, rank_row))
        rows[0].append({**common, **task_row, "effect": effect[TASK_MEANS]})
        rows[1].append({**unit, **model_row})
        rows[2].append({**unit, **rank_row, "effect": effect[MANN_WHITNEY]})
    return [row for method_rows in rows for row in method_rows]


def domain_comparison(values: Mapping[str, pd.DataFrame], domains: Mapping[str, str], n_boot: int,
                      seed: int) -> pd.DataFrame:  # fmt: skip
    """Every measure of ``values`` (measure -> per-unit frame: task, domain, unit_id, value), in the given order,
    three rows per compared domain each (see the module's docstring); ``domains`` maps each task to its domain in
    configured order."""
    doms = configured_domains(domains)
    rows = [row for measure, frame in values.items()
            for row in compare_domains(frame, measure, task_order(frame, domains), int(n_boot), int(seed),
                                       doms)]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns(doms))
    return table.astype({column: "Int64" for column in integer_columns(doms)})


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


def _pair(row: Mapping[str, Any]) -> tuple[str, str]:
    """(reference, domain) of a row; NLP and CV for a table written before the columns existed."""
    return _text(row, "reference") or "nlp", _text(row, "domain") or "cv"


def _coefficients(row: Mapping[str, Any]) -> list[str]:
    """The z tests of one row's model (intercept: the row's domain; coefficient: the reference) and its fit."""
    ref, dom = _pair(row)
    names = ["(Intercept)", f"domain{ref}"]
    est = [_number(row, "intercept"), _number(row, "coefficient")]
    se = [_number(row, "intercept_std_error"), _number(row, "std_error")]
    z = [_number(row, "intercept_statistic"), _number(row, "statistic")]
    p = [_number(row, "intercept_p_value"), _number(row, "p_value")]
    numbers = r_column(est + se, 5)
    cells = [["", "Estimate", "Std. Error", "z value", "Pr(>|z|)", ""]]
    cells += [[names[i], numbers[i], numbers[2 + i], r_column(z, 4)[i], inference.format_pvalue(p[i]),
               inference.significance_stars(p[i])] for i in range(2)]  # fmt: skip
    widths = [max(len(c[i]) for c in cells) for i in range(6)]
    lines = ["z test of coefficients:", ""]
    lines += [" ".join([c[0].ljust(widths[0]), *(c[i].rjust(widths[i]) for i in range(1, 5)), c[5]]).rstrip()
              for c in cells]  # fmt: skip
    lines += ["---", inference.SIGNIF_LEGEND, ""]
    n_clusters = int(_number(row, "n_clusters"))
    n_ref, n_dom = int(_number(row, f"n_units_{ref}")), int(_number(row, f"n_units_{dom}"))
    lines.append(f"Standard errors: cluster-robust by task (vcovCL, HC1), {n_clusters} clusters; units: {name(ref)} "
                 f"{n_ref:,}, {name(dom)} {n_dom:,}")  # fmt: skip
    if row["method"] in (count_models.NEGBIN, count_models.ZT_NEGBIN):
        theta, theta_se = _number(row, "theta"), _number(row, "theta_std_error")
        lines.append(f"Theta: {theta:.5g} (model-based SE {theta_se:.5g})")
    elif row["method"] == count_models.LOGSERIES:
        lines.append("Theta: 0 (the boundary: no standard error)")
    ll, aic = _number(row, "log_likelihood"), _number(row, "aic")
    negbin = row["method"] in (count_models.NEGBIN, count_models.ZT_NEGBIN)
    df = round((aic + 2.0 * ll) / 2.0) if math.isfinite(aic + ll) else 3 if negbin else 2  # AIC = -2 logLik + 2 df
    lines += [f"'log Lik.' {ll:.7g} (df={df})", f"AIC: {aic:.7g}",
              f"Rate ratio {name(ref)} / {name(dom)}: {_number(row, 'estimate'):.4g}, 95% CI "
              f"{_number(row, 'ci_low'):.4g} to {_number(row, 'ci_high'):.4g}"]  # fmt: skip
    if _text(row, "note"):
        lines.append(f"Note: {_text(row, 'note')}")
    return lines


def summary_text(table: pd.DataFrame, measure: str) -> str | None:
    """The unit-level count model of ``measure`` as R prints ``lmtest::coeftest(fit, vcov = sandwich::vcovCL(fit,
    cluster = ~ task))`` after ``countreg::zerotrunc`` / ``MASS::glm.nb`` (or their Poisson counterparts), read
    from the table's rows: nothing is fitted. None when the table has no model row of ``measure``. With several
    compared domains, one block per row: the one model with the row's domain as the reference level
    (``relevel``), its intercept and the reference's coefficient (the other coefficients are not printed)."""
    rows = table[(table["measure"] == measure) & table["method"].isin(MODEL_METHODS)]
    if rows.empty:
        return None
    records = rows.to_dict(orient="records")
    lines = ["Call:", CALLS[records[0]["method"]].format(measure=measure), ""]
    for i, row in enumerate(records):
        ref, dom = _pair(row)
        if len(records) > 1:
            lines += ([""] if i else []) + [f'{name(ref)} against {name(dom)}: relevel(domain, ref = "{dom}")', ""]
        error = _text(row, "error")
        lines += [error[:1].upper() + error[1:]] if error else _coefficients(row)
    return "\n".join(lines)
