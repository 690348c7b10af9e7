"""Canonical dataset ids: reconcile the many spellings of one dataset in model cards.

Why: the paper matched declared dataset strings to dataset ids exactly, so ``imdb``, ``IMDB``,
``https://huggingface.co/datasets/stanfordnlp/imdb`` and ``stanfordnlp/imdb`` were four different datasets and RQ2
undercounted reuse. This module maps every declared string to a canonical id with explicit, reported steps
(whitespace, url, case, alias), flags builder pseudo-datasets (``csv``, ``imagefolder``...) and model ids declared as
datasets, and recomputes RQ1/RQ2 beside the raw, paper-compatible values. The alias table and the pseudo-dataset
list are data files (``hubreuse/data/*.csv``) with a source for every row, extendable by users.

All functions are vectorised over pandas columns: they run on millions of declarations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hubreuse.core.errors import InputError
from hubreuse.core.settings import data_path
from hubreuse.stats.describe import describe
from hubreuse.stats.idcodes import isin_ids

ALIAS_FILE = data_path("dataset_aliases.csv")
PSEUDO_FILE = data_path("pseudo_datasets.csv")
ALIAS_COLUMNS = ["alias", "canonical", "source", "version"]
PSEUDO_COLUMNS = ["name", "kind", "source"]
STEPS = ["whitespace", "url", "case", "alias"]
COUNT_STATISTICS = ("n", "mean", "sd", "total")

# https://huggingface.co/datasets/x/y, http, www., hf.co, trailing slash, /tree/..., ?query, #fragment.
_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/datasets/"
    r"(?P<a>[^/?#\s]+)(?:/(?P<b>[^/?#\s]+))?(?:[/?#].*)?$",
    flags=re.IGNORECASE,
)
# Path segments that follow a repo id in Hub URLs; they are never the second half of a dataset id.
_URL_SUFFIX_SEGMENTS = {"tree", "blob", "resolve", "viewer", "discussions", "raw", "commit", "commits", "edit"}


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a small data CSV as strings; one-line InputError if unreadable or missing columns."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(path), f"not a readable CSV ({type(exc).__name__})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    frame = frame[columns].copy()
    for column in columns:
        frame[column] = frame[column].str.strip()
    key = columns[0]
    empty = frame.index[(frame[key] == "") | (frame[columns[1]] == "")]
    if len(empty):
        raise InputError(str(path), f"line {int(empty[0]) + 2}: empty {key!r} or {columns[1]!r}")
    return frame


def load_alias_table(extra: Iterable[str | Path] = ()) -> pd.DataFrame:
    """Shipped alias table, extended (and overridden, later files win) by user files with the same columns.

    Returns columns alias, canonical, source, version, with alias chains resolved (a -> b, b -> c gives a -> c).
    A file that maps one alias to two different canonical ids, or a chain that loops, is an InputError naming it.
    """
    tables = []
    for order, path in enumerate([ALIAS_FILE, *map(Path, extra)]):
        table = _read_csv(path, ALIAS_COLUMNS)
        conflicts = table.groupby("alias")["canonical"].nunique()
        if (conflicts > 1).any():
            bad = conflicts.index[conflicts > 1][0]
            raise InputError(str(path), f"alias {bad!r} maps to several canonical ids")
        table["_order"] = order
        tables.append(table)
    merged = pd.concat(tables, ignore_index=True).sort_values("_order", kind="stable")
    merged = merged.drop_duplicates("alias", keep="last").drop(columns="_order")
    merged = merged[merged["alias"] != merged["canonical"]]
    mapping = dict(zip(merged["alias"], merged["canonical"], strict=True))
    resolved = merged["canonical"].to_numpy(dtype=object).copy()
    for _ in range(len(mapping) + 1):  # at most len(mapping) hops without a loop
        nxt = np.array([mapping.get(c, c) for c in resolved], dtype=object)
        if (nxt == resolved).all():
            break
        resolved = nxt
    else:
        raise InputError("alias table", "alias chain loops (a -> b -> ... -> a)")
    merged["canonical"] = resolved
    return merged.reset_index(drop=True)


def load_pseudo_datasets(extra: Iterable[str | Path] = ()) -> pd.DataFrame:
    """Builder pseudo-datasets (loader formats such as ``csv`` or ``imagefolder``): columns name, kind, source.

    Names are lower-cased: matching is case-insensitive.
    """
    tables = [_read_csv(path, PSEUDO_COLUMNS) for path in [PSEUDO_FILE, *map(Path, extra)]]
    table = pd.concat(tables, ignore_index=True)
    table["name"] = table["name"].str.lower()
    return table.drop_duplicates("name", keep="last").reset_index(drop=True)


def _url_to_id(ids: pd.Series) -> pd.Series:
    """Dataset id inside a Hub dataset URL, or <NA> when the string is not such a URL."""
    parts = ids.str.extract(_URL_RE)
    second_ok = parts["b"].notna() & ~parts["b"].str.lower().isin(_URL_SUFFIX_SEGMENTS)
    out = parts["a"].where(~second_ok, parts["a"] + "/" + parts["b"])
    return out


def canonical_ids(
    ids: pd.Series,
    aliases: pd.DataFrame,
    pseudo: pd.DataFrame,
    known_ids: Iterable[str] = (),
) -> pd.DataFrame:
    """Map raw dataset strings to canonical ids, step by step; the vectorised core of this module.

    Steps, in order: ``whitespace`` (strip), ``url`` (Hub dataset URL -> id), ``case`` (when the string is not a
    known id exactly but its lower-cased form matches exactly one known id - of the collected datasets or the alias
    table - take that id's case), ``alias`` (legacy id -> current id via the alias table). Returns, aligned with
    ``ids``: raw, canonical_id, step ("+"-joined steps that changed the value, or "none"), is_pseudo, pseudo_kind.
    """
    raw = ids.astype("string")
    value = raw.str.strip()
    changed = {"whitespace": (value != raw).fillna(False).to_numpy()}

    from_url = _url_to_id(value)
    has_url = from_url.notna().to_numpy()
    value = from_url.where(from_url.notna(), value)
    changed["url"] = has_url

    alias_keys = aliases["alias"].astype(str)
    known = pd.Index(pd.unique(pd.concat([pd.Series(list(known_ids), dtype="string"),
                                          alias_keys.astype("string"),
                                          aliases["canonical"].astype("string")], ignore_index=True).dropna()))
    lower_known = pd.Series(known, index=known.str.lower())
    unique_lower = lower_known[~lower_known.index.duplicated(keep=False)]
    exact = isin_ids(value, pd.Series(known))
    folded = value.str.lower().map(unique_lower)
    use_fold = (~exact) & folded.notna().to_numpy() & (folded != value).fillna(False).to_numpy()
    value = value.where(~use_fold, folded)
    changed["case"] = use_fold

    alias_map = pd.Series(aliases["canonical"].to_numpy(), index=alias_keys.to_numpy())
    aliased = value.map(alias_map)
    use_alias = aliased.notna().to_numpy()
    value = value.where(~use_alias, aliased)
    changed["alias"] = use_alias

    pseudo_kind = value.str.lower().map(pd.Series(pseudo["kind"].to_numpy(), index=pseudo["name"].to_numpy()))
    is_pseudo = pseudo_kind.notna().to_numpy()
    pseudo_fold = is_pseudo & (value != value.str.lower()).fillna(False).to_numpy()
    value = value.where(~is_pseudo, value.str.lower())
    changed["case"] = changed["case"] | pseudo_fold

    step = pd.Series("", index=ids.index, dtype=object)
    for name in STEPS:
        step = step.where(~changed[name], step + "+" + name)
    step = step.str.lstrip("+").replace("", "none")
    return pd.DataFrame(
        {
            "raw": raw,
            "canonical_id": value.astype("string"),
            "step": step.astype("string"),
            "is_pseudo": is_pseudo,
            "pseudo_kind": pseudo_kind.astype("string"),
        },
        index=ids.index,
    )


def canonicalise(
    model_dataset: pd.DataFrame,
    aliases: pd.DataFrame,
    pseudo: pd.DataFrame,
    model_ids: Iterable[str] | pd.Series,
    dataset_ids: Iterable[str] | pd.Series = (),
) -> pd.DataFrame:
    """``model_dataset`` (model_id, dataset_id as written) plus canonical_id, step, is_pseudo, is_model_id, is_empty.

    ``dataset_ids`` (the collected datasets) are the known ids for case folding; ``model_ids`` (the collected
    models) flag declarations that name a model. Flags never drop a row: messy but legal metadata is reported.
    """
    # Declarations repeat a few thousand distinct strings millions of times: map each distinct string once.
    codes, distinct = pd.factorize(model_dataset["dataset_id"], use_na_sentinel=False)
    mapped = canonical_ids(pd.Series(distinct, dtype="string"), aliases, pseudo, known_ids=dataset_ids)
    model_index = pd.Index(pd.unique(pd.Series(model_ids, dtype="string").dropna()))
    flags = pd.DataFrame({
        "canonical_id": mapped["canonical_id"],
        "step": mapped["step"],
        "is_pseudo": mapped["is_pseudo"],
        "is_model_id": isin_ids(mapped["canonical_id"], model_index) | isin_ids(mapped["raw"].str.strip(), model_index),
        "is_empty": (mapped["canonical_id"] == "").fillna(True).to_numpy(dtype=bool),
    })  # fmt: skip
    return model_dataset[["model_id", "dataset_id"]].reset_index(drop=True).join(
        flags.take(codes).reset_index(drop=True)
    )


def canonical_dataset_ids(datasets: pd.DataFrame, aliases: pd.DataFrame, pseudo: pd.DataFrame) -> pd.DataFrame:
    """Canonical id of every collected dataset (dataset_id, canonical_id), so legacy ids of the population
    (``glue`` in older listings) meet the declarations that use the new id (``nyu-mll/glue``) and vice versa."""
    ids = datasets["dataset_id"].drop_duplicates().reset_index(drop=True)
    mapped = canonical_ids(ids, aliases, pseudo, known_ids=ids)
    return pd.DataFrame({"dataset_id": ids.astype("string"), "canonical_id": mapped["canonical_id"]})


def canonicalisation_summary(canonical_edges: pd.DataFrame, models: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many declarations each step changed (a declaration changed by two steps counts in both rows).

    Rows (measure, count, share): declared entries (sum of models.datasets_n, every entry of the paper-compatible
    declaration), non-string-or-duplicate entries (declared minus string entries kept), string entries, one row per
    step, unchanged, pseudo-datasets, model ids, empty strings, distinct raw ids, distinct canonical ids. Shares are of
    the string entries.
    """
    n = len(canonical_edges)
    steps = canonical_edges["step"].astype(str).str.split("+").explode()
    rows: list[tuple[str, int]] = []
    if models is not None:
        declared = int(pd.to_numeric(models["datasets_n"], errors="coerce").fillna(0).sum())
        rows.append(("declared_entries", declared))
        rows.append(("nonstring_or_duplicate_entries", declared - n))
    rows.append(("string_entries", n))
    for name in STEPS:
        rows.append((f"changed_by_{name}", int((steps == name).sum())))
    rows.append(("unchanged", int((canonical_edges["step"] == "none").sum())))
    rows.append(("changed_any_step", int((canonical_edges["step"] != "none").sum())))
    rows.append(("pseudo_datasets", int(canonical_edges["is_pseudo"].sum())))
    rows.append(("model_ids_as_datasets", int(canonical_edges["is_model_id"].sum())))
    rows.append(("empty_strings", int(canonical_edges["is_empty"].sum())))
    rows.append(("distinct_raw_ids", int(canonical_edges["dataset_id"].nunique())))
    rows.append(("distinct_canonical_ids", int(canonical_edges["canonical_id"].nunique())))
    out = pd.DataFrame(rows, columns=["measure", "count"])
    out["share_of_string_entries"] = out["count"] / n if n else np.nan
    return out


def _task_frame(domains: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"task": list(domains), "domain": list(domains.values())}).set_index("task")


def canonical_edges_usable(canonical_edges: pd.DataFrame) -> pd.DataFrame:
    """Distinct (model_id, canonical_id) pairs that name a dataset: pseudo-datasets and empty strings left out."""
    keep = ~(canonical_edges["is_pseudo"] | canonical_edges["is_empty"])
    return canonical_edges.loc[keep, ["model_id", "canonical_id"]].drop_duplicates()


def rq1_rq2_canonical(
    models: pd.DataFrame,
    model_task: pd.DataFrame,
    dataset_task: pd.DataFrame,
    canonical_edges: pd.DataFrame,
    domains: dict[str, str],
    dataset_map: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RQ1 and RQ2 per task, raw (paper-compatible) beside canonical.

    RQ1 raw: over models of L_M(T) with a declaration, number of declared entries (``datasets_n``).
    RQ1 canonical: over models of L_M(T) with at least one usable canonical id (not pseudo, not empty), number of
    distinct canonical ids. RQ2 raw: over datasets of L_D(T), number of models of L_M(T) whose string entries equal
    the id exactly. RQ2 canonical: over distinct canonical ids of L_D(T)'s datasets (``dataset_map`` from
    :func:`canonical_dataset_ids`; identity when None), number of distinct models of L_M(T) declaring that id.
    Returns (rq1, rq2), one row per configured task: task, domain, n/mean/sd/total raw, n/mean/sd/total canonical.
    """
    tasks = _task_frame(domains)
    members = model_task[["model_id", "task"]].drop_duplicates()
    members = members[members["task"].isin(tasks.index)]

    declared = models[["model_id", "datasets_n"]].dropna(subset=["datasets_n"])
    rq1_raw = describe(members.merge(declared, on="model_id"), "task", "datasets_n", statistics=COUNT_STATISTICS, suffix="_raw")
    usable = canonical_edges_usable(canonical_edges)
    per_model = usable.groupby("model_id").size().rename("k").reset_index()
    rq1_can = describe(members.merge(per_model, on="model_id"), "task", "k", statistics=COUNT_STATISTICS, suffix="_canonical")
    rq1 = tasks.join(rq1_raw).join(rq1_can)

    dt = dataset_task[["dataset_id", "task"]].drop_duplicates()
    dt = dt[dt["task"].isin(tasks.index)]
    raw_edges = canonical_edges[["model_id", "dataset_id"]].drop_duplicates()
    raw_hits = members.merge(raw_edges, on="model_id").groupby(["task", "dataset_id"]).size().rename("value")
    raw_values = dt.merge(raw_hits.reset_index(), on=["task", "dataset_id"], how="left").fillna({"value": 0})
    rq2_raw = describe(raw_values, "task", "value", statistics=COUNT_STATISTICS, suffix="_raw")

    if dataset_map is None:
        dt_can = dt.assign(canonical_id=dt["dataset_id"])
    else:
        dt_can = dt.merge(dataset_map[["dataset_id", "canonical_id"]].drop_duplicates("dataset_id"),
                          on="dataset_id", how="left")
        dt_can["canonical_id"] = dt_can["canonical_id"].fillna(dt_can["dataset_id"])
    dt_can = dt_can[["task", "canonical_id"]].drop_duplicates()
    can_hits = members.merge(usable, on="model_id").groupby(["task", "canonical_id"])["model_id"].nunique()
    can_values = dt_can.merge(can_hits.rename("value").reset_index(), on=["task", "canonical_id"], how="left")
    can_values["value"] = can_values["value"].fillna(0)
    rq2_can = describe(can_values, "task", "value", statistics=COUNT_STATISTICS, suffix="_canonical")
    rq2 = tasks.join(rq2_raw).join(rq2_can)

    def finish(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reset_index().rename(columns={"index": "task"})
        for col in [c for c in frame.columns if c.startswith(("n_", "total_"))]:
            frame[col] = frame[col].fillna(0).astype("int64")
        return frame

    return finish(rq1), finish(rq2)
