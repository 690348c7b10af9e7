"""Merge the per-task tables into the reuse matrices."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import build_matrices

run_step(
    snakemake_log(snakemake),
    lambda: build_matrices(
        snakemake.params.models, snakemake.params.datasets, snakemake.params.out_dir, snakemake.params.source,
        snakemake.threads,
    ),
)
