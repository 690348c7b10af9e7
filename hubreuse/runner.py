"""Run a workflow step from a Snakemake script with logging and one-line errors.

Scripts under ``scripts/`` call :func:`run_job`, which runs :func:`run_step`: it sends log records to the rule's
log file (and the console), and turns :class:`~hubreuse.errors.UserError` (bad input, a listing the Hub would not
complete) into one line on stderr and exit status 1, so users see what is wrong without opening a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from hubreuse.errors import UserError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_path: str | None) -> None:
    """Log to the rule's log file and to stderr."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT, handlers=handlers, force=True)
    logging.getLogger("hubreuse").setLevel(logging.INFO)


def run_step(log_path: str | None, step: Callable[[], Any]) -> Any:
    """Run ``step``; on bad input write one line and exit 1 (Snakemake then removes the job's outputs)."""
    configure_logging(log_path)
    try:
        return step()
    except UserError as error:
        message = f"hubreuse: error: {error}"
        logging.shutdown()
        if log_path:
            with open(log_path, "a", encoding="utf-8") as log_file:
                log_file.write(message + "\n")
        print(message, file=sys.stderr, flush=True)
        sys.exit(1)


def snakemake_log(smk: Any) -> str | None:
    """The first log file of a Snakemake job, if the rule has one."""
    return str(smk.log[0]) if len(smk.log) else None


def run_job(smk: Any, step: Callable[[], Any]) -> None:
    """Run a Snakemake job's step with :func:`run_step`, then end the job's process at once.

    Why: the interpreter's teardown frees every module and object one by one, about 0.15 s with pandas, pyarrow
    and DuckDB loaded, a fifth of a small per-task parse job. By now every output has been written and renamed
    into place (:func:`hubreuse.io.atomic_path`) and worker pools are shut down; log handlers and the standard
    streams are flushed here.
    """
    run_step(snakemake_log(smk), step)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
