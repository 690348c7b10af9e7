"""Concentration and heavy-tail statistics of one group of measures."""

from hubreuse.runner import run_job
from hubreuse.steps import concentration_tables

run_job(
    snakemake,
    lambda: concentration_tables(
        dict(snakemake.input.items()),
        snakemake.params.source,
        snakemake.params.n_boot,
        snakemake.params.seed,
        snakemake.output.concentration,
        snakemake.output.heavy_tail,
        snakemake.output.lorenz,
    ),
)
