import os
import re
import sys

from snakemake.utils import validate

from hubreuse.errors import InputError
from hubreuse.matrices import MATRIX_NAMES
from hubreuse.settings import check_config, schema_path
from hubreuse.stats import MEASURES
from hubreuse.steps import BEYOND_TABLES, CONCENTRATION_MEASURES, LINEAGE_TABLES


# Our own checks first: they say what is wrong in one line (the schema's messages are long).
try:
    check_config(config)
except InputError as error:
    print(f"hubreuse: error: {error}", file=sys.stderr)
    sys.exit(1)
validate(config, schema=str(schema_path()))
SETTINGS = check_config(config)

SOURCE = SETTINGS.source
TASKS = SETTINGS.tasks
DOMAINS = SETTINGS.domains
KINDS = ["models", "datasets"]


wildcard_constraints:
    task="|".join(re.escape(task) for task in TASKS),
    kind="models|datasets",


def dump_path(kind):
    """The dump a kind is indexed from: the demo's generated dump or the user's."""
    if SOURCE == "demo":
        return f"results/demo/{kind}.jsonl.gz"
    return config[f"{kind}_dump"]


def listing_manifests():
    return expand("results/raw/{kind}/{task}.manifest.json", kind=KINDS, task=TASKS)


def index_manifests():
    if SOURCE == "api":
        return []
    return expand("results/interim/{kind}_index.json", kind=KINDS)


def parsed_tables(kind):
    return {task: f"results/parsed/{kind}/{task}.parquet" for task in TASKS}


def rq_tables():
    return {key: f"results/tables/{name}.csv" for key, name in MEASURES.items()}


def measure_values():
    """Per-unit values of every measure whose concentration is reported."""
    return {
        measure: f"results/stats/{measure}_values.parquet" for measure in CONCENTRATION_MEASURES
    }


def report_tables():
    """Every table the report reads, by name."""
    names = [
        *MEASURES.values(),
        "declaration_shapes",
        *BEYOND_TABLES,
        "concentration",
        "heavy_tail",
        *LINEAGE_TABLES,
    ]
    tables = {name: f"results/tables/{name}.csv" for name in names}
    tables["lorenz"] = "results/stats/lorenz.csv"
    return tables


def final_outputs():
    return [
        *report_tables().values(),
        "results/raw/manifest.json",
        "results/report/report.html",
        "results/report/report.pdf",
    ]
