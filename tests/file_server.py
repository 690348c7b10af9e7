"""A fake Hugging Face Hub file endpoint for tests (loopback only).

Serves ``HEAD``/``GET /datasets/{repo}/resolve/{revision}/{filename}`` the way ``huggingface_hub``'s
``hf_hub_download`` expects: ``X-Repo-Commit`` (the commit the revision resolves to), ``ETag`` (quoted sha256 of the
bytes, as the Hub sends for LFS files), ``Content-Length``. A revision is either a known branch name (``main``) or the
commit sha itself; anything else is a 404 with ``X-Error-Code: RevisionNotFound``, an unknown file a 404 with
``X-Error-Code: EntryNotFound``, as the Hub answers. Every request is recorded as (method, path, revision).

In-process::

    with FileServer({"models.parquet": b"..."}, repo="cfahlgren1/hub-stats") as hub:
        hf_hub_download(hub.repo, "models.parquet", repo_type="dataset", revision="main", endpoint=hub.url)

Command line (end-to-end tests)::

    python tests/file_server.py --dir DIR --repo cfahlgren1/hub-stats --commit SHA

serves every file of DIR, prints the port on stdout, then serves until killed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FileServer:
    """Files of one dataset repo at one commit, served on 127.0.0.1 on a free port."""

    def __init__(self, files: Mapping[str, bytes], repo: str = "cfahlgren1/hub-stats",
                 commit: str = DEFAULT_COMMIT, branches: tuple[str, ...] = ("main",)) -> None:  # fmt: skip
        self.files = dict(files)
        self.repo = repo
        self.commit = commit
        self.branches = branches
        self.requests: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
                self._answer(body=False)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(body=True)

            def _error(self, status: int, code: str) -> None:
                payload = f'{{"error": "{code}"}}'.encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(payload)

            def _answer(self, body: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                prefix = f"/datasets/{hub.repo}/resolve/"
                with hub._lock:
                    hub.requests.append((self.command, path, path[len(prefix) :].split("/", 1)[0]))
                if not path.startswith(prefix):
                    self._error(404, "RepoNotFound")
                    return
                revision, _, filename = path[len(prefix) :].partition("/")
                if revision != hub.commit and revision not in hub.branches:
                    self._error(404, "RevisionNotFound")
                    return
                data = hub.files.get(filename)
                if data is None:
                    self.send_response(404)
                    self.send_header("X-Error-Code", "EntryNotFound")
                    self.send_header("X-Repo-Commit", hub.commit)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("X-Repo-Commit", hub.commit)
                self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                if body:
                    self.wfile.write(data)

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--repo", default="cfahlgren1/hub-stats")
    parser.add_argument("--commit", default=DEFAULT_COMMIT)
    args = parser.parse_args()
    files = {path.name: path.read_bytes() for path in args.dir.iterdir() if path.is_file()}
    server = FileServer(files, repo=args.repo, commit=args.commit)
    server.__enter__()
    print(server.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.__exit__(None, None, None)
        sys.exit(0)


if __name__ == "__main__":
    main()
