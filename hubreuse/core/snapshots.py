"""Several snapshots in one run (``snapshots:``): each one's settings, date and effective config.

Why a snapshot is a config: every snapshot runs the same per-task pipeline with the same definitions, so a
snapshot is the run's settings with its own source (and that source's settings) in place of the top-level ones.
Its effective config is exactly the config of a run without ``snapshots:`` that would give the same tables, which
is what its manifest records and what the tests compare against. What defines the measures (tasks, seeds,
resamples, canonical ids, the demo Hub's generator) is the run's, shared by every snapshot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hubreuse.core.errors import InputError
from hubreuse.core.settings import check_config, job_source

# The settings a snapshot may set for itself; every other setting is the run's.
SNAPSHOT_SETTINGS = (
    "source", "declarations", "models_dump", "datasets_dump", "hub_endpoint", "hubstats_repo", "hubstats_revision",
    "hubstats_models_file", "hubstats_datasets_file",
)  # fmt: skip
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Sources whose records carry a creation time that a cut at the snapshot's date can read.
CUT_SOURCES = ("demo", "dump", "hubstats")


@dataclass(frozen=True)
class Snapshot:
    """One snapshot: its name, date (ISO), effective config, and whether models and datasets created after the
    date are left out (always for ``demo``, the one synthetic Hub seen at several dates; on request for dumps)."""

    name: str
    date: str
    config: dict[str, Any]
    exclude_after_date: bool = False

    @property
    def source(self) -> str:
        return self.config["source"]

    @property
    def declarations(self) -> str:
        return self.config.get("declarations", "card")

    @property
    def job_source(self) -> str:
        return job_source(self.source, self.declarations)

    @property
    def cutoff(self) -> str:
        """The date after which records are left out, or "" when nothing is cut."""
        return self.date if self.exclude_after_date else ""

    def describe(self) -> dict[str, Any]:
        """What the comparison tables and the manifest say of the snapshot."""
        return {"snapshot": self.name, "date": self.date, "source": self.source, "declarations": self.declarations,
                "cutoff": self.cutoff}  # fmt: skip


def iso_date(value: Any, where: str) -> str:
    """``YYYY-MM-DD`` (YAML may already have made it a date); anything else is one line."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise InputError(where, f"expected an ISO date (YYYY-MM-DD), got {value!r}")


def snapshot_settings(config: Mapping[str, Any]) -> dict[str, Snapshot]:
    """The run's snapshots by name, in date order (ties in the order written); empty without ``snapshots:``.

    Each snapshot's effective config is checked as a run's config would be (its dumps exist, a hubstats revision
    is named...), so a mistake in one snapshot is one line naming it before any job starts.
    """
    entries = config.get("snapshots") or {}
    if not isinstance(entries, Mapping):
        raise InputError("config: snapshots", f"expected a mapping of names to snapshots, got {entries!r}")
    shared = {key: value for key, value in config.items() if key != "snapshots"}
    found = []
    for position, (name, entry) in enumerate(entries.items()):
        where = f"config: snapshots.{name}"
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise InputError(where, "a snapshot's name is letters, digits, '.', '_' or '-' (it names a folder)")
        if not isinstance(entry, Mapping):
            raise InputError(where, f"expected a mapping with date and source, got {entry!r}")
        unknown = sorted(set(entry) - {*SNAPSHOT_SETTINGS, "date", "exclude_after_date"})
        if unknown:
            raise InputError(where, f"unknown setting(s) {unknown}; a snapshot sets date, exclude_after_date and "
                                    f"{', '.join(SNAPSHOT_SETTINGS)} (the others are the run's)")  # fmt: skip
        for key in ("date", "source"):
            if key not in entry:
                raise InputError(where, f"needs a {key}")
        date = iso_date(entry["date"], f"{where}.date")
        effective = {**shared, **{key: entry[key] for key in SNAPSHOT_SETTINGS if key in entry}}
        try:
            check_config(effective)
        except InputError as error:
            raise InputError(f"{where}: {error.where.removeprefix('config: ')}", error.problem) from None
        source = effective["source"]
        exclude = source == "demo" or bool(entry.get("exclude_after_date", False))
        if entry.get("exclude_after_date") and source not in CUT_SOURCES:
            raise InputError(f"{where}.exclude_after_date", f"source {source} has no creation times to cut at")
        if source == "demo" and entry.get("exclude_after_date") is False:
            raise InputError(f"{where}.exclude_after_date", "a demo snapshot is the synthetic Hub as of its date")
        found.append((date, position, Snapshot(name, date, effective, exclude)))
    return {snap.name: snap for _, _, snap in sorted(found, key=lambda item: item[:2])}
