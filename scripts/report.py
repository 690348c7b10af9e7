"""Render the report (HTML, PDF and one SVG per figure) and write the effective config beside it."""

from pathlib import Path

from hubreuse.core.runner import run_job
from hubreuse.report.steps import report

run_job(
    snakemake,
    lambda: report(
        {key: snakemake.input[key] for key in snakemake.params.tables},
        snakemake.input.manifest,
        snakemake.params.config,
        snakemake.input.template,
        snakemake.input.css,
        snakemake.output.html,
        snakemake.output.pdf,
        figures=dict(snakemake.params.figures),
        threads=snakemake.threads,
        # The workflow's folder (this script's parent's parent): its git commit is read at render time.
        workflow_dir=str(Path(snakemake.scriptdir).parent),
        config_out=snakemake.output.config,
        snapshots=snakemake.params.snapshots,
    ),
)
