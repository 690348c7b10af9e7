import os
import re
import sys
from pathlib import Path

from snakemake.utils import validate

from hubreuse.core.errors import InputError
from hubreuse.core.identity import content_identity
from hubreuse.core.locks import remove_stale_locks
from hubreuse.core.names import (
    CANONICAL_TABLES,
    CANONICAL_VALUES,
    CONCENTRATION_GROUPS,
    CONCENTRATION_MEASURES,
    CONCENTRATION_TABLES,
    DECLARATION_SHAPES,
    DOMAIN_COMPARISON,
    FIGURE_IDS,
    INFERENCE_MEASURES,
    KINDS,
    LINEAGE_TABLES,
    LORENZ,
    MATRIX_NAMES,
    MEAN_INTERVALS,
    PAPER_TABLES,
    PAPER_VALUES,
    REUSE_TABLES,
    REUSE_VALUES,
    figure,
    matrix,
    measure_values,
    table,
    values,
)
from hubreuse.collect.tasks import read_task_list
from hubreuse.core.settings import TASK_PATTERN, check_config, data_path, job_source, schema_path, task_taxonomy


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
# Where declarations come from (card or tags); the jobs after parsing receive the source with it, so every table's
# source column says which declarations it was computed from.
DECLARATIONS = config["declarations"]
JOB_SOURCE = job_source(SOURCE, DECLARATIONS)
# tasks: all: the tasks are those of the snapshot, known once the task_list checkpoint has run (rules/collect.smk).
TASKS_ALL = SETTINGS.all_tasks
TASK_LIST = "results/interim/task_list.csv"


def domains():
    """Each task's domain, in table order: the configured mapping, or (tasks: all) the task_list checkpoint's.

    Call it only inside input and params functions (``lambda wildcards: domains()``): with tasks: all it raises
    Snakemake's incomplete-checkpoint exception until the checkpoint has run, and Snakemake then schedules the
    checkpoint first. A params function needs the checkpoint's output among the rule's inputs
    (:func:`task_list_input`)."""
    if not TASKS_ALL:
        return SETTINGS.domains
    return read_task_list(checkpoints.task_list.get().output.tasks)


def tasks():
    """The tasks of the run (see :func:`domains`)."""
    return list(domains())


def task_list_input():
    """The checkpoint's task list as a named input (tasks: all), for rules whose params read :func:`domains`;
    nothing otherwise, so the default DAG has no checkpoint."""
    return {"task_list": TASK_LIST} if TASKS_ALL else {}


def demo_domains():
    """The tasks the synthetic Hub is generated over: the configured ones, or (tasks: all) the whole taxonomy,
    known without the checkpoint."""
    return task_taxonomy() if TASKS_ALL else SETTINGS.domains


def index_tasks():
    """The tasks whose tags the dump indexes count, for the swapped-dumps check: the configured ones, or
    (tasks: all, whose tasks are read from the index itself) the taxonomy's."""
    return list(task_taxonomy()) if TASKS_ALL else SETTINGS.tasks


wildcard_constraints:
    task=TASK_PATTERN.pattern.strip("^$") if TASKS_ALL else "|".join(re.escape(task) for task in SETTINGS.tasks),
    kind="models|datasets",


def dump_path(kind):
    """The dump a kind is indexed from: the demo's, the downloaded hubstats snapshot file, or the user's."""
    if SOURCE == "demo":
        return f"results/demo/{kind}.jsonl.gz"
    if SOURCE == "hubstats":
        return f"results/hubstats/snapshot/{kind}.parquet"
    return config[f"{kind}_dump"]


def dump_inputs(kind):
    """index_dump's inputs: the dump, and with hubstats the snapshot's manifest (its repository and commit)."""
    inputs = {"dump": dump_path(kind)}
    if SOURCE == "hubstats":
        inputs["snapshot"] = "results/hubstats/snapshot/manifest.json"
    return inputs


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
    return expand("results/raw/{kind}/{task}.manifest.json", kind=KINDS, task=tasks())


def index_manifests():
    """Manifests of the dumps the listings were cut from (with hubstats they name the snapshot's commit)."""
    if SOURCE == "api":
        return []
    return expand("results/interim/{kind}_index.json", kind=KINDS)


def parsed_tables(kind):
    """The parsed table of each task, by task."""
    return {task: f"results/parsed/{kind}/{task}.parquet" for task in tasks()}


def matrices():
    """Every reuse matrix, by name."""
    return {name: matrix(name) for name in MATRIX_NAMES}


def tables(names):
    """Result tables (results/tables/<name>.csv), by name."""
    return {name: table(name) for name in names}


def values_files(names):
    """Per-unit values (results/stats/<name>.parquet), by name."""
    return {name: values(name) for name in names}


def concentration_values(group):
    """Per-unit values of the measures of one concentration group, by measure."""
    return {measure: measure_values(measure) for measure in CONCENTRATION_GROUPS[group]}


def report_sections():
    """The report template's section files: inputs of the report, so an edit to one reruns it."""
    return sorted(str(p) for p in Path("report", "sections").glob("*.html.j2"))


def report_tables():
    """Every table and values file the report reads, by name."""
    return {
        **{key: table(name) for key, name in PAPER_TABLES.items()},
        DECLARATION_SHAPES: table(DECLARATION_SHAPES),
        **tables(CANONICAL_TABLES),
        **tables(REUSE_TABLES),
        **tables(CONCENTRATION_TABLES),
        LORENZ: f"results/stats/{LORENZ}.csv",
        **tables(LINEAGE_TABLES),
        **tables((MEAN_INTERVALS, DOMAIN_COMPARISON)),
        **{f"{measure}_values": measure_values(measure) for measure in CONCENTRATION_MEASURES},
    }


def report_figures():
    """Every figure of the report as its own SVG file, by id."""
    return {name: figure(name) for name in FIGURE_IDS}


# Snakemake's own report (`snakemake --report report.zip`): every table of results/tables/ is registered with a
# category (and subcategory) and its caption report/captions/tables/<name>.rst. Paths of captions are relative to
# the rules/ folder, where the rules that call these functions are read.
TABLE_CATEGORIES = {
    **{name: ("Paper measures", None) for name in PAPER_TABLES.values()},
    DECLARATION_SHAPES: ("Data quality", None),
    "canonicalisation_summary": ("Data quality", None),
    "base_card_tag_disagreement_by_task": ("Data quality", None),
    "dataset_card_tag_disagreement_by_task": ("Data quality", None),
    "rq1_canonical": ("Beyond the paper", "Canonical dataset ids"),
    "rq2_canonical": ("Beyond the paper", "Canonical dataset ids"),
    "rq3_children_per_model": ("Beyond the paper", "Reuse as a base"),
    "coverage": ("Beyond the paper", "Coverage and de-duplication"),
    "domain_measures_distinct": ("Beyond the paper", "Coverage and de-duplication"),
    "task_overlap": ("Beyond the paper", "Coverage and de-duplication"),
    "concentration": ("Beyond the paper", "Concentration"),
    "heavy_tail": ("Beyond the paper", "Concentration"),
    **{name: ("Beyond the paper", "Lineage") for name in LINEAGE_TABLES},
    "declarations_by_month": ("Beyond the paper", "Time"),
    "dataset_time_to_first_reuse_by_task": ("Beyond the paper", "Time"),
    MEAN_INTERVALS: ("Inference", None),
    DOMAIN_COMPARISON: ("Inference", None),
}


def reported_table(name):
    """``results/tables/<name>.csv``, registered for Snakemake's report with its caption and category (a table
    missing from TABLE_CATEGORIES lands in "Other"; the --report test fails on it)."""
    category, subcategory = TABLE_CATEGORIES.get(name, (None, None))
    return report(table(name), caption=f"../report/captions/tables/{name}.rst", category=category,
                  subcategory=subcategory)


def reported_tables(names):
    """Several tables by name, each registered as :func:`reported_table` does."""
    return {name: reported_table(name) for name in names}


def reported_figures():
    """Every figure's SVG, registered for Snakemake's report with its caption report/captions/figures/<id>.rst."""
    return [report(path, caption=f"../report/captions/figures/{name}.rst", category="Figures")
            for name, path in report_figures().items()]


def final_outputs():
    return [
        *(path for path in report_tables().values() if path.endswith(".csv") and "/tables/" in path),
        "results/raw/manifest.json",
        "results/report/report.html",
        "results/report/report.pdf",
    ]
