"""Per-task frames shared by the extended measures: the configured tasks, their members, one row per task."""

from __future__ import annotations

import pandas as pd


def task_frame(domains: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"task": list(domains), "domain": list(domains.values())})


def task_members(model_task: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """Distinct (model_id, task) rows of configured tasks, with domain."""
    members = model_task[["model_id", "task"]].drop_duplicates()
    return members.merge(task_frame(domains), on="task", how="inner")


def complete_tasks(table: pd.DataFrame, domains: dict[str, str]) -> pd.DataFrame:
    """One row per configured task, in config order, tasks without data keep n = 0."""
    out = task_frame(domains).merge(table.reset_index(), on=["task", "domain"], how="left")
    for col in [c for c in out.columns if c == "n" or c.startswith("n_") or c.endswith("_n")]:
        out[col] = out[col].fillna(0).astype("int64")
    return out
