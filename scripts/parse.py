"""Parse one task's raw listings (models and datasets) into typed Parquet tables."""

from hubreuse.runner import run_job
from hubreuse.steps import parse_task

run_job(
    snakemake,
    lambda: parse_task(
        {"models": snakemake.input.models, "datasets": snakemake.input.datasets},
        {"models": snakemake.output.models, "datasets": snakemake.output.datasets},
        snakemake.params.source,
        snakemake.threads,
    ),
)
