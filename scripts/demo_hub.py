"""Generate the synthetic Hub dumps (source: demo)."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import generate_demo

run_step(
    snakemake_log(snakemake),
    lambda: generate_demo(
        snakemake.config,
        snakemake.params.domains,
        snakemake.output.models,
        snakemake.output.datasets,
        snakemake.output.manifest,
    ),
)
