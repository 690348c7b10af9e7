"""Compare the run's snapshots: the trend tables from each snapshot's own tables."""

from hubreuse.core.runner import run_job
from hubreuse.trends.steps import trends

run_job(
    snakemake,
    lambda: trends(
        snakemake.params.snapshots,
        snakemake.params.tables,
        snakemake.input.published,
        dict(snakemake.output.items()),
    ),
)
