"""The per-group concentration tables stacked into one table each."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import concentration_stack

run_job(
    snakemake,
    lambda: concentration_stack(
        {key: list(snakemake.input[key]) for key in ("concentration", "heavy_tail", "lorenz")},
        dict(snakemake.output.items()),
    ),
)
