"""Tests of hubreuse.stats.canonical: alias/pseudo data files, each canonicalisation step on real messy values from the
corpora, and RQ1/RQ2 raw vs canonical against plain-Python computations (../shared/corpora)."""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from hubreuse.core.errors import InputError
from hubreuse.stats import canonical
from tests.corpus_matrices import DOMAINS, _declared, corpora  # noqa: F401

REQUIRED_MOVES = {
    "imdb": "stanfordnlp/imdb", "glue": "nyu-mll/glue", "squad": "rajpurkar/squad", "squad_v2": "rajpurkar/squad_v2",
    "super_glue": "aps/super_glue", "wikitext": "Salesforce/wikitext", "ag_news": "fancyzhx/ag_news",
    "cnn_dailymail": "abisee/cnn_dailymail", "conll2003": "eriktks/conll2003", "xsum": "EdinburghNLP/xsum",
    "c4": "allenai/c4", "mnist": "ylecun/mnist", "cifar10": "uoft-cs/cifar10", "cifar100": "uoft-cs/cifar100",
    "emotion": "dair-ai/emotion", "snli": "stanfordnlp/snli", "tweet_eval": "cardiffnlp/tweet_eval",
    "openwebtext": "Skylion007/openwebtext", "bookcorpus": "bookcorpus/bookcorpus",
}


def _declared_strings() -> Counter:
    return Counter(e for r in corpora()["raw_models"] for e in _declared(r.get("cardData"), "datasets") or []
                   if isinstance(e, str))


def _plain_alias() -> dict[str, str]:
    with open(canonical.ALIAS_FILE, encoding="utf-8", newline="") as handle:
        return {row["alias"]: row["canonical"] for row in csv.DictReader(handle)}


def test_shipped_data_files_have_sources() -> None:
    aliases = canonical.load_alias_table()
    assert list(aliases.columns) == canonical.ALIAS_COLUMNS
    assert (aliases["source"].str.len() > 10).all() and (aliases["version"] != "").all()
    mapping = dict(zip(aliases["alias"], aliases["canonical"], strict=True))
    for alias, target in REQUIRED_MOVES.items():
        assert mapping[alias] == target
    assert not set(mapping.values()) & set(mapping)  # chains resolved
    pseudo = canonical.load_pseudo_datasets()
    assert {"imagefolder", "audiofolder", "csv", "json", "parquet", "text", "generator"} <= set(pseudo["name"])
    assert (pseudo["source"].str.len() > 10).all()


def test_user_alias_files_extend_override_and_fail_clearly(tmp_path: Path) -> None:
    extra = tmp_path / "aliases.csv"
    extra.write_text("alias,canonical,source,version\nimdb,my/imdb,test override,1\nold/x,glue,test,1\n")
    aliases = canonical.load_alias_table([extra])
    mapping = dict(zip(aliases["alias"], aliases["canonical"], strict=True))
    assert mapping["imdb"] == "my/imdb"
    assert mapping["old/x"] == "nyu-mll/glue"  # chain old/x -> glue -> nyu-mll/glue resolved
    bad = tmp_path / "bad.csv"
    bad.write_text("alias,canonical,source\nx,y,z\n")
    with pytest.raises(InputError, match="bad.csv.*version"):
        canonical.load_alias_table([bad])
    conflict = tmp_path / "conflict.csv"
    conflict.write_text("alias,canonical,source,version\na,b,s,1\na,c,s,1\n")
    with pytest.raises(InputError, match="conflict.csv: alias 'a'"):
        canonical.load_alias_table([conflict])
    loop = tmp_path / "loop.csv"
    loop.write_text("alias,canonical,source,version\np/a,p/b,s,1\np/b,p/a,s,1\n")
    with pytest.raises(InputError, match="loops"):
        canonical.load_alias_table([loop])


def test_real_messy_values_from_corpora() -> None:
    c = corpora()
    declared = _declared_strings()
    # Case variants and legacy ids really present in the 2022 cards.
    for value in ["SNLI", "Squad", "XSUM", "CIFAR10", "Wikipedia", "glue", "imdb", "squad_v2", "wikipedia"]:
        assert declared[value] > 0, value
    aliases, pseudo = canonical.load_alias_table(), canonical.load_pseudo_datasets()
    ids = pd.Series(["SNLI", "Squad", "XSUM", "CIFAR10", "glue", "imdb", "brWaC", "https://arabicspeech.org/",
                     "common_voice", "mozilla-foundation/common_voice_8_0"])
    got = canonical.canonical_ids(ids, aliases, pseudo, known_ids=c["datasets"]["dataset_id"])
    assert list(got["canonical_id"]) == ["stanfordnlp/snli", "rajpurkar/squad", "EdinburghNLP/xsum",
                                         "uoft-cs/cifar10", "nyu-mll/glue", "stanfordnlp/imdb", "brwac",
                                         "https://arabicspeech.org/", "common_voice",
                                         "mozilla-foundation/common_voice_8_0"]
    assert list(got["step"][:6]) == ["case+alias"] * 4 + ["alias"] * 2
    assert got["step"].iloc[7] == "none"  # a non-Hub URL is kept as written
    # brWaC (a real card value) folds to the case of the collected dataset "brwac"; not aliased.
    assert "brwac" in {r["id"] for r in c["raw_datasets"]} and got["step"].iloc[6] == "case"


def test_urls_whitespace_pseudo() -> None:
    aliases, pseudo = canonical.load_alias_table(), canonical.load_pseudo_datasets()
    ids = pd.Series(["https://huggingface.co/datasets/stanfordnlp/imdb", "http://www.huggingface.co/datasets/a/b/",
                     "https://huggingface.co/datasets/a/b/tree/main/data", "hf.co/datasets/glue",
                     "https://huggingface.co/datasets/squad/viewer", "  wikipedia \n", " ImageFolder", "csv",
                     "https://huggingface.co/models/a/b", "", "audiofolder"])
    got = canonical.canonical_ids(ids, aliases, pseudo, known_ids=[])
    assert list(got["canonical_id"]) == ["stanfordnlp/imdb", "a/b", "a/b", "nyu-mll/glue", "rajpurkar/squad",
                                         "wikimedia/wikipedia", "imagefolder", "csv",
                                         "https://huggingface.co/models/a/b", "", "audiofolder"]
    assert list(got["step"]) == ["url", "url", "url", "url+alias", "url+alias", "whitespace+alias",
                                 "whitespace+case", "none", "none", "none", "none"]
    assert list(got["is_pseudo"]) == [False] * 6 + [True, True, False, False, True]


def test_canonicalise_flags_and_summary_on_corpus() -> None:
    c = corpora()
    aliases, pseudo = canonical.load_alias_table(), canonical.load_pseudo_datasets()
    edges = canonical.canonicalise(c["model_dataset"], aliases, pseudo, c["models"]["model_id"],
                                   c["datasets"]["dataset_id"])
    assert len(edges) == len(c["model_dataset"])
    model_ids = {r["id"] for r in c["raw_models"]}
    per_model = [list(dict.fromkeys(e for e in _declared(r.get("cardData"), "datasets") or [] if isinstance(e, str)))
                 for r in c["raw_models"]]
    expected_model_ids = sum(e in model_ids for ds in per_model for e in ds)
    assert int(edges["is_model_id"].sum()) == expected_model_ids > 100  # huggingartists/* name their own model
    summary = canonical.canonicalisation_summary(edges, c["models"]).set_index("measure")["count"]
    all_entries = [e for r in c["raw_models"] for e in _declared(r.get("cardData"), "datasets") or []]
    assert summary["declared_entries"] == len(all_entries)
    nonstring = sum(not isinstance(e, str) for e in all_entries)  # [null] and objects like {"FOSD": url}
    duplicates = sum(len([e for e in _declared(r.get("cardData"), "datasets") or [] if isinstance(e, str)])
                     - len(ds) for r, ds in zip(c["raw_models"], per_model, strict=True))
    assert nonstring >= 50
    assert summary["nonstring_or_duplicate_entries"] == nonstring + duplicates
    alias = _plain_alias()
    assert summary["changed_by_alias"] >= sum(e in alias for ds in per_model for e in ds)
    assert summary["changed_by_case"] > 0


def _plain_canon(value: str, known_lower: dict[str, set[str]], known: set[str], alias: dict[str, str]) -> str:
    value = value.strip()
    if value not in known and len(known_lower.get(value.lower(), ())) == 1:
        value = next(iter(known_lower[value.lower()]))
    return alias.get(value, value)


def test_rq1_rq2_raw_and_canonical_against_plain_python() -> None:
    c = corpora()
    aliases, pseudo = canonical.load_alias_table(), canonical.load_pseudo_datasets()
    edges = canonical.canonicalise(c["model_dataset"], aliases, pseudo, c["models"]["model_id"],
                                   c["datasets"]["dataset_id"])
    dmap = canonical.canonical_dataset_ids(c["datasets"], aliases, pseudo)
    rq1, rq2 = canonical.rq1_rq2_canonical(c["models"], c["model_task"], c["dataset_task"], edges, DOMAINS, dmap)
    rq1, rq2 = rq1.set_index("task"), rq2.set_index("task")
    alias = _plain_alias()
    known = {r["id"] for r in c["raw_datasets"]} | set(alias) | set(alias.values())
    known_lower: dict[str, set[str]] = defaultdict(set)
    for k in known:
        known_lower[k.lower()].add(k)
    for task in ["text-classification", "question-answering", "token-classification", "translation"]:
        recs = [r for r in c["raw_models"] if task in (r.get("tags") or [])]
        decl = [_declared(r.get("cardData"), "datasets") for r in recs]
        raw1 = [len(d) for d in decl if d is not None]
        assert rq1.loc[task, "n_raw"] == len(raw1)
        assert rq1.loc[task, "mean_raw"] == pytest.approx(statistics.fmean(raw1))
        can_sets = {r["id"]: {_plain_canon(e, known_lower, known, alias) for e in d or [] if isinstance(e, str)}
                    for r, d in zip(recs, decl, strict=True)}
        can1 = [len(s) for s in can_sets.values() if s]
        assert rq1.loc[task, "n_canonical"] == len(can1)
        assert rq1.loc[task, "mean_canonical"] == pytest.approx(statistics.fmean(can1))
        dsets = [r["id"] for r in c["raw_datasets"] if f"task_categories:{task}" in (r.get("tags") or [])]
        raw2 = [sum(d in (x or []) for x in decl) for d in dsets]
        assert rq2.loc[task, "n_raw"] == len(raw2)
        assert rq2.loc[task, "mean_raw"] == pytest.approx(statistics.fmean(raw2))
        cds = {_plain_canon(d, known_lower, known, alias) for d in dsets}
        can2 = [sum(d in s for s in can_sets.values()) for d in cds]
        assert rq2.loc[task, "n_canonical"] == len(can2)
        assert rq2.loc[task, "mean_canonical"] == pytest.approx(statistics.fmean(can2))
    # Reconciling legacy ids finds reuse the exact match missed.
    assert rq2.loc["text-classification", "total_canonical"] > rq2.loc["text-classification", "total_raw"]
