"""Write the run's manifest from the per-listing manifests."""

from hubreuse.collect.steps import raw_manifest
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: raw_manifest(
        snakemake.input.listings,
        snakemake.input.indexes,
        snakemake.params.config,
        snakemake.params.domains,
        snakemake.output[0],
        snapshot=snakemake.params.snapshot,
    ),
)
