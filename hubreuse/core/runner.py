"""Run a workflow step from a Snakemake script with logging and one-line errors.

Scripts under ``scripts/`` call :func:`run_job`, which runs :func:`run_step`: it sends log records to the rule's
log file (and the console), and turns :class:`~hubreuse.core.errors.UserError` (bad input, a listing the Hub would not
complete) into one line on stderr and exit status 1, so users see what is wrong without opening a traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

from hubreuse.core.errors import UserError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_path: str | None, history: str | None = None) -> None:
    """Log to the rule's log file and to stderr; with ``history``, also append to that file, whose earlier
    sessions are first copied into the log file.

    Why ``history``: Snakemake removes a job's log file before it runs the job, so a rerun of a failed job
    starts with an empty log. A job that resumes work (collection) keeps the log of every session in
    ``history``, a file outside Snakemake's reach that the job removes once done."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    log_mode = "w"
    if log_path and history and os.path.exists(history):
        shutil.copyfile(history, log_path)
        log_mode = "a"
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode=log_mode, encoding="utf-8"))
    if history:
        os.makedirs(os.path.dirname(history) or ".", exist_ok=True)
        handlers.append(logging.FileHandler(history, mode="a", encoding="utf-8"))
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT, handlers=handlers, force=True)
    logging.getLogger("hubreuse").setLevel(logging.INFO)


def run_step(log_path: str | None, step: Callable[[], Any], history: str | None = None) -> Any:
    """Run ``step``; on bad input write one line and exit 1 (Snakemake then removes the job's outputs).
    ``history``: see :func:`configure_logging`."""
    configure_logging(log_path, history)
    try:
        return step()
    except UserError as error:
        message = f"hubreuse: error: {error}"
        logging.shutdown()
        for path in (log_path, history):
            if path:
                with open(path, "a", encoding="utf-8") as log_file:
                    log_file.write(message + "\n")
        print(message, file=sys.stderr, flush=True)
        sys.exit(1)


def snakemake_log(smk: Any) -> str | None:
    """The first log file of a Snakemake job, if the rule has one."""
    return str(smk.log[0]) if len(smk.log) else None


def run_job(smk: Any, step: Callable[[], Any], history: str | None = None) -> None:
    """Run a Snakemake job's step with :func:`run_step`, then end the job's process at once.

    Why: the interpreter's teardown frees every module and object one by one, about 0.15 s with pandas, pyarrow
    and DuckDB loaded, a fifth of a small per-task parse job. By now every output has been written and renamed
    into place (:func:`hubreuse.core.io.atomic_path`) and worker pools are shut down; log handlers and the standard
    streams are flushed here.
    """
    run_step(snakemake_log(smk), step, history)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
