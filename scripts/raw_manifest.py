"""Write the run's manifest from the per-listing manifests."""

from hubreuse.runner import run_job
from hubreuse.steps import run_manifest

run_job(
    snakemake,
    lambda: run_manifest(
        snakemake.input.listings,
        snakemake.input.indexes,
        snakemake.params.config,
        snakemake.params.domains,
        snakemake.output[0],
    ),
)
