"""The paper's three measures per task."""

from hubreuse.runner import run_job
from hubreuse.steps import paper_tables

run_job(
    snakemake,
    lambda: paper_tables(
        snakemake.params.matrix_dir,
        snakemake.params.domains,
        snakemake.params.source,
        {key: snakemake.output[key] for key in ("rq1", "rq2", "rq3")},
        {key: snakemake.output[f"{key}_values"] for key in ("rq1", "rq2", "rq3")},
        snakemake.output.quality,
    ),
)
