"""Live collection of task listings from the Hugging Face Hub (``source: api``).

The paper's collector called ``list_models(filter=task, full=True, cardData=True)`` and
``list_datasets(task_categories=task, full=True)`` and wrapped each listing in a bare ``except: continue``, so one
failing page silently cut a listing short. This module is the collector a snapshot can be trusted to: a listing is
either complete or the call fails with a one-line :class:`CollectionError` naming the page reached; it can be
killed at any moment and resumed without refetching completed pages; rate limits are waited out as the Hub asks.

Why we drive the pages ourselves instead of calling ``HfApi.list_models``:
``huggingface_hub.utils._pagination.paginate`` follows ``Link: <url>; rel="next"`` internally and never exposes
the next-page URL (the cursor), so a process that dies on page 300 would restart from page 1. We therefore issue
the very same requests (same path, same query parameters as encoded by the installed client; see
:func:`listing_query`) through the same HTTP stack (``get_session()``, ``build_hf_headers()``,
``hf_raise_for_status()`` and the response's parsed ``.links``) and checkpoint the cursor after every page.

Why huggingface_hub's own retry layer is not used: ``http_backoff`` in huggingface_hub 2.4 retries 429/5xx and
network errors at most 5 times, sleeps with a hard-wired ``time.sleep`` (``t + 1`` seconds on a rate limit) and
does not report how many attempts or seconds it spent. Used underneath our loop it would silently multiply
retries (5 x ours) and hide waits from the manifest; used alone it gives up on a rate-limit burst longer than
5 windows. So every request here is a single attempt on the shared session, and this module owns the whole retry
policy: rate-limit waits (bounded in total seconds, not in count) and transient faults (bounded per page).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import huggingface_hub
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from huggingface_hub.utils import (
    build_hf_headers,
    close_session,
    get_session,
    hf_raise_for_status,
)

from hubreuse.collect.checkpoint import (
    STATE_FILE,
    STATE_VERSION,
    checkpoint_ids,
    clear_checkpoint,
    page_file,
    write_page,
)
from hubreuse.collect.endpoint import Scrubber, public_endpoint, resolve_endpoint
from hubreuse.collect.hub_pages import Kind, listing_query, next_page_url, page_records, rate_limit_wait
from hubreuse.core.errors import CollectionError
from hubreuse.core.io import gzip_writer, sha256_of, utc_now, write_json
from hubreuse.core.records import record_id

PROGRESS_EVERY_PAGES = 10
PROGRESS_EVERY_SECONDS = 30.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
DEFAULT_TIMEOUT = 60.0
TRANSIENT_STATUS = frozenset({408, 500, 502, 503, 504})


class _Listing:
    """One listing's collection: state, counters and the request loop."""

    def __init__(
        self,
        kind: Kind,
        task: str,
        out_path: Path,
        state_dir: Path,
        endpoint: str,
        page_limit: int | None,
        max_retries: int,
        max_rate_limit_wait: float,
        sleep: Callable[[float], None],
        log: logging.Logger,
        timeout: float,
        clear: bool = True,
        light: bool = False,
    ) -> None:
        self.kind, self.task = kind, task
        self.out_path, self.state_dir = Path(out_path), Path(state_dir)
        self.endpoint = endpoint
        self.page_limit = page_limit
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.sleep, self.log, self.timeout = sleep, log, timeout
        self.clear = clear
        self.headers = build_hf_headers()
        self.scrub = Scrubber(self.headers)
        path, params = listing_query(kind, task, light)
        first = httpx2.URL(endpoint + path, params=params)
        self.first_url = str(first)
        self.query = {
            "kind": kind,
            "task": task,
            "endpoint": public_endpoint(endpoint),
            "path": path,
            "params": [[key, value] for key, value in first.params.multi_items()],
        }
        self.seen: set[str] = set()
        self.state: dict[str, Any] = {}
        self.session_records = 0
        self.session_rl_seconds = 0.0

    # ----------------------------------------------------------------- state
    def _fresh_state(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "query": self.query,
            "next_url": self.first_url,
            "complete": False,
            "pages": 0,
            "records": 0,
            "duplicates": 0,
            "missing_id": 0,
            "requests": 0,
            "retries": 0,
            "rate_limit_waits": 0,
            "rate_limit_wait_seconds": 0.0,
            "sessions": 0,
            "started_at": utc_now(),
        }

    def load_state(self) -> None:
        """Resume from ``state_dir`` if it holds this very query's checkpoint; otherwise start clean."""
        state_file = self.state_dir / STATE_FILE
        state: dict[str, Any] | None = None
        if state_file.exists():
            try:
                state = json.loads(state_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                self.log.warning("%s/%s: unreadable checkpoint %s (%s); starting over",
                    self.kind, self.task, state_file, self.scrub(err))
                state = None
            if state is not None and (
                state.get("version") != STATE_VERSION or state.get("query") != self.query
            ):
                self.log.warning("%s/%s: checkpoint in %s is for another query (%s); discarding it",
                    self.kind, self.task, self.state_dir, self.scrub(json.dumps(state.get("query"))))
                state = None
            if state is not None:
                try:
                    self.seen = checkpoint_ids(self.state_dir, state)
                except ValueError as err:
                    self.log.warning("%s/%s: checkpoint in %s is damaged (%s); starting over",
                                     self.kind, self.task, self.state_dir, self.scrub(err))  # fmt: skip
                    state = None
        if state is None:
            clear_checkpoint(self.state_dir)
            self.seen = set()
            state = self._fresh_state()
        elif state["complete"]:
            self.log.info("%s/%s: complete checkpoint (%d pages, %d records) in %s; reusing it, no request needed",
                self.kind, self.task, state["pages"], state["records"], self.state_dir)
        else:
            self.log.info("%s/%s: resuming after page %d (%d records) from %s",
                self.kind, self.task, state["pages"], state["records"], self.state_dir)
        if not state["complete"]:  # reassembling a finished listing is not a collection session
            state["sessions"] += 1
        self.state = state

    def save_state(self) -> None:
        write_json(self.state_dir / STATE_FILE, self.state)

    # --------------------------------------------------------------- network
    def _fail(self, page: int, problem: str) -> CollectionError:
        done = self.state["pages"]
        return CollectionError(
            self.kind,
            self.task,
            page,
            f"{self.scrub(problem)} ({done} pages / {self.state['records']} records checkpointed in "
            f"{self.state_dir}; rerun to resume)",
        )

    def fetch_page(self, url: str, page: int) -> tuple[list[dict[str, Any]], str | None]:
        """One page: records and the absolute next-page URL (None on the last page), with all retries."""
        failures = 0
        rl_backoff = BACKOFF_BASE
        while True:
            self.state["requests"] += 1
            self.save_state()  # every request counts in the manifest, even if this process dies during it
            problem: str
            try:
                response = get_session().get(url, headers=self.headers, timeout=self.timeout)
            except OfflineModeIsEnabled as err:
                raise self._fail(page, f"offline mode: {err}") from None
            except httpx2.TransportError as err:
                if isinstance(err, httpx2.ConnectError):
                    close_session()  # as huggingface_hub does: a broken pool must not be reused
                problem = f"{type(err).__name__}: {err}"
            else:
                status = response.status_code
                if status == 429:
                    wait = rate_limit_wait(response, rl_backoff)
                    rl_backoff = min(BACKOFF_CAP, rl_backoff * 2)
                    spent = self.session_rl_seconds  # budget per run: a rerun after giving up may wait again
                    if spent + wait > self.max_rate_limit_wait:
                        raise self._fail(
                            page,
                            f"rate limited (HTTP 429); waiting {wait:g}s more would exceed "
                            f"max_rate_limit_wait={self.max_rate_limit_wait:g}s "
                            f"({spent:g}s already waited)",
                        )
                    self.log.warning("%s/%s page %d: rate limited (HTTP 429, RateLimit=%s); waiting %gs",
                        self.kind, self.task, page, self.scrub(response.headers.get("ratelimit", "-"), 80), wait)
                    self.sleep(wait)
                    self.state["rate_limit_waits"] += 1
                    self.state["rate_limit_wait_seconds"] += wait
                    self.session_rl_seconds += wait
                    continue
                if status in TRANSIENT_STATUS or status >= 500:
                    problem = f"HTTP {status}"
                else:
                    try:
                        hf_raise_for_status(response)
                    except HfHubHTTPError as err:
                        raise self._fail(page, f"HTTP {status}, not retried: {err}") from None
                    records, problem_or_none = page_records(response)
                    if problem_or_none is None:
                        next_url, link_problem = next_page_url(response, url)
                        if link_problem:
                            raise self._fail(page, link_problem)
                        return records, next_url
                    problem = problem_or_none
            failures += 1
            if failures > self.max_retries:
                raise self._fail(page, f"gave up after {failures} failed attempts; last error: {problem}")
            wait = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
            self.state["retries"] += 1
            self.log.warning("%s/%s page %d: %s; retry %d/%d in %gs",
                self.kind, self.task, page, self.scrub(problem), failures, self.max_retries, wait)
            self.sleep(wait)

    # ------------------------------------------------------------------ main
    def keep(self, records: list[dict[str, Any]]) -> list[str]:
        """Re-serialised records of a page, minus ids already seen in this listing (counted)."""
        lines: list[str] = []
        for record in records:
            rid = record_id(record)
            if rid is None:
                self.state["missing_id"] += 1
            elif rid in self.seen:
                self.state["duplicates"] += 1
                continue
            else:
                self.seen.add(rid)
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        return lines

    def run(self) -> dict[str, Any]:
        self.load_state()
        try:
            return self._collect()
        except BaseException:
            # keep this session's counters (requests, retries, rate-limit waits) for the final manifest
            with contextlib.suppress(OSError):
                self.save_state()
            raise

    def _collect(self) -> dict[str, Any]:
        began = time.monotonic()
        last_report = began
        reported_pages = self.state["pages"]
        visited: set[str] = set()
        while not self.state["complete"]:
            page = self.state["pages"] + 1
            if self.page_limit is not None and page > self.page_limit:
                raise self._fail(page, f"listing has more than page_limit={self.page_limit} pages")
            url = self.state["next_url"]
            if url in visited:
                raise self._fail(page, "next-page link revisits an earlier page (pagination loop)")
            visited.add(url)
            records, next_url = self.fetch_page(url, page)
            lines = self.keep(records)
            write_page(page_file(self.state_dir, page), lines)
            self.state.update(
                pages=page,
                records=self.state["records"] + len(lines),
                next_url=next_url,
                complete=next_url is None,
            )
            self.save_state()  # after the page file: a kill in between just refetches this page
            self.session_records += len(lines)
            now = time.monotonic()
            if page - reported_pages >= PROGRESS_EVERY_PAGES or now - last_report >= PROGRESS_EVERY_SECONDS:
                self._progress(now - began)
                reported_pages, last_report = page, now
        return self._finish(time.monotonic() - began)

    def _progress(self, elapsed: float) -> None:
        rate = self.session_records / elapsed if elapsed > 0 else 0.0
        self.log.info(
            "%s/%s: %d pages, %d records, %.0f records/s, %d retries, %d rate-limit waits",
            self.kind,
            self.task,
            self.state["pages"],
            self.state["records"],
            rate,
            self.state["retries"],
            self.state["rate_limit_waits"],
        )

    def _finish(self, elapsed: float) -> dict[str, Any]:
        pages = self.state["pages"]
        with gzip_writer(self.out_path, compresslevel=9) as gz:
            for page in range(1, pages + 1):
                with gzip.open(page_file(self.state_dir, page), "rb") as part:
                    while block := part.read(1 << 20):
                        gz.write(block)
        manifest = {
            "kind": self.kind,
            "task": self.task,
            "source": "api",
            "endpoint": self.query["endpoint"],
            "query": {"path": self.query["path"], "params": self.query["params"]},
            "huggingface_hub_version": huggingface_hub.__version__,
            "started_at": self.state["started_at"],
            "finished_at": utc_now(),
            "records": self.state["records"],
            "duplicates": self.state["duplicates"],
            "records_without_id": self.state["missing_id"],
            "pages": pages,
            "sha256": sha256_of(self.out_path),
            "requests": self.state["requests"],
            "retries": self.state["retries"],
            "rate_limit_waits": self.state["rate_limit_waits"],
            "rate_limit_wait_seconds": round(self.state["rate_limit_wait_seconds"], 3),
            "sessions": self.state["sessions"],
        }
        if self.clear:
            clear_checkpoint(self.state_dir)
        rate = self.session_records / elapsed if elapsed > 0 else 0.0
        self.log.info(
            "%s/%s: done, %d records (%d duplicates dropped) in %d pages; %d requests, %d retries, "
            "%d rate-limit waits (%gs), %d session(s); this session %.1fs, %.0f records/s -> %s",
            self.kind,
            self.task,
            manifest["records"],
            manifest["duplicates"],
            pages,
            manifest["requests"],
            manifest["retries"],
            manifest["rate_limit_waits"],
            manifest["rate_limit_wait_seconds"],
            manifest["sessions"],
            elapsed,
            rate,
            self.out_path,
        )
        return manifest


def collect_listing(
    kind: Kind,
    task: str,
    out_path: Path,
    state_dir: Path,
    endpoint: str | None = None,
    page_limit: int | None = None,
    max_retries: int = 8,
    max_rate_limit_wait: float = 3600,
    sleep: Callable[[float], None] = time.sleep,
    log: logging.Logger | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clear: bool = True,
    light: bool = False,
) -> dict[str, Any]:
    """Collect one task's full listing into ``out_path`` (gzip JSON Lines, API order, duplicates dropped).

    Resumable through ``state_dir`` (one folder per listing). Returns the provenance manifest (no token in it).
    Raises :class:`CollectionError` when the listing cannot be finished; the checkpoint is then kept (with the
    session's request counters) so that a rerun continues from the last completed page. A page is checkpointed
    only when every record of it is one parse accepts (a JSON object with a string id); a page that is not is
    retried like a bad body. When the listing is finished its checkpoint is removed, unless ``clear`` is False:
    then it is kept, marked complete, and a later call rebuilds ``out_path`` from it without any request (how a
    task's job keeps a finished listing when its other listing fails; :func:`clear_checkpoint` removes it).

    ``max_retries`` bounds transient faults (5xx, broken connections, bad bodies) per page; 429 answers do not
    count against it, they are waited out as long as this run's total wait stays within
    ``max_rate_limit_wait`` seconds (a rerun gets a fresh budget; the manifest reports the total of all runs). ``page_limit`` is a safety bound on the number of pages (exceeding it is an error, never a silent
    cut). ``sleep`` is injectable so tests do not wait for real. ``light``: the models listing without card
    (:func:`hubreuse.collect.hub_pages.listing_query`; its checkpoint is another query's).
    """
    listing = _Listing(kind, task, Path(out_path), Path(state_dir), resolve_endpoint(endpoint), page_limit, max_retries,
                       max_rate_limit_wait, sleep, log or logging.getLogger(__name__), timeout, clear, light)
    return listing.run()
