"""The documentation names only files the workflow writes.

Every results file that README.md and docs/measures.md mention (a path under ``results/`` or a bare ``name.csv`` /
``name.parquet``) must be an output of the default workflow. The outputs come from ``snakemake --summary`` in a copy
of the workflow (a few seconds: the DAG is built, nothing runs), so the test depends only on output file names, not
on rule names or scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO, run_snakemake

DOCS = ("README.md", "docs/measures.md")

# A path under results/ (wildcards such as {task} allowed); a trailing "/" names a folder.
RESULTS_PATH = re.compile(r"(?<![\w/.-])results/[\w{},./-]*")
# A bare table or per-unit file name, not the tail of a longer path (hubreuse/data/x.csv is not a result).
BARE_NAME = re.compile(r"(?<![\w/.{},-])[\w{}-]+(?:\.[\w{}-]+)*\.(?:csv|parquet)\b")


def mentioned_files(text: str) -> tuple[set[str], set[str]]:
    """(paths under results/, bare file names) named in a Markdown text."""
    paths = {match.rstrip(".,") for match in RESULTS_PATH.findall(text)}
    bare = set(BARE_NAME.findall(text))
    return paths, bare


def as_regex(mention: str, *, folder_ok: bool) -> re.Pattern[str]:
    """A mention as a pattern over output paths: ``{...}`` stands for one path segment (or part of one)."""
    parts = re.split(r"(\{[^{}/]*\})", mention)
    body = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    if mention.endswith("/") and folder_ok:
        return re.compile(body + ".+")
    return re.compile(body)


def summary_outputs(workdir: Path, *args: str) -> list[str]:
    """Every output file of a run, from ``snakemake --summary`` in ``workdir``."""
    result = run_snakemake(workdir, "--summary", *args, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = [line.split("\t", 1)[0].strip() for line in result.stdout.splitlines()]
    outputs = [output for output in outputs if output.startswith("results/")]
    assert len(outputs) > 50, f"snakemake --summary listed too few outputs:\n{result.stdout[-3000:]}"
    return outputs


def default_outputs(workdir: Path) -> list[str]:
    """Every output file of the default run (source: demo) and of the demo snapshots of docs/snapshots-demo.yaml."""
    outputs = summary_outputs(workdir) + summary_outputs(workdir, "--configfile", str(REPO / "docs/snapshots-demo.yaml"))
    # Benchmark files are written by every job but are not outputs, so --summary does not list them. Their paths
    # are under ROOT (results/, or results/snapshots/{snapshot}/ with snapshots) or RESULTS (results/).
    rules = "\n".join(path.read_text(encoding="utf-8") for path in (workdir / "rules").glob("*.smk"))
    found = re.findall(r'benchmark:\s*\n\s*f"\{(ROOT|RESULTS)\}(/benchmarks/[^"]+)"', rules)
    assert found, "every rule has a benchmark: file"
    benchmarks = []
    for root, path in found:
        path = path.replace("{{", "{").replace("}}", "}")
        benchmarks += [f"results{path}"] + ([f"results/snapshots/{{snapshot}}{path}"] if root == "ROOT" else [])
    return outputs + benchmarks


def test_docs_name_only_files_the_workflow_writes(workflow_dir: Path) -> None:
    outputs = default_outputs(workflow_dir)
    names = {Path(output).name for output in outputs}
    missing = {}
    for doc in DOCS:
        paths, bare = mentioned_files((REPO / doc).read_text(encoding="utf-8"))
        assert paths or bare, f"{doc} names no results file: is the pattern still right?"
        unknown = [path for path in sorted(paths)
                   if not any(as_regex(path, folder_ok=True).fullmatch(output) for output in outputs)]
        unknown += [name for name in sorted(bare)
                    if not any(as_regex(name, folder_ok=False).fullmatch(output) for output in names)]
        if unknown:
            missing[doc] = unknown
    assert not missing, f"the docs name files the default workflow does not write: {missing}"


def test_measures_doc_names_every_table() -> None:
    """Sanity of the patterns: docs/measures.md names its tables with their folder."""
    paths, _ = mentioned_files((REPO / "docs/measures.md").read_text(encoding="utf-8"))
    assert any(path.startswith("results/tables/") for path in paths)
    assert any(path.startswith("results/stats/") and path.endswith(".parquet") for path in paths)


def test_patterns() -> None:
    paths, bare = mentioned_files(
        "see `results/tables/coverage.csv`, `results/raw/{kind}/{task}.manifest.json`, `results/stats/`; "
        "`models.parquet` and `hubreuse/data/dataset_aliases.csv` and results/report/report.pdf."
    )
    assert paths == {
        "results/tables/coverage.csv",
        "results/raw/{kind}/{task}.manifest.json",
        "results/stats/",
        "results/report/report.pdf",
    }
    assert bare == {"models.parquet"}
    assert as_regex("results/raw/{kind}/{task}.manifest.json", folder_ok=True).fullmatch(
        "results/raw/models/fill-mask.manifest.json"
    )
    assert as_regex("results/stats/", folder_ok=True).fullmatch("results/stats/lorenz.csv")
    assert not as_regex("results/stats/", folder_ok=False).fullmatch("results/stats/lorenz.csv")
