"""tasks: all: every pipeline task of the snapshot with its domain (the workflow's task_list checkpoint)."""

from hubreuse.collect.steps import task_list
from hubreuse.core.runner import run_job

run_job(
    snakemake,
    lambda: task_list(
        snakemake.params.source,
        snakemake.output.tasks,
        snakemake.output.summary,
        models_index=snakemake.input.get("models_index", ""),
        label=snakemake.params.label,
        endpoint=snakemake.params.get("endpoint", ""),
    ),
)
