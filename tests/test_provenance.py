"""The report's reproducibility block: git state read safely, inputs as the manifest records them, the rerun
commands, the effective config file, and the time-to-first-reuse footnote's count of negative times."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hubreuse.report import provenance
from hubreuse.report.render import template_environment
from tests.conftest import REPO

GIT = shutil.which("git")


def git(folder: Path, *args: str) -> str:
    """Plain git in a test repository (identity given on the command line)."""
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout with one commit, in a folder whose name a shell would run as a command."""
    if GIT is None:
        pytest.fail("git is needed by these tests (and by the reproducibility block)")
    folder = tmp_path / "wf; touch pwned"
    folder.mkdir()
    git(folder, "init", "-q")
    (folder / "Snakefile").write_text("rule all:\n", encoding="utf-8")
    (folder / "notes.txt").write_text("a\n", encoding="utf-8")
    git(folder, "add", "Snakefile", "notes.txt")
    git(folder, "commit", "-q", "-m", "first")
    return folder


def test_clean_checkout_gives_its_commit(checkout: Path) -> None:
    state = provenance.git_state(checkout)
    assert state["commit"] == git(checkout, "rev-parse", "HEAD")
    assert (state["dirty"], state["changed"], state["untracked"], state["status"]) == (False, 0, 0, "clean")
    assert state["read_in"] == str(checkout.resolve())
    assert not (checkout.parent / "pwned").exists() and not (checkout / "pwned").exists()


def test_changed_and_untracked_files_are_counted_apart(checkout: Path) -> None:
    (checkout / "notes.txt").write_text("b\n", encoding="utf-8")
    (checkout / "Snakefile").unlink()
    (checkout / "mine.yaml").write_text("x: 1\n", encoding="utf-8")
    state = provenance.git_state(checkout)
    assert (state["dirty"], state["changed"], state["untracked"]) == (True, 2, 1)
    assert state["status"] == "dirty: 2 tracked files changed (1 untracked path)"


def test_git_variables_of_the_caller_do_not_redirect_git(checkout: Path, tmp_path: Path, monkeypatch) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    (other / "f").write_text("f", encoding="utf-8")
    git(other, "add", "f")
    git(other, "commit", "-q", "-m", "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert provenance.git_state(checkout)["commit"] == git(checkout, "--git-dir", str(checkout / ".git"),
                                                           "rev-parse", "HEAD")  # fmt: skip


def test_folder_outside_git_is_not_a_checkout(tmp_path: Path) -> None:
    state = provenance.git_state(tmp_path)
    assert (state["commit"], state["dirty"], state["status"]) == (None, None, "not a git checkout")
    assert provenance.git_state(None)["status"].startswith("not read")


def test_porcelain_counts_renames_once() -> None:
    # -z output: a rename is "R  new\0old\0"; untracked "?? path\0"; modified " M path\0".
    status = "R  new name.txt\0old name.txt\0 M a.py\0?? b/\0?? c.txt\0"
    assert provenance.porcelain_counts(status) == (2, 2)
    assert provenance.porcelain_counts("") == (0, 0)


MANIFEST = {
    "source": "dump", "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:05:00Z",
    "dumps": [{"dump": "/data/m.jsonl.gz", "dump_sha256": "a" * 64, "records": 10, "duplicates": 1},
              {"kind": "hubstats_datasets", "parquet": "/s/d.parquet", "parquet_sha256": "b" * 64, "rows": 7,
               "repo": "o/hub-stats", "revision_resolved": "c" * 40, "filename": "datasets.parquet",
               "dump": "/s/d.jsonl.gz", "dump_sha256": "d" * 64}],
    "listings": [{"kind": "models", "task": "t2", "sha256": "11", "records": 3},
                 {"kind": "datasets", "task": "t1", "sha256": "22", "records": 4},
                 {"kind": "models", "task": "t1", "sha256": "33", "records": 5}],
}  # fmt: skip


def test_input_snapshots_list_every_dump_and_one_digest_of_the_listings() -> None:
    rows = provenance.input_snapshots(MANIFEST)
    assert [(r["path"], r["sha256"], r["records"]) for r in rows[:2]] == [("/data/m.jsonl.gz", "a" * 64, 10),
                                                                          ("/s/d.parquet", "b" * 64, 7)]  # fmt: skip
    assert "c" * 40 in rows[1]["detail"]
    lines = ["datasets/t1 22", "models/t1 33", "models/t2 11"]
    assert rows[2]["sha256"] == hashlib.sha256("\n".join(lines).encode()).hexdigest()
    assert rows[2]["records"] == 3 + 4 + 5
    assert "2026-01-01T00:00:00Z" in rows[2]["detail"] and "2026-01-01T00:05:00Z" in rows[2]["detail"]
    assert "3: 2 tasks × 2 kinds" in rows[2]["what"]


def test_rerun_commands_check_out_the_commit_or_stay_in_the_folder() -> None:
    sha = "f" * 40
    assert provenance.rerun_commands({"commit": sha, "read_in": "/w"}, "/w/results/report/config.yaml") == [
        f"git checkout {sha}", "snakemake --cores 2 --configfile /w/results/report/config.yaml"]  # fmt: skip
    no_git = provenance.rerun_commands({"commit": None, "read_in": "/w"}, None)
    assert no_git == ["cd /w", "snakemake --cores 2"]


def test_effective_config_file_loads_back_to_the_same_settings(tmp_path: Path) -> None:
    config = {"source": "demo", "demo_seed": 3, "canonical": {"alias_files": []}, "hub_endpoint": "",
              "tasks": {"nlp": ["fill-mask"], "cv": []}}  # fmt: skip
    path = tmp_path / "report" / "config.yaml"
    provenance.write_effective_config(config, path)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == config


def test_reproducibility_section_escapes_what_it_shows() -> None:
    git_state = {"read_in": "/w/<b>x</b>", "commit": "e" * 40, "toplevel": "/w/<b>x</b>", "dirty": True,
                 "changed": 1, "untracked": 0, "status": "dirty: 1 tracked file changed"}  # fmt: skip
    shown = provenance.provenance(MANIFEST, {"source": "dump"}, git_state, "/w/config.yaml")
    context = {"provenance": shown, "software": {"python": "3"}, "config_digest": "0123",
               "table_number": iter(range(1, 9)).__next__}  # fmt: skip
    template = template_environment(REPO / "report").get_template("sections/reproducibility.html.j2")
    html = template.render(context)
    assert "e" * 40 in html and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "the commit alone does not reproduce this report" in html
    assert "<b>Table 1.</b>" in html and "<b>Table 2.</b>" in html
    assert provenance.DIGEST_COVERS in html


@pytest.mark.parametrize(
    ("negatives", "sentence"),
    [((0, 0, None), ""),
     ((3, 0, 2), " In 2 tasks, 5 datasets have a negative time"),
     ((0, 1, 0), " In 1 task, 1 dataset has a negative time")],
)  # fmt: skip
def test_negative_time_sentence_only_when_there_are_negative_times(negatives: tuple, sentence: str) -> None:
    rows = [{"task": f"t{i}", "n_negative": n} for i, n in enumerate(negatives)]
    macros = template_environment(REPO / "report").get_template("sections/macros.html.j2").module
    text = str(macros.negative_times(rows))
    assert text.startswith(sentence) if sentence else text == ""
    total = sum(n or 0 for n in negatives)
    assert (f"{total} dataset" in text) == (total > 0)
