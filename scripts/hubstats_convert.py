"""Convert one hub-stats Parquet file into an API-like JSON Lines dump (source: hubstats)."""

import json
from pathlib import Path

from hubreuse.hubstats import convert_snapshot
from hubreuse.runner import run_job

run_job(
    snakemake,
    lambda: convert_snapshot(
        snakemake.input.parquet,
        snakemake.wildcards.kind,
        snakemake.output.dump,
        snakemake.output.manifest,
        json.loads(Path(snakemake.input.snapshot).read_text(encoding="utf-8")),
    ),
)
