"""Collect one task's listings (models and datasets) from the configured source."""

from hubreuse.collect.steps import collect
from hubreuse.core.runner import run_job

session_log = snakemake.params.get("session_log", "")
run_job(
    snakemake,
    lambda: collect(
        snakemake.params.source,
        snakemake.wildcards.task,
        dict(snakemake.output.items()),
        dict(snakemake.input.items()),
        endpoint=snakemake.params.get("endpoint", ""),
        state_dir=snakemake.params.get("state_dir", ""),
        session_log=session_log,
        light=snakemake.params.get("light", False),
    ),
    history=session_log or None,
)
