"""Index a models or datasets dump by id and tags (source: dump and demo)."""

from hubreuse.runner import run_job
from hubreuse.steps import index_dump

run_job(
    snakemake,
    lambda: index_dump(
        snakemake.input.dump,
        snakemake.params.label,
        snakemake.output.index,
        snakemake.output.manifest,
        snakemake.params.source,
        tasks=snakemake.params.tasks,
    ),
)
