"""Render the report (HTML and PDF)."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import render_report

run_step(
    snakemake_log(snakemake),
    lambda: render_report(
        {key: snakemake.input[key] for key in ("rq1", "rq2", "rq3")},
        snakemake.input.manifest,
        snakemake.params.config,
        snakemake.params.template_dir,
        snakemake.output.html,
        snakemake.output.pdf,
    ),
)
