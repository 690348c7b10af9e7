"""The paper's three measures per task, computed as vectorised joins and group-bys over the matrices.

RQ1(T): over the models of L_M(T) that declare datasets, the number of declared entries.
RQ2(T): over all datasets d of L_D(T) (zeros included), the number of models of L_M(T) whose declared
        datasets contain a string equal to d's id (exact, case-sensitive).
RQ3(T): as RQ1, for ``base_model``.
Every configured task gets a row, also an empty one (n = 0, mean and sd undefined).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hubreuse.stats.describe import describe

MEASURES = {
    "rq1": "rq1_datasets_per_model",
    "rq2": "rq2_models_per_dataset",
    "rq3": "rq3_base_models_per_model",
}
SUMMARY_COLUMNS = [
    "task", "domain", "n", "mean", "sd", "median", "q1", "q3", "min", "max", "population", "share_declaring",
]  # fmt: skip
VALUE_COLUMNS = ["task", "domain", "unit_id", "value"]


def declared_counts(
    models: pd.DataFrame, model_task: pd.DataFrame, count_column: str, domains: Mapping[str, str]
) -> pd.DataFrame:
    """Per (task, model) the number of declared entries, for models that declare anything (RQ1, RQ3)."""
    counts = models[["model_id", count_column]].dropna(subset=[count_column])
    values = model_task.merge(counts, on="model_id", how="inner")
    values = values[values["task"].isin(list(domains))]
    return pd.DataFrame(
        {
            "task": values["task"].array,
            "domain": values["task"].map(domains).array,
            "unit_id": values["model_id"].to_numpy(),
            "value": values[count_column].astype("int64").to_numpy(),
        },
        columns=VALUE_COLUMNS,
    )


def models_per_dataset(
    model_task: pd.DataFrame,
    dataset_task: pd.DataFrame,
    model_dataset: pd.DataFrame,
    domains: Mapping[str, str],
) -> pd.DataFrame:
    """Per (task, dataset of L_D(T)) the number of the task's models declaring it (RQ2), zeros included."""
    declaring = model_dataset.merge(model_task, on="model_id", how="inner")
    counts = declaring.groupby(["task", "dataset_id"], sort=False).size().rename("value").reset_index()
    values = dataset_task[dataset_task["task"].isin(list(domains))].merge(
        counts, on=["task", "dataset_id"], how="left"
    )
    return pd.DataFrame(
        {
            "task": values["task"].array,
            "domain": values["task"].map(domains).array,
            "unit_id": values["dataset_id"].to_numpy(),
            "value": values["value"].fillna(0).astype("int64").to_numpy(),
        },
        columns=VALUE_COLUMNS,
    )


def summarise(values: pd.DataFrame, population: pd.Series, domains: Mapping[str, str]) -> pd.DataFrame:
    """Descriptive statistics per configured task, in config order; sd is the sample sd (ddof=1)."""
    table = describe(values, "task", "value").reindex(list(domains))
    table.index.name = "task"
    table["n"] = table["n"].fillna(0).astype("int64")
    table["population"] = population.reindex(list(domains)).fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["n"] / table["population"].where(table["population"] > 0)
    table["share_declaring"] = share
    table = table.reset_index()
    table.insert(1, "domain", table["task"].map(domains))
    return table[SUMMARY_COLUMNS]


def paper_measures(
    matrices: Mapping[str, pd.DataFrame], domains: Mapping[str, str]
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """The three measures: for each of rq1..rq3, (summary table, per-unit values)."""
    models, model_task = matrices["models"], matrices["model_task"]
    models_in_task = model_task.groupby("task").size()
    datasets_in_task = matrices["dataset_task"].groupby("task").size()
    rq1 = declared_counts(models, model_task, "datasets_n", domains)
    rq2 = models_per_dataset(model_task, matrices["dataset_task"], matrices["model_dataset"], domains)
    rq3 = declared_counts(models, model_task, "base_model_n", domains)
    rq2_summary = summarise(rq2, datasets_in_task, domains)
    # Every dataset of L_D(T) is a unit of RQ2: "share declaring" is the share reused at least once.
    reused = rq2[rq2["value"] > 0].groupby("task").size().reindex(list(domains)).fillna(0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rq2_summary["share_declaring"] = np.where(
            rq2_summary["population"] > 0, reused / rq2_summary["population"].where(rq2_summary["population"] > 0), np.nan
        )
    return {
        "rq1": (summarise(rq1, models_in_task, domains), rq1),
        "rq2": (rq2_summary, rq2),
        "rq3": (summarise(rq3, models_in_task, domains), rq3),
    }


def declaration_shapes(models: pd.DataFrame, model_task: pd.DataFrame, domains: Mapping[str, str]) -> pd.DataFrame:
    """Declarations by shape per task and key: the data-quality table (nothing silently dropped)."""
    frames = []
    joined = model_task[model_task["task"].isin(list(domains))].merge(
        models[["model_id", "datasets_shape", "base_model_shape"]], on="model_id"
    )
    for key in ("datasets", "base_model"):
        counts = joined.groupby(["task", f"{key}_shape"]).size().unstack(fill_value=0)
        counts = counts.reindex(list(domains), fill_value=0)
        counts.insert(0, "key", key)
        frames.append(counts)
    table = pd.concat(frames).fillna(0)
    for shape in ("absent", "null", "string", "list", "list_nonstring", "empty_list", "other"):
        if shape not in table:
            table[shape] = 0
    table.index.name = "task"
    table = table.reset_index()
    table.insert(1, "domain", table["task"].map(domains))
    cols = ["task", "domain", "key", "absent", "null", "string", "list", "list_nonstring", "empty_list", "other"]
    return table[cols].astype({c: "int64" for c in cols[3:]})
