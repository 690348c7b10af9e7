"""The workflow's configuration: validation with one-line errors, defaults, and the task list.

:func:`check_config` validates against the JSON schema and then checks what a schema cannot express (duplicate
tasks, dumps that exist), each problem as one readable line, so that a bad ``--config`` stops the run before any
job starts; Snakemake's ``validate`` then fills in the schema's defaults.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hubreuse.core.errors import InputError

SOURCES = ("demo", "dump", "api", "hubstats")
# No hub-stats revision was ever tested here, so none is shipped: the user names one (the schema's default is "").
HUBSTATS_REVISION_NEEDED = ("source=hubstats needs a revision of {repo} you chose (a commit sha, for a reproducible "
                            "run); no default is shipped because no revision was tested by this project")  # fmt: skip
# The modalities of the Hub's task taxonomy (hubreuse/data/task_domains.csv), in the order tables list them.
DOMAINS = ("nlp", "cv", "audio", "multimodal", "tabular", "rl", "other")
# Hub task tags are plain words joined by hyphens (``text2text-generation``); no ``:``, ``/`` or spaces,
# which would change what a tag filter matches.
TASK_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PLAIN_TAG = "is not a plain Hub tag (letters, digits, '.', '_', '-'; no ':', '/' or spaces)"
# ``tasks: all``: every pipeline task present in the snapshot (the Hub's task list for source: api).
ALL_TASKS = "all"
TAXONOMY_FILE = "task_domains.csv"


def schema_path() -> Path:
    """Path of the config JSON schema shipped inside the package."""
    return Path(str(resources.files("hubreuse") / "schemas" / "config.schema.yaml"))


def data_path(name: str) -> Path:
    """Path of a data file shipped inside the package (``hubreuse/data/<name>``)."""
    return Path(str(resources.files("hubreuse") / "data" / name))


def load_schema() -> dict[str, Any]:
    return yaml.safe_load(schema_path().read_text(encoding="utf-8"))


def schema_problem(config: dict[str, Any]) -> InputError | None:
    """The config's first schema violation as one line (``config: demo_models: -5 is less than ...``), or None.

    jsonschema's own report of a violation runs to dozens of lines (the schema and the instance); users need
    the key and the problem. Violations are ordered by where they are, so the same config always gives the
    same line.
    """
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(load_schema()).iter_errors(config), key=lambda e: list(map(str, e.path)))
    if not errors:
        return None
    error = errors[0]
    where = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "pattern" and where.startswith("tasks."):
        return InputError(f"config: {where}", f"task name {error.instance!r} {PLAIN_TAG}")
    message = error.message.splitlines()[0] if error.message else "invalid"
    return InputError(f"config: {where}" if where else "config", message)


def task_taxonomy() -> dict[str, str]:
    """The Hub's own task taxonomy shipped in ``hubreuse/data/task_domains.csv``: each pipeline task's domain, in
    the file's order.

    Why a shipped file: with ``tasks: all`` the tasks come from the snapshot, and their domains must come from the
    Hub's definition (huggingface.js ``@huggingface/tasks``, at the commit the file names), not from us.
    """
    with open(data_path(TAXONOMY_FILE), encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        taxonomy = {row["task"]: row["domain"] for row in rows}
    bad = sorted({domain for domain in taxonomy.values() if domain not in DOMAINS})
    if bad:
        raise InputError(f"{data_path(TAXONOMY_FILE)}", f"unknown domain(s) {bad}; expected some of {', '.join(DOMAINS)}")
    return taxonomy


@dataclass(frozen=True)
class Settings:
    """The validated settings the workflow needs, with each task's domain.

    ``all_tasks`` (``tasks: all``): the tasks are only known once the snapshot is read, so ``domains`` is empty
    and the workflow resolves them in its ``task_list`` checkpoint.
    """

    source: str
    domains: dict[str, str]
    all_tasks: bool = False

    @property
    def tasks(self) -> list[str]:
        return list(self.domains)


def check_config(config: dict[str, Any]) -> Settings:
    """Validate against the schema, then check what it cannot: duplicate tasks, dumps that exist.

    Raises :class:`InputError` with one line for the first problem found.
    """
    source = config.get("source", "demo")
    if source not in SOURCES:
        raise InputError("config: source", f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    tasks = config.get("tasks") or {}
    if not isinstance(tasks, dict) and tasks != ALL_TASKS:
        raise InputError("config: tasks", f"expected {ALL_TASKS!r} or a mapping of domains to lists of tasks, got "
                                          f"{tasks!r}")  # fmt: skip
    problem = schema_problem(config)
    if problem is not None:
        raise problem
    all_tasks = tasks == ALL_TASKS
    if all_tasks:
        tasks = {}
    domains: dict[str, str] = {}
    for domain in DOMAINS:
        for task in tasks.get(domain) or []:
            if not isinstance(task, str) or not TASK_PATTERN.match(task):
                raise InputError(f"config: tasks.{domain}", f"task name {task!r} {PLAIN_TAG}")
            if task in domains:
                raise InputError(f"config: tasks.{domain}", f"task {task!r} is listed twice")
            domains[task] = domain
    unknown = set(tasks) - set(DOMAINS)
    if unknown:
        raise InputError("config: tasks", f"unknown domain(s) {sorted(unknown)}; expected some of {', '.join(DOMAINS)}")
    if not domains and not all_tasks:
        raise InputError("config: tasks", "no task configured")
    models_dump = str(config.get("models_dump") or "")
    datasets_dump = str(config.get("datasets_dump") or "")
    if source == "dump":
        for key, value in (("models_dump", models_dump), ("datasets_dump", datasets_dump)):
            if not value:
                raise InputError(f"config: {key}", "source=dump needs a path (--config {key}=/abs/path)")
            path = Path(value)
            if not path.exists():
                raise InputError(f"{key} {value}", "file does not exist")
            if not path.is_file():
                raise InputError(f"{key} {value}", "is not a regular file")
    if source == "hubstats":
        # Absent keys take the schema's defaults; a key set to nothing is a mistake worth one clear line.
        for key in ("hubstats_repo", "hubstats_models_file", "hubstats_datasets_file"):
            if key in config and not str(config[key] or "").strip():
                raise InputError(f"config: {key}", "source=hubstats needs a non-empty value")
        if not str(config.get("hubstats_revision") or "").strip():  # absent too: the schema's default is ""
            repo = config.get("hubstats_repo") or "cfahlgren1/hub-stats"
            raise InputError("config: hubstats_revision", HUBSTATS_REVISION_NEEDED.format(repo=repo))
    return Settings(source=source, domains=domains, all_tasks=all_tasks)


def config_digest(config: dict[str, Any]) -> str:
    """Short sha256 of the effective config, so a report can be traced to the exact settings."""
    canonical = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


DECLARATIONS = ("card", "tags")
TAGS_SUFFIX = "; declarations: tags"


def job_source(source: str, declarations: str = "card") -> str:
    """The source as the jobs after collection receive it: with ``declarations: tags`` it says so, so that every
    table's ``source`` column and every Parquet file's metadata name the declarations they were computed from.

    Card mode (the paper's definitions) keeps the bare source name: default outputs stay as they were.
    """
    return source if declarations == "card" else f"{source}{TAGS_SUFFIX}"


def source_label(source: str) -> str:
    """How outputs name their source (a :func:`job_source` string); demo data always says it is synthetic."""
    name, suffix = (source[: -len(TAGS_SUFFIX)], TAGS_SUFFIX) if source.endswith(TAGS_SUFFIX) else (source, "")
    return ("demo (SYNTHETIC data)" if name == "demo" else name) + suffix
