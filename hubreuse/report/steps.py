"""Step of stage report: the report rendered from the tables, the run manifest and the templates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def report(tables: Mapping[str, str], manifest: str, config: Mapping[str, Any], template: str, css: str,
           html_out: str, pdf_out: str, figures: Mapping[str, str] | None = None,
           threads: int = 1) -> None:  # fmt: skip
    """The findings report (HTML, PDF, one SVG per figure) from every table by name -> path; ``template`` and
    ``css`` are the report's Jinja template and stylesheet (``report/report.html.j2``, ``report/report.css``).

    Names are the tables' file stems (``rq1``..``rq3`` or their file stems, ``rq1_values``..., ``declaration_shapes``,
    ``coverage``, ``concentration``, ``lorenz``, ``children_values``, ``mean_intervals``, ``domain_comparison``...);
    a missing name or file renders as "not computed in this run". The report computes no statistic: the
    bootstrap intervals and the NLP-against-CV tests are read from their tables.
    """
    from hubreuse.report import render

    run = json.loads(Path(manifest).read_text(encoding="utf-8"))
    render.render_report(tables, run, config, template, css, html_out, pdf_out, figure_paths=figures,
                         workers=threads)  # fmt: skip
