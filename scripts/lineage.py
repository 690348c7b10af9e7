"""Lineage: family trees from base-model edges."""

import os

from hubreuse.runner import run_job
from hubreuse.steps import lineage_tables

run_job(
    snakemake,
    lambda: lineage_tables(snakemake.params.matrix_dir, snakemake.params.source, os.path.dirname(snakemake.output[0])),
)
