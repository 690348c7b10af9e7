"""Render the report: jinja2 HTML with autoescaping, and a PDF through weasyprint.

Everything from the Hub is untrusted text: templates autoescape, and the PDF renderer may only read the
report's own local files (no network, nothing outside the report folders).
"""

from __future__ import annotations

import logging
import math
import os
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import pandas as pd
import weasyprint

from hubreuse.io import atomic_path

log = logging.getLogger(__name__)

SOFTWARE = ("hubreuse", "snakemake", "huggingface_hub", "pandas", "pyarrow", "statsmodels", "weasyprint")


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def fmt_number(value: Any, digits: int = 4) -> str:
    """Numbers as a reader expects them in a table; undefined values as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int | bool) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def template_environment(template_dir: str | os.PathLike[str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_number
    return env


class LocalOnlyFetcher(weasyprint.URLFetcher):
    """A weasyprint fetcher that serves ``data:`` URLs and files under the allowed folders, nothing else."""

    def __init__(self, allowed_roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_roots = [root.resolve() for root in allowed_roots]

    def fetch(self, url: str, headers: Any = None):  # noqa: ANN201 - weasyprint's response type
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed_roots):
                raise ValueError(f"refusing to read {path}: outside the report's folders")
        elif parts.scheme != "data":
            raise ValueError(f"refusing to fetch {url!r}: the report reads local files only")
        return super().fetch(url, headers)


def write_pdf(html: str, out_path: str | os.PathLike[str], base_dir: Path, allowed_roots: list[Path]) -> None:
    document = weasyprint.HTML(
        string=html, base_url=str(base_dir) + os.sep, url_fetcher=LocalOnlyFetcher(allowed_roots)
    )
    with atomic_path(out_path) as tmp:
        document.write_pdf(tmp)


def table_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with NaN turned into None, ready for the template."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")]  # fmt: skip


def render_report(
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    config: Mapping[str, Any],
    template_dir: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
) -> None:
    """Render the minimal report (three tables and provenance) to HTML and PDF."""
    template_dir = Path(template_dir)
    env = template_environment(template_dir)
    context = {
        "title": "Reuse of datasets and models on the Hugging Face Hub",
        "synthetic": manifest.get("source") == "demo",
        "manifest": manifest,
        "config_digest": manifest.get("config_digest", ""),
        "config": config,
        "software": software_versions(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {name: table_rows(table) for name, table in tables.items()},
        "css": (template_dir / "report.css").read_text(encoding="utf-8"),
    }
    html = env.get_template("report.html.j2").render(**context)
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    write_pdf(html, pdf_path, Path(html_path).parent, [template_dir, Path(html_path).parent])
    log.info("report written: %s, %s", html_path, pdf_path)
