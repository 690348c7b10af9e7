"""The inference tables of the stats stage (``mean_intervals.csv``, ``domain_comparison.csv``) as the workflow's
steps write them: plain Python means and counts over the values, the statistical functions called directly on the
same values, and the written CSV read back as the report reads it (the statistics of the domain comparison
themselves are tested in test_domain_comparison.py)."""

from __future__ import annotations

import csv
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
        draws = rng.negative_binomial(1, p, n)
        rows += [(task, domain, f"{task}/{i}", int(v) + shift) for i, v in enumerate(draws)]
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
    paths["rq3"] = folder / "rq3_values.parquet"  # NLP units only: error rows, written and read back
    frames["rq1"][frames["rq1"]["domain"] == "nlp"].to_parquet(paths["rq3"])
    steps.domain_comparison(paths, DOMAINS, "demo", 400, 7, str(folder / "domain_comparison.csv"))

    def read(name: str) -> pd.DataFrame:
        return read_table(Path(folder / f"{name}.csv"))  # as the report reads it

    return {"frames": frames, "paths": paths, "folder": folder, "intervals": read("mean_intervals"),
            "comparison": read("domain_comparison")}  # fmt: skip


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
            rows.loc[rows["task"] == "t-cv-a", ["mean", "ci_low", "ci_high"]].iloc[0])  # fmt: skip


def test_domain_comparison_table_as_written_and_read_back(written):
    """Three rows per measure in the given order, the documented columns, integers written as integers, and the
    floats the report reads back are exactly those computed (the table recomputed from the same frames)."""
    table, frames = written["comparison"], written["frames"]
    assert list(table.columns) == [*domain_stats.columns(["nlp", "cv"]), "source"]
    assert set(table["source"]) == {"demo (SYNTHETIC data)"}
    measures = ("rq1", "rq2", "children", "rq3")
    expected_order = [(m, level) for m in measures for level in ("task", "unit", "unit")]
    assert list(zip(table["measure"], table["level"], strict=True)) == expected_order
    assert list(table["method"][::3]) == ["task_means"] * 4
    assert list(table["method"][2::3]) == ["mann_whitney"] * 4
    assert set(table["method"][1::3]) <= set(domain_stats.MODEL_METHODS)
    text = (written["folder"] / "domain_comparison.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    for line in text[1:]:
        cells = dict(zip(header, next(iter(csv.reader([line]))), strict=True))
        assert all(cells[c] == "" or cells[c].isdigit() for c in domain_stats.integer_columns(["nlp", "cv"])), cells
    direct = domain_stats.domain_comparison({m: pd.read_parquet(written["paths"][m]) for m in written["paths"]},
                                            DOMAINS, n_boot=400, seed=7)  # fmt: skip
    for column in domain_stats.columns(["nlp", "cv"]):
        read, computed = table[column].tolist(), direct[column].tolist()
        for a, b in zip(read, computed, strict=True):
            assert (pd.isna(a) and (pd.isna(b) or b == "")) or a == b, (column, a, b)
    for measure, frame in frames.items():
        rows = table[table["measure"] == measure]
        units = frame[frame["domain"] == "nlp"]
        assert set(rows["n_units_nlp"]) == {len(units)}  # every unit id of these frames is distinct
        assert set(rows["n_tasks_nlp"]) == {units["task"].nunique()}
        model = rows.iloc[1]
        if not model["error"] or pd.isna(model["error"]):
            assert model["mean_nlp"] == pytest.approx(sum(units["value"]) / len(units))
        assert list(rows["n_boot"].isna()) == [False, True, False] and set(rows["seed"].dropna()) == {7}


def test_summary_text_from_the_written_table_is_the_fit_as_r_prints_it(written):
    """Printed from the CSV the report reads, the model summary is the one printed from the computed table, and
    shows the row's own numbers."""
    table = written["comparison"]
    direct = domain_stats.domain_comparison({m: pd.read_parquet(written["paths"][m]) for m in written["paths"]},
                                            DOMAINS, n_boot=400, seed=7)  # fmt: skip
    for measure in ("rq1", "rq2", "children", "rq3"):
        assert domain_stats.summary_text(table, measure) == domain_stats.summary_text(direct, measure)
    assert domain_stats.summary_text(table, "rq9") is None
    rq2 = domain_stats.summary_text(table, "rq2")
    model = table[(table["measure"] == "rq2") & (table["level"] == "unit")].iloc[0]
    for piece in ("Call:", "data = rq2", "z test of coefficients:", "Estimate Std. Error z value Pr(>|z|)",
                  "(Intercept)", "domainnlp", inference.SIGNIF_LEGEND, "cluster-robust by task",
                  f"{int(model['n_clusters'])} clusters", "'log Lik.'", "AIC:",
                  f"{model['estimate']:.4g}", inference.format_pvalue(model["p_value"])):  # fmt: skip
        assert piece in rq2, piece
    assert domain_stats.summary_text(table, "rq3").endswith("\nNot computed: CV has no units for rq3")
