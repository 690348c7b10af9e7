"""Merge the per-task tables into the reuse matrices."""

from hubreuse.core.runner import run_job
from hubreuse.matrices.steps import matrices

run_job(
    snakemake,
    lambda: matrices(
        snakemake.params.models,
        snakemake.params.datasets,
        dict(snakemake.output.items()),
        snakemake.params.source,
        snakemake.threads,
        snakemake.params.declarations,
    ),
)
