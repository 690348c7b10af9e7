"""Convert one hub-stats Parquet file into an API-like JSON Lines dump (source: hubstats)."""

from hubreuse.collect.steps import hubstats_convert
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: hubstats_convert(
        snakemake.input.parquet,
        snakemake.wildcards.kind,
        snakemake.input.snapshot,
        snakemake.output.dump,
        snakemake.output.manifest,
    ),
)
