"""Merge the per-task tables into the reuse matrices."""

from hubreuse.runner import run_job
from hubreuse.steps import build_matrices

run_job(
    snakemake,
    lambda: build_matrices(
        snakemake.params.models, snakemake.params.datasets, snakemake.params.out_dir, snakemake.params.source,
        snakemake.threads,
    ),
)
