"""Lineage: family trees from base-model edges."""

import os

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import lineage_tables

run_step(
    snakemake_log(snakemake),
    lambda: lineage_tables(snakemake.params.matrix_dir, snakemake.params.source, os.path.dirname(snakemake.output[0])),
)
