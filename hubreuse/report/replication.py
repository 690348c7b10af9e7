"""Published values of Park & Yoon (2025) beside this run's, with differences and comparability notes.

Why a shipped table: a replication must show what it is compared against, with the source cited; the numbers
live in ``hubreuse/data/published_values.csv`` (header comment cites the study and its known discrepancies).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hubreuse.core.errors import InputError
from hubreuse.core.settings import data_path
from hubreuse.stats.published import PUBLISHED_COLUMNS, load_published, published_path  # noqa: F401 - used here and by tests

CITATION = (
    "Park, J. & Yoon, A. (2025). Characteristics of Datasets and Models Reuse Patterns on the Hugging Face "
    "Platform. Indiana University Indianapolis. Data collected 15 February 2025 (huggingface_hub 0.28.1)."
)
# Study-wide discrepancies every replication must state (from the study's notes).
STUDY_NOTES = (
    "The CV RQ2 standard deviations printed in the paper's text are the CV RQ1 ones; they are not compared.",
    "The text counts 28,434 NLP datasets; the analysis ran on 28,432.",
    "Models reached through several task filters were counted once in each task; nothing was de-duplicated.",
    "Legacy dataset ids (imdb vs stanfordnlp/imdb) were not reconciled, so RQ2 undercounts reuse.",
    "Models that declare nothing are left out of RQ1 and RQ3 (they are not zeros).",
    "RQ3 counts the base models each model declares, not how often a model is reused as a base.",
    "One failing page silently ended a task's model listing in the original collection (errors were swallowed).",
    "The paper's text and its table differ in the fourth decimal for RQ2 text-generation (text: mean 1.8877, sd "
    "18.1683; table: 1.8874, 18.1671); the table's values are the ones compared here.",
)
TOTAL_COLUMNS = ["rq", "domain", "units", "total"]
WITHIN = 0.10  # a reproduced mean "within 10%" of the published one


def load_totals(path: str | Path | None = None) -> pd.DataFrame:
    """The study's population totals per RQ and domain (rq, domain, units, total); ``#`` lines cite the source."""
    path = data_path("published_totals.csv") if path is None else Path(path)
    table = pd.read_csv(path, comment="#", dtype={"rq": str, "domain": str, "units": str})
    missing = [c for c in TOTAL_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}")
    return table[TOTAL_COLUMNS]


def totals(published: pd.DataFrame, reproduced: Mapping[str, pd.DataFrame | None]) -> pd.DataFrame:
    """The study's population totals beside this run's: per RQ and domain, the units summed over the domain's
    tasks (a unit of several tasks counts in each, as in the study); this run's total is empty when the RQ was
    not computed."""
    ours = {(rq, domain): int(n) for rq, table in reproduced.items() if table is not None
            for domain, n in table.groupby("domain")["n"].sum().items()}  # fmt: skip
    out = published.copy()
    out["reproduced"] = [ours.get((rq, d)) if reproduced.get(rq) is not None else None
                         for rq, d in zip(out["rq"], out["domain"], strict=True)]  # fmt: skip
    out["reproduced"] = out["reproduced"].astype("Int64")
    out["ratio"] = out["reproduced"].astype("Float64") / out["total"]
    return out


def agreement(comparison: pd.DataFrame) -> dict[str, float | int]:
    """How close this run's means are to the published ones, with honest denominators: a relative difference is
    defined only where the published mean is not 0, so published means of 0 are counted apart (and whether this
    run also gives exactly 0)."""
    has_both = comparison.dropna(subset=["published_mean", "reproduced_mean"])
    zero = has_both["published_mean"] == 0
    rel = has_both.loc[~zero, "rel_diff_mean"].abs()
    return {
        "published": len(comparison),
        "with_reproduced": len(has_both),
        "relative_defined": int((~zero).sum()),
        "within": int((rel <= WITHIN).sum()),
        "median_abs_rel": float(rel.median()) if len(rel) else float("nan"),
        "published_zero": int(zero.sum()),
        "zero_reproduced_zero": int((has_both.loc[zero, "reproduced_mean"] == 0).sum()),
        "not_reproduced": len(comparison) - len(has_both),
    }


def _note(row: pd.Series) -> str:
    notes = []
    if pd.isna(row["reproduced_mean"]):
        notes.append("not computed in this run")
    if row["rq"] == "rq2" and row["domain"] == "cv":
        notes.append("sd not comparable: the paper printed the CV RQ1 sd")
    elif pd.isna(row["published_sd"]) and not pd.isna(row["published_mean"]):
        notes.append("published sd undefined (one unit)")
    if not pd.isna(row.get("n")) and row.get("n") == 1:
        notes.append("one unit: sd undefined")
    return "; ".join(notes)


def compare(published: pd.DataFrame, reproduced: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per published (rq, task): published and reproduced mean and sd, differences (this run minus
    published, absolute and relative to the published mean) and a note where values cannot be compared.

    ``reproduced`` maps rq1..rq3 to the stats stage's summary tables (task, domain, n, mean, sd, ...).
    """
    frames = []
    for rq, table in reproduced.items():
        if table is None:
            continue
        frames.append(table[["task", "n", "mean", "sd"]].assign(rq=rq))
    ours = (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=["task", "n", "mean", "sd", "rq"]))  # fmt: skip
    ours = ours.rename(columns={"mean": "reproduced_mean", "sd": "reproduced_sd"})
    pub = published.rename(columns={"mean": "published_mean", "sd": "published_sd"})
    out = pub.merge(ours, on=["rq", "task"], how="left")
    for col in ("published_mean", "published_sd", "reproduced_mean", "reproduced_sd"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    out["diff_mean"] = out["reproduced_mean"] - out["published_mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rel_diff_mean"] = np.where(out["published_mean"] != 0, out["diff_mean"] / out["published_mean"], np.nan)
    comparable_sd = ~((out["rq"] == "rq2") & (out["domain"] == "cv"))
    out["diff_sd"] = np.where(comparable_sd, out["reproduced_sd"] - out["published_sd"], np.nan)
    out["note"] = out.apply(_note, axis=1)
    order = {"rq1": 0, "rq2": 1, "rq3": 2}
    out = out.assign(_rq=out["rq"].map(order), _dom=out["domain"].map({"nlp": 0, "cv": 1}))
    out = out.sort_values(["_rq", "_dom", "task"], kind="stable").drop(columns=["_rq", "_dom"])
    return out.reset_index(drop=True)[
        ["rq", "domain", "task", "n", "published_mean", "reproduced_mean", "diff_mean", "rel_diff_mean",
         "published_sd", "reproduced_sd", "diff_sd", "note"]
    ]  # fmt: skip
