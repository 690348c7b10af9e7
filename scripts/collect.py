"""Collect one task's listing (models or datasets) from the configured source."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import collect_listing

run_step(
    snakemake_log(snakemake),
    lambda: collect_listing(
        snakemake.params.source,
        snakemake.wildcards.kind,
        snakemake.wildcards.task,
        {"listing": snakemake.output.listing, "manifest": snakemake.output.manifest},
        index=snakemake.input.get("index"),
        index_manifest=snakemake.input.get("index_manifest"),
        endpoint=snakemake.params.get("endpoint", ""),
        state_dir=snakemake.params.get("state_dir", ""),
    ),
)
