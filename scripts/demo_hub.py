"""Generate the synthetic Hub dumps (source: demo)."""

from hubreuse.collect.steps import demo_hub
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: demo_hub(
        snakemake.params.domains,
        snakemake.params.models,
        snakemake.params.datasets,
        snakemake.params.seed,
        snakemake.output.models,
        snakemake.output.datasets,
        snakemake.output.manifest,
        every_task=snakemake.params.get("every_task", False),
    ),
)
