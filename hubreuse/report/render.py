"""Render the findings report: jinja2 HTML with autoescaping, and a PDF through weasyprint.

Why this shape: the report is what users read and attach to a paper, so every number in it comes from the
pipeline's tables (nothing typed by hand, nothing estimated here: the stats jobs compute and record every
statistic, the report reads and renders them), every section says when its input was not computed in a run,
and the same HTML (figures as inline SVG) becomes the PDF. Everything from the Hub is untrusted text: templates
autoescape, figures escape their labels, and the PDF renderer may only read the report's own local files.

Inputs are a mapping name -> table (a path to CSV/Parquet, a DataFrame, or None when not computed), see
:mod:`hubreuse.report.inputs`; the sections are built by :mod:`hubreuse.report.sections` and
:mod:`hubreuse.report.findings`, the figures drawn through :mod:`hubreuse.report.figurebook`.
"""

from __future__ import annotations

import itertools
import logging
import os
import platform
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml
from markupsafe import Markup

from hubreuse.core.io import atomic_path, utc_now
from hubreuse.core.names import DOMAIN_COMPARISON, DOMAIN_NAMES, FIGURE_IDS, TREND_FIGURE_IDS
from hubreuse.core.settings import config_digest
from hubreuse.report import claims, provenance, replication
from hubreuse.report.change import change_section
from hubreuse.report.comparison import domain_section
from hubreuse.report.figurebook import (
    FigureBook,
    figure_img,
    figure_pool,
    figure_svg,
    finish_figures,
    write_figure_files,
)
from hubreuse.report.findings import findings
from hubreuse.report.format import FILTERS, NOT_COMPUTED, footnotes, rows
from hubreuse.report.inputs import load_inputs
from hubreuse.report.measures import MEASURES
from hubreuse.report.sections import (
    beyond_section,
    paper_sections,
    quality_section,
    resampling,
    task_order,
    top_datasets,
)
from hubreuse.stats.inference import SIGNIF_LEGEND

log = logging.getLogger(__name__)

TITLE = "Reuse of datasets and models on the Hugging Face Hub"
SOFTWARE = ("hubreuse", "snakemake", "huggingface_hub", "pandas", "pyarrow", "numpy", "scipy", "statsmodels",
            "matplotlib", "powerlaw", "jinja2", "weasyprint")  # fmt: skip
SECRET_KEY = re.compile(r"token|secret|password|passwd|auth|key$", re.IGNORECASE)


def software_versions() -> dict[str, str]:
    """Versions of the software the pipeline ran with, for the report's front page."""
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def redact(config: Any) -> Any:
    """The effective config for display: values of keys that look like credentials replaced."""
    if isinstance(config, Mapping):
        return {k: ("[redacted]" if SECRET_KEY.search(str(k)) and v else redact(v)) for k, v in config.items()}
    if isinstance(config, list | tuple):
        return [redact(v) for v in config]
    return config


def template_environment(template_dir: str | os.PathLike[str]) -> jinja2.Environment:
    """Jinja for the report: autoescaping (ids from the Hub are untrusted), undefined names an error, the
    number filters of :mod:`hubreuse.report.format`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def report_context(sources: Mapping[str, Any], manifest: Mapping[str, Any], config: Mapping[str, Any],
                   published: pd.DataFrame | None = None, pool: Executor | None = None,
                   workflow_dir: str | os.PathLike[str] | None = None,
                   config_file: str | None = None,
                   snapshots: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:  # fmt: skip
    """Everything the template shows, from the tables; figures given to ``pool`` may still be drawing (see
    :func:`~hubreuse.report.figurebook.figure_svg`). ``workflow_dir``: where the workflow's git commit is read
    (at render time); ``config_file``: the effective config written beside the report, for the rerun command;
    ``snapshots``: a run's several snapshots, oldest first (the ``trend_*`` tables then compare them)."""
    tables = load_inputs(sources)
    synthetic = bool(manifest.get("synthetic")) or manifest.get("source") == "demo"
    published = replication.load_published() if published is None else published
    comparison = replication.compare(published, {k: tables.get(k) for k in MEASURES})
    # The summary of findings comes first in the document but is written from the sections: each part gets its
    # own book, and the books are numbered in document order at the end.
    book, paper_book, beyond_book, change_book = (FigureBook(pool, synthetic) for _ in range(4))
    paper = paper_sections(tables, paper_book, manifest.get("tasks") or [])
    beyond = beyond_section(tables, beyond_book, manifest.get("tasks") or [])
    change = change_section(tables, snapshots, change_book)
    quality = quality_section(tables, manifest, paper)
    domain = domain_section(tables)
    found = findings(paper, domain, comparison, tables, book, synthetic)
    book.extend(paper_book)
    book.extend(beyond_book)
    book.extend(change_book)
    tasks = manifest.get("tasks") or []
    ordered = pd.concat([task_order(comparison[comparison["rq"] == rq], tasks) for rq in MEASURES])
    marks, notes = footnotes(n for note in ordered["note"] for n in note.split("; ") if n)
    rep_rows = [{**row, "marks": ",".join(marks[n] for n in (row["note"] or "").split("; ") if n)}
                for row in rows(ordered)]  # fmt: skip
    rep_groups = [{"rq": rq, "title": MEASURES[rq].title, "rows": [r for r in rep_rows if r["rq"] == rq]}
                  for rq in MEASURES]  # fmt: skip
    totals = replication.totals(replication.load_totals(), {k: tables.get(k) for k in MEASURES})
    effective = redact(dict(config) if config else dict(manifest.get("config", {}) or {}))
    n_boot, seed = resampling(tables)
    run_provenance = provenance.provenance(manifest, config or manifest.get("config", {}) or {},
                                           provenance.git_state(workflow_dir), config_file)  # fmt: skip
    return {
        "title": TITLE,
        "synthetic": synthetic,
        "manifest": manifest,
        "source_label": manifest.get("source_label") or manifest.get("source", "unknown"),
        # With snapshots the manifest is the newest snapshot's; the digest names the whole run's settings.
        "config_digest": config_digest(config) if snapshots and config else manifest.get("config_digest", ""),
        "config_yaml": yaml.safe_dump(effective, sort_keys=False, allow_unicode=True, width=100),
        "software": software_versions(),
        "provenance": run_provenance,
        "generated_at": utc_now(),
        "measures": MEASURES,
        "findings": found,
        "paper": paper,
        "domain": domain,
        "replication": {"groups": rep_groups, "citation": replication.CITATION, "notes": replication.STUDY_NOTES,
                        "footnotes": notes, "agreement": replication.agreement(comparison),
                        "totals": rows(totals), "claims": claims.paper_claims(tables.get(DOMAIN_COMPARISON))},
        "quality": quality,
        "beyond": beyond,
        "change": change,
        "top_datasets": rows(top_datasets(tables.get("rq2_values"))) if "rq2_values" in tables else None,
        "figures": book.items,
        "n_boot": n_boot,
        "seed": seed,
        "signif_legend": SIGNIF_LEGEND,
        "not_computed": NOT_COMPUTED,
        "tasks_total": tasks_total(manifest.get("tasks", [])),
    }


def tasks_total(tasks: list[dict[str, Any]]) -> str:
    """``12 NLP, 18 CV``: the configured tasks per domain, in the taxonomy's order (NLP and CV always named)."""
    counts = {d: sum(1 for t in tasks if t.get("domain") == d) for d in DOMAIN_NAMES}
    return ", ".join(f"{n} {DOMAIN_NAMES[d]}" for d, n in counts.items() if n or d in ("nlp", "cv"))


def render_html(context: Mapping[str, Any], template: str | os.PathLike[str], css: str | os.PathLike[str]) -> str:
    template = Path(template)
    env = template_environment(template.parent)
    # The stylesheet is the project's own file (trusted): inserted as is, since a <style> element does not
    # decode entities and escaping would break its quoted strings.
    style = Markup(Path(css).read_text(encoding="utf-8"))
    table_number = itertools.count(1).__next__  # tables are numbered in document order, afresh per rendering
    return env.get_template(template.name).render(**context, css=style, table_number=table_number)


def render_report(
    sources: Mapping[str, Any],
    manifest: Mapping[str, Any],
    config: Mapping[str, Any],
    template: str | os.PathLike[str],
    css: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    figure_paths: Mapping[str, str | os.PathLike[str]] | None = None,
    published: pd.DataFrame | None = None,
    workers: int = 1,
    workflow_dir: str | os.PathLike[str] | None = None,
    config_file: str | None = None,
    snapshots: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Render the report to HTML and PDF (and each figure to its own SVG file when asked); returns the context."""
    unknown = set(figure_paths or {}) - set(FIGURE_IDS) - set(TREND_FIGURE_IDS)
    if unknown:
        raise ValueError(f"unknown figure id(s): {', '.join(sorted(unknown))}")
    with figure_pool(workers) as pool:
        context = report_context(sources, manifest, config, published, pool, workflow_dir, config_file, snapshots)
        log.info("report context built")
        from hubreuse.report.pdf import (  # weasyprint loads once the figures are drawing
            FIGURE_SCHEME,
            write_pdf,
        )

        # The PDF is typeset while figures are still drawing: its HTML names each figure by a URL that the
        # renderer fetches (and waits for) only when it builds that image's box, after parsing and styling
        # the whole document.
        figures = context["figures"]
        for fig_id, item in figures.items():
            item["svg"] = figure_img(fig_id, item["caption"], FIGURE_SCHEME)
        pdf_html = render_html(context, template, css)
        write_pdf(pdf_html, pdf_path, Path(html_path).parent, [Path(template).parent, Path(html_path).parent],
                  figures={fig_id: partial(figure_svg, item) for fig_id, item in figures.items()})  # fmt: skip
        log.info("PDF typeset: %s", pdf_path)
        finish_figures(figures)
    html = render_html(context, template, css)
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    write_figure_files(figures, figure_paths or {})  # standalone SVGs: titled, marked when synthetic
    log.info("report written: %s, %s", html_path, pdf_path)
    return context
