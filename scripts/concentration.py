"""Concentration and heavy-tail statistics of one measure."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import concentration_tables

run_step(
    snakemake_log(snakemake),
    lambda: concentration_tables(
        {snakemake.wildcards.measure: snakemake.input.values},
        snakemake.params.source,
        snakemake.params.n_boot,
        snakemake.params.seed,
        snakemake.output.concentration,
        snakemake.output.heavy_tail,
        snakemake.output.lorenz,
    ),
)
