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


def generate_demo(config: Mapping[str, Any], domains: Mapping[str, str], models_out: str, datasets_out: str,
                  manifest_out: str) -> None:  # fmt: skip
    from hubreuse import demo

    summary = demo.write_demo_dumps(
        domains, int(config["demo_models"]), int(config["demo_datasets"]), int(config["demo_seed"]),
        models_out, datasets_out,
    )  # fmt: skip
    write_json(manifest_out, summary)


def index_dump(dump: str, label: str, index_out: str, manifest_out: str, source: str) -> None:
    from hubreuse import dumps

    summary = dumps.build_index(dump, label, index_out)
    summary["source"] = source
    write_json(manifest_out, summary)


def collect_listing(source: str, kind: str, task: str, outputs: Mapping[str, str], index: str | None = None,
                    index_manifest: str | None = None, endpoint: str = "", state_dir: str = "") -> None:  # fmt: skip
    """Collect one task's listing from the configured source."""
    if source == "api":
        from hubreuse import hub_api

        manifest = hub_api.collect_listing(
            kind, task, Path(outputs["listing"]), Path(state_dir), endpoint=endpoint or None
        )
        write_json(outputs["manifest"], manifest)
        return
    from hubreuse import collect

    with open(index_manifest, encoding="utf-8") as handle:
        index_summary = json.load(handle)
    collect.collect_from_index(index, index_summary, kind, task, source, outputs["listing"], outputs["manifest"])


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


def parse_listing(kind: str, listing: str, out: str, source: str) -> None:
    from hubreuse import parse

    parse.parse_listing(kind, listing, out, source)


def build_matrices(model_tables: Mapping[str, str], dataset_tables: Mapping[str, str], out_dir: str,
                   source: str) -> None:  # fmt: skip
    from hubreuse import matrices

    tables = matrices.build_matrices(model_tables, dataset_tables)
    matrices.write_matrices(tables, out_dir, source)


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
        table.to_csv(tmp, index=False, float_format="%.10g")


def write_values(values: pd.DataFrame, path: str | os.PathLike[str], source: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(values, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata({"hubreuse.source": source}), tmp, compression="zstd")


def paper_tables(matrix_dir: str, domains: Mapping[str, str], source: str, tables_out: Mapping[str, str],
                 values_out: Mapping[str, str], quality_out: str) -> None:  # fmt: skip
    """RQ1-RQ3 summary tables and per-unit values, plus declaration shapes per task."""
    from hubreuse import stats

    mats = load_matrices(matrix_dir, ("models", "model_task", "dataset_task", "model_dataset"))
    for key, (summary, values) in stats.paper_measures(mats, domains).items():
        write_csv(summary, tables_out[key], source)
        write_values(values, values_out[key], source)
    write_csv(stats.shape_counts(mats["models"], mats["model_task"], domains), quality_out, source)


def render_report(tables: Mapping[str, str], manifest: str, config: Mapping[str, Any], template_dir: str,
                  html_out: str, pdf_out: str) -> None:  # fmt: skip
    import pandas as pd

    from hubreuse import report

    frames = {key: pd.read_csv(path) for key, path in tables.items()}
    run = json.loads(Path(manifest).read_text(encoding="utf-8"))
    report.render_report(frames, run, config, template_dir, html_out, pdf_out)
