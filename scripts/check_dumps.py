"""Stop on swapped dumps, or a models dump without any configured task's tag (one line for both dumps)."""

from hubreuse.collect.steps import check_dumps
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: check_dumps(
        snakemake.input.models,
        snakemake.input.datasets,
        snakemake.params.tasks,
        snakemake.output[0],
    ),
)
