import os
import re
import sys

from snakemake.utils import validate

from hubreuse.errors import InputError
from hubreuse.matrices import MATRIX_NAMES
from hubreuse.identity import content_identity
from hubreuse.locks import remove_stale_locks
from hubreuse.settings import check_config, data_path, schema_path
from hubreuse.stats import MEASURES
from hubreuse.steps import (
    BEYOND_TABLES,
    CANONICAL_TABLES,
    CONCENTRATION_GROUPS,
    CONCENTRATION_MEASURES,
    FIGURE_IDS,
    LINEAGE_TABLES,
    REUSE_TABLES,
)


# One line per config problem (jsonschema's own report runs to dozens of lines), then the schema's defaults.
try:
    check_config(config)
except InputError as error:
    print(f"hubreuse: error: {error}", file=sys.stderr)
    sys.exit(1)
validate(config, schema=str(schema_path()))
SETTINGS = check_config(config)

# A run killed with SIGKILL leaves its lock behind; the plain rerun removes it when nothing runs here any more.
if workflow.is_main_process and not workflow.remote_exec:
    removed = remove_stale_locks(os.getcwd())
    if removed:
        print("hubreuse: removed the lock of an interrupted run (no Snakemake process runs in this folder)",
              file=sys.stderr)
    elif removed is None:
        print("hubreuse: another Snakemake process runs in this folder; wait for it to end (or stop it) and rerun",
              file=sys.stderr)

# The conda envs (envs/*.yaml, --sdm conda) pip-install this package from ${HUBREUSE_ROOT}.
os.environ.setdefault("HUBREUSE_ROOT", workflow.basedir)

SOURCE = SETTINGS.source
TASKS = SETTINGS.tasks
DOMAINS = SETTINGS.domains
KINDS = ["models", "datasets"]


wildcard_constraints:
    task="|".join(re.escape(task) for task in TASKS),
    kind="models|datasets",


def dump_path(kind):
    """The dump a kind is indexed from: the demo's, the converted hubstats snapshot, or the user's."""
    if SOURCE == "demo":
        return f"results/demo/{kind}.jsonl.gz"
    if SOURCE == "hubstats":
        return f"results/hubstats/{kind}.jsonl.gz"
    return config[f"{kind}_dump"]


def dump_identity(kind):
    """Size and content hash of a user's dump (source: dump); the workflow's own dumps are tracked as outputs."""
    if SOURCE != "dump":
        return ""
    return content_identity(config[f"{kind}_dump"])


def canonical_tables_input():
    """The shipped alias and pseudo-dataset tables and the user's own, in the order they are read."""
    return {
        "shipped_aliases": str(data_path("dataset_aliases.csv")),
        "shipped_pseudo": str(data_path("pseudo_datasets.csv")),
        "alias_files": config["canonical"]["alias_files"],
        "pseudo_files": config["canonical"]["pseudo_files"],
    }


def listing_outputs():
    """A task's collected listings and manifests, both kinds: one collect job per task."""
    return {
        f"{kind}_{part}": f"results/raw/{kind}/{{task}}.{suffix}"
        for kind in KINDS
        for part, suffix in (("listing", "jsonl.gz"), ("manifest", "manifest.json"))
    }


def listing_manifests():
    return expand("results/raw/{kind}/{task}.manifest.json", kind=KINDS, task=TASKS)


def index_manifests():
    """Manifests of the dumps the listings were cut from (with hubstats: also the pinned snapshot's)."""
    if SOURCE == "api":
        return []
    manifests = expand("results/interim/{kind}_index.json", kind=KINDS)
    if SOURCE == "hubstats":
        manifests += expand("results/hubstats/{kind}.convert.json", kind=KINDS)
    return manifests


def parsed_tables(kind):
    return {task: f"results/parsed/{kind}/{task}.parquet" for task in TASKS}


def rq_tables():
    return {key: f"results/tables/{name}.csv" for key, name in MEASURES.items()}


def measure_values(group):
    """Per-unit values of the measures of one concentration group, by measure."""
    return {measure: f"results/stats/{measure}_values.parquet" for measure in CONCENTRATION_GROUPS[group]}


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
    tables.update({f"{measure}_values": f"results/stats/{measure}_values.parquet" for measure in CONCENTRATION_MEASURES})
    return tables


def report_figures():
    return {name: f"results/report/figures/{name}.svg" for name in FIGURE_IDS}


def final_outputs():
    return [
        *(path for path in report_tables().values() if path.endswith(".csv")),
        "results/raw/manifest.json",
        "results/report/report.html",
        "results/report/report.pdf",
    ]
