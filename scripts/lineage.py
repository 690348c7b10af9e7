"""Lineage: family trees from base-model edges."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import lineage

run_job(
    snakemake,
    lambda: lineage(
        dict(snakemake.input.items()),
        snakemake.params.source,
        dict(snakemake.output.items()),
    ),
)
