"""Step of stage parse: a task's two raw listings into typed Parquet tables."""

from __future__ import annotations

from collections.abc import Mapping


def parse(listings: Mapping[str, str], outputs: Mapping[str, str], source: str, threads: int = 1) -> None:
    """Parse a task's listings; ``listings`` and ``outputs`` map kind (models, datasets) to paths."""
    from hubreuse.parse import listing as parse

    for kind, listing in listings.items():
        parse.parse_listing(kind, listing, outputs[kind], source, threads=threads)
