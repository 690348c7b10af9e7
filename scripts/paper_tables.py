"""The paper's three measures per task, and the declaration shapes."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import paper_tables

run_job(
    snakemake,
    lambda: paper_tables(
        dict(snakemake.input.items()),
        snakemake.params.domains,
        snakemake.params.source,
        {key: snakemake.output[key] for key in ("rq1", "rq2", "rq3")},
        {key: snakemake.output[f"{key}_values"] for key in ("rq1", "rq2", "rq3")},
        snakemake.output.declaration_shapes,
    ),
)
