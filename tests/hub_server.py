"""A fake Hugging Face Hub listing API for tests, with fault injection.

Speaks ``GET /api/models?filter=<task>&full=true&cardData=true`` and
``GET /api/datasets?filter=task_categories:<task>&full=true`` as huggingface_hub calls them, and the task list
``GET /api/tasks`` (a JSON object keyed by task id): a JSON array per page,
the next page in ``Link: <url>; rel="next"`` with an opaque base64 cursor. Records come from ``../shared/corpora``
(models: hub2022-models + lineage2025-models; datasets: datasets2023), served in corpus order, each record's
text exactly as stored, and a record matches when its ``tags`` contain every ``filter`` value.

Faults are injected per page (see :class:`Fault`) so tests can show the collector copes with rate limits, 5xx,
connections cut mid-body, bad JSON, and a collector process SIGKILLed by the server itself before it answers
page k (deterministic: no sleeps, no timing). Every request is counted per (path, cursor) and per page.

In-process::

    with FakeHub(page_size=100, faults=[Fault("503", page=2)]) as hub:
        collect_listing("models", "text-classification", out, state, endpoint=hub.url)
        hub.page_hits("models", "text-classification")   # {1: 1, 2: 2, ...}

Command line (for end-to-end tests)::

    python tests/hub_server.py --port 0 --page-size 100 --faults "429:page=2:times=7:t=1,close:page=3"

prints the port on stdout, then serves until killed. ``GET /_control/stats`` returns the counters as JSON,
``POST /_control/faults`` (JSON list of Fault fields) replaces the faults, ``POST /_control/kill-pid?pid=N`` sets
the process a ``kill`` fault kills.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import signal
import socket
import sys
import threading
from collections import Counter
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

# ../shared beside the clone, or HUBREUSE_SHARED (as in tests/conftest.py; this file also runs standalone).
DEFAULT_CORPORA = Path(os.environ.get("HUBREUSE_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "corpora"
MODEL_FILES = ("hub2022-models.jsonl.gz", "lineage2025-models.jsonl.gz")
DATASET_FILES = ("datasets2023.jsonl.gz",)
TRUTHY = {"true", "True", "1"}
RATELIMIT_POLICY = '"fixed window";"api";q=500;w=300'


@dataclass
class Fault:
    """What to do instead of answering a page normally.

    ``kind``: ``429`` (with ``RateLimit: "api";r=0;t=<t>`` unless ``t`` is None, plus ``Retry-After`` when
    given), ``500``/``502``/``503``/any other status (JSON error body), ``close`` (Content-Length of the whole
    body, half the body written, connection closed), ``badjson`` (a complete response whose body is cut JSON),
    ``dup`` (the page also repeats the previous page's last record first), ``bad-record`` (record number
    ``record`` of the page, 1-based, is served with ``"id": null`` and no ``modelId``), ``kill`` (SIGKILL
    ``pid`` or the pid set with :meth:`FakeHub.set_kill_pid`, then close without answering), ``kill-peer``
    (SIGKILL the local process that sent the request, found through /proc; for end-to-end runs where the
    collector's pid is not known).
    Matches requests for ``page`` (1-based) of listings of ``listing`` (``models``/``datasets``/None = both) and
    ``task`` (None = any). Faults of one page apply in order, each to ``times`` consecutive requests.
    """

    kind: str
    page: int
    times: int = 1
    listing: str | None = None
    task: str | None = None
    t: int | None = 1
    retry_after: int | None = None
    pid: int | None = None
    record: int = 1


def taxonomy_tasks() -> dict[str, Any]:
    """The task list served at /api/tasks: one entry per task of hubreuse/data/task_domains.csv (id and label, as
    the Hub's entries begin), read here without the package so that tests compare the package against it."""
    path = Path(__file__).resolve().parents[1] / "hubreuse" / "data" / "task_domains.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = [line.split(",") for line in lines[1:]]
    return {task: {"id": task, "label": name} for task, _domain, name in rows}


@dataclass(frozen=True)
class Corpus:
    ids: tuple[str, ...]
    tags: tuple[frozenset[str], ...]
    lines: tuple[str, ...]


@lru_cache(maxsize=4)
def load_corpus(corpora: Path, kind: str) -> Corpus:
    """Records of one kind, in file order: id, tag set and the exact line text."""
    ids: list[str] = []
    tags: list[frozenset[str]] = []
    lines: list[str] = []
    for name in MODEL_FILES if kind == "models" else DATASET_FILES:
        with gzip.open(corpora / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                record = json.loads(line)
                ids.append(str(record.get("id")))
                raw_tags = record.get("tags")
                tags.append(
                    frozenset(t for t in raw_tags if isinstance(t, str))
                    if isinstance(raw_tags, list)
                    else frozenset()
                )
                lines.append(line)
    return Corpus(tuple(ids), tuple(tags), tuple(lines))


def encode_cursor(filters: list[str], offset: int, last_id: str) -> str:
    """Opaque, Hub-looking cursor (base64 JSON, like the Hub's ``eyIkb3IiOlt7...``)."""
    payload = json.dumps({"$gt": last_id, "filter": filters, "offset": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> int:
    return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"])


class FakeHub:
    """The server, its data, faults and counters; a context manager that serves in a background thread."""

    def __init__(
        self,
        page_size: int = 100,
        faults: list[Fault] | None = None,
        corpora: Path = DEFAULT_CORPORA,
        port: int = 0,
        require_token: str | None = None,
        tasks: dict[str, Any] | None = None,
    ) -> None:
        self.page_size = page_size
        # GET /api/tasks: a JSON object keyed by task id, as the Hub's; by default the shipped taxonomy's tasks.
        self.tasks = taxonomy_tasks() if tasks is None else tasks
        self.faults: list[Fault] = list(faults or [])
        self.corpora = Path(corpora)
        self.require_token = require_token
        self.lock = threading.Lock()
        self.kill_pid: int | None = None
        self.kill_pid_ready = threading.Event()
        self.reset()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hub = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle
    def __enter__(self) -> FakeHub:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    # -------------------------------------------------------------- controls
    def reset(self) -> None:
        """Forget all counters (faults stay)."""
        with self.lock:
            self.requests: Counter[tuple[str, str]] = Counter()
            self.pages: Counter[tuple[str, str, int]] = Counter()
            self.served: Counter[tuple[str, str, int]] = Counter()
            # Body bytes of the pages served whole, per (listing, task): what a listing costs on the wire.
            self.served_bytes: Counter[tuple[str, str]] = Counter()
            self.authorizations: list[str | None] = []
            self.queries: list[tuple[str, list[tuple[str, str]]]] = []

    def set_kill_pid(self, pid: int) -> None:
        self.kill_pid = pid
        self.kill_pid_ready.set()

    def page_hits(self, listing: str, task: str) -> dict[int, int]:
        """Requests received per page number of one listing (every attempt, faulted or not)."""
        return {p: n for (kind, t, p), n in sorted(self.pages.items()) if kind == listing and t == task}

    def records(self, listing: str, task: str) -> list[str]:
        """The exact record texts this server holds for a listing, in the order it serves them."""
        corpus = load_corpus(self.corpora, listing)
        wanted = _task_filter(listing, task)
        return [line for line, tags in zip(corpus.lines, corpus.tags, strict=True) if wanted in tags]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": [[path, cursor, n] for (path, cursor), n in self.requests.items()],
                "pages": [[kind, task, page, n] for (kind, task, page), n in sorted(self.pages.items())],
                "served": [[kind, task, page, n] for (kind, task, page), n in sorted(self.served.items())],
                "authorizations": self.authorizations,
                "queries": self.queries,
            }

    def take_fault(self, listing: str, task: str, page: int, attempt: int) -> Fault | None:
        """The fault (if any) for the ``attempt``-th request of this page."""
        start = 0
        for fault in self.faults:
            if fault.page != page or fault.listing not in (None, listing) or fault.task not in (None, task):
                continue
            if start < attempt <= start + fault.times:
                return fault
            start += fault.times
        return None


def _task_filter(listing: str, task: str) -> str:
    return task if listing == "models" or task.startswith("task_categories:") else f"task_categories:{task}"


def _task_of(listing: str, filter_value: str) -> str:
    return filter_value.removeprefix("task_categories:") if listing == "datasets" else filter_value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    @property
    def hub(self) -> FakeHub:
        return self.server.hub  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- output
    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps({"error": message}).encode(), headers)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------- controls
    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path == "/_control/faults":
            items = json.loads(body or b"[]")
            self.hub.faults = [Fault(**item) for item in items]
            self._send(200, b"{}")
        elif parts.path == "/_control/kill-pid":
            self.hub.set_kill_pid(int(dict(parse_qsl(parts.query))["pid"]))
            self._send(200, b"{}")
        else:
            self._error(404, "not found")

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        parts = urlsplit(self.path)
        if parts.path == "/_control/stats":
            self._send(200, json.dumps(self.hub.stats()).encode())
            return
        if parts.path == "/api/tasks":
            self._send(200, json.dumps(self.hub.tasks).encode())
            return
        listing = {"/api/models": "models", "/api/datasets": "datasets"}.get(parts.path)
        if listing is None:
            self._error(404, "Sorry, we can't find the page you are looking for.")
            return
        params = parse_qsl(parts.query, keep_blank_values=True)
        filters = [v for k, v in params if k == "filter"]
        cursor = next((v for k, v in params if k == "cursor"), "")
        if len(filters) != 1:
            self._error(400, "this fake Hub serves exactly one filter per listing")
            return
        try:
            offset = decode_cursor(cursor) if cursor else 0
        except (ValueError, KeyError, TypeError):
            self._error(400, "Invalid cursor")
            return
        task = _task_of(listing, filters[0])
        page = offset // self.hub.page_size + 1
        auth = self.headers.get("Authorization")
        with self.hub.lock:
            self.hub.requests[(parts.path, cursor)] += 1
            self.hub.pages[(listing, task, page)] += 1
            attempt = self.hub.pages[(listing, task, page)]
            self.hub.authorizations.append(auth)
            self.hub.queries.append((parts.path, params))
        if self.hub.require_token is not None and auth != f"Bearer {self.hub.require_token}":
            self._error(401, "Invalid credentials in Authorization header")
            return
        fault = self.hub.take_fault(listing, task, page, attempt)
        self._serve_page(listing, task, page, offset, params, filters, fault)

    def _serve_page(
        self,
        listing: str,
        task: str,
        page: int,
        offset: int,
        params: list[tuple[str, str]],
        filters: list[str],
        fault: Fault | None,
    ) -> None:
        hub = self.hub
        if fault is not None and fault.kind == "kill-peer":
            pid = peer_pid(self.client_address[1], hub.port)
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            self._drop()
            return
        if fault is not None and fault.kind == "kill":
            pid = fault.pid
            if pid is None:
                hub.kill_pid_ready.wait(timeout=60)
                pid = hub.kill_pid
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            self._drop()
            return
        if fault is not None and fault.kind == "429":
            headers = {"RateLimit-Policy": RATELIMIT_POLICY}
            if fault.t is not None:
                headers["RateLimit"] = f'"api";r=0;t={fault.t}'
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            self._error(429, "Too Many Requests", headers)
            return
        if fault is not None and fault.kind.isdigit():
            self._error(int(fault.kind), f"simulated HTTP {fault.kind}")
            return

        corpus = load_corpus(hub.corpora, listing)
        wanted = filters[0]
        matching = [i for i, tags in enumerate(corpus.tags) if wanted in tags]
        chosen = matching[offset : offset + hub.page_size]
        if fault is not None and fault.kind == "dup" and offset > 0:
            chosen = [matching[offset - 1], *chosen]
        flags = {k: v for k, v in params}
        keep_card = flags.get("cardData" if listing == "models" else "full") in TRUTHY
        texts = []
        for i in chosen:
            line = corpus.lines[i]
            if not keep_card:  # as the Hub: no cardData unless asked for
                record = json.loads(line)
                record.pop("cardData", None)
                line = json.dumps(record, ensure_ascii=False)
            texts.append(line)
        if fault is not None and fault.kind == "bad-record" and 0 < fault.record <= len(texts):
            record = json.loads(texts[fault.record - 1])
            record.pop("modelId", None)
            record["id"] = None
            texts[fault.record - 1] = json.dumps(record, ensure_ascii=False)
        body = ("[" + ",".join(texts) + "]").encode("utf-8")
        headers = {"RateLimit": '"api";r=499;t=300', "RateLimit-Policy": RATELIMIT_POLICY}
        end = offset + hub.page_size
        if end < len(matching):
            base = [(k, v) for k, v in params if k != "cursor"]
            nxt = encode_cursor(filters, end, corpus.ids[matching[end - 1]])
            headers["Link"] = (
                f'<{hub.url}{urlsplit(self.path).path}?{urlencode(base)}&cursor={quote(nxt)}>; rel="next"'
            )
        if fault is not None and fault.kind == "close":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self._drop()
            return
        if fault is not None and fault.kind == "badjson":
            body = body[: len(body) // 2]
        with hub.lock:
            hub.served[(listing, task, page)] += 1
            hub.served_bytes[(listing, task)] += len(body)
        self._send(200, body, headers)


def peer_pid(peer_port: int, server_port: int) -> int | None:
    """Pid of the local process owning the client end of a connection to us (Linux /proc), so a ``kill-peer``
    fault can kill whichever process made the request (e.g. a Snakemake job) without knowing its pid upfront."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            local_port = int(cols[1].rsplit(":", 1)[1], 16)
            remote_port = int(cols[2].rsplit(":", 1)[1], 16)
            if local_port == peer_port and remote_port == server_port:
                inodes.add(f"socket:[{cols[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


def parse_faults(spec: str) -> list[Fault]:
    """``kind:key=value:key=value,kind:...`` into faults, e.g. ``429:page=2:times=7:t=1,kill:page=5``."""
    names = {f.name: f.type for f in fields(Fault)}
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kind, *pairs = item.split(":")
        kwargs: dict[str, Any] = {}
        for pair in pairs:
            key, value = pair.split("=", 1)
            if key not in names:
                raise ValueError(f"unknown fault field {key!r} in {item!r}")
            kwargs[key] = None if value == "none" else (value if key in ("listing", "task") else int(value))
        faults.append(Fault(kind, **kwargs))
    return faults


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument(
        "--faults", default="", help="e.g. 429:page=2:times=7:t=1,503:page=3:times=2,close:page=4"
    )
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--require-token", default=None)
    args = parser.parse_args(argv)
    hub = FakeHub(
        page_size=args.page_size,
        faults=parse_faults(args.faults),
        corpora=args.corpora,
        port=args.port,
        require_token=args.require_token,
    )
    print(hub.port, flush=True)
    print(json.dumps([asdict(f) for f in hub.faults]), file=sys.stderr, flush=True)
    try:
        hub.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        hub.httpd.server_close()


if __name__ == "__main__":
    main()
