"""Index a models or datasets dump by id and tags (source: dump and demo)."""

from hubreuse.runner import run_step, snakemake_log
from hubreuse.steps import index_dump

run_step(
    snakemake_log(snakemake),
    lambda: index_dump(
        snakemake.input.dump,
        snakemake.params.label,
        snakemake.output.index,
        snakemake.output.manifest,
        snakemake.params.source,
    ),
)
