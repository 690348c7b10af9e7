"""A listing's checkpoint on disk: one gzip file per completed page and a state file with the cursor.

Kept in its own folder per listing (``results/raw/.partial/<kind>/<task>``) until the task's listings are
written, so a killed or failed collection resumes after its last completed page.
"""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from hubreuse.core.io import gzip_writer
from hubreuse.core.records import record_id

STATE_VERSION = 1
STATE_FILE = "state.json"
PAGE_GLOB = "page-*.jsonl.gz"


def page_file(state_dir: Path, page: int) -> Path:
    return state_dir / f"page-{page:06d}.jsonl.gz"


def write_page(path: Path, lines: list[str]) -> None:
    """A page's records, one JSON text per line, atomically (equal content gives equal bytes)."""
    with gzip_writer(path, compresslevel=9) as out:
        for line in lines:
            out.write(line.encode("utf-8") + b"\n")


def iter_page_lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\n")


def clear_checkpoint(state_dir: Path) -> None:
    """Remove only the files a checkpoint holds, then the folder if empty (never a recursive delete of a folder a
    user may have pointed at by mistake)."""
    state_dir = Path(state_dir)
    if not state_dir.is_dir():
        return
    for path in state_dir.iterdir():
        if (
            path.name == STATE_FILE
            or path.match(PAGE_GLOB)
            or (path.name.startswith(".") and path.suffix == ".tmp")
        ):
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something else lives there, leave it
        state_dir.rmdir()


def checkpoint_ids(state_dir: Path, state: dict) -> set[str]:
    """Ids of the records of the completed pages (to drop repeats on later pages).

    Raises ValueError when the pages are damaged, hold a record parse would reject (kept by a version that did not
    check pages), or do not hold as many records as the state says.
    """
    seen: set[str] = set()
    lines = 0
    try:
        for page in range(1, int(state["pages"]) + 1):
            for line in iter_page_lines(page_file(state_dir, page)):
                lines += 1
                rid = record_id(json.loads(line))
                if rid is None:
                    raise ValueError(f"page {page} holds a record without a string id")
                seen.add(rid)
    except (OSError, EOFError) as err:
        raise ValueError(f"unreadable pages: {err}") from None
    if lines != state["records"]:
        raise ValueError(f"its pages hold {lines} records, its state says {state['records']}")
    return seen
