"""Several snapshots side by side: the per-task measures, populations and concentration of each, and the moves.

Why only stacking and comparing: every number comes from a snapshot's own tables, computed by the same code as a
run without snapshots (its mean intervals included), so a trend row is exactly the row of that snapshot's table.
What this module adds is the frame: one row per snapshot and task (a task a snapshot lacks is a row marked absent,
never zeros), each row saying its snapshot's source and declarations, the paper's published values as rows of
their own origin, and the moves between snapshots.

A mean has moved between two snapshots when their 95% bootstrap intervals do not overlap. Two snapshots of one Hub
share most of their models, so the intervals are not independent and no test of the difference is claimed: the
criterion says which changes are larger than either snapshot's own resampling uncertainty, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hubreuse.core.names import TREND_MEASURES
from hubreuse.core.settings import job_source, source_label

SNAPSHOT_COLUMNS = ["snapshot", "date", "source", "declarations", "origin"]
MEASURE_COLUMNS = ["n", "mean", "sd", "median", "population", "share_declaring", "ci_low", "ci_high"]
TREND_COLUMNS = [*SNAPSHOT_COLUMNS, "task", "domain", "present", *MEASURE_COLUMNS]
CONCENTRATION_COLUMNS = ["n", "gini", "gini_lo", "gini_hi", "hhi", "hhi_lo", "hhi_hi"]
# Children per model: every model of the task is a unit (zeros included); the share "declaring" is the share of
# the task's models that are the base of at least one model.
CHILDREN_RENAMES = {"share_with_children": "share_declaring"}
PUBLISHED = {"snapshot": "published", "date": "2025-02-15", "source": "published: Park & Yoon (2025)",
             "declarations": "card", "origin": "published"}  # fmt: skip
COMPUTED = "computed"


def snapshot_frame(snapshots: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per snapshot in date order: snapshot, date, source (as every table labels it, with its
    declarations), declarations, origin."""
    return pd.DataFrame([{
        "snapshot": s["snapshot"], "date": s["date"],
        "source": source_label(job_source(s["source"], s.get("declarations", "card"))),
        "declarations": s.get("declarations", "card"), "origin": COMPUTED,
    } for s in snapshots], columns=SNAPSHOT_COLUMNS)  # fmt: skip


def task_frame(tables: Mapping[str, Mapping[str, pd.DataFrame]], order: Sequence[str]) -> pd.DataFrame:
    """Every task of any snapshot with its domain, in the newest snapshot's table order, then the tasks only older
    snapshots have (``order``: snapshot names, oldest first)."""
    frames = [tables[name]["rq1"][["task", "domain"]] for name in reversed(order)]
    return pd.concat(frames).drop_duplicates("task").reset_index(drop=True)


def presence(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """A snapshot's tasks with their models and datasets; a task is present when it has either."""
    models = tables["rq1"][["task", "population"]].rename(columns={"population": "models"})
    datasets = tables["rq2"][["task", "population"]].rename(columns={"population": "datasets"})
    found = models.merge(datasets, on="task", how="outer")
    found["present"] = (found["models"].fillna(0) > 0) | (found["datasets"].fillna(0) > 0)
    return found


def grid(snapshots: pd.DataFrame, tasks: pd.DataFrame, tables: Mapping[str, Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """Every (snapshot, task) pair with the task's presence in the snapshot (absent when it has no row)."""
    found = pd.concat([presence(tables[name]).assign(snapshot=name) for name in snapshots["snapshot"]])
    frame = snapshots.merge(tasks, how="cross").merge(found, on=["snapshot", "task"], how="left")
    frame["present"] = frame["present"].astype("boolean").fillna(False).astype(bool)
    return frame


def measure_rows(measure: str, table: pd.DataFrame, intervals: pd.DataFrame | None) -> pd.DataFrame:
    """A snapshot's per-task rows of one measure with the bootstrap interval of its mean."""
    table = table.rename(columns=CHILDREN_RENAMES if measure == "children" else {})
    if measure == "children":
        table = table.assign(population=table["n"])
    rows = table[["task", *[c for c in MEASURE_COLUMNS if c in table and c not in ("ci_low", "ci_high")]]]
    if intervals is not None and len(intervals):
        ci = intervals.loc[intervals["measure"] == measure, ["task", "ci_low", "ci_high"]]
        rows = rows.merge(ci, on="task", how="left")
    return rows


def measure_trend(measure: str, snapshots: pd.DataFrame, tables: Mapping[str, Mapping[str, pd.DataFrame]],
                  published: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """``trend_<measure>``: one row per snapshot and task (absent tasks: ``present`` false, every value empty),
    snapshots in date order, then the paper's published means and sds (``origin`` published) for its measures."""
    tasks = task_frame(tables, list(snapshots["snapshot"]))
    frame = grid(snapshots, tasks, tables)
    found = pd.concat([measure_rows(measure, tables[name][measure], tables[name].get("mean_intervals"))
                       .assign(snapshot=name) for name in snapshots["snapshot"]])  # fmt: skip
    frame = frame.merge(found, on=["snapshot", "task"], how="left")
    frame.loc[~frame["present"], MEASURE_COLUMNS] = np.nan
    frame = frame.reindex(columns=TREND_COLUMNS)
    if published is not None and measure in set(published["rq"]):
        paper = published.loc[(published["rq"] == measure) & published["task"].isin(tasks["task"]),
                              ["task", "domain", "mean", "sd"]]  # fmt: skip
        rows = pd.DataFrame({**PUBLISHED, "present": True}, index=paper.index).join(paper)
        frame = pd.concat([frame, rows.reindex(columns=TREND_COLUMNS)], ignore_index=True)
    return counts_as_integers(frame.reset_index(drop=True), ("n", "population"))


def counts_as_integers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Counts as integers with empty cells where absent (a merge with absent rows makes them floats)."""
    return frame.astype({column: "Int64" for column in columns})


def population_trend(snapshots: pd.DataFrame, tables: Mapping[str, Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """``trend_population``: per snapshot and task, its models and datasets and the share of its models that
    declare datasets and base models (absent tasks: ``present`` false, values empty)."""
    tasks = task_frame(tables, list(snapshots["snapshot"]))
    frame = grid(snapshots, tasks, tables)
    shares = pd.concat([tables[name]["rq1"][["task", "n", "share_declaring"]]
                        .rename(columns={"n": "models_declaring_datasets", "share_declaring": "share_declaring_datasets"})
                        .merge(tables[name]["rq3"][["task", "n", "share_declaring"]]
                               .rename(columns={"n": "models_declaring_base", "share_declaring": "share_declaring_base"}),
                               on="task", how="outer").assign(snapshot=name)
                        for name in snapshots["snapshot"]])  # fmt: skip
    frame = frame.merge(shares, on=["snapshot", "task"], how="left")
    values = ["models", "datasets", "models_declaring_datasets", "share_declaring_datasets", "models_declaring_base",
              "share_declaring_base"]  # fmt: skip
    frame.loc[~frame["present"], values] = np.nan
    frame = counts_as_integers(frame, ("models", "datasets", "models_declaring_datasets", "models_declaring_base"))
    return frame[[*SNAPSHOT_COLUMNS, "task", "domain", "present", *values]]


def concentration_trend(snapshots: pd.DataFrame, tables: Mapping[str, Mapping[str, pd.DataFrame]]) -> pd.DataFrame:
    """``trend_concentration``: per snapshot, measure and task, the Gini coefficient and HHI with their bootstrap
    intervals, as each snapshot's concentration table has them."""
    tasks = task_frame(tables, list(snapshots["snapshot"]))
    frame = grid(snapshots, tasks, tables).merge(pd.DataFrame({"measure": list(TREND_MEASURES)}), how="cross")
    found = pd.concat([tables[name]["concentration"][["task", "measure", *CONCENTRATION_COLUMNS]].assign(snapshot=name)
                       for name in snapshots["snapshot"]])  # fmt: skip
    frame = frame.merge(found, on=["snapshot", "task", "measure"], how="left")
    frame.loc[~frame["present"], CONCENTRATION_COLUMNS] = np.nan
    frame = counts_as_integers(frame, ("n",))
    order = {m: i for i, m in enumerate(TREND_MEASURES)}
    frame = frame.assign(_m=frame["measure"].map(order)).sort_values(["_m"], kind="stable").drop(columns="_m")
    return frame[[*SNAPSHOT_COLUMNS, "measure", "task", "domain", "present", *CONCENTRATION_COLUMNS]]


def pairs(names: Sequence[str]) -> list[tuple[str, str, str]]:
    """The snapshot pairs compared: each one with the next (``consecutive``), and with three or more snapshots
    the first with the last (``first to last``)."""
    found = [(a, b, "consecutive") for a, b in zip(names, names[1:], strict=False)]
    if len(names) > 2:
        found.append((names[0], names[-1], "first to last"))
    return found


def changes(trends: Mapping[str, pd.DataFrame], snapshots: pd.DataFrame) -> pd.DataFrame:
    """``trend_changes``: per measure, snapshot pair (:func:`pairs`) and task present in both, the two means and
    intervals, their ratio, whether the mean moved (the intervals do not overlap) and which way, and whether the
    two snapshots differ in source or declarations (a move may then come from how they were read)."""
    meta = snapshots.set_index("snapshot")
    out = []
    for measure, trend in trends.items():
        computed = trend[(trend["origin"] == COMPUTED) & trend["present"]].set_index(["snapshot", "task"])
        for a, b, span in pairs(list(snapshots["snapshot"])):
            left = computed.xs(a, level="snapshot")
            right = computed.xs(b, level="snapshot")
            both = left.merge(right, left_index=True, right_index=True, suffixes=("_from", "_to"))
            if both.empty:
                continue
            frame = pd.DataFrame({
                "measure": measure, "span": span, "from_snapshot": a, "from_date": meta.at[a, "date"],
                "to_snapshot": b, "to_date": meta.at[b, "date"], "task": both.index, "domain": both["domain_from"].to_numpy(),
                "n_from": both["n_from"].to_numpy(), "n_to": both["n_to"].to_numpy(),
                "mean_from": both["mean_from"].to_numpy(), "mean_to": both["mean_to"].to_numpy(),
                "ci_low_from": both["ci_low_from"].to_numpy(), "ci_high_from": both["ci_high_from"].to_numpy(),
                "ci_low_to": both["ci_low_to"].to_numpy(), "ci_high_to": both["ci_high_to"].to_numpy(),
            })  # fmt: skip
            frame = counts_as_integers(frame, ("n_from", "n_to"))
            frame["ratio"] = frame["mean_to"] / frame["mean_from"].where(frame["mean_from"] != 0)
            up = frame["ci_low_to"] > frame["ci_high_from"]
            down = frame["ci_high_to"] < frame["ci_low_from"]
            frame["moved"] = up | down
            frame["direction"] = np.select([up, down], ["up", "down"], "none")
            frame.loc[frame[["ci_low_from", "ci_low_to"]].isna().any(axis=1), "direction"] = "no interval"
            frame["modes_differ"] = bool((meta.loc[a, ["source", "declarations"]] != meta.loc[b, ["source", "declarations"]]).any())
            out.append(frame)
    columns = ["measure", "span", "from_snapshot", "from_date", "to_snapshot", "to_date", "task", "domain", "n_from",
               "n_to", "mean_from", "mean_to", "ci_low_from", "ci_high_from", "ci_low_to", "ci_high_to", "ratio",
               "moved", "direction", "modes_differ"]  # fmt: skip
    return pd.concat(out, ignore_index=True)[columns] if out else pd.DataFrame(columns=columns)
