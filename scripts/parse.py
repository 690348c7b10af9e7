"""Parse one task's raw listings (models and datasets) into typed Parquet tables."""

from hubreuse.core.runner import run_job
from hubreuse.parse.steps import parse

run_job(
    snakemake,
    lambda: parse(
        {"models": snakemake.input.models, "datasets": snakemake.input.datasets},
        {"models": snakemake.output.models, "datasets": snakemake.output.datasets},
        snakemake.params.source,
        snakemake.threads,
    ),
)
