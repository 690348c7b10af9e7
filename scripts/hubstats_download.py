"""Download the hub-stats snapshot's Parquet files at one resolved commit (source: hubstats)."""

from hubreuse.collect.steps import hubstats_download
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: hubstats_download(
        snakemake.params.repo,
        snakemake.params.revision,
        {"models": snakemake.params.models_file, "datasets": snakemake.params.datasets_file},
        {"models": snakemake.output.models, "datasets": snakemake.output.datasets},
        snakemake.output.manifest,
        snakemake.params.endpoint,
    ),
)
