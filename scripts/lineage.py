"""Lineage: family trees from base-model edges."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import lineage

run_job(
    snakemake,
    lambda: lineage(
        {name: path for name, path in snakemake.input.items() if name != "task_list"},  # tasks: all
        snakemake.params.source,
        dict(snakemake.output.items()),
    ),
)
