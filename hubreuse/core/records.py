"""A Hub API record's id: the one rule the collector and parse share.

A record's id is ``id`` when that is a JSON string, else ``modelId`` (older model records) when that is a
string; any other record has no id. This is exactly what the parse SQL computes (``coalesce`` of the two string
fields, see :mod:`hubreuse.parse.listing`), so a record the collector accepts is one parse accepts: the collector checks
every record of a page before checkpointing it, and parse names the first line that breaks the rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ID_FIELDS = ("id", "modelId")


def record_id(record: Mapping[str, Any]) -> str | None:
    """The record's id (``id``, else ``modelId``, whichever is first a string), or None if it has none."""
    for key in ID_FIELDS:
        value = record.get(key)
        if isinstance(value, str):
            return value
    return None


def describe_id_fields(record: Mapping[str, Any], limit: int = 40) -> str:
    """What a record holds in its id fields, for an error message: ``id: null, modelId: absent``."""
    parts = []
    for key in ID_FIELDS:
        if key not in record:
            parts.append(f"{key}: absent")
            continue
        text = json.dumps(record[key], ensure_ascii=True, default=str)
        parts.append(f"{key}: {text if len(text) <= limit else text[: limit - 3] + '...'}")
    return ", ".join(parts)
