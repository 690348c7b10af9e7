"""The per-group concentration tables stacked into one table each."""

from hubreuse.runner import run_job
from hubreuse.steps import stack_csv

run_job(
    snakemake,
    lambda: [
        stack_csv(list(snakemake.input[key]), snakemake.output[key])
        for key in ("concentration", "heavy_tail", "lorenz")
    ],
)
