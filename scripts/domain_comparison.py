"""NLP against CV for every per-unit measure: tasks as units, a count model of the distinct units with errors
clustered by task, and the Mann-Whitney test with an interval resampling tasks."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import domain_comparison

run_job(
    snakemake,
    lambda: domain_comparison(
        {name: path for name, path in snakemake.input.items() if name != "task_list"},  # tasks: all
        snakemake.params.domains,
        snakemake.params.source,
        int(snakemake.params.n_boot),
        int(snakemake.params.seed),
        snakemake.output.comparison,
    ),
)
