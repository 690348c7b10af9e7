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
    RESULTS,
    REUSE_TABLES,
    REUSE_VALUES,
    TREND_FIGURE_IDS,
    TREND_TABLES,
    figure,
    matrix,
    measure_values,
    snapshot_root,
    table,
    values,
)
from hubreuse.collect.tasks import read_task_list
from hubreuse.trends.steps import SNAPSHOT_TABLES as TREND_SOURCES
from hubreuse.core.settings import TASK_PATTERN, check_config, data_path, schema_path, task_taxonomy
from hubreuse.core.snapshots import Snapshot, snapshot_settings


# One line per config problem (jsonschema's own report runs to dozens of lines), then the schema's defaults.
try:
    check_config(config)
except InputError as error:
    print(f"hubreuse: error: {error}", file=sys.stderr)
    sys.exit(1)
validate(config, schema=str(schema_path()))
SETTINGS = check_config(config)
try:
    SNAPSHOTS = snapshot_settings(config)
except InputError as error:
    print(f"hubreuse: error: {error}", file=sys.stderr)
    sys.exit(1)

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

# A run without snapshots: is one snapshot, the top-level settings, written under results/ as it always was (its
# config without the empty snapshots key, so its manifest and digest are those of a run before the key existed).
# With snapshots:, each one writes under results/snapshots/<name>/ and every per-snapshot path holds {snapshot}.
SINGLE = Snapshot("", "", {key: value for key, value in config.items() if key != "snapshots" or value})
ROOT = snapshot_root("{snapshot}") if SNAPSHOTS else RESULTS
# The sources some snapshot of the run reads: a rule that serves a source exists when some snapshot needs it.
SOURCES = {snap.source for snap in SNAPSHOTS.values()} if SNAPSHOTS else {SETTINGS.source}
# tasks: all: the tasks are those of the snapshot, known once its task_list checkpoint has run (rules/collect.smk).
TASKS_ALL = SETTINGS.all_tasks
TASK_LIST = f"{ROOT}/interim/task_list.csv"


def snapshot(wildcards):
    """The snapshot a job belongs to (its ``{snapshot}`` wildcard), or the run's only one."""
    return SNAPSHOTS[wildcards.snapshot] if SNAPSHOTS else SINGLE


def snapshot_name(wildcards):
    """The job's snapshot name (None in a run without snapshots)."""
    return wildcards.snapshot if SNAPSHOTS else None


def root(name=None):
    """The folder a snapshot writes to (``results`` in a run without snapshots)."""
    return snapshot_root(name) if SNAPSHOTS else RESULTS


def at(name, pattern, **values):
    """``pattern`` (with ``{snapshot}`` when the run has snapshots) expanded for one snapshot."""
    return expand(pattern, **({"snapshot": name} if SNAPSHOTS else {}), **values)


def of_sources(*sources):
    """Wildcard constraints that keep a rule to the snapshots of ``sources`` (nothing without snapshots)."""
    if not SNAPSHOTS:
        return {}
    return {"snapshot": "|".join(re.escape(n) for n, snap in SNAPSHOTS.items() if snap.source in sources)}


def latest():
    """The newest snapshot's name: the one the report's sections before "Change over time" describe."""
    return list(SNAPSHOTS)[-1] if SNAPSHOTS else None


def domains(name=None):
    """Each task's domain, in table order: the configured mapping, or (tasks: all) the snapshot's task_list
    checkpoint's.

    Call it only inside input and params functions (``lambda wildcards: task_domains(wildcards)``): with tasks:
    all it raises Snakemake's incomplete-checkpoint exception until the checkpoint has run, and Snakemake then
    schedules the checkpoint first. A params function needs the checkpoint's output among the rule's inputs
    (:func:`task_list_input`)."""
    if not TASKS_ALL:
        return SETTINGS.domains
    job = checkpoints.task_list.get(snapshot=name) if SNAPSHOTS else checkpoints.task_list.get()
    return read_task_list(job.output.tasks)


def task_domains(wildcards):
    """:func:`domains` of a job's snapshot."""
    return domains(snapshot_name(wildcards))


def tasks(name=None):
    """The tasks of a snapshot (see :func:`domains`)."""
    return list(domains(name))


def task_list_input(name="{snapshot}"):
    """The checkpoint's task list as a named input (tasks: all), for rules whose params read :func:`domains`;
    nothing otherwise, so the default DAG has no checkpoint. ``name``: a snapshot (a job's own by default)."""
    return {"task_list": at(name, TASK_LIST)[0]} if TASKS_ALL else {}


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
    # A snapshot's folder is one of the configured names, never a longer path.
    snapshot="|".join(re.escape(name) for name in SNAPSHOTS) or "(?!)",


def dump_path(snap, kind):
    """The dump a kind is indexed from: the demo's (one synthetic Hub, whatever the snapshot), the snapshot's
    downloaded hubstats file, or the user's."""
    if snap.source == "demo":
        return f"{RESULTS}/demo/{kind}.jsonl.gz"
    if snap.source == "hubstats":
        return f"{root(snap.name or None)}/hubstats/snapshot/{kind}.parquet"
    return snap.config[f"{kind}_dump"]


def dump_inputs(wildcards):
    """index_dump's inputs: the dump, and with hubstats the snapshot's manifest (its repository and commit)."""
    snap = snapshot(wildcards)
    inputs = {"dump": dump_path(snap, wildcards.kind)}
    if snap.source == "hubstats":
        inputs["snapshot"] = f"{root(snap.name or None)}/hubstats/snapshot/manifest.json"
    return inputs


def dump_identity(wildcards):
    """Size and content hash of a user's dump (source: dump); the workflow's own dumps are tracked as outputs."""
    snap = snapshot(wildcards)
    if snap.source != "dump":
        return ""
    return content_identity(snap.config[f"{wildcards.kind}_dump"])


def collect_inputs(wildcards):
    """A collect job's inputs: from a dump, both indexes and the check that the dumps passed; live, nothing."""
    if snapshot(wildcards).source == "api":
        return {}
    return {key: at(snapshot_name(wildcards), f"{ROOT}/{path}")[0] for key, path in (
        ("dumps_check", "interim/dumps_check.json"),
        ("models_index", "interim/models_index.parquet"), ("models_index_manifest", "interim/models_index.json"),
        ("datasets_index", "interim/datasets_index.parquet"),
        ("datasets_index_manifest", "interim/datasets_index.json"),
        ("models_cuts", "interim/models_cuts"), ("datasets_cuts", "interim/datasets_cuts"),
    )}  # fmt: skip


def api_endpoint(wildcards):
    """The Hub endpoint of a live snapshot; nothing for one read from a dump, whose jobs it must not rerun."""
    snap = snapshot(wildcards)
    return snap.config["hub_endpoint"] if snap.source == "api" else ""


def api_partial(wildcards, pattern):
    """Where a live collect job keeps what survives a failed session (``pattern`` under the snapshot's
    folder); nothing for a collect job cut from a dump."""
    if snapshot(wildcards).source != "api":
        return ""
    return at(snapshot_name(wildcards), f"{ROOT}/{pattern}", task=wildcards.task)[0]


def task_list_sources(wildcards):
    """tasks: all: what the task_list checkpoint reads: the models index of a dump (once the dumps passed their
    checks), or nothing for source: api (the Hub's task list)."""
    inputs = collect_inputs(wildcards)
    return {key: inputs[key] for key in ("dumps_check", "models_index", "models_index_manifest") if key in inputs}


def task_list_label(wildcards):
    """How the task_list checkpoint names where its tasks come from, in errors and its summary."""
    snap = snapshot(wildcards)
    return "api/tasks" if snap.source == "api" else f"models_dump {dump_path(snap, 'models')}"


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
        f"{kind}_{part}": f"{ROOT}/raw/{kind}/{{task}}.{suffix}"
        for kind in KINDS
        for part, suffix in (("listing", "jsonl.gz"), ("manifest", "manifest.json"))
    }


def listing_manifests(wildcards):
    return at(snapshot_name(wildcards), f"{ROOT}/raw/{{kind}}/{{task}}.manifest.json", kind=KINDS,
              task=tasks(snapshot_name(wildcards)))


def index_manifests(wildcards):
    """Manifests of the dumps the listings were cut from (with hubstats they name the snapshot's commit)."""
    if snapshot(wildcards).source == "api":
        return []
    return at(snapshot_name(wildcards), f"{ROOT}/interim/{{kind}}_index.json", kind=KINDS)


def parsed_tables(wildcards, kind):
    """The parsed table of each task of a job's snapshot, by task."""
    name = snapshot_name(wildcards)
    return {task: at(name, f"{ROOT}/parsed/{kind}/{task}.parquet")[0] for task in tasks(name)}


def matrices():
    """Every reuse matrix, by name."""
    return {name: matrix(name, ROOT) for name in MATRIX_NAMES}


def tables(names, where=ROOT):
    """Result tables (<root>/tables/<name>.csv), by name."""
    return {name: table(name, where) for name in names}


def values_files(names):
    """Per-unit values (<root>/stats/<name>.parquet), by name."""
    return {name: values(name, ROOT) for name in names}


def concentration_values(wildcards):
    """Per-unit values of the measures of one concentration group, by measure."""
    name = snapshot_name(wildcards)
    return {measure: at(name, measure_values(measure, ROOT))[0] for measure in CONCENTRATION_GROUPS[wildcards.group]}


def report_sections():
    """The report template's section files: inputs of the report, so an edit to one reruns it."""
    return sorted(str(p) for p in Path("report", "sections").glob("*.html.j2"))


def report_tables(where=ROOT):
    """Every table and values file the report reads, by name (``where``: a snapshot's folder)."""
    return {
        **{key: table(name, where) for key, name in PAPER_TABLES.items()},
        DECLARATION_SHAPES: table(DECLARATION_SHAPES, where),
        **tables(CANONICAL_TABLES, where),
        **tables(REUSE_TABLES, where),
        **tables(CONCENTRATION_TABLES, where),
        LORENZ: f"{where}/stats/{LORENZ}.csv",
        **tables(LINEAGE_TABLES, where),
        **tables((MEAN_INTERVALS, DOMAIN_COMPARISON), where),
        **{f"{measure}_values": measure_values(measure, where) for measure in CONCENTRATION_MEASURES},
    }


def snapshot_tables(name):
    """The tables of one snapshot the report reads (its own folder)."""
    return report_tables(root(name))


def trend_tables():
    """The comparison of the snapshots (results/tables/trend_<name>.csv), by name; none without snapshots."""
    return {name: table(f"trend_{name}") for name in TREND_TABLES} if SNAPSHOTS else {}


def trend_sources(name):
    """What the comparison reads of one snapshot, by the names of hubreuse.trends.steps.SNAPSHOT_TABLES."""
    tables = snapshot_tables(name)
    return {key: tables[stem] for key, stem in TREND_SOURCES.items()}


def trend_inputs(wildcards):
    """Every snapshot's tables the comparison reads, the paper's published values, and (tasks: all) each
    snapshot's task list, which a job after the checkpoints must name (see rule concentration in stats.smk)."""
    inputs = {f"{name}.{key}": path for name in SNAPSHOTS for key, path in trend_sources(name).items()}
    if TASKS_ALL:
        inputs.update({f"{name}.task_list": task_list_input(name)["task_list"] for name in SNAPSHOTS})
    return {**inputs, "published": str(data_path("published_values.csv"))}


def report_inputs():
    """The report's inputs: the tables of the snapshot its sections describe (the newest), the run manifest, and
    with snapshots the comparison's tables (tasks: all: the task list, see rule concentration in stats.smk)."""
    where = root(latest())
    return {
        **snapshot_tables(latest()),
        **{f"trend_{name}": path for name, path in trend_tables().items()},
        "manifest": f"{where}/raw/manifest.json",
        **({"task_list": f"{where}/interim/task_list.csv"} if TASKS_ALL else {}),
    }


def report_table_names():
    """The report's tables among its inputs, by name."""
    inputs = report_inputs()
    return {name: inputs[name] for name in (*snapshot_tables(latest()), *(f"trend_{n}" for n in trend_tables()))}


def report_figures():
    """Every figure of the report as its own SVG file, by id (with snapshots, those of "Change over time" too)."""
    return {name: figure(name) for name in (*FIGURE_IDS, *(TREND_FIGURE_IDS if SNAPSHOTS else ()))}


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
    **{f"trend_{name}": ("Change over time", None) for name in TREND_TABLES},
}


def reported_table(name, where=ROOT):
    """``<root>/tables/<name>.csv``, registered for Snakemake's report with its caption and category (a table
    missing from TABLE_CATEGORIES lands in "Other"; the --report test fails on it). With snapshots, each
    snapshot's tables are labelled with its name."""
    category, subcategory = TABLE_CATEGORIES.get(name, (None, None))
    labels = {"snapshot": "{snapshot}", "table": name} if SNAPSHOTS and where == ROOT else None
    return report(table(name, where), caption=f"../report/captions/tables/{name}.rst", category=category,
                  subcategory=subcategory, labels=labels)


def reported_tables(names):
    """Several tables by name, each registered as :func:`reported_table` does."""
    return {name: reported_table(name) for name in names}


def reported_figures():
    """Every figure's SVG, registered for Snakemake's report with its caption report/captions/figures/<id>.rst."""
    return [report(path, caption=f"../report/captions/figures/{name}.rst", category="Figures")
            for name, path in report_figures().items()]


def final_outputs():
    """Every table and manifest of every snapshot, the comparison of the snapshots, and the report."""
    return [
        *(path for name in (SNAPSHOTS or [None])
          for path in (*snapshot_tables(name).values(), f"{root(name)}/raw/manifest.json")
          if path.endswith(".json") or (path.endswith(".csv") and "/tables/" in path)),
        *trend_tables().values(),
        # tasks: all: each snapshot's task list too (a job downstream of a checkpoint that does not name its
        # output is planned again at every invocation; see rule concentration in stats.smk).
        *(task_list_input(name)["task_list"] for name in SNAPSHOTS if TASKS_ALL),
        f"{RESULTS}/report/report.html",
        f"{RESULTS}/report/report.pdf",
    ]
