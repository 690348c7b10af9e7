"""The per-measure concentration tables stacked into one table each."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import stack_csv

run_step(
    snakemake_log(snakemake),
    lambda: [
        stack_csv(list(snakemake.input[key]), snakemake.output[key])
        for key in ("concentration", "heavy_tail", "lorenz")
    ],
)
