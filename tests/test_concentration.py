"""Tests of hubreuse.stats.concentration against plain-Python definitions, on small known vectors and on real task
values built from ../shared/corpora."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from hubreuse.stats import concentration
from tests.corpus_matrices import DOMAINS, _declared, corpora  # noqa: F401


def _gini_pairs(xs: list[float]) -> float:
    """Gini as mean absolute difference over all ordered pairs / (2 * mean)."""
    n, mean = len(xs), sum(xs) / len(xs)
    return sum(abs(a - b) for a in xs for b in xs) / (2 * n * n * mean)


def _gini_lorenz(xs: list[float]) -> float:
    """Gini as 1 - 2 * area under the Lorenz curve (trapezoids, one unit at a time)."""
    xs, total, cum, area = sorted(xs), sum(xs), 0.0, 0.0
    for x in xs:
        prev = cum
        cum += x / total
        area += (prev + cum) / 2 / len(xs)
    return 1 - 2 * area


def _top(xs: list[float], share: float) -> float:
    k = max(1, math.ceil(share * len(xs)))
    return sum(sorted(xs, reverse=True)[:k]) / sum(xs)


def _rq2_values(task: str) -> list[int]:
    c = corpora()
    declared = [set(e for e in _declared(r.get("cardData"), "datasets") or [] if isinstance(e, str))
                for r in c["raw_models"] if task in (r.get("tags") or [])]
    ids = [r["id"] for r in c["raw_datasets"] if f"task_categories:{task}" in (r.get("tags") or [])]
    return [sum(d in s for s in declared) for d in ids]


def _children_values(task: str) -> list[int]:
    c = corpora()
    children: dict[str, set[str]] = defaultdict(set)
    for r in c["raw_models"]:
        for b in _declared(r.get("cardData"), "base_model") or []:
            if isinstance(b, str):
                children[b].add(r["id"])
    return [len(children[r["id"]]) for r in c["raw_models"] if task in (r.get("tags") or [])]


def _frame(task: str, vals: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"task": task, "domain": DOMAINS[task], "unit_id": range(len(vals)), "value": vals})


@pytest.mark.parametrize("xs", [[0, 0, 1, 2, 5, 10], [1, 1, 1, 1], [0, 0, 0, 5], [3, 1, 4, 1, 5, 9, 2, 6]])
def test_gini_of_small_known_vectors(xs: list[int]) -> None:
    assert concentration.gini(np.array(xs)) == pytest.approx(_gini_pairs(xs))
    row = concentration.concentration_row(np.array(xs), n_boot=0)
    assert row["gini"] == pytest.approx(_gini_pairs(xs))
    assert row["hhi"] == pytest.approx(sum((x / sum(xs)) ** 2 for x in xs))
    assert row["top10"] == pytest.approx(_top(xs, 0.10))
    assert concentration.gini(np.array([0, 0, 0, 5])) == pytest.approx(0.75)


def test_concentration_table_on_real_task_values() -> None:
    rq2 = _rq2_values("text-classification")
    kids = _children_values("text-generation")
    values = pd.concat([_frame("text-classification", rq2), _frame("text-generation", kids),
                        _frame("fill-mask", [0] * 5)], ignore_index=True)
    table = concentration.concentration_table(values, "test", n_boot=1000, seed=3).set_index("task")
    for task, xs in [("text-classification", rq2), ("text-generation", kids)]:
        row = table.loc[task]
        assert row["n"] == len(xs) and row["total"] == sum(xs)
        assert row["mean"] == pytest.approx(sum(xs) / len(xs))
        assert row["gini"] == pytest.approx(_gini_lorenz(xs), abs=1e-9)
        assert row["hhi"] == pytest.approx(sum((x / sum(xs)) ** 2 for x in xs))
        assert row["top1_share"] == pytest.approx(_top(xs, 0.01))
        assert row["top10_share"] == pytest.approx(_top(xs, 0.10))
        for key in ["mean", "gini", "top1_share", "top10_share"]:
            lo, hi = row[key.replace("_share", "") + "_lo"], row[key.replace("_share", "") + "_hi"]
            assert lo <= row[key] <= hi
        assert row["mean_lo"] < row["mean_hi"] and row["gini_lo"] < row["gini_hi"]
    assert table.loc["text-classification", "gini"] == pytest.approx(_gini_pairs(rq2))
    assert math.isnan(table.loc["fill-mask", "gini"])  # all zeros: undefined, not an error
    # The multinomial bootstrap agrees with a naive resampling bootstrap of the units.
    rng = random.Random(7)
    means = sorted(sum(rng.choices(rq2, k=len(rq2))) / len(rq2) for _ in range(1000))
    naive_lo, naive_hi = means[25], means[974]
    row = table.loc["text-classification"]
    width = naive_hi - naive_lo
    assert abs(row["mean_lo"] - naive_lo) < 0.25 * width and abs(row["mean_hi"] - naive_hi) < 0.25 * width
    again = concentration.concentration_table(values, "test", n_boot=1000, seed=3)
    pd.testing.assert_frame_equal(again.set_index("task"), table)  # seeded: reproducible


def test_lorenz_points() -> None:
    rq2 = _rq2_values("text-classification")
    pts = concentration.lorenz_points(_frame("text-classification", rq2))
    assert pts.iloc[0][["population_share", "value_share"]].tolist() == [0.0, 0.0]
    assert pts.iloc[-1][["population_share", "value_share"]].tolist() == pytest.approx([1.0, 1.0])
    assert pts["population_share"].is_monotonic_increasing and pts["value_share"].is_monotonic_increasing
    xs, total = sorted(rq2), sum(rq2)
    for p, v in zip(pts["population_share"], pts["value_share"], strict=True):
        k = round(p * len(xs))
        assert v == pytest.approx(sum(xs[:k]) / total)


def test_heavy_tail_table(capsys: pytest.CaptureFixture[str]) -> None:
    kids = _children_values("text-generation")
    rng = np.random.default_rng(11)
    expo = rng.geometric(0.3, size=3000).tolist()
    values = pd.concat([_frame("text-generation", kids), _frame("image-classification", expo),
                        _frame("fill-mask", [0, 0, 1, 2])], ignore_index=True)
    table = concentration.heavy_tail_table(values, "children").set_index("task")
    assert capsys.readouterr().out == ""  # powerlaw's progress prints are silenced
    tg = table.loc["text-generation"]
    assert tg["n_positive"] == sum(k > 0 for k in kids)
    assert tg["alpha"] > 1 and tg["xmin"] >= 1
    assert tg["n_tail"] == sum(k >= tg["xmin"] for k in kids)
    assert tg["best_fit"] != "exponential (not heavy-tailed)"
    assert tg["R_exponential"] > 0 and tg["p_exponential"] < 0.1  # the reuse tail is heavier than exponential
    assert table.loc["image-classification", "best_fit"] == "exponential (not heavy-tailed)"
    assert table.loc["fill-mask", "best_fit"] == "not fitted"
    assert "too few positive values" in table.loc["fill-mask", "verdict"]
    assert math.isnan(table.loc["fill-mask", "alpha_se"]) and math.isnan(table.loc["fill-mask", "ks_d"])
    assert list(table.columns[-2:]) == ["alpha_se", "ks_d"]  # appended: the earlier columns keep their places
    for task, xs in (("text-generation", kids), ("image-classification", expo)):
        row = table.loc[task]
        assert not row["subsampled"]
        tail = [k for k in xs if k >= row["xmin"]]
        # SE of the discrete MLE: (alpha - 1) / sqrt(n_tail) (Clauset, Shalizi & Newman 2009, eq. 3.2).
        assert row["alpha_se"] == pytest.approx((row["alpha"] - 1) / math.sqrt(len(tail)), rel=1e-12)
        # KS distance at each distinct tail value u: share of the tail below u against the fitted P(X < u) =
        # 1 - zeta(alpha, u) / zeta(alpha, xmin) (Hurwitz zeta), the convention of powerlaw's Fit.power_law.D.
        from scipy.special import zeta

        ks = max(abs(sum(t < u for t in tail) / len(tail) - (1 - zeta(row["alpha"], u) / zeta(row["alpha"], row["xmin"])))
                 for u in set(tail))  # fmt: skip
        assert row["ks_d"] == pytest.approx(ks, rel=1e-9, abs=1e-12)


def test_stacked_csv_keeps_every_cell_as_written(tmp_path) -> None:
    from hubreuse.stats.steps import concentration_stack

    parts = [
        'task,value,note\nfill-mask,0.30000000000000004,"a, quoted"\n',
        'task,value,note\nNA,,null\n',
        'task,value,note\n',
    ]  # fmt: skip
    paths = []
    for i, text in enumerate(parts):
        paths.append(tmp_path / f"part{i}.csv")
        paths[-1].write_text(text, encoding="utf-8")
    out = tmp_path / "stacked.csv"
    concentration_stack({"table": [str(p) for p in paths]}, {"table": str(out)})
    expected = "task,value,note\n" + "".join(text.split("\n", 1)[1] for text in parts)
    assert out.read_text(encoding="utf-8") == expected


def test_per_group_jobs_stacked_equal_one_job(tmp_path) -> None:
    """The workflow runs concentration once per group of measures and stacks the tables: same bytes as one run
    over all measures."""
    from hubreuse.stats.steps import concentration, concentration_stack

    rng = np.random.default_rng(3)
    values = {}
    for measure in ("rq1", "rq2", "children"):
        frames = [_frame(task, list(rng.zipf(2.0, size=80 + 40 * k))) for k, task in enumerate(["fill-mask", "translation"])]
        values[measure] = tmp_path / f"{measure}.parquet"
        pd.concat(frames, ignore_index=True).to_parquet(values[measure])
    names = ("concentration", "heavy_tail", "lorenz")
    concentration({m: str(p) for m, p in values.items()}, "demo", 200, 0,
                         *(str(tmp_path / f"all.{n}.csv") for n in names))  # fmt: skip
    groups = {"paper": ("rq1", "rq2"), "children": ("children",)}
    for group, measures in groups.items():
        concentration({m: str(values[m]) for m in measures}, "demo", 200, 0,
                             *(str(tmp_path / f"{group}.{n}.csv") for n in names))  # fmt: skip
    concentration_stack({name: [str(tmp_path / f"{g}.{name}.csv") for g in groups] for name in names},
                        {name: str(tmp_path / f"stacked.{name}.csv") for name in names})
    for name in names:
        assert (tmp_path / f"stacked.{name}.csv").read_bytes() == (tmp_path / f"all.{name}.csv").read_bytes(), name
    stacked = pd.read_csv(tmp_path / "stacked.concentration.csv")
    assert list(dict.fromkeys(stacked["measure"])) == ["rq1", "rq2", "children"]


def test_concentration_groups_cover_every_measure_once_in_order() -> None:
    from hubreuse.core.names import CONCENTRATION_GROUPS, CONCENTRATION_MEASURES

    assert [m for group in CONCENTRATION_GROUPS.values() for m in group] == list(CONCENTRATION_MEASURES)
