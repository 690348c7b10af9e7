"""NLP against CV for every per-unit measure: negative binomial GLM and Mann-Whitney U test."""

from hubreuse.core.runner import run_job
from hubreuse.stats.steps import domain_comparison

run_job(
    snakemake,
    lambda: domain_comparison(
        dict(snakemake.input.items()),
        snakemake.params.source,
        snakemake.output.comparison,
    ),
)
