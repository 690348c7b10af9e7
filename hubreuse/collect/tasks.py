"""The task list of ``tasks: all``: every pipeline task present in the snapshot, each with its domain.

What "present" means depends on the source:

- dump, hubstats, demo: the distinct ``pipeline_tag`` values of the models dump's records (after the index's
  de-duplication by id). A model's listing of a task is "tags contain the task", and the Hub puts a model's
  ``pipeline_tag`` into its tags, so every such task has at least those models.
- api: the Hub's task list, ``GET {endpoint}/api/tasks`` (a JSON object keyed by task id).

Each task's domain is the Hub taxonomy's (:func:`hubreuse.core.settings.task_taxonomy`); a task the taxonomy does
not know gets domain ``other`` and ``in_taxonomy`` false. A value that is not a plain Hub tag
(:data:`hubreuse.core.settings.TASK_PATTERN`: a filter on it would match something else) is reported in the log
and the task list's summary and skipped, never a crash. The list is written as CSV (task, domain, models,
in_taxonomy), which the workflow's ``task_list`` checkpoint reads back with :func:`read_task_list`.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from hubreuse.core.errors import InputError
from hubreuse.core.io import atomic_path
from hubreuse.core.settings import DOMAINS, TASK_PATTERN

log = logging.getLogger(__name__)

COLUMNS = ("task", "domain", "models", "in_taxonomy")
OTHER = "other"
SHOWN = 5


@dataclass(frozen=True)
class NotText:
    """A pipeline_tag value that is not a string (a number, a list), kept apart from any string value by type and
    shown as it was written."""

    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TaskList:
    """The resolved tasks (in table order) and the values skipped because they are not plain Hub tags."""

    rows: list[dict[str, object]]
    skipped: dict[str, int]

    @property
    def domains(self) -> dict[str, str]:
        return {str(row["task"]): str(row["domain"]) for row in self.rows}


def shown(value: object) -> str:
    """A Hub value for a log line: its repr, cut short (untrusted text, never raw control characters)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def resolve_tasks(counts: Mapping[object, int | None], taxonomy: Mapping[str, str]) -> TaskList:
    """The task list from candidate task values (``counts``: value -> models in the snapshot, None when the source
    does not count them). ``None`` values (no pipeline tag) are ignored; values that are not plain Hub tags are
    skipped and counted by their repr. Rows are ordered by domain (the order of :data:`DOMAINS`), then task name,
    so the same snapshot always gives the same table order."""
    rows: list[dict[str, object]] = []
    skipped: dict[str, int] = {}
    for value, models in counts.items():
        if value is None:
            continue
        if not isinstance(value, str) or not TASK_PATTERN.match(value):
            skipped[shown(value)] = skipped.get(shown(value), 0) + (models or 0)
            continue
        known = value in taxonomy
        rows.append({"task": value, "domain": taxonomy[value] if known else OTHER, "models": models,
                     "in_taxonomy": known})  # fmt: skip
    rows.sort(key=lambda row: (DOMAINS.index(str(row["domain"])), str(row["task"])))
    return TaskList(rows=rows, skipped=skipped)


def pipeline_tag_counts(index: str | os.PathLike[str]) -> Counter[object]:
    """Models per ``pipeline_tag`` value in a models index (:func:`hubreuse.collect.dumps.build_index`), read from
    each record's original text; a missing key or null counts under None, any value that is not a string as
    :class:`NotText`."""
    import duckdb
    import orjson

    # One grouped scan in DuckDB (no Python per record: a whole-Hub index has millions); only the few distinct
    # values, as JSON text, are decoded here.
    query = "SELECT line::JSON -> '$.pipeline_tag' AS value, count(*) FROM read_parquet(?) GROUP BY value"
    counts: Counter[object] = Counter()
    for text, n in duckdb.connect().execute(query, [str(index)]).fetchall():
        value = None if text is None else orjson.loads(text)
        counts[value if value is None or isinstance(value, str) else NotText(repr(value))] += n
    return counts


def tasks_from_index(index: str | os.PathLike[str], taxonomy: Mapping[str, str], label: str) -> TaskList:
    """The task list of a models dump (its index): its distinct pipeline tags. A dump without a single usable
    pipeline tag is bad input for ``tasks: all`` (one line naming the dump)."""
    task_list = resolve_tasks(pipeline_tag_counts(index), taxonomy)
    if not task_list.rows:
        raise InputError(label, "no record has a pipeline_tag that is a plain Hub tag; tasks: all finds no task")
    return task_list


def fetch_task_ids(endpoint: str | None = None, timeout: float = 60.0) -> list[str]:
    """The keys of the Hub's task list, ``GET {endpoint}/api/tasks``, in the order served.

    Through huggingface_hub's session (its headers, proxies and user agent) and ``hf_raise_for_status``; no token
    is sent (the task list is public) and the endpoint is logged without credentials."""
    from huggingface_hub.utils import get_session, hf_raise_for_status

    from hubreuse.collect.endpoint import public_endpoint, resolve_endpoint

    base = resolve_endpoint(endpoint)
    url = f"{base}/api/tasks"
    where = f"{public_endpoint(base)}/api/tasks"
    try:
        response = get_session().get(url, timeout=timeout)
        hf_raise_for_status(response)
        payload = response.json()
    except ValueError as error:  # JSON decoding errors are ValueErrors in requests and httpx
        raise InputError(where, f"the task list is not JSON ({error})") from None
    except Exception as error:  # network and HTTP errors of either HTTP client
        raise InputError(where, f"could not fetch the task list ({type(error).__name__})") from None
    if not isinstance(payload, dict):
        raise InputError(where, f"the task list is not a JSON object keyed by task id, got {type(payload).__name__}")
    log.info("task list of %s: %d tasks", where, len(payload))
    return list(payload)


def tasks_from_api(endpoint: str | None, taxonomy: Mapping[str, str]) -> TaskList:
    """The task list of ``source: api``: the Hub's own (no model counts)."""
    task_list = resolve_tasks(dict.fromkeys(fetch_task_ids(endpoint)), taxonomy)
    if not task_list.rows:
        raise InputError("api/tasks", "the Hub's task list holds no task that is a plain Hub tag")
    return task_list


def report(task_list: TaskList, where: str) -> dict[str, object]:
    """Log what was found and skipped; the summary recorded beside the task list."""
    outside = [str(row["task"]) for row in task_list.rows if not row["in_taxonomy"]]
    domains = Counter(str(row["domain"]) for row in task_list.rows)
    log.info("tasks: all: %d tasks of %s in %d domains (%s)", len(task_list.rows), where, len(domains),
             ", ".join(f"{d} {n}" for d, n in domains.items()))  # fmt: skip
    if outside:
        log.warning("%d task(s) not in the taxonomy, counted as domain other: %s", len(outside), ", ".join(outside))
    if task_list.skipped:
        examples = ", ".join(list(task_list.skipped)[:SHOWN])
        log.warning("skipped %d pipeline_tag value(s) that are not plain Hub tags (%s models): %s",
                    len(task_list.skipped), sum(task_list.skipped.values()), examples)  # fmt: skip
    return {"tasks": len(task_list.rows), "domains": dict(domains), "not_in_taxonomy": outside,
            "skipped": task_list.skipped}  # fmt: skip


def write_task_list(task_list: TaskList, out: str | os.PathLike[str]) -> None:
    """The task list as CSV: task, domain, models (empty when not counted), in_taxonomy (true/false)."""
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in task_list.rows:
            models = "" if row["models"] is None else row["models"]
            writer.writerow([row["task"], row["domain"], models, "true" if row["in_taxonomy"] else "false"])


def read_task_list(path: str | os.PathLike[str]) -> dict[str, str]:
    """Each task's domain, in the file's order (what the workflow fans out over)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["task"]: row["domain"] for row in csv.DictReader(handle)}

