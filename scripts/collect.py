"""Collect one task's listings (models and datasets) from the configured source."""

from hubreuse.runner import run_job
from hubreuse.steps import collect_task

session_log = snakemake.params.get("session_log", "")
run_job(
    snakemake,
    lambda: collect_task(
        snakemake.params.source,
        snakemake.wildcards.task,
        dict(snakemake.output.items()),
        dict(snakemake.input.items()),
        endpoint=snakemake.params.get("endpoint", ""),
        state_dir=snakemake.params.get("state_dir", ""),
        session_log=session_log,
    ),
    history=session_log or None,
)
