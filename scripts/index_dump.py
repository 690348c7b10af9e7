"""Index a models or datasets dump by id and tags (source: dump, demo and hubstats)."""

from hubreuse.collect.steps import index_dump
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: index_dump(
        snakemake.input.dump,
        snakemake.params.label,
        snakemake.output.index,
        snakemake.output.manifest,
        snakemake.params.source,
        tasks=snakemake.params.tasks,
        snapshot=snakemake.input.get("snapshot", ""),
        cutoff=snakemake.params.cutoff,
        cuts=snakemake.output.cuts,
    ),
)
