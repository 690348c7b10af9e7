"""Step of stage report: the report rendered from the tables, the run manifest and the templates."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def report(tables: Mapping[str, str], manifest: str, config: Mapping[str, Any], template: str, css: str,
           html_out: str, pdf_out: str, figures: Mapping[str, str] | None = None,
           threads: int = 1, workflow_dir: str | None = None, config_out: str | None = None,
           snapshots: Sequence[Mapping[str, Any]] = ()) -> None:  # fmt: skip
    """The findings report (HTML, PDF, one SVG per figure) from every table by name -> path; ``template`` and
    ``css`` are the report's Jinja template and stylesheet (``report/report.html.j2``, ``report/report.css``).

    Names are the tables' file stems (``rq1``..``rq3`` or their file stems, ``rq1_values``..., ``declaration_shapes``,
    ``coverage``, ``concentration``, ``lorenz``, ``children_values``, ``mean_intervals``, ``domain_comparison``...);
    a missing name or file renders as "not computed in this run". The report computes no statistic: the
    bootstrap intervals and the NLP-against-CV tests are read from their tables.

    ``config_out``: where the effective config is written (``--configfile`` for the rerun command the report
    shows); ``workflow_dir``: the folder whose git commit the report names, read now (commit at report time).
    ``snapshots``: with several snapshots, each one's name, date, source and declarations in date order (the
    sections describe the last; ``trend_<name>`` tables compare them all).
    """
    from hubreuse.report import provenance, render

    run = json.loads(Path(manifest).read_text(encoding="utf-8"))
    config_file = None
    if config_out:
        provenance.write_effective_config(config, config_out)
        config_file = str(Path(config_out).resolve())
    render.render_report(tables, run, config, template, css, html_out, pdf_out, figure_paths=figures,
                         workers=threads, workflow_dir=workflow_dir, config_file=config_file,
                         snapshots=list(snapshots))  # fmt: skip
