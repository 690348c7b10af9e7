"""Concentration and heavy-tail statistics of one group of measures."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import concentration

run_job(
    snakemake,
    lambda: concentration(
        {name: path for name, path in snakemake.input.items() if name != "task_list"},  # tasks: all
        snakemake.params.source,
        snakemake.params.n_boot,
        snakemake.params.seed,
        snakemake.output.concentration,
        snakemake.output.heavy_tail,
        snakemake.output.lorenz,
    ),
)
