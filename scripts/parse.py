"""Parse one raw listing into a typed Parquet table."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import parse_listing

run_step(
    snakemake_log(snakemake),
    lambda: parse_listing(snakemake.wildcards.kind, snakemake.input[0], snakemake.output[0], snakemake.params.source),
)
