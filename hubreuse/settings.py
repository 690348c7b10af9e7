"""The workflow's configuration: defaults, validation and the task list.

Snakemake's ``validate`` fills in defaults from the JSON schema; this module adds the checks a schema cannot
express well (one readable line per problem) so that a bad ``--config`` stops the run before any job starts.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hubreuse.errors import InputError

SOURCES = ("demo", "dump", "api", "hubstats")
DOMAINS = ("nlp", "cv")
# Hub task tags are plain words joined by hyphens (``text2text-generation``); no ``:``, ``/`` or spaces,
# which would change what a tag filter matches.
TASK_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def schema_path() -> Path:
    """Path of the config JSON schema shipped inside the package."""
    return Path(str(resources.files("hubreuse") / "schemas" / "config.schema.yaml"))


def load_schema() -> dict[str, Any]:
    return yaml.safe_load(schema_path().read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Settings:
    """The validated settings the workflow needs, with each task's domain."""

    source: str
    domains: dict[str, str]
    models_dump: str
    datasets_dump: str

    @property
    def tasks(self) -> list[str]:
        return list(self.domains)

    @property
    def synthetic(self) -> bool:
        return self.source == "demo"


def check_config(config: dict[str, Any]) -> Settings:
    """Check what the schema cannot: task names, duplicate tasks, dumps that exist. One line per error."""
    source = config.get("source", "demo")
    if source not in SOURCES:
        raise InputError("config: source", f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    tasks = config.get("tasks") or {}
    domains: dict[str, str] = {}
    for domain in DOMAINS:
        for task in tasks.get(domain) or []:
            if not isinstance(task, str) or not TASK_PATTERN.match(task):
                raise InputError(
                    f"config: tasks.{domain}",
                    f"task name {task!r} is not a plain Hub tag (letters, digits, '.', '_', '-'; no ':', '/' or spaces)",
                )
            if task in domains:
                raise InputError(f"config: tasks.{domain}", f"task {task!r} is listed twice")
            domains[task] = domain
    unknown = set(tasks) - set(DOMAINS)
    if unknown:
        raise InputError("config: tasks", f"unknown domain(s) {sorted(unknown)}; expected nlp and cv")
    if not domains:
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
        for key in ("hubstats_repo", "hubstats_revision", "hubstats_models_file", "hubstats_datasets_file"):
            if key in config and not str(config[key] or "").strip():
                raise InputError(f"config: {key}", "source=hubstats needs a non-empty value")
    return Settings(source=source, domains=domains, models_dump=models_dump, datasets_dump=datasets_dump)


def config_digest(config: dict[str, Any]) -> str:
    """Short sha256 of the effective config, so a report can be traced to the exact settings."""
    canonical = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def source_label(source: str) -> str:
    """How outputs name their source; demo data always says it is synthetic."""
    return "demo (SYNTHETIC data)" if source == "demo" else source
