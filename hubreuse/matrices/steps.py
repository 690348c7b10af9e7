"""Step of stage matrices: the per-task parsed tables merged into the reuse matrices."""

from __future__ import annotations

from collections.abc import Mapping


def matrices(model_tables: Mapping[str, str], dataset_tables: Mapping[str, str], outputs: Mapping[str, str],
             source: str, threads: int = 1, declarations: str = "card") -> None:  # fmt: skip
    """Every matrix (``outputs``: matrix name -> path) from the per-task tables (task -> path) of each kind, with
    the declarations of the cards or of the tags (``declarations``)."""
    import pyarrow as pa

    from hubreuse.matrices import build

    # Arrow's pool would otherwise use every core of the node, not the job's share.
    previous = pa.cpu_count()
    pa.set_cpu_count(max(1, threads))
    try:
        tables = build.build_matrices(model_tables, dataset_tables, threads, declarations)
        build.write_matrices(tables, outputs, source, threads)
    finally:
        pa.set_cpu_count(previous)
