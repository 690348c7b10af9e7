"""Reuse as a base, coverage, de-duplicated domain measures, task overlap, time."""

import os

from hubreuse.runner import run_job
from hubreuse.steps import reuse_tables

run_job(
    snakemake,
    lambda: reuse_tables(
        snakemake.params.matrix_dir,
        snakemake.params.domains,
        snakemake.params.source,
        os.path.dirname(snakemake.output[0]),
        os.path.dirname(snakemake.output.children),
    ),
)
