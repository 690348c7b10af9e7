"""Canonical dataset ids: RQ1 and RQ2 raw beside canonical."""

import os

from hubreuse.runner import run_job
from hubreuse.steps import canonical_tables

run_job(
    snakemake,
    lambda: canonical_tables(
        snakemake.params.matrix_dir,
        snakemake.params.domains,
        snakemake.params.source,
        list(snakemake.input.alias_files),
        list(snakemake.input.pseudo_files),
        os.path.dirname(snakemake.output[0]),
        os.path.dirname(snakemake.output.edges),
    ),
)
