"""Reuse as a base, coverage, de-duplicated domain measures, task overlap, time."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import reuse_tables

run_job(
    snakemake,
    lambda: reuse_tables(
        dict(snakemake.input.items()),
        snakemake.params.domains,
        snakemake.params.source,
        dict(snakemake.output.items()),
        dict(snakemake.output.items()),
        snakemake.params.cards,
    ),
)
