"""Canonical dataset ids: RQ1 and RQ2 raw beside canonical."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import canonical_tables

run_job(
    snakemake,
    lambda: canonical_tables(
        dict(snakemake.input.items()),
        snakemake.params.domains,
        snakemake.params.source,
        list(snakemake.input.alias_files),
        list(snakemake.input.pseudo_files),
        dict(snakemake.output.items()),
        snakemake.output.edges,
    ),
)
