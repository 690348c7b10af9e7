"""Lineage: family trees from base-model edges."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import lineage_tables

run_step(
    snakemake_log(snakemake),
    lambda: lineage_tables(snakemake.params.matrix_dir, snakemake.params.source, "results/tables"),
)
