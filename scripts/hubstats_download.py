"""Download the hub-stats snapshot's Parquet files at one resolved commit (source: hubstats)."""

from hubreuse.hubstats import download_snapshot
from hubreuse.runner import run_job

run_job(
    snakemake,
    lambda: download_snapshot(
        snakemake.params.repo,
        snakemake.params.revision,
        {"models": snakemake.params.models_file, "datasets": snakemake.params.datasets_file},
        {"models": snakemake.output.models, "datasets": snakemake.output.datasets},
        snakemake.output.manifest,
        snakemake.params.endpoint,
    ),
)
