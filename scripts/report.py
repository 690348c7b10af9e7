"""Render the report (HTML, PDF and one SVG per figure)."""

from hubreuse.runner import run_job
from hubreuse.steps import render_report

run_job(
    snakemake,
    lambda: render_report(
        {key: snakemake.input[key] for key in snakemake.params.tables},
        snakemake.input.manifest,
        snakemake.params.config,
        snakemake.params.template_dir,
        snakemake.output.html,
        snakemake.output.pdf,
        figures=dict(snakemake.params.figures),
        n_boot=int(snakemake.params.n_boot),
        seed=int(snakemake.params.seed),
        threads=snakemake.threads,
    ),
)
