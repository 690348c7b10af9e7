"""Beyond-the-paper measures: canonical ids, reuse as a base, coverage, overlap, time."""

import os

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import beyond_tables

run_step(
    snakemake_log(snakemake),
    lambda: beyond_tables(
        snakemake.params.matrix_dir,
        snakemake.params.domains,
        snakemake.params.source,
        snakemake.params.alias_files,
        snakemake.params.pseudo_files,
        os.path.dirname(snakemake.output[0]),
        os.path.dirname(snakemake.output.children),
    ),
)
