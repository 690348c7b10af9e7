"""One page of a Hub listing: the query the collector sends, and how it judges the answer (its records, the wait
a 429 asks for, the next link).

A page is checkpointed only when parse will accept every record of it, so a bad page can never poison the
reruns; a bad page is retried like any other bad body and then fails the listing.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import urljoin

import httpx2
from huggingface_hub.utils import parse_ratelimit_headers

from hubreuse.collect.endpoint import origin
from hubreuse.core.records import describe_id_fields, record_id

Kind = Literal["models", "datasets"]


def listing_query(kind: Kind, task: str, light: bool = False) -> tuple[str, dict[str, Any]]:
    """Path and params exactly as ``HfApi.list_models(filter=task, full=True, cardData=True)`` /
    ``HfApi.list_datasets(task_categories=task, full=True)`` build them in huggingface_hub 2.4; with ``light``
    (``declarations: tags``) the models listing is ``HfApi.list_models(filter=task)``: no ``full``, no card, as
    the tags it needs come in every record. The datasets listing is the same in both.

    The values are left as Python objects (a list for ``filter``, ``True`` for flags) so that httpx2 encodes
    them the same way it does for the client (``full=true``, lowercase, is what goes on the wire).
    """
    if kind == "models":
        return "/api/models", {"filter": [task]} if light else {"filter": [task], "full": True, "cardData": True}
    if kind == "datasets":
        category = task if task.startswith("task_categories:") else f"task_categories:{task}"
        return "/api/datasets", {"filter": [category], "full": True}
    raise ValueError(f"kind must be 'models' or 'datasets', not {kind!r}")


def _reject_constant(name: str) -> None:
    """``json.loads`` hook: NaN and Infinity are not JSON, and parse (orjson, DuckDB) would reject them."""
    raise ValueError(f"{name} is not valid JSON")


def check_records(records: list[Any]) -> str | None:
    """What parse would reject in a page's records (None if nothing): every record must be a JSON object with a
    string id (:func:`hubreuse.core.records.record_id`) that can be written as UTF-8."""
    total = len(records)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            return f"record {number} of {total} is not a JSON object (got {type(record).__name__})"
        if record_id(record) is None:
            return f"record {number} of {total} has no string id ({describe_id_fields(record)})"
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            return f"record {number} of {total} holds text that is not valid UTF-8 ({err.reason})"
    return None


def page_records(response: httpx2.Response) -> tuple[list[dict[str, Any]], str | None]:
    """The page's records, or the problem that makes the page unusable."""
    try:
        payload = json.loads(response.content, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as err:
        return [], f"invalid JSON body ({len(response.content)} bytes): {err}"
    if not isinstance(payload, list):
        return [], "body is not a JSON array of objects"
    problem = check_records(payload)
    if problem is not None:
        return [], f"{problem}; page not checkpointed"
    return payload, None


def rate_limit_wait(response: httpx2.Response, backoff: float) -> float:
    """Seconds to wait on a 429: the RateLimit header's t when it says r=0, else Retry-After, else backoff."""
    info = parse_ratelimit_headers(response.headers)
    if info is not None and info.remaining == 0:
        return max(float(info.reset_in_seconds), 1.0)
    retry_after = response.headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return max(float(retry_after), 1.0)
    return backoff


def next_page_url(response: httpx2.Response, url: str) -> tuple[str | None, str | None]:
    """(next page URL or None on the last page, problem or None) from the parsed Link header.

    A link to another origin is refused (our headers carry the token); a link to the page just fetched is a loop.
    """
    link = response.links.get("next", {}).get("url")
    if not link:
        return None, None
    nxt = urljoin(str(response.url), link)
    if origin(nxt) != origin(url):
        return None, f"next-page link points to another origin ({origin(nxt)[1]}); not followed"
    if nxt == url:
        return None, "next-page link points to the page just fetched (pagination loop)"
    return nxt, None
