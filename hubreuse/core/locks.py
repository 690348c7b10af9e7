"""Recover from a killed run: remove Snakemake's locks when no Snakemake process still works in the folder.

A Snakemake run locks its working directory (``.snakemake/locks/``) and unlocks it when it ends. A run killed
with SIGKILL, or by a power loss, cannot unlock, and the next plain rerun then fails until the user runs
``snakemake --unlock``. The workflow calls :func:`remove_stale_locks` when it starts, so "run the same
command again" works: the locks are removed only when no process on this machine whose working directory is
this folder runs Snakemake or one of its jobs (a job's script lives under ``.snakemake/scripts``). A run on
another machine sharing the folder (a second login node of a cluster) cannot be seen from here; its lock is
then removed too, so do not start two runs of one folder from two machines.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

LOCK_DIR = Path(".snakemake") / "locks"


def _ancestors() -> set[int]:
    """This process and its parents: the Snakemake process reading the Snakefile, and whatever started it."""
    pids = set()
    process: psutil.Process | None = psutil.Process()
    while process is not None:
        pids.add(process.pid)
        try:
            process = process.parent()
        except psutil.Error:
            break
    return pids


def snakemake_processes(workdir: str | os.PathLike[str]) -> list[int]:
    """Pids of other processes on this machine that run Snakemake (or a job of it) in ``workdir``."""
    workdir = Path(workdir).resolve()
    own = _ancestors()
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.pid in own:
            continue
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            if "snakemake" not in cmdline or Path(process.cwd()).resolve() != workdir:
                continue
        except (psutil.Error, OSError):
            continue  # gone, or another user's process: not ours to wait for
        found.append(process.pid)
    return found


def remove_stale_locks(workdir: str | os.PathLike[str] = ".") -> list[Path] | None:
    """Remove the lock files of ``workdir`` when no other Snakemake process runs there.

    Returns the removed files (empty when there were none), or None when a live process holds the folder:
    its locks stay, and Snakemake then refuses to start as it should.
    """
    lock_dir = Path(workdir) / LOCK_DIR
    locks = sorted(lock_dir.glob("*.lock")) if lock_dir.is_dir() else []
    if not locks:
        return []
    if snakemake_processes(workdir):
        return None
    for lock in locks:
        lock.unlink(missing_ok=True)
    return locks
