"""Tests of hubreuse.stats.reuse against plain-Python computations over the raw corpus records (../shared/corpora)."""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict

import pandas as pd
import pytest

from hubreuse.stats import base_models, reuse
from tests.conftest import shared_path
from tests.corpus_matrices import DOMAINS, NLP, _declared, corpora  # noqa: F401


def _card_bases(rec: dict) -> set[str]:
    return {e for e in _declared(rec.get("cardData"), "base_model") or [] if isinstance(e, str)}


def _tasks_of(rec: dict) -> set[str]:
    return {t for t in rec.get("tags") or [] if t in DOMAINS}


def test_children_per_model_matches_definition() -> None:
    c = corpora()
    children: dict[str, set[str]] = defaultdict(set)
    for rec in c["raw_models"]:
        for base in _card_bases(rec):
            children[base].add(rec["id"])
    table = base_models.children_per_model(c["models"], c["model_task"], c["model_base"], DOMAINS).set_index("task")
    assert list(table.index) == list(DOMAINS)
    checked = 0
    for task in DOMAINS:
        vals = [len(children[r["id"]]) for r in c["raw_models"] if task in _tasks_of(r)]
        row = table.loc[task]
        assert row["n"] == len(vals)
        if not vals:
            continue
        checked += 1
        assert row["mean"] == pytest.approx(statistics.fmean(vals))
        assert row["max"] == max(vals)
        assert row["total_children"] == sum(vals)
        assert row["share_with_children"] == pytest.approx(sum(v > 0 for v in vals) / len(vals))
        if len(vals) > 1:
            assert row["sd"] == pytest.approx(statistics.stdev(vals))
            assert row["median"] == pytest.approx(statistics.median(vals))
    assert checked >= 15
    assert table.loc["text-generation", "total_children"] > 10_000  # lineage2025 gives real reuse
    assert (table["population"] == len(c["raw_models"])).all()


def test_children_by_relation_from_tags() -> None:
    c = corpora()
    typed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rec in c["raw_models"]:
        for tag in rec.get("tags") or []:
            parts = tag.split(":", 2)
            if len(parts) == 3 and parts[0] == "base_model":
                typed[(parts[1], parts[2])].add(rec["id"])
    rel = base_models.base_relations(c["models"])
    for relation in base_models.RELATIONS:
        expected = sum(len(v) for (r, _), v in typed.items() if r == relation)
        assert int((rel["relation"] == relation).sum()) == expected
        assert expected > 0
    table = base_models.children_per_model(c["models"], c["model_task"], c["model_base"], DOMAINS).set_index("task")
    tg = [r["id"] for r in c["raw_models"] if "text-generation" in _tasks_of(r)]
    for relation in base_models.RELATIONS:
        expected = sum(len(typed.get((relation, m), ())) for m in tg)
        assert table.loc["text-generation", f"{relation}_children_total"] == expected


def test_card_tag_disagreement_corpus_and_renamed_base() -> None:
    c = corpora()
    expected = set()
    for rec in c["raw_models"]:
        tags = set()
        for tag in rec.get("tags") or []:
            if tag.startswith("base_model:"):
                body = tag[len("base_model:"):]
                head, _, rest = body.partition(":")
                tags.add(rest if rest else head)
        if _card_bases(rec) != tags:
            expected.add(rec["id"])
    got = base_models.card_tag_disagreement(c["models"], c["model_base"])
    assert set(got["model_id"]) == expected
    sample = shared_path("api-samples/model-meta-llama--Llama-3.1-8B-Instruct.json")
    rec = json.loads(sample.read_text(encoding="utf-8"))
    models = pd.DataFrame({"model_id": [rec["id"]], "tags": [rec["tags"]]})
    model_base = pd.DataFrame({"model_id": [rec["id"]], "base_model_id": [rec["cardData"]["base_model"]]})
    row = base_models.card_tag_disagreement(models, model_base).iloc[0]
    assert row["status"] == "differ"
    assert row["card_bases"] == "meta-llama/Meta-Llama-3.1-8B"
    assert row["tag_bases"] == "meta-llama/Llama-3.1-8B"
    by_task = base_models.card_tag_disagreement_by_task(models, pd.DataFrame({"model_id": [rec["id"]],
                                                                        "task": ["text-generation"]}),
                                                  model_base, {"text-generation": "nlp"})
    assert by_task.loc[0, "n_differ"] == 1 and by_task.loc[0, "share_differ"] == 1.0


def test_coverage_counts_non_declaring_as_zero() -> None:
    c = corpora()
    table = reuse.coverage(c["models"], c["model_task"], DOMAINS).set_index("task")
    for task in ["text-classification", "text-generation", "image-classification", "translation"]:
        recs = [r for r in c["raw_models"] if task in _tasks_of(r)]
        ds = [len(_declared(r.get("cardData"), "datasets") or []) for r in recs]
        bm = [len(_declared(r.get("cardData"), "base_model") or []) for r in recs]
        row = table.loc[task]
        assert row["n"] == len(recs)
        assert row["share_declaring_datasets"] == pytest.approx(sum(x > 0 for x in ds) / len(ds))
        assert row["share_declaring_base"] == pytest.approx(sum(x > 0 for x in bm) / len(bm))
        assert row["rq1_zeros_mean"] == pytest.approx(statistics.fmean(ds))
        assert row["rq3_zeros_sd"] == pytest.approx(statistics.stdev(bm))


def test_domain_measures_count_each_model_once() -> None:
    c = corpora()
    table = reuse.domain_measures_distinct(c["models"], c["model_task"], c["model_base"], DOMAINS,
                                           c["model_dataset"], c["dataset_task"])
    table = table.set_index(["domain", "measure", "counting"])
    for domain in ["nlp", "cv", "all"]:
        recs = [r for r in c["raw_models"] if any(domain in ("all", DOMAINS[t]) for t in _tasks_of(r))]
        ds = [len(_declared(r.get("cardData"), "datasets") or []) for r in recs]
        pooled = sum(sum(domain in ("all", DOMAINS[t]) for t in _tasks_of(r)) for r in recs)
        assert table.loc[(domain, "rq1_zeros", "distinct"), "n"] == len(recs)
        assert table.loc[(domain, "rq1_zeros", "distinct"), "mean"] == pytest.approx(statistics.fmean(ds))
        assert table.loc[(domain, "rq1_zeros", "pooled"), "n"] == pooled
        declaring = [x for x in ds if x > 0]
        assert table.loc[(domain, "rq1", "distinct"), "n"] == len(declaring)
    # rq2 distinct over the NLP domain: datasets of any NLP task, models of any NLP task.
    nlp_models = {r["id"]: r for r in c["raw_models"] if any(DOMAINS[t] == "nlp" for t in _tasks_of(r))}
    nlp_ds = {r["id"] for r in c["raw_datasets"]
              for t in r.get("tags") or [] if t.startswith("task_categories:") and DOMAINS.get(t[16:]) == "nlp"}
    hits = defaultdict(set)
    for mid, rec in nlp_models.items():
        for e in _declared(rec.get("cardData"), "datasets") or []:
            if isinstance(e, str) and e in nlp_ds:
                hits[e].add(mid)
    vals = [len(hits[d]) for d in nlp_ds]
    assert table.loc[("nlp", "rq2", "distinct"), "n"] == len(vals)
    assert table.loc[("nlp", "rq2", "distinct"), "mean"] == pytest.approx(statistics.fmean(vals))


def test_task_overlap_jaccard() -> None:
    c = corpora()
    sets: dict[str, set[str]] = defaultdict(set)
    for rec in c["raw_models"]:
        for t in _tasks_of(rec):
            sets[t].add(rec["id"])
    table = reuse.task_overlap(c["model_task"])
    assert len(table) == len(sets) ** 2
    for row in table.itertuples():
        a, b = sets[row.task_a], sets[row.task_b]
        assert row.intersection == len(a & b)
        assert row.jaccard == pytest.approx(len(a & b) / len(a | b))
    assert (table["jaccard"] > 0).sum() > len(sets)  # real overlaps exist beyond the diagonal


def test_declarations_by_month() -> None:
    c = corpora()
    table = reuse.declarations_by_month(c["models"], c["model_task"], DOMAINS)
    task = "text-classification"
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rec in c["raw_models"]:
        if task in _tasks_of(rec):
            month = rec["lastModified"][:7] if rec.get("lastModified") else "unknown"
            expected[month][0] += 1
            expected[month][1] += _declared(rec.get("cardData"), "datasets") is not None
    got = table[table["task"] == task].set_index("month")
    assert set(got.index) == set(expected)
    for month, (n, n_ds) in expected.items():
        assert got.loc[month, "n_models"] == n
        assert got.loc[month, "n_declaring_datasets"] == n_ds
    allrows = table[table["task"] == reuse.ALL_TASKS]
    assert allrows["n_models"].sum() == sum(1 for r in c["raw_models"] if _tasks_of(r))


def test_dataset_time_to_first_reuse() -> None:
    c = corpora()
    first: dict[str, str] = {}
    for rec in c["raw_models"]:
        for e in _declared(rec.get("cardData"), "datasets") or []:
            if isinstance(e, str) and rec.get("lastModified"):
                first[e] = min(first.get(e, rec["lastModified"]), rec["lastModified"])
    table = reuse.dataset_time_to_first_reuse(c["datasets"], c["model_dataset"], c["models"]).set_index("dataset_id")
    ids = [r["id"] for r in c["raw_datasets"]]
    assert int((table["status"] == "never_reused").sum()) == sum(1 for d in ids if d not in first)
    for rec in c["raw_datasets"]:
        if rec["id"] in first:
            days = (pd.Timestamp(first[rec["id"]]) - pd.Timestamp(rec["createdAt"])).total_seconds() / 86400
            assert table.loc[rec["id"], "days_to_first_reuse"] == pytest.approx(days)
    summary = reuse.time_to_first_reuse_by_task(table.reset_index(), c["dataset_task"], DOMAINS).set_index("task")
    assert summary.loc["text-classification", "n_datasets"] == sum(
        "task_categories:text-classification" in (r.get("tags") or []) for r in c["raw_datasets"])
    assert math.isfinite(summary.loc["text-classification", "days_median"])


def test_join_sorted_groups_equals_plain_join_per_key() -> None:
    from hubreuse.stats.base_models import join_sorted_groups

    frame = pd.DataFrame({"k": [1, 1, 1, 4, 7, 7], "v": ["a", "b;x", "c", "d", "", "e"]})
    expected: dict[int, list[str]] = {}
    for k, v in zip(frame["k"], frame["v"], strict=True):
        expected.setdefault(k, []).append(v)
    got = join_sorted_groups(frame, "k", "v")
    assert got.to_dict() == {k: ";".join(vs) for k, vs in expected.items()}
    assert list(got.index) == [1, 4, 7]
    assert join_sorted_groups(frame.iloc[:0], "k", "v").empty
