"""Which Hub endpoint a collection talks to, and how it and the token are kept out of what users read.

Shared by the live collector and the hub-stats download: an endpoint given with ``user:password@`` and the
token sent in the headers must never reach a manifest, a log or the report.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

from huggingface_hub import constants


def resolve_endpoint(endpoint: str | None = None) -> str:
    """Endpoint to query: the argument, else ``HF_ENDPOINT`` (read now, not at import), else the client's default."""
    chosen = endpoint or os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    return chosen.rstrip("/")


def public_endpoint(endpoint: str) -> str:
    """The endpoint without any ``user:password@`` part, for manifests and logs."""
    parts = urlsplit(endpoint)
    if parts.username is None and parts.password is None:
        return endpoint
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of a URL (default ports filled in): where a request with our headers would go."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class Scrubber:
    """Makes any text we log or raise safe: one line, no control characters, never the token, bounded length."""

    def __init__(self, headers: dict[str, str]) -> None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        secret = auth.split(" ", 1)[-1].strip() if auth else ""
        self._secrets = [s for s in (auth, secret) if len(s) >= 4]

    def __call__(self, text: object, limit: int = 300) -> str:
        out = str(text)
        for secret in self._secrets:
            out = out.replace(secret, "***")
        out = re.sub(r"[\x00-\x1f\x7f]+", " ", out)
        out = re.sub(r"\s+", " ", out).strip()
        return out if len(out) <= limit else out[: limit - 3] + "..."
