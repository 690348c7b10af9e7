"""The inference tables of the stats stage (``mean_intervals.csv``, ``domain_comparison.csv``) against
independent computations: plain Python means and counts over the values, the statistical functions called
directly on the same values, and the report's reading of the written CSV back into those results."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hubreuse.report.inputs import read_table
from hubreuse.stats import domains as domain_stats
from hubreuse.stats import inference, intervals, steps

DOMAINS = {"t-nlp-a": "nlp", "t-nlp-b": "nlp", "t-empty": "nlp", "t-cv-a": "cv", "t-cv-b": "cv"}


def unit_values(seed: int, shift: int = 0) -> pd.DataFrame:
    """Overdispersed counts for the configured tasks (t-empty without units), in a shuffled row order."""
    rng = np.random.default_rng(seed)
    rows = []
    for task, domain in DOMAINS.items():
        if task == "t-empty":
            continue
        n = 60 if domain == "nlp" else 45
        p = 0.35 if domain == "nlp" else 0.5
        rows += [(task, domain, f"{task}/{i}", int(v) + shift) for i, v in enumerate(rng.negative_binomial(1, p, n))]
    frame = pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, object]:
    """Both tables as the workflow's steps write them, from Parquet values of three measures."""
    folder = tmp_path_factory.mktemp("inference")
    frames = {"rq1": unit_values(1, shift=1), "rq2": unit_values(2), "children": unit_values(3)}
    paths = {}
    for measure, frame in frames.items():
        paths[measure] = folder / f"{measure}_values.parquet"
        frame.to_parquet(paths[measure])
    steps.mean_intervals(paths, DOMAINS, "demo", 400, 7, str(folder / "mean_intervals.csv"))
    steps.domain_comparison(paths, "demo", str(folder / "domain_comparison.csv"))

    def read(name: str) -> pd.DataFrame:
        return read_table(Path(folder / f"{name}.csv"))  # as the report reads it

    return {"frames": frames, "intervals": read("mean_intervals"), "comparison": read("domain_comparison")}


def test_mean_intervals_has_every_configured_task_with_plain_python_n_and_mean(written):
    table = written["intervals"]
    assert list(table.columns) == [*intervals.COLUMNS, "source"]
    assert set(table["source"]) == {"demo (SYNTHETIC data)"}
    assert set(table["n_boot"]) == {400} and set(table["seed"]) == {7}
    for measure, frame in written["frames"].items():
        rows = table[table["measure"] == measure]
        assert list(rows["task"]) == list(DOMAINS)  # configured order, the empty task too
        assert list(rows["domain"]) == list(DOMAINS.values())
        for row in rows.itertuples():
            units = [int(v) for t, v in zip(frame["task"], frame["value"], strict=True) if t == row.task]
            assert row.n == len(units)
            if not units:
                assert math.isnan(row.mean) and math.isnan(row.ci_low) and math.isnan(row.ci_high)
                continue
            assert row.mean == pytest.approx(sum(units) / len(units), rel=1e-12)
            assert row.ci_low <= row.mean <= row.ci_high
            assert row.ci_low >= min(units) and row.ci_high <= max(units)


def test_mean_intervals_equal_the_bootstrap_of_each_task(written):
    """Each task's row is exactly :func:`inference.bootstrap_means` of its units (the same seed for each task),
    whatever the order of the rows in the values file."""
    table = written["intervals"]
    for measure, frame in written["frames"].items():
        direct = inference.bootstrap_means(frame, order=list(DOMAINS), n_resamples=400, seed=7)
        rows = table[table["measure"] == measure].reset_index(drop=True)
        pd.testing.assert_series_equal(rows["mean"], direct["mean"], check_names=False)
        pd.testing.assert_series_equal(rows["ci_low"], direct["ci_lo"], check_names=False)
        pd.testing.assert_series_equal(rows["ci_high"], direct["ci_hi"], check_names=False)
        alone = frame[frame["task"] == "t-cv-a"]
        assert inference.bootstrap_mean_ci(alone["value"].to_numpy(), 400, 7) == tuple(
            rows.loc[rows["task"] == "t-cv-a", ["mean", "ci_low", "ci_high"]].iloc[0])


def test_domain_comparison_rows_equal_the_glm_and_rank_test_on_the_same_values(written):
    table = written["comparison"]
    assert list(table.columns) == [*domain_stats.COLUMNS, "source"]
    assert list(zip(table["measure"], table["method"], strict=True)) == [
        (m, method) for m in ("rq1", "rq2", "children") for method in ("nb_glm", "mann_whitney")]
    assert set(table["level"]) == {"unit"}
    for measure, frame in written["frames"].items():
        fit, rank = inference.nb_glm(frame, measure), inference.mann_whitney(frame, measure)
        glm = table[(table["measure"] == measure) & (table["method"] == "nb_glm")].iloc[0]
        ranks = table[(table["measure"] == measure) & (table["method"] == "mann_whitney")].iloc[0]
        slope = fit.coefficients[1]
        assert (glm["estimate"], glm["ci_low"], glm["ci_high"]) == (slope.rate_ratio, slope.rr_lo, slope.rr_hi)
        assert (glm["statistic"], glm["p_value"], glm["coefficient"]) == (slope.z, slope.p, slope.estimate)
        assert (glm["theta"], glm["aic"], glm["residual_df"]) == (fit.theta, fit.aic, fit.residual_df)
        nlp = frame.loc[frame["domain"] == "nlp", "value"]
        cv = frame.loc[frame["domain"] == "cv", "value"]
        assert (glm["n_units_nlp"], glm["n_units_cv"]) == (len(nlp), len(cv))
        assert (glm["n_tasks_nlp"], glm["n_tasks_cv"]) == (2, 2)  # t-empty has no unit
        assert glm["mean_nlp"] == pytest.approx(nlp.sum() / len(nlp)) and glm["mean_cv"] == pytest.approx(cv.mean())
        assert glm["estimate"] == pytest.approx(glm["mean_nlp"] / glm["mean_cv"], rel=1e-6)
        assert (ranks["estimate"], ranks["statistic"], ranks["p_value"]) == (rank.prob_superiority, rank.u, rank.p)
        assert ranks["rank_biserial"] == rank.rank_biserial
        assert math.isnan(ranks["ci_low"]) and math.isnan(ranks["coefficient"])


def test_results_read_back_from_the_table_print_as_the_fit(written):
    """What the report prints (R's summary, rate ratio, rank test) from the written table is what printing the
    fit itself gives: the CSV keeps every float exactly."""
    for measure, frame in written["frames"].items():
        fit, rank = inference.nb_glm(frame, measure), inference.mann_whitney(frame, measure)
        read_fit, read_rank = domain_stats.results_of(written["comparison"], measure)
        assert inference.format_r_summary(read_fit) == inference.format_r_summary(fit)
        assert read_fit.coefficients == fit.coefficients
        assert (read_fit.means, read_fit.n) == (fit.means, fit.n)
        assert read_rank == rank
    assert domain_stats.results_of(written["comparison"], "rq3") is None


def test_poisson_limit_and_not_estimable_fits_survive_the_table(tmp_path):
    """theta = Inf (no overdispersion) and a domain without units are written and read back as the fit says."""
    rows = [("a", "nlp", f"n{i}", v) for i, v in enumerate([1, 1, 2, 1, 1, 2, 1])]
    rows += [("b", "cv", f"c{i}", v) for i, v in enumerate([1, 1, 1, 2, 1])]
    under = pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])
    one_domain = under[under["domain"] == "nlp"]
    paths = {"rq3": tmp_path / "rq3.parquet", "rq1": tmp_path / "rq1.parquet"}
    under.to_parquet(paths["rq3"])
    one_domain.to_parquet(paths["rq1"])
    steps.domain_comparison(paths, "demo", str(tmp_path / "comparison.csv"))
    table = read_table(tmp_path / "comparison.csv")
    fit, _ = domain_stats.results_of(table, "rq3")
    assert fit.ok and fit.poisson_limit and math.isinf(fit.theta) and "Poisson limit" in fit.note
    assert inference.format_r_summary(fit) == inference.format_r_summary(inference.nb_glm(under, "rq3"))
    fit, rank = domain_stats.results_of(table, "rq1")
    assert not fit.ok and "no units" in fit.error and "no units" in rank.error
    assert inference.format_r_summary(fit) == inference.format_r_summary(inference.nb_glm(one_domain, "rq1"))
    assert table.loc[(table["measure"] == "rq1") & (table["method"] == "nb_glm"), "n_units_cv"].iloc[0] == 0
