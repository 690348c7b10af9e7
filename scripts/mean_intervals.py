"""Bootstrap intervals of the per-task means of every per-unit measure."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import mean_intervals

run_job(
    snakemake,
    lambda: mean_intervals(
        {name: path for name, path in snakemake.input.items() if name != "task_list"},  # tasks: all
        snakemake.params.domains,
        snakemake.params.source,
        int(snakemake.params.n_boot),
        int(snakemake.params.seed),
        snakemake.output.intervals,
    ),
)
