"""One function per workflow step: read the step's inputs, call the pure functions, write its outputs.

Scripts under ``scripts/`` unpack ``snakemake.input/output/params`` and call these; tests call them
directly, without Snakemake. Heavy modules are imported inside each step: a Snakemake job starts a fresh
interpreter, and importing the report stack (weasyprint) into every one of ~130 small jobs costs more than
the jobs' work.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubreuse.io import atomic_path, write_json
from hubreuse.settings import config_digest, source_label

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


def generate_demo(domains: Mapping[str, str], n_models: int, n_datasets: int, seed: int, models_out: str,
                  datasets_out: str, manifest_out: str) -> None:  # fmt: skip
    from hubreuse import demo

    summary = demo.write_demo_dumps(domains, int(n_models), int(n_datasets), int(seed), models_out, datasets_out)
    write_json(manifest_out, summary)


def index_dump(dump: str, label: str, index_out: str, manifest_out: str, source: str,
               tasks: Sequence[str] | None = None) -> None:  # fmt: skip
    """Index a dump (``label``: ``<kind>_dump``); its manifest counts the records with a tag of one of the
    configured ``tasks`` and those with a ``task_categories:`` tag, for :func:`check_dumps`."""
    from hubreuse import dumps

    summary = dumps.build_index(dump, label, index_out, tasks=None if tasks is None else list(tasks))
    summary["source"] = source
    write_json(manifest_out, summary)


def check_dumps(models_manifest: str, datasets_manifest: str, tasks: Sequence[str], out: str) -> None:
    """Stop on swapped dumps, or a models dump without any configured task's tag, in one line; else record that
    both dumps passed (the collect jobs wait for this file)."""
    from hubreuse import dumps

    models, datasets = (json.loads(Path(path).read_text(encoding="utf-8")) for path in (models_manifest,
                                                                                       datasets_manifest))
    dumps.check_dump_kinds(models, datasets, list(tasks))
    write_json(out, {"models_dump": models["dump"], "datasets_dump": datasets["dump"], "tasks": len(tasks),
                     "passed": ["not empty", "not swapped", "models carry a configured task's tag"]})  # fmt: skip


def collect_listing(source: str, kind: str, task: str, outputs: Mapping[str, str], index: str | None = None,
                    index_manifest: str | None = None, endpoint: str = "", state_dir: str = "",
                    **api_options: Any) -> None:  # fmt: skip
    """Collect one task's listing from the configured source (``api_options``: more arguments of
    :func:`hubreuse.hub_api.collect_listing`, e.g. ``clear``, ``max_retries``, ``sleep``)."""
    if source == "api":
        from hubreuse import hub_api

        manifest = hub_api.collect_listing(
            kind, task, Path(outputs["listing"]), Path(state_dir), endpoint=endpoint or None, **api_options
        )
        write_json(outputs["manifest"], manifest)
        return
    from hubreuse import collect

    with open(index_manifest, encoding="utf-8") as handle:
        index_summary = json.load(handle)
    collect.collect_from_index(index, index_summary, kind, task, source, outputs["listing"], outputs["manifest"])


def collect_task(source: str, task: str, outputs: Mapping[str, str], inputs: Mapping[str, str],
                 endpoint: str = "", state_dir: str = "", session_log: str = "",
                 **api_options: Any) -> None:  # fmt: skip
    """Collect both listings of a task. ``outputs`` holds ``<kind>_listing``/``<kind>_manifest`` paths,
    ``inputs`` ``<kind>_index``/``<kind>_index_manifest`` (dump sources); ``state_dir`` holds ``{kind}``.

    ``source: api``: both listings' checkpoints are kept until both listings are written. Snakemake deletes all
    outputs of a failed job, so when one listing fails the other, finished one is rebuilt by the rerun from its
    checkpoint (marked complete) without a request. ``session_log``, the log kept
    across failed sessions, is removed with the checkpoints."""
    if source == "api":
        api_options = {**api_options, "clear": False}
    for kind in ("models", "datasets"):
        collect_listing(
            source, kind, task,
            {"listing": outputs[f"{kind}_listing"], "manifest": outputs[f"{kind}_manifest"]},
            index=inputs.get(f"{kind}_index"), index_manifest=inputs.get(f"{kind}_index_manifest"),
            endpoint=endpoint, state_dir=state_dir.replace("{kind}", kind), **api_options,
        )  # fmt: skip
    if source == "api":
        from hubreuse import hub_api

        for kind in ("models", "datasets"):
            hub_api.clear_checkpoint(Path(state_dir.replace("{kind}", kind)))
        if session_log:
            Path(session_log).unlink(missing_ok=True)


def run_manifest(listing_manifests: Sequence[str], index_manifests: Sequence[str], config: Mapping[str, Any],
                 domains: Mapping[str, str], out: str) -> None:  # fmt: skip
    """The run's manifest: every listing's manifest, per-task counts, dump summaries and the config digest."""
    listings = [json.loads(Path(path).read_text(encoding="utf-8")) for path in listing_manifests]
    per_task = {task: {"task": task, "domain": domain, "models": 0, "datasets": 0} for task, domain in domains.items()}
    for item in listings:
        per_task[item["task"]][item["kind"]] = item["records"]
    indexes = [json.loads(Path(path).read_text(encoding="utf-8")) for path in index_manifests]
    source = config["source"]
    manifest = {
        "source": source,
        "source_label": source_label(source),
        "synthetic": source == "demo",
        "started_at": min((item["started_at"] for item in listings), default=None),
        "finished_at": max((item["finished_at"] for item in listings), default=None),
        "config_digest": config_digest(config),
        "config": dict(config),
        "tasks": list(per_task.values()),
        "dumps": indexes,
        "listings": listings,
    }
    write_json(out, manifest)


def parse_task(listings: Mapping[str, str], outputs: Mapping[str, str], source: str, threads: int = 1) -> None:
    """Parse a task's listings; ``listings`` and ``outputs`` map kind (models, datasets) to paths."""
    from hubreuse import parse

    for kind, listing in listings.items():
        parse.parse_listing(kind, listing, outputs[kind], source, threads=threads)


def build_matrices(model_tables: Mapping[str, str], dataset_tables: Mapping[str, str], out_dir: str,
                   source: str, threads: int = 1) -> None:  # fmt: skip
    import pyarrow as pa

    from hubreuse import matrices

    # Arrow's pool would otherwise use every core of the node, not the job's share.
    previous = pa.cpu_count()
    pa.set_cpu_count(max(1, threads))
    try:
        tables = matrices.build_matrices(model_tables, dataset_tables, threads)
        matrices.write_matrices(tables, out_dir, source, threads)
    finally:
        pa.set_cpu_count(previous)


def load_matrices(matrix_dir: str | os.PathLike[str], names: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    import pyarrow.parquet as pq

    from hubreuse.matrices import MATRIX_NAMES

    names = MATRIX_NAMES if names is None else names
    return {name: pq.read_table(Path(matrix_dir) / f"{name}.parquet").to_pandas() for name in names}


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str], source: str) -> None:
    """CSV with a ``source`` column, so a table read alone still says whether it is synthetic."""
    table = table.copy()
    table["source"] = source_label(source)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)  # shortest exact repr: values round-trip


def write_values(values: pd.DataFrame, path: str | os.PathLike[str], source: str) -> None:
    """Parquet tagged with its source in the schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(values, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata({"hubreuse.source": source}), tmp, compression="zstd")


def paper_tables(matrix_dir: str, domains: Mapping[str, str], source: str, tables_out: Mapping[str, str],
                 values_out: Mapping[str, str], quality_out: str) -> None:  # fmt: skip
    """RQ1-RQ3 summary tables and per-unit values, plus declaration shapes per task."""
    from hubreuse import stats
    from hubreuse.idcodes import encode_tables

    mats = load_matrices(matrix_dir, ("model_task", "dataset_task", "model_dataset"))
    mats["models"] = load_models(matrix_dir)
    # Joins on integer codes of the ids (see hubreuse.idcodes); the values files get the ids back.
    mats, ids = encode_tables(mats)
    for key, (summary, values) in stats.paper_measures(mats, domains).items():
        write_csv(summary, tables_out[key], source)
        write_values(ids.decode_frame(values, ["unit_id"]), values_out[key], source)
    write_csv(stats.shape_counts(mats["models"], mats["model_task"], domains), quality_out, source)


def render_report(tables: Mapping[str, str], manifest: str, config: Mapping[str, Any], template_dir: str,
                  html_out: str, pdf_out: str, figures: Mapping[str, str] | None = None, n_boot: int = 2000,
                  seed: int = 0, threads: int = 1) -> None:  # fmt: skip
    """The findings report (HTML, PDF, one SVG per figure) from every table by name -> path.

    Names are the tables' file stems (``rq1``..``rq3`` or their file stems, ``rq1_values``..., ``declaration_shapes``,
    ``coverage``, ``concentration``, ``lorenz``, ``children_values``...); a missing name or file renders as
    "not computed in this run".
    """
    from hubreuse import report

    run = json.loads(Path(manifest).read_text(encoding="utf-8"))
    report.render_report(tables, run, config, template_dir, html_out, pdf_out, figure_paths=figures,
                         n_boot=n_boot, seed=seed, workers=threads)  # fmt: skip


CANONICAL_TABLES = ("rq1_canonical", "rq2_canonical", "canonicalisation_summary")
REUSE_TABLES = (
    "rq3_children_per_model", "coverage", "domain_measures_distinct", "task_overlap", "declarations_by_month",
    "dataset_time_to_first_reuse_by_task", "base_card_tag_disagreement_by_task",
)  # fmt: skip
BEYOND_TABLES = CANONICAL_TABLES + REUSE_TABLES
FIGURE_IDS = (
    "summary_diversity", "top_datasets", "top_base_models", "domain_rate_ratios", "replication",
    "rq1_boxplot", "rq1_means", "rq2_boxplot", "rq2_means", "rq3_boxplot", "rq3_means",
    "children_means", "lorenz", "declarations_by_month", "lineage_depth",
)  # fmt: skip
LINEAGE_TABLES = ("lineage_summary", "lineage_roots", "lineage_depth", "lineage_families", "lineage_cycles")
CONCENTRATION_MEASURES = ("rq1", "rq2", "rq3", "children")
# One concentration job per group of measures whose values are written by the same stats job: the job's imports
# (pandas, scipy, powerlaw: ~2.5 s) are paid once per group, and each group starts as soon as its values exist.
CONCENTRATION_GROUPS = {"paper": ("rq1", "rq2", "rq3"), "children": ("children",)}


def canonical_tables(matrix_dir: str, domains: Mapping[str, str], source: str, alias_files: Sequence[str],
                     pseudo_files: Sequence[str], tables_dir: str, stats_dir: str) -> None:  # fmt: skip
    """Canonical dataset ids: RQ1 and RQ2 raw beside canonical, and what each normalisation step changed."""
    from hubreuse import canonical
    from hubreuse.idcodes import encode_tables

    mats = load_matrices(matrix_dir, ("model_task", "datasets", "dataset_task", "model_dataset"))
    models = load_models(matrix_dir)
    aliases = canonical.load_alias_table(extra=alias_files)
    pseudo = canonical.load_pseudo_datasets(extra=pseudo_files)
    edges = canonical.canonicalise(
        mats["model_dataset"], aliases, pseudo, models["model_id"], mats["datasets"]["dataset_id"]
    )
    dataset_map = canonical.canonical_dataset_ids(mats["datasets"], aliases, pseudo)
    # The measures join on integer codes of the ids (see hubreuse.idcodes); their tables hold no ids.
    coded, _ = encode_tables(
        {"models": models, "model_task": mats["model_task"], "dataset_task": mats["dataset_task"], "edges": edges,
         "dataset_map": dataset_map},
        extra={"edges": ["model_id", "dataset_id", "canonical_id"], "dataset_map": ["dataset_id", "canonical_id"]},
    )  # fmt: skip
    rq1, rq2 = canonical.rq1_rq2_canonical(
        coded["models"], coded["model_task"], coded["dataset_task"], coded["edges"], dict(domains),
        coded["dataset_map"],
    )  # fmt: skip
    tables = {"rq1_canonical": rq1, "rq2_canonical": rq2,
              "canonicalisation_summary": canonical.canonicalisation_summary(edges, models)}  # fmt: skip
    for name, table in tables.items():
        write_csv(table, Path(tables_dir) / f"{name}.csv", source)
    write_values(edges, Path(stats_dir) / "canonical_dataset_edges.parquet", source)


def load_models(matrix_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The models matrix without its tags (lists of strings are slow and large in pandas)."""
    import pyarrow.parquet as pq

    path = Path(matrix_dir) / "models.parquet"
    columns = [name for name in pq.read_schema(path).names if name != "tags"]
    return pq.read_table(path, columns=columns).to_pandas()


def reuse_tables(matrix_dir: str, domains: Mapping[str, str], source: str, tables_dir: str,
                 stats_dir: str) -> None:  # fmt: skip
    """Reuse as a base (children, relations, card/tag disagreement), coverage, overlap and time.

    Ids are integer-coded once (:mod:`hubreuse.idcodes`) and decoded in what is written: the measures join
    millions of ids, and integers join an order of magnitude faster than strings.
    """
    import pyarrow.parquet as pq

    from hubreuse import reuse
    from hubreuse.idcodes import encode_tables

    mats = load_matrices(matrix_dir, ("model_task", "datasets", "dataset_task", "model_dataset", "model_base"))
    # Tags stay in Arrow (only their base_model edges are needed); the models file is read once.
    models_table = pq.read_table(Path(matrix_dir) / "models.parquet")
    mats["tag_edges"] = reuse.base_tag_edges(models_table.column("model_id"), models_table.column("tags"))
    mats["models"] = models_table.drop_columns(["tags"]).to_pandas()
    del models_table
    mats, ids = encode_tables(mats, extra={"tag_edges": ["model_id", "base_model_id"]})
    models, model_task, model_base, tag_edges = mats["models"], mats["model_task"], mats["model_base"], mats["tag_edges"]
    domains = dict(domains)
    tables_dir, stats_dir = Path(tables_dir), Path(stats_dir)
    relations = reuse.base_relations(models, tag_edges)
    disagreement = reuse.card_tag_disagreement(models, model_base, tag_edges, decode=ids.decode)
    first_reuse = reuse.dataset_time_to_first_reuse(mats["datasets"], mats["model_dataset"], models)
    children = reuse.children_per_model_values(models, model_task, model_base, domains)
    tables = {
        "rq3_children_per_model": reuse.children_per_model(models, model_task, model_base, domains, relations,
                                                           values=children),  # fmt: skip
        "coverage": reuse.coverage(models, model_task, domains),
        "domain_measures_distinct": reuse.domain_measures_distinct(
            models, model_task, model_base, domains, mats["model_dataset"], mats["dataset_task"]
        ),
        "task_overlap": reuse.task_overlap(model_task[model_task["task"].isin(list(domains))]),
        "declarations_by_month": reuse.declarations_by_month(models, model_task, domains),
        "dataset_time_to_first_reuse_by_task": reuse.time_to_first_reuse_by_task(
            first_reuse, mats["dataset_task"], domains
        ),
        "base_card_tag_disagreement_by_task": reuse.card_tag_disagreement_by_task(
            models, model_task, model_base, domains, disagreement, tag_edges
        ),
    }
    for name, table in tables.items():
        write_csv(table, tables_dir / f"{name}.csv", source)
    id_columns = ("model_id", "base_model_id", "dataset_id", "unit_id")
    write_values(ids.decode_frame(relations, id_columns), stats_dir / "base_relations.parquet", source)
    write_values(ids.decode_frame(disagreement, id_columns), stats_dir / "base_card_tag_disagreement.parquet", source)
    write_values(ids.decode_frame(first_reuse, id_columns), stats_dir / "dataset_time_to_first_reuse.parquet",
                 source)  # fmt: skip
    write_values(ids.decode_frame(children, id_columns), stats_dir / "children_values.parquet", source)


def concentration_tables(values: Mapping[str, str], source: str, n_boot: int, seed: int, concentration_out: str,
                         heavy_tail_out: str, lorenz_out: str) -> None:  # fmt: skip
    """Gini, HHI, top shares with bootstrap CIs; heavy-tail comparisons; Lorenz curves, for every measure."""
    import pandas as pd

    from hubreuse import concentration

    conc, tails, lorenz = [], [], []
    for measure, path in values.items():
        frame = pd.read_parquet(path)
        conc.append(concentration.concentration_table(frame, measure, n_boot=n_boot, seed=seed))
        tails.append(concentration.heavy_tail_table(frame, measure, seed=seed))
        lorenz.append(concentration.lorenz_points(frame).assign(measure=measure))
    write_csv(pd.concat(conc, ignore_index=True), concentration_out, source)
    write_csv(pd.concat(tails, ignore_index=True), heavy_tail_out, source)
    write_csv(pd.concat(lorenz, ignore_index=True), lorenz_out, source)


def stack_csv(paths: Sequence[str], out: str) -> None:
    """Stack CSV tables with the same columns, in the given order, cell text kept exactly as written."""
    import pandas as pd

    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
    with atomic_path(out) as tmp:
        pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)


def lineage_tables(matrix_dir: str, source: str, tables_dir: str) -> None:
    """Family trees from base-model edges: roots, depth, largest families, cycles."""
    from hubreuse import lineage

    mats = load_matrices(matrix_dir, ("model_base",))
    for name, table in lineage.lineage_tables(mats["model_base"], load_models(matrix_dir)).items():
        write_csv(table, Path(tables_dir) / f"{name}.csv", source)
