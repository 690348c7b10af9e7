"""Generate the synthetic Hub dumps (source: demo)."""

from hubreuse.runner import run_job
from hubreuse.steps import generate_demo

run_job(
    snakemake,
    lambda: generate_demo(
        snakemake.params.domains,
        snakemake.params.models,
        snakemake.params.datasets,
        snakemake.params.seed,
        snakemake.output.models,
        snakemake.output.datasets,
        snakemake.output.manifest,
    ),
)
