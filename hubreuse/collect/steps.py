"""Steps of stage collect: one function per rule, called by its script with the job's paths and params.

Heavy modules are imported inside each step: a job starts a fresh interpreter and loads only what it needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hubreuse.core.io import write_json
from hubreuse.core.settings import config_digest, job_source, source_label


def demo_hub(domains: Mapping[str, str], n_models: int, n_datasets: int, seed: int, models_out: str,
             datasets_out: str, manifest_out: str, every_task: bool = False) -> None:  # fmt: skip
    """The synthetic Hub's two dumps (``source: demo``) and what was written; ``every_task`` (tasks: all): every
    task is some model's pipeline tag."""
    from hubreuse.collect import demo

    summary = demo.write_demo_dumps(domains, int(n_models), int(n_datasets), int(seed), models_out, datasets_out,
                                    every_task=bool(every_task))  # fmt: skip
    write_json(manifest_out, summary)


def hubstats_download(repo: str, revision: str, files: Mapping[str, str], outputs: Mapping[str, str],
                      manifest_out: str, endpoint: str = "") -> None:  # fmt: skip
    """Both Parquet files of the hub-stats snapshot at one resolved commit (``files``/``outputs`` by kind)."""
    from hubreuse.collect import hubstats

    hubstats.download_snapshot(repo, revision, files, outputs, manifest_out, endpoint)


def index_dump(dump: str, label: str, index_out: str, manifest_out: str, source: str,
               tasks: Sequence[str] | None = None, snapshot: str = "", cutoff: str = "",
               cuts: str | None = None) -> None:  # fmt: skip
    """Index a dump (``label``: ``<kind>_dump``); its manifest counts the records with a tag of one of the
    configured ``tasks`` and those with a ``task_categories:`` tag, for :func:`check_dumps`. ``snapshot``: the
    hubstats download manifest, whose repository and resolved commit the index manifest then names (provenance).
    ``cutoff``: a snapshot's date; records created after it are left out (and counted in the manifest).
    ``cuts``: a folder for each task's records, which its collect job reads instead of the whole index."""
    from hubreuse.collect import dumps

    summary = dumps.build_index(dump, label, index_out, tasks=None if tasks is None else list(tasks),
                                cutoff=cutoff, cuts=cuts)
    summary["source"] = source
    if snapshot:
        downloaded = json.loads(Path(snapshot).read_text(encoding="utf-8"))
        kind = label.removesuffix("_dump")
        summary["snapshot"] = {"repo": downloaded.get("repo"), "revision_requested": downloaded.get("revision_requested"),
                               "revision_resolved": downloaded.get("revision_resolved"),
                               "filename": (downloaded.get("files") or {}).get(kind, {}).get("filename")}  # fmt: skip
    write_json(manifest_out, summary)


def task_list(source: str, out: str, summary_out: str, models_index: str = "", label: str = "models_dump",
              endpoint: str = "") -> None:  # fmt: skip
    """``tasks: all``: the snapshot's tasks with their domains (``out``, CSV) and what was found and skipped
    (``summary_out``): the distinct pipeline tags of the models index (dump sources) or the Hub's task list
    (``source: api``). See :mod:`hubreuse.collect.tasks`."""
    from hubreuse.collect import tasks
    from hubreuse.core.settings import task_taxonomy

    taxonomy = task_taxonomy()
    if source == "api":
        resolved, where = tasks.tasks_from_api(endpoint or None, taxonomy), "the Hub's task list"
    else:
        resolved, where = tasks.tasks_from_index(models_index, taxonomy, label), label
    summary = {"source": source, "from": where, **tasks.report(resolved, where)}
    tasks.write_task_list(resolved, out)
    write_json(summary_out, summary)


def check_dumps(models_manifest: str, datasets_manifest: str, tasks: Sequence[str], out: str) -> None:
    """Stop on swapped dumps, or a models dump without any configured task's tag, in one line; else record that
    both dumps passed (the collect jobs wait for this file)."""
    from hubreuse.collect import dumps

    models, datasets = (json.loads(Path(path).read_text(encoding="utf-8")) for path in (models_manifest,
                                                                                       datasets_manifest))
    dumps.check_dump_kinds(models, datasets, list(tasks))
    write_json(out, {"models_dump": models["dump"], "datasets_dump": datasets["dump"], "tasks": len(tasks),
                     "passed": ["not empty", "not swapped", "models carry a configured task's tag"]})  # fmt: skip


def collect_listing(source: str, kind: str, task: str, outputs: Mapping[str, str], index: str | None = None,
                    index_manifest: str | None = None, endpoint: str = "", state_dir: str = "",
                    cuts: str | None = None, **api_options: Any) -> None:  # fmt: skip
    """Collect one task's listing from the configured source (``api_options``: more arguments of
    :func:`hubreuse.collect.hub_api.collect_listing`, e.g. ``clear``, ``max_retries``, ``sleep``)."""
    if source == "api":
        from hubreuse.collect import hub_api

        manifest = hub_api.collect_listing(
            kind, task, Path(outputs["listing"]), Path(state_dir), endpoint=endpoint or None, **api_options
        )
        write_json(outputs["manifest"], manifest)
        return
    from hubreuse.collect import listings as collect

    with open(index_manifest, encoding="utf-8") as handle:
        index_summary = json.load(handle)
    collect.collect_from_index(index, index_summary, kind, task, source, outputs["listing"], outputs["manifest"],
                               cuts=cuts)


def collect(source: str, task: str, outputs: Mapping[str, str], inputs: Mapping[str, str],
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
            cuts=inputs.get(f"{kind}_cuts"),
            endpoint=endpoint, state_dir=state_dir.replace("{kind}", kind), **api_options,
        )  # fmt: skip
    if source == "api":
        from hubreuse.collect import hub_api

        for kind in ("models", "datasets"):
            hub_api.clear_checkpoint(Path(state_dir.replace("{kind}", kind)))
        if session_log:
            Path(session_log).unlink(missing_ok=True)


def raw_manifest(listing_manifests: Sequence[str], index_manifests: Sequence[str], config: Mapping[str, Any],
                 domains: Mapping[str, str], out: str, snapshot: Mapping[str, Any] | None = None) -> None:  # fmt: skip
    """The run's manifest: every listing's manifest, per-task counts, dump summaries and the config digest.
    ``snapshot``: in a run with several snapshots, this one's name, date, source, declarations and cut-off
    (``config`` is then its effective config: the config of a single run that gives the same tables)."""
    listings = [json.loads(Path(path).read_text(encoding="utf-8")) for path in listing_manifests]
    per_task = {task: {"task": task, "domain": domain, "models": 0, "datasets": 0} for task, domain in domains.items()}
    for item in listings:
        per_task[item["task"]][item["kind"]] = item["records"]
    indexes = [json.loads(Path(path).read_text(encoding="utf-8")) for path in index_manifests]
    source = config["source"]
    manifest = {
        "source": source,
        "declarations": config.get("declarations", "card"),
        "source_label": source_label(job_source(source, config.get("declarations", "card"))),
        "synthetic": source == "demo",
        "started_at": min((item["started_at"] for item in listings), default=None),
        "finished_at": max((item["finished_at"] for item in listings), default=None),
        "config_digest": config_digest(config),
        "config": dict(config),
        **({"snapshot": dict(snapshot)} if snapshot else {}),
        "tasks": list(per_task.values()),
        "dumps": indexes,
        "listings": listings,
    }
    write_json(out, manifest)
