"""The report's reproducibility block: which code, which settings and which inputs made it, and how to rerun it.

Why read the workflow's git commit when the report is rendered rather than pass it to the job as a parameter:
a parameter reruns the report job at every commit (a commit that only edits the docs too) and at every edit of
a tracked file (the dirty flag changes), and still would not say which commit computed the tables, whose jobs
do not rerun for a new commit. So the commit is read at render time and labelled so ("commit at report
time"); the one command that reproduces every number is a fresh run at that commit with the effective config,
which the report job writes beside the report (``results/report/config.yaml``).

Git runs as ``git <args>`` from a list (no shell, so no path or value is ever parsed by a shell), in the
workflow's folder, with ``GIT_*`` variables removed (they could point git at another repository) and
``GIT_OPTIONAL_LOCKS=0`` (``git status`` then never takes the index lock of a user's checkout). Everything else
here is pure: dicts in, dicts out, for the template.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from hubreuse.core.io import atomic_path
from hubreuse.core.names import RESULTS, snapshot_root

GIT_TIMEOUT_S = 20
# What hubreuse.core.settings.config_digest hashes, in one sentence for the report.
DIGEST_COVERS = (
    "The config digest is the first 16 hex digits of the SHA-256 of the effective configuration (every setting, "
    "schema defaults filled in, serialised as JSON with sorted keys), so it identifies the settings only: not the "
    "code, the input data or the software versions."
)
RERUN_CORES = 2


def git_environment() -> dict[str, str]:
    """The process environment without ``GIT_*`` variables, and without optional locks."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def run_git(directory: str | os.PathLike[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``git <args>`` in ``directory`` (argument list, no shell); raises OSError when git cannot be started."""
    return subprocess.run(["git", *args], cwd=directory, env=git_environment(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False)  # fmt: skip


def porcelain_counts(status: str) -> tuple[int, int]:
    """(changed tracked paths, untracked paths) from ``git status --porcelain=v1 -z`` output.

    With ``-z`` each entry ends in NUL and a rename or copy is followed by its source path as one more entry."""
    changed = untracked = 0
    parts = status.split("\0")
    i = 0
    while i < len(parts):
        entry = parts[i]
        i += 1
        if len(entry) < 4:
            continue
        code = entry[:2]
        if code == "??":
            untracked += 1
        elif code != "!!":
            changed += 1
            if "R" in code or "C" in code:
                i += 1  # the source path of a rename or copy
    return changed, untracked


def git_state(directory: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The commit of the git checkout holding ``directory`` and whether its tracked files differ from it.

    Keys: ``read_in`` (the folder git ran in), ``commit`` (full sha or None), ``toplevel``, ``dirty`` (tracked
    files changed; None when unknown), ``changed``, ``untracked``, ``status`` (a short phrase for the report)."""
    state: dict[str, Any] = {"read_in": None, "commit": None, "toplevel": None, "dirty": None, "changed": None,
                             "untracked": None, "status": "not read (no workflow folder given)"}  # fmt: skip
    if directory is None:
        return state
    folder = Path(directory).resolve()
    state["read_in"] = str(folder)
    try:
        top = run_git(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            message = (top.stderr.strip().splitlines() or ["git failed"])[0]
            state["status"] = "not a git checkout" if "not a git repository" in message.lower() else message
            return state
        state["toplevel"] = top.stdout.strip()
        head = run_git(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        if head.returncode != 0:
            state["status"] = "a git checkout without any commit"
            return state
        state["commit"] = head.stdout.strip()
        status = run_git(folder, "status", "--porcelain=v1", "-z", "--untracked-files=normal")
    except FileNotFoundError:
        state["status"] = "git is not installed where the report was rendered"
        return state
    except subprocess.TimeoutExpired:
        state["status"] = f"git did not answer within {GIT_TIMEOUT_S} s"
        return state
    except OSError as error:
        state["status"] = f"git could not be run: {error}"
        return state
    if status.returncode != 0:
        state["status"] = "commit read; the state of the working tree could not be read"
        return state
    changed, untracked = porcelain_counts(status.stdout)
    state.update(changed=changed, untracked=untracked, dirty=changed > 0)
    state["status"] = f"dirty: {changed} tracked file{'s' * (changed != 1)} changed" if changed else "clean"
    if untracked:
        state["status"] += f" ({untracked} untracked path{'s' * (untracked != 1)})"
    return state


def listings_digest(listings: Sequence[Mapping[str, Any]]) -> str:
    """One SHA-256 for the whole set of listings: of the lines ``<kind>/<task> <sha256>``, sorted, joined by
    newlines. Two runs whose listings have equal content have equal digests."""
    lines = sorted(f"{item.get('kind')}/{item.get('task')} {item.get('sha256')}" for item in listings)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def listings_root(manifest: Mapping[str, Any]) -> str:
    """Where the manifest's listings are: ``results``, or a snapshot's folder in a run with several."""
    snapshot = manifest.get("snapshot") or {}
    return snapshot_root(snapshot["snapshot"]) if snapshot.get("snapshot") else RESULTS


def input_snapshots(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the run's manifest records about its inputs, one row each: every dump (path, SHA-256, records) and
    the listings cut or collected from them (how many, records, one digest, when)."""
    out = []
    for dump in manifest.get("dumps", []) or []:
        if "parquet_sha256" in dump:  # a hubstats snapshot file, converted to a dump
            detail = f"{dump.get('repo')} at {dump.get('revision_resolved')}, file {dump.get('filename')}"
            out.append({"what": f"{dump.get('kind')} snapshot (Parquet)", "path": dump.get("parquet"),
                        "sha256": dump.get("parquet_sha256"), "records": dump.get("rows"),
                        "detail": detail})  # fmt: skip
            continue
        snapshot = dump.get("snapshot") or {}  # a hubstats snapshot file, read as it is
        origin = f"{snapshot.get('repo')} at {snapshot.get('revision_resolved')}, file {snapshot.get('filename')}; " \
            if snapshot else ""
        out.append({"what": "dump", "path": dump.get("dump"), "sha256": dump.get("dump_sha256"),
                    "records": dump.get("records"), "detail": f"{origin}{dump.get('duplicates', 0)} repeated ids"})  # fmt: skip
    listings = manifest.get("listings", []) or []
    if listings:
        tasks = {item.get("task") for item in listings}
        kinds = {item.get("kind") for item in listings}
        window = f"written {manifest.get('started_at') or '?'} to {manifest.get('finished_at') or '?'}"
        out.append({"what": f"listings ({len(listings)}: {len(tasks)} tasks × {len(kinds)} kinds)",
                    "path": f"{listings_root(manifest)}/raw/{{kind}}/{{task}}.jsonl.gz", "sha256": listings_digest(listings),
                    "records": sum(int(item.get("records") or 0) for item in listings), "detail": window})  # fmt: skip
    return out


def source_note(manifest: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """What a rerun needs besides the code and the config, for the run's source."""
    source = manifest.get("source") or config.get("source")
    if source == "demo":
        sizes = {key: f"{value:,}" if isinstance(value, int) else str(value)
                 for key in ("demo_models", "demo_datasets") for value in [config.get(key)]}  # fmt: skip
        return (f"Source demo: the synthetic dumps are generated from demo_seed {config.get('demo_seed')} "
                f"({sizes['demo_models']} models, {sizes['demo_datasets']} datasets) by a seeded generator; "
                "compare the rerun's dump SHA-256 with the ones below.")  # fmt: skip
    if source == "dump":
        return ("Source dump: the dumps are read from the paths in the config; a rerun needs the same files "
                "(compare their SHA-256 below).")  # fmt: skip
    if source == "hubstats":
        return (f"Source hubstats: the snapshot is downloaded from {config.get('hubstats_repo')} at the commit "
                "below (the configured revision resolved once); compare the Parquet SHA-256 below.")  # fmt: skip
    if source == "api":
        return ("Source api: the listings were collected live from the Hub at the times below; a rerun collects "
                "the Hub as it is then, so its records will differ.")  # fmt: skip
    return f"Source {source}."


def rerun_commands(git: Mapping[str, Any], config_file: str | None) -> list[str]:
    """The commands that rerun the analysis: check out the commit (when known), run with the effective config."""
    run = f"snakemake --cores {RERUN_CORES}" + (f" --configfile {config_file}" if config_file else "")
    if git.get("commit"):
        return [f"git checkout {git['commit']}", run]
    return [f"cd {git['read_in']}", run] if git.get("read_in") else [run]


def provenance(manifest: Mapping[str, Any], config: Mapping[str, Any], git: Mapping[str, Any],
               config_file: str | None) -> dict[str, Any]:  # fmt: skip
    """Everything the reproducibility section shows, from the run's manifest, its config, the git state read at
    render time and the path of the effective config written beside the report."""
    return {
        "git": dict(git),
        "config_file": config_file,
        "commands": rerun_commands(git, config_file),
        "digest_covers": DIGEST_COVERS,
        "source_note": source_note(manifest, config),
        "inputs": input_snapshots(manifest),
    }


def write_effective_config(config: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """The effective config as YAML, loadable with ``--configfile``: with it, Snakemake sees exactly the settings
    of this run (every key is written, defaults included, so the workflow's config.yaml cannot add any). Written
    as is: the schema admits no credential setting, and a redacted value would not rerun the same analysis."""
    header = "# The effective config of the run this report was rendered from: snakemake --configfile <this file>\n"
    text = yaml.safe_dump(plain(config), sort_keys=False, allow_unicode=True, width=100)
    with atomic_path(path) as tmp:
        tmp.write_text(header + text, encoding="utf-8")


def plain(value: Any) -> Any:
    """Mappings and sequences as dicts and lists (Snakemake hands the config to a job as its own types)."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
