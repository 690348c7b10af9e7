"""NLP against CV as the study design asks (:mod:`hubreuse.stats.domains`): tasks as units, distinct units with
task-clustered errors, and a rank test whose interval resamples tasks.

Expected values come from independent computations over the raw records: plain-Python dictionaries for the
distinct units and their tasks, means for the ratios, bisection for the zero-truncated and logarithmic-series
means, enumeration of every split for the exact permutation p-value, a double loop over pairs for U, and
statsmodels fitted on the raw units (``cov_type="cluster"``) for the cluster-robust standard errors.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hubreuse.stats import count_models, domains, inference

DOMAINS = {"n1": "nlp", "n2": "nlp", "n3": "nlp", "c1": "cv", "c2": "cv", "c3": "cv", "c4": "cv"}
MEASURES = ("rq1", "rq2", "rq3", "children")


def frame(values: dict[str, list[int]], prefix: str = "") -> pd.DataFrame:
    """Per task its units' values (unit ids ``<prefix><task>/<i>``), the domain from DOMAINS."""
    rows = [
        (task, DOMAINS[task], f"{prefix}{task}/{i}", v)
        for task, vs in values.items()
        for i, v in enumerate(vs)
    ]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


def overdispersed(seed: int, nlp_mean: float, cv_mean: float, n: int = 80, shift: int = 0) -> pd.DataFrame:
    """Negative binomial counts (theta 1) per task, task means varying by +-20% around the domain's mean."""
    rng = np.random.default_rng(seed)
    out = {}
    for i, (task, domain) in enumerate(DOMAINS.items()):
        mean = (nlp_mean if domain == "nlp" else cv_mean) * (0.8 + 0.4 * (i % 3) / 2)
        out[task] = [int(v) + shift for v in rng.negative_binomial(1.0, 1.0 / (1.0 + mean), n)]
    return frame(out)


def row(table: pd.DataFrame, measure: str, level: str, methods: tuple[str, ...] | None = None) -> pd.Series:
    rows = table[(table["measure"] == measure) & (table["level"] == level)]
    if methods is not None:
        rows = rows[rows["method"].isin(methods)]
    assert len(rows) == (1 if methods is not None or level == "task" else 2)
    return rows.iloc[0]


def model_row(table: pd.DataFrame, measure: str) -> pd.Series:
    return row(table, measure, "unit", domains.MODEL_METHODS)


def rank_row(table: pd.DataFrame, measure: str) -> pd.Series:
    return row(table, measure, "unit", ("mann_whitney",))


# --------------------------------------------------------------------------------------------- distinct units


def test_distinct_units_count_a_model_once_per_domain_in_its_first_configured_task():
    rows = [("n2", "nlp", "shared", 3), ("n1", "nlp", "shared", 3), ("c2", "cv", "shared", 3),
            ("n2", "nlp", "a", 1), ("c1", "cv", "b", 2), ("c2", "cv", "b", 2), ("c2", "cv", "c", 5),
            ("n3", "nlp", "d", 4), ("n1", "nlp", "a2", 1)]  # fmt: skip
    values = pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])
    order = list(DOMAINS)
    expected: dict[tuple[str, str], tuple[str, int]] = {}
    for task, domain, unit, value in rows:
        if (domain, unit) not in expected or order.index(task) < order.index(expected[(domain, unit)][0]):
            expected[(domain, unit)] = (task, value)
    units = domains.distinct_units(values, "rq1", order)
    got = {(d, u): (t, v) for d, t, u, v in units.itertuples(index=False)}
    assert got == expected
    assert got[("nlp", "shared")] == ("n1", 3) and got[("cv", "shared")] == ("c2", 3)  # in both domains: both
    pairs = domains.distinct_units(values, "rq2", order)  # rq2: every (task, dataset) row is a unit
    assert sorted(pairs.itertuples(index=False)) == sorted((d, t, u, v) for t, d, u, v in rows)
    table = domains.domain_comparison({"rq1": values}, DOMAINS, n_boot=50, seed=0)
    nlp_units = [u for d, u in expected if d == "nlp"]
    cv_units = [u for d, u in expected if d == "cv"]
    clusters = {task for task, _ in expected.values()}
    tasks = {(t, d) for t, d, _, _ in rows}
    nlp_tasks = sum(d == "nlp" for _, d in tasks)
    for r in table.itertuples():
        assert (r.n_units_nlp, r.n_units_cv) == (len(nlp_units), len(cv_units))
        assert (r.n_tasks_nlp, r.n_tasks_cv) == (nlp_tasks, len(tasks) - nlp_tasks)
    assert model_row(table, "rq1")["n_clusters"] == rank_row(table, "rq1")["n_clusters"] == len(clusters)


# --------------------------------------------------------------------------------------------- task level


def test_task_level_is_the_ratio_of_mean_task_means_with_an_exact_permutation_p():
    values = frame({"n1": [1, 2, 3], "n2": [4, 4], "n3": [9], "c1": [1, 1], "c2": [2, 3, 4, 5], "c3": [7]})
    table = domains.domain_comparison({"rq1": values}, DOMAINS, n_boot=999, seed=5)
    got = row(table, "rq1", "task")
    means = {t: sum(vs) / len(vs) for t, vs in {"n1": [1, 2, 3], "n2": [4, 4], "n3": [9], "c1": [1, 1],
                                               "c2": [2, 3, 4, 5], "c3": [7]}.items()}  # fmt: skip
    nlp, cv = [means[t] for t in ("n1", "n2", "n3")], [means[t] for t in ("c1", "c2", "c3")]
    ratio = (sum(nlp) / 3) / (sum(cv) / 3)
    assert got["method"] == "task_means" and got["null_value"] == 1.0
    assert got["estimate"] == pytest.approx(ratio, rel=1e-12)
    assert got["statistic"] == pytest.approx(math.log(ratio), rel=1e-12)
    assert (got["mean_nlp"], got["mean_cv"]) == (pytest.approx(sum(nlp) / 3), pytest.approx(sum(cv) / 3))
    assert (got["n_tasks_nlp"], got["n_tasks_cv"], got["n_boot"], got["seed"]) == (3, 3, 999, 5)
    # 20 splits of 6 task means < 999 resamples: scipy enumerates them all, so p is exact.
    pooled = nlp + cv
    stats_all = [math.log((sum(pooled[i] for i in a) / 3) / (sum(pooled[i] for i in range(6) if i not in a) / 3))
                 for a in itertools.combinations(range(6), 3)]  # fmt: skip
    observed = math.log(ratio)
    less = sum(s <= observed + 1e-12 * abs(observed) for s in stats_all) / len(stats_all)
    greater = sum(s >= observed - 1e-12 * abs(observed) for s in stats_all) / len(stats_all)
    assert got["p_value"] == pytest.approx(min(1.0, 2 * min(less, greater)), rel=1e-12)
    assert got["ci_low"] <= ratio <= got["ci_high"]
    direct = inference.ratio_of_means(np.array(nlp), np.array(cv), n_resamples=999, seed=5)
    assert (got["ci_low"], got["ci_high"], got["p_value"]) == (direct.ci_low, direct.ci_high, direct.p_value)


def test_task_level_resampling_is_reproducible_with_its_seed():
    rng = np.random.default_rng(0)
    a, b = rng.gamma(2.0, 1.0, 12), rng.gamma(2.0, 1.0, 18)
    first = inference.ratio_of_means(a, b, n_resamples=500, seed=11)
    assert inference.ratio_of_means(a, b, n_resamples=500, seed=11) == first
    other = inference.ratio_of_means(a, b, n_resamples=500, seed=12)
    assert other.estimate == first.estimate == pytest.approx(a.mean() / b.mean())
    assert (other.ci_low, other.ci_high, other.p_value) != (first.ci_low, first.ci_high, first.p_value)


# --------------------------------------------------------------------------------------------- unit level


def _statsmodels(model_class, values: pd.DataFrame, **kwargs):
    """statsmodels on the raw distinct units (every row here is a distinct unit), errors clustered by task."""
    y = values["value"].to_numpy(float)
    x = np.column_stack([np.ones(len(y)), (values["domain"] == "nlp").to_numpy(float)])
    groups = pd.factorize(values["task"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = model_class(y, x, **kwargs)
        start = model.fit(disp=0, maxiter=2000, method="bfgs").params
        cluster = model.fit(start_params=start, disp=0, method="newton", maxiter=100, cov_type="cluster",
                            cov_kwds={"groups": groups})  # fmt: skip
        plain = model.fit(start_params=start, disp=0, method="newton", maxiter=100)
    return cluster, plain


def test_negative_binomial_rate_ratio_is_the_ratio_of_domain_means_and_errors_match_statsmodels():
    from statsmodels.discrete.discrete_model import NegativeBinomial

    values = overdispersed(1, nlp_mean=3.0, cv_mean=1.5)
    table = domains.domain_comparison({"children": values}, DOMAINS, n_boot=50, seed=0)
    got = model_row(table, "children")
    nlp = [v for d, v in zip(values["domain"], values["value"], strict=True) if d == "nlp"]
    cv = [v for d, v in zip(values["domain"], values["value"], strict=True) if d == "cv"]
    assert got["method"] == "negbin" and not got["error"]
    assert got["estimate"] == pytest.approx((sum(nlp) / len(nlp)) / (sum(cv) / len(cv)), rel=1e-9)
    assert got["mean_nlp"] == pytest.approx(sum(nlp) / len(nlp)) and got["median_cv"] == np.median(cv)
    cluster, plain = _statsmodels(NegativeBinomial, values)
    assert [got["intercept"], got["coefficient"]] == pytest.approx(list(cluster.params[:2]), rel=1e-6)
    assert [got["intercept_std_error"], got["std_error"]] == pytest.approx(list(cluster.bse[:2]), rel=1e-5)
    assert got["theta"] == pytest.approx(1 / cluster.params[2], rel=1e-5)
    # theta's standard error is model-based (as glm.nb prints it): delta method from statsmodels' se(alpha).
    assert got["theta_std_error"] == pytest.approx(plain.bse[2] / plain.params[2] ** 2, rel=1e-4)
    assert got["log_likelihood"] == pytest.approx(cluster.llf, rel=1e-9)
    assert got["aic"] == pytest.approx(-2 * cluster.llf + 6, rel=1e-9)
    z = got["coefficient"] / got["std_error"]
    assert got["statistic"] == pytest.approx(z) and got["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    low = math.exp(got["coefficient"] - 1.959964 * got["std_error"])
    assert got["ci_low"] == pytest.approx(low, rel=1e-6)
    assert (got["se_type"], got["n_clusters"], got["null_value"]) == ("cluster-robust (task)", 7, 1.0)
    assert pd.isna(got["n_boot"]) and pd.isna(got["seed"])  # nothing resampled


def _bisect(f, lo: float, hi: float) -> float:
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


def test_zero_truncated_poisson_means_solve_the_truncated_mean_equation_and_errors_match_statsmodels():
    from statsmodels.discrete.truncated_model import TruncatedLFPoisson

    values = overdispersed(2, nlp_mean=2.0, cv_mean=1.0, shift=1)
    y = values["value"].tolist()
    lams = {}
    for domain in ("nlp", "cv"):
        ys = [v for v, d in zip(y, values["domain"], strict=True) if d == domain]
        mean = sum(ys) / len(ys)
        lams[domain] = _bisect(lambda lam, m=mean: lam / (1 - math.exp(-lam)) - m, 1e-9, mean)
    data = count_models.compress(y, (values["domain"] == "nlp").to_numpy(), values["task"].to_numpy(), True)
    fit = count_models.fit_family(data, count_models.ZT_POISSON, count_models.POISSON)
    assert fit.rate_ratio == pytest.approx(lams["nlp"] / lams["cv"], rel=1e-9)
    assert math.exp(fit.intercept) == pytest.approx(lams["cv"], rel=1e-9)
    cluster, _ = _statsmodels(TruncatedLFPoisson, values, truncation=0)
    assert [fit.intercept, fit.coefficient] == pytest.approx(list(cluster.params), rel=1e-6)
    assert [fit.intercept_std_error, fit.std_error] == pytest.approx(list(cluster.bse), rel=1e-5)
    assert fit.log_likelihood == pytest.approx(cluster.llf, rel=1e-9)


def test_zero_truncated_negative_binomial_matches_statsmodels():
    from statsmodels.discrete.truncated_model import TruncatedLFNegativeBinomialP

    values = overdispersed(3, nlp_mean=4.0, cv_mean=2.0)
    values = values[values["value"] > 0].reset_index(drop=True)  # declaring units only, as RQ1
    table = domains.domain_comparison({"rq1": values}, DOMAINS, n_boot=50, seed=0)
    got = model_row(table, "rq1")
    assert got["method"] == "zt_negbin" and "untruncated means" in got["note"]
    cluster, _ = _statsmodels(TruncatedLFNegativeBinomialP, values, truncation=0, p=2)
    assert [got["intercept"], got["coefficient"]] == pytest.approx(list(cluster.params[:2]), rel=1e-4)
    assert [got["intercept_std_error"], got["std_error"]] == pytest.approx(list(cluster.bse[:2]), rel=1e-3)
    assert got["theta"] == pytest.approx(1 / cluster.params[2], rel=1e-3)
    assert got["log_likelihood"] == pytest.approx(cluster.llf, rel=1e-8)


def test_theta_at_zero_is_the_logarithmic_series_limit_said_in_the_note():
    """A mass at 1 with a long tail: the zero-truncated NB likelihood rises towards theta -> 0, whose limit is the
    logarithmic series; each domain's p solves p / ((1 - p) (-log(1 - p))) = mean (bisection)."""
    values = frame({t: [1] * 60 + [2] * 6 + [3] * 2 + [5, 9, 40] for t in DOMAINS})
    values.loc[values["domain"] == "nlp", "value"] = values.loc[values["domain"] == "nlp", "value"] * 2 - 1
    table = domains.domain_comparison({"rq1": values}, DOMAINS, n_boot=50, seed=0)
    got = model_row(table, "rq1")
    assert got["method"] == "logseries" and "logarithmic series" in got["note"] and got["theta"] == 0
    logits = {}
    for domain in ("nlp", "cv"):
        ys = values.loc[values["domain"] == domain, "value"].tolist()
        mean = sum(ys) / len(ys)
        p = _bisect(lambda q, m=mean: q / ((1 - q) * -math.log(1 - q)) - m, 1e-12, 1 - 1e-12)
        logits[domain] = math.log(p / (1 - p))
    assert got["coefficient"] == pytest.approx(logits["nlp"] - logits["cv"], rel=1e-7)
    assert got["intercept"] == pytest.approx(logits["cv"], rel=1e-7)
    # The negative binomial far out towards theta -> 0 has the same rate ratio.
    data = count_models.compress(values["value"], values["domain"] == "nlp", values["task"], True)
    far = count_models.ml_params(data, count_models.NEGBIN, math.exp(-25.0))
    assert far[1] == pytest.approx(got["coefficient"], rel=1e-6)


def test_no_overdispersion_falls_back_to_poisson_with_a_note():
    under = frame({t: [1, 2, 2, 3, 2, 1, 3, 2] * 5 for t in DOMAINS})  # variance < mean
    ones = frame({t: [1] * 150 + [2] * (1 + i) for i, t in enumerate(DOMAINS)})  # no 3s: thinner than Poisson
    table = domains.domain_comparison({"children": under, "rq3": ones}, DOMAINS, n_boot=50, seed=0)
    for measure, method in (("children", "poisson"), ("rq3", "zt_poisson")):
        got = model_row(table, measure)
        assert got["method"] == method and not got["error"]
        assert got["note"].startswith("no overdispersion") and "Poisson fitted" in got["note"]
        assert pd.isna(got["theta"]) and pd.isna(got["theta_std_error"])
        assert np.isfinite([got["estimate"], got["std_error"], got["ci_low"], got["ci_high"]]).all()
    text = domains.summary_text(table, "rq3")
    assert "Poisson" in text and "Theta" not in text


def test_a_domain_without_units_or_with_only_zeros_gives_error_rows_not_a_crash():
    nlp_only = frame({"n1": [1, 2, 3], "n2": [2, 5]})
    zeros = frame({"n1": [0, 1, 4], "n2": [2, 0, 7], "c1": [0, 0], "c2": [0]})
    with_zero = frame({"n1": [0, 1, 4], "n2": [2, 3], "c1": [1, 2], "c2": [1, 6]})
    table = domains.domain_comparison({"rq1": nlp_only, "children": zeros, "rq3": with_zero}, DOMAINS, 50, 0)
    assert len(table) == 9
    for measure, message in (("rq1", "no units"), ("children", "every CV value is 0"),
                             ("rq3", "values are below 1")):  # fmt: skip
        got = model_row(table, measure)
        assert message in got["error"] and pd.isna(got["estimate"]) and pd.isna(got["ci_low"])
        assert domains.summary_text(table, measure).endswith(f"\nN{got['error'][1:]}")
    assert "no units" in rank_row(table, "rq1")["error"]
    assert "CV has no units for rq1" in row(table, "rq1", "task")["error"]
    assert "every CV task mean is 0" in row(table, "children", "task")["error"]
    assert rank_row(table, "children")["estimate"] == pytest.approx(15 / 18)  # 12 NLP wins, 6 ties with zeros
    assert not rank_row(table, "rq3")["error"]  # the rank test needs no truncation


# --------------------------------------------------------------------------------------------- Mann-Whitney


def test_mann_whitney_estimate_is_pair_counting_and_p_is_scipys_on_the_distinct_units():
    values = overdispersed(4, nlp_mean=2.0, cv_mean=1.6, n=30)
    values = pd.concat([values, values.assign(task="n2", domain="nlp").head(10)])  # models listed twice
    table = domains.domain_comparison({"children": values}, DOMAINS, n_boot=300, seed=3)
    got = rank_row(table, "children")
    units = values.drop_duplicates(["domain", "unit_id"])
    nlp = units.loc[units["domain"] == "nlp", "value"].tolist()
    cv = units.loc[units["domain"] == "cv", "value"].tolist()
    u = sum((a > b) + 0.5 * (a == b) for a in nlp for b in cv)
    assert got["statistic"] == pytest.approx(u) and got["estimate"] == pytest.approx(u / (len(nlp) * len(cv)))
    expected_p = stats.mannwhitneyu(nlp, cv, alternative="two-sided").pvalue
    assert got["p_value"] == pytest.approx(expected_p, rel=1e-12)
    assert (got["null_value"], got["n_boot"], got["seed"]) == (0.5, 300, 3)
    assert "independent" in got["note"] and "resamples tasks" in got["note"]


def test_auc_from_histograms_is_pair_counting():
    rng = np.random.default_rng(7)
    hist_a, hist_b = rng.integers(0, 5, (3, 6)).astype(float), rng.integers(0, 5, (3, 6)).astype(float)
    got = inference.auc_from_histograms(hist_a, hist_b)
    for k in range(3):
        a = [v for v in range(6) for _ in range(int(hist_a[k, v]))]
        b = [v for v in range(6) for _ in range(int(hist_b[k, v]))]
        expected = sum((x > y) + 0.5 * (x == y) for x in a for y in b) / (len(a) * len(b))
        assert got[k] == pytest.approx(expected, rel=1e-12)


def test_the_rank_interval_resamples_whole_tasks():
    """NLP task n1 all 5s, n2 all 1s, CV all 3s: a resample of two tasks has AUC 1 (n1 twice), 0.5 or 0 (n2
    twice), so the interval is [0, 1] however many units each task holds; a unit bootstrap would be narrow."""
    a, clusters_a = np.array([5] * 200 + [1] * 200), np.array(["n1"] * 200 + ["n2"] * 200)
    b, clusters_b = np.full(300, 3), np.array(["c1", "c2", "c3"] * 100)
    test = inference.cluster_rank_test(a, clusters_a, b, clusters_b, n_resamples=400, seed=0)
    assert test.estimate == 0.5 and (test.ci_low, test.ci_high) == (0.0, 1.0)
    assert inference.cluster_rank_test(a, clusters_a, b, clusters_b, 400, 0) == test
    one = inference.cluster_rank_test(a, np.full(400, "n1"), b, clusters_b, n_resamples=400, seed=0)
    assert math.isnan(one.ci_low) and math.isnan(one.ci_high) and one.estimate == 0.5


# --------------------------------------------------------------------------------------------- readings


def _difference(measure: str, factor: float, seed: int) -> pd.DataFrame:
    """Counts of one measure's kind: NLP task values scaled by ``factor`` (1: the CV tasks' exact copies)."""
    rng = np.random.default_rng(seed)
    base = [rng.negative_binomial(1.0, 1.0 / (1.0 + rng.uniform(1.5, 2.5)), 120) for _ in range(3)]
    start = 1 if measure in ("rq1", "rq3") else 0
    tasks = ("n1", "n2", "n3", "c1", "c2", "c3")  # each CV task a copy of an NLP task's draws
    return frame({task: [int(start + round(v * (factor if DOMAINS[task] == "nlp" else 1.0))) for v in base[i % 3]]
                  for i, task in enumerate(tasks)}, prefix=measure)  # fmt: skip


@pytest.mark.parametrize(("factor", "covers"), [(1.0, True), (4.0, False)])
def test_no_difference_is_covered_by_every_interval_and_a_clear_one_excluded(factor, covers):
    values = {measure: _difference(measure, factor, seed) for seed, measure in enumerate(MEASURES)}
    table = domains.domain_comparison(values, DOMAINS, n_boot=500, seed=1)
    assert list(zip(table["measure"], table["level"], strict=True)) == [
        (m, level) for m in MEASURES for level in ("task", "unit", "unit")]  # fmt: skip
    for r in table.itertuples():
        assert not r.error, (r.measure, r.method, r.error)
        inside = r.ci_low <= r.null_value <= r.ci_high
        assert inside == covers, (r.measure, r.method, r.estimate, r.ci_low, r.ci_high)
        if covers:
            assert r.estimate == pytest.approx(r.null_value, abs=1e-9)


# --------------------------------------------------------------------------------------------- three domains

THREE = {"n1": "nlp", "n2": "nlp", "n3": "nlp", "c1": "cv", "c2": "cv", "c3": "cv", "a1": "audio", "a2": "audio",
         "a3": "audio"}  # fmt: skip


def three_frame(values: dict[str, list[int]]) -> pd.DataFrame:
    rows = [(task, THREE[task], f"{task}/{i}", v) for task, vs in values.items() for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


def test_names_follow_the_taxonomy_order_of_the_settings():
    from hubreuse.core.names import DOMAIN_NAMES
    from hubreuse.core.settings import DOMAINS as SETTINGS_DOMAINS

    assert tuple(DOMAIN_NAMES) == SETTINGS_DOMAINS
    assert domains.configured_domains({"x": "audio", "y": "cv", "z": "nlp"}) == ["nlp", "cv", "audio"]
    assert domains.configured_domains({"x": "audio", "y": "cv"}) == ["cv", "audio"]  # no NLP: CV the reference


def test_three_domains_each_compared_with_the_reference_by_mean_task_means_and_ranks():
    raw = {"n1": [1, 2, 6], "n2": [3, 3], "n3": [2, 5, 1, 1], "c1": [1, 1], "c2": [2, 4, 1], "c3": [1],
           "a1": [4, 8], "a2": [1, 2, 9, 3], "a3": [5]}  # fmt: skip
    values = three_frame(raw)
    table = domains.domain_comparison({"children": values}, THREE, n_boot=200, seed=3)
    methods = table["method"].str.replace("negbin|poisson", "model", regex=True)
    assert list(zip(methods, table["domain"], strict=True)) == [
        ("task_means", "cv"), ("task_means", "audio"), ("model", "cv"), ("model", "audio"), ("mann_whitney", "cv"),
        ("mann_whitney", "audio")]  # fmt: skip
    assert set(table["reference"]) == {"nlp"}
    task_mean = {d: [sum(vs) / len(vs) for t, vs in raw.items() if THREE[t] == d] for d in ("nlp", "cv", "audio")}
    mean_of = {d: sum(ms) / len(ms) for d, ms in task_mean.items()}
    units = {d: [v for t, vs in raw.items() if THREE[t] == d for v in vs] for d in ("nlp", "cv", "audio")}
    for _, got in table.iterrows():
        dom = got["domain"]
        assert got["effect"].endswith(f"(NLP / {domains.name(dom)})") or "P(NLP > " in got["effect"]
        assert (got["n_units_nlp"], got[f"n_units_{dom}"]) == (len(units["nlp"]), len(units[dom]))
        assert (got["n_tasks_nlp"], got[f"n_tasks_{dom}"]) == (3, 3)
        other = "audio" if dom == "cv" else "cv"
        assert pd.isna(got[f"n_units_{other}"]) and pd.isna(got[f"mean_{other}"])  # only the row's pair is filled
        if got["method"] == "task_means":
            assert got["estimate"] == pytest.approx(mean_of["nlp"] / mean_of[dom], rel=1e-12)
            assert got["mean_nlp"] == pytest.approx(mean_of["nlp"])
            assert got["mean_" + dom] == pytest.approx(mean_of[dom])
        if got["method"] == "mann_whitney":
            wins = sum((a > b) + 0.5 * (a == b) for a in units["nlp"] for b in units[dom])
            assert got["estimate"] == pytest.approx(wins / (len(units["nlp"]) * len(units[dom])), rel=1e-12)


def test_three_domains_one_count_model_whose_contrasts_match_statsmodels():
    from statsmodels.discrete.discrete_model import NegativeBinomial

    rng = np.random.default_rng(11)
    means = {"nlp": 3.0, "cv": 1.5, "audio": 2.2}
    raw = {t: [int(v) for v in rng.negative_binomial(1.0, 1.0 / (1.0 + means[d] * (0.9 + 0.1 * (i % 3))), 70)]
           for i, (t, d) in enumerate(THREE.items())}  # fmt: skip
    values = three_frame(raw)
    table = domains.domain_comparison({"children": values}, THREE, n_boot=50, seed=0)
    model = table[table["level"].eq("unit") & table["method"].isin(domains.MODEL_METHODS)].set_index("domain")
    assert list(model.index) == ["cv", "audio"] and set(model["method"]) == {"negbin"}
    assert model["theta"].nunique() == 1 and model["log_likelihood"].nunique() == 1  # fitted once
    mean = {d: np.mean([v for t, vs in raw.items() if THREE[t] == d for v in vs]) for d in means}
    for dom in ("cv", "audio"):  # the untruncated ML rate ratio is the ratio of the domain means
        assert model.loc[dom, "estimate"] == pytest.approx(mean["nlp"] / mean[dom], rel=1e-9)
    y = values["value"].to_numpy(float)
    x = np.column_stack([np.ones(len(y)), (values["domain"] == "nlp").to_numpy(float),
                         (values["domain"] == "audio").to_numpy(float)])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = NegativeBinomial(y, x)
        start = nb.fit(disp=0, maxiter=2000, method="bfgs").params
        fit = nb.fit(start_params=start, disp=0, method="newton", maxiter=100, cov_type="cluster",
                     cov_kwds={"groups": pd.factorize(values["task"])[0]})  # fmt: skip
    params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    # NLP against CV: the coefficient of NLP with CV the baseline; NLP against Audio: the contrast NLP - Audio.
    for dom, slope, level in (("cv", [0, 1, 0, 0], [1, 0, 0, 0]), ("audio", [0, 1, -1, 0], [1, 0, 1, 0])):
        slope, level = np.array(slope, float), np.array(level, float)
        got = model.loc[dom]
        assert got["coefficient"] == pytest.approx(slope @ params, rel=1e-6)
        assert got["std_error"] == pytest.approx(math.sqrt(slope @ cov @ slope), rel=1e-4)
        assert got["intercept"] == pytest.approx(level @ params, rel=1e-6)
        assert got["intercept_std_error"] == pytest.approx(math.sqrt(level @ cov @ level), rel=1e-4)
        assert got["theta"] == pytest.approx(1 / params[3], rel=1e-5)
        assert got["aic"] == pytest.approx(-2 * fit.llf + 8, rel=1e-9)  # 4 parameters
        assert got["n_clusters"] == 9 and "one model of value ~ domain over NLP, CV, Audio" in got["note"]
    text = domains.summary_text(table, "children")
    assert 'NLP against CV: relevel(domain, ref = "cv")' in text and 'relevel(domain, ref = "audio")' in text
    assert text.count("domainnlp") == 2 and "(df=4)" in text and "Rate ratio NLP / Audio" in text


def test_a_domain_with_tasks_but_no_units_and_a_single_domain_give_error_rows():
    values = three_frame({"n1": [1, 2], "n2": [3, 1, 2], "c1": [2, 2, 5], "c2": [1, 4]})  # audio: tasks, no units
    table = domains.domain_comparison({"children": values}, THREE, n_boot=50, seed=0)
    audio = table[table["domain"] == "audio"]
    assert len(audio) == 3 and all("Audio has no units for children" in e for e in audio["error"])
    assert audio["estimate"].isna().all() and list(audio["n_units_audio"]) == [0, 0, 0]
    cv = table[table["domain"] == "cv"]
    assert cv["error"].fillna("").eq("").all() and cv["estimate"].notna().all()
    alone = domains.domain_comparison({"children": values[values["domain"] == "nlp"]}, {"n1": "nlp", "n2": "nlp"},
                                      n_boot=50, seed=0)  # fmt: skip
    assert len(alone) == 3 and all("tasks in one domain only (NLP)" in e for e in alone["error"])
