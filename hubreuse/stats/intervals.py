"""Per-task 95% percentile-bootstrap intervals of the means of the per-unit measures, as one table.

Why a table of its own: an interval is a result like any other, and a seeded resample is work; computed once by a
stats job it is recorded with the resamples and seed that made it (``results/tables/mean_intervals.csv``), and
the report only reads and draws it. The resampling itself is :func:`hubreuse.stats.inference.bootstrap_means`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hubreuse.stats import inference

COLUMNS = ["measure", "task", "domain", "n", "mean", "ci_low", "ci_high", "n_boot", "seed"]


def mean_intervals(values: Mapping[str, pd.DataFrame], domains: Mapping[str, str], n_boot: int,
                   seed: int) -> pd.DataFrame:  # fmt: skip
    """One row per (measure, task): n units, their mean and its interval, with ``n_boot`` and ``seed``.

    ``values`` maps a measure (``rq1``..``rq3``, ``children``) to its per-unit frame (task, domain, value).
    Every configured task of ``domains`` (task -> domain) gets a row in that order, a task without units too
    (n 0, mean and interval empty), as the summary tables have one; tasks of the values outside ``domains``
    follow. Each task is resampled with the same seed, so its interval does not depend on the other tasks.
    """
    parts = []
    for measure, frame in values.items():
        tasks = list(domains) + [task for task in frame["task"].unique() if task not in domains]
        table = inference.bootstrap_means(frame, order=tasks, n_resamples=n_boot, seed=seed)
        table["domain"] = [domains.get(task, domain) for task, domain in zip(table["task"], table["domain"], strict=True)]
        parts.append(table.rename(columns={"ci_lo": "ci_low", "ci_hi": "ci_high"})
                     .assign(measure=measure, n_boot=int(n_boot), seed=int(seed)))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]
