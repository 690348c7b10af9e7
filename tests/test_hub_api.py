"""Live collection against a fake Hub (tests/hub_server.py) with the real huggingface_hub client, not mocked.

Expected listings are computed here from the raw corpora lines (json.loads, tag filter, first id wins), not by
the server or the collector.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi

from hubreuse.collect.hub_api import CollectionError, collect_listing
from hubreuse.collect.steps import collect
from hubreuse.core.runner import run_step
from tests.conftest import SHARED

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hub_server import FakeHub, Fault  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPORA = SHARED / "corpora"
MODEL_FILES = ("hub2022-models.jsonl.gz", "lineage2025-models.jsonl.gz")
DATASET_FILES = ("datasets2023.jsonl.gz",)
TOKEN = "hf_testTOKENvalue0123456789abcdefXYZ"


@pytest.fixture(autouse=True)
def _corpora_present(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (CORPORA / MODEL_FILES[0]).exists():
        message = f"shared corpora missing at {CORPORA}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)


def expected(kind: str, task: str) -> list[dict]:
    """The task's records from the corpora, corpus order, first record per id."""
    tag = task if kind == "models" else f"task_categories:{task}"
    out, seen = [], set()
    for name in MODEL_FILES if kind == "models" else DATASET_FILES:
        with gzip.open(CORPORA / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if tag in (record.get("tags") or []) and record["id"] not in seen:
                    seen.add(record["id"])
                    out.append(record)
    return out


def read_listing(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for line in lines:  # each line is the compact re-serialisation the contract asks for
        assert line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
    return [json.loads(line) for line in lines]


def n_pages(n_records: int, page_size: int) -> int:
    return -(-n_records // page_size)


def test_query_is_what_huggingface_hub_sends(tmp_path: Path) -> None:
    with FakeHub(page_size=1000) as hub:
        api = HfApi(endpoint=hub.url)
        next(iter(api.list_models(filter="translation", full=True, cardData=True)))
        next(iter(api.list_datasets(task_categories="translation", full=True)))
        theirs = list(hub.queries)
        hub.reset()
        m = collect_listing(
            "models", "translation", tmp_path / "m.jsonl.gz", tmp_path / "sm", endpoint=hub.url
        )
        d = collect_listing(
            "datasets", "translation", tmp_path / "d.jsonl.gz", tmp_path / "sd", endpoint=hub.url
        )
        ours = list(hub.queries)
    assert ours[0] == theirs[0] and ours[-1] == theirs[1]
    assert theirs[0] == ("/api/models", [("filter", "translation"), ("full", "true"), ("cardData", "true")])
    assert m["query"] == {"path": "/api/models", "params": [[k, v] for k, v in theirs[0][1]]}
    assert d["query"]["params"] == [["filter", "task_categories:translation"], ["full", "true"]]


def test_models_listing_complete_through_faults(tmp_path: Path) -> None:
    task, size = "text-classification", 100
    want = expected("models", task)
    pages = n_pages(len(want), size)
    assert pages > 20
    faults = [
        Fault("429", page=2, times=7, t=3),  # longer than huggingface_hub's 5 and than max_retries=3
        Fault("503", page=3, times=2),
        Fault("close", page=4),
        Fault("badjson", page=5),
        Fault("dup", page=6),
        Fault("bad-record", page=7, record=50),  # a page parse would reject: retried, never kept
        Fault("500", page=pages),
    ]
    sleeps: list[float] = []
    with FakeHub(page_size=size, faults=faults) as hub:
        manifest = collect_listing(
            "models",
            task,
            tmp_path / "out.jsonl.gz",
            tmp_path / "state",
            endpoint=hub.url,
            max_retries=3,
            sleep=sleeps.append,
        )
        hits = hub.page_hits("models", task)
    got = read_listing(tmp_path / "out.jsonl.gz")
    assert [r["id"] for r in got] == [r["id"] for r in want]
    assert got == want
    assert sleeps.count(3.0) == 7  # every 429 waited exactly the header's t
    assert manifest["rate_limit_waits"] == 7 and manifest["rate_limit_wait_seconds"] == 21
    assert manifest["retries"] == 6 and manifest["duplicates"] == 1
    expected_hits = {p: 1 for p in range(1, pages + 1)} | {2: 8, 3: 3, 4: 2, 5: 2, 7: 2, pages: 2}
    assert hits == expected_hits
    assert manifest["requests"] == sum(expected_hits.values())
    assert manifest["records"] == len(want) and manifest["pages"] == pages
    assert manifest["source"] == "api" and manifest["endpoint"] == hub.url
    assert manifest["sha256"] == hashlib.sha256((tmp_path / "out.jsonl.gz").read_bytes()).hexdigest()
    assert not (tmp_path / "state").exists()


def test_datasets_listing_complete_through_faults(tmp_path: Path) -> None:
    task, size = "text-classification", 50
    want = expected("datasets", task)
    faults = [
        Fault("429", page=2, times=2, t=None, retry_after=4),
        Fault("502", page=3),
        Fault("close", page=7),
    ]
    sleeps: list[float] = []
    with FakeHub(page_size=size, faults=faults) as hub:
        manifest = collect_listing(
            "datasets",
            task,
            tmp_path / "d.jsonl.gz",
            tmp_path / "state",
            endpoint=hub.url,
            sleep=sleeps.append,
        )
    assert read_listing(tmp_path / "d.jsonl.gz") == want
    assert sleeps.count(4.0) == 2 and manifest["rate_limit_waits"] == 2  # Retry-After honoured
    assert manifest["pages"] == n_pages(len(want), size) and manifest["retries"] == 2


def test_rate_limit_waited_out_with_real_sleep(tmp_path: Path) -> None:
    want = expected("datasets", "translation")
    with FakeHub(page_size=50, faults=[Fault("429", page=2, times=2, t=1)]) as hub:
        began = time.monotonic()
        manifest = collect_listing(
            "datasets", "translation", tmp_path / "d.jsonl.gz", tmp_path / "s", endpoint=hub.url
        )
        elapsed = time.monotonic() - began
        assert hub.page_hits("datasets", "translation")[2] == 3
    assert elapsed >= 2.0
    assert manifest["rate_limit_wait_seconds"] == 2
    assert read_listing(tmp_path / "d.jsonl.gz") == want


def test_retries_exhausted_keeps_checkpoint_and_rerun_resumes(tmp_path: Path) -> None:
    task, size = "fill-mask", 200
    want = expected("models", task)
    out, state = tmp_path / "out.jsonl.gz", tmp_path / "state"
    with FakeHub(page_size=size, faults=[Fault("503", page=3, times=3)]) as hub:
        with pytest.raises(CollectionError) as caught:
            collect_listing("models", task, out, state, endpoint=hub.url, max_retries=2, sleep=lambda s: None)
        message = str(caught.value)
        assert (
            "\n" not in message and "'fill-mask'" in message and "page 3" in message and "HTTP 503" in message
        )
        assert not out.exists()
        assert json.loads((state / "state.json").read_text())["pages"] == 2
        manifest = collect_listing("models", task, out, state, endpoint=hub.url, sleep=lambda s: None)
        hits = hub.page_hits("models", task)
    assert read_listing(out) == want
    assert hits[1] == 1 and hits[2] == 1 and hits[3] == 4
    assert manifest["sessions"] == 2 and not state.exists()
    # the failed session's requests and retries count too (2 retries of page 3, then it gave up)
    assert manifest["requests"] == sum(hits.values()) and manifest["retries"] == 2


def test_rate_limit_budget_is_bounded(tmp_path: Path) -> None:
    sleeps: list[float] = []
    out, state = tmp_path / "d.jsonl.gz", tmp_path / "s"
    with FakeHub(page_size=50, faults=[Fault("429", page=1, times=50, t=5)]) as hub:
        with pytest.raises(CollectionError, match=r"page 1: rate limited .*max_rate_limit_wait=12"):
            collect_listing(
                "datasets",
                "translation",
                out,
                state,
                endpoint=hub.url,
                max_rate_limit_wait=12,
                sleep=sleeps.append,
            )
        assert sleeps == [5.0, 5.0]
        # a rerun gets a fresh budget: it waits again instead of failing at once
        with pytest.raises(CollectionError, match=r"page 1: rate limited"):
            collect_listing(
                "datasets",
                "translation",
                out,
                state,
                endpoint=hub.url,
                max_rate_limit_wait=12,
                sleep=sleeps.append,
            )
    assert sleeps == [5.0] * 4


def test_client_error_fails_at_once(tmp_path: Path) -> None:
    with FakeHub(page_size=50, faults=[Fault("404", page=2)]) as hub:
        with pytest.raises(CollectionError, match=r"page 2: HTTP 404, not retried") as caught:
            collect_listing(
                "datasets",
                "translation",
                tmp_path / "d.jsonl.gz",
                tmp_path / "s",
                endpoint=hub.url,
                sleep=lambda s: pytest.fail(f"slept {s}"),
            )
        assert hub.page_hits("datasets", "translation") == {1: 1, 2: 1}
    assert "\n" not in str(caught.value)


def test_kill_at_random_page_then_rerun(tmp_path: Path) -> None:
    task, size = "text-classification", 100
    pages = n_pages(len(expected("models", task)), size)
    kill_page = random.Random(20250215).randint(2, pages - 1)
    with FakeHub(page_size=size) as hub:
        reference = collect_listing(
            "models", task, tmp_path / "ref.jsonl.gz", tmp_path / "ref-state", endpoint=hub.url
        )
        hub.reset()
        hub.faults = [Fault("kill", page=kill_page, listing="models")]  # the server SIGKILLs the collector
        out, state = tmp_path / "out.jsonl.gz", tmp_path / "state"
        code = (
            "import sys; from pathlib import Path; from hubreuse.collect.hub_api import collect_listing; "
            "collect_listing('models', sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), endpoint=sys.argv[4])"
        )
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(
            [sys.executable, "-c", code, task, str(out), str(state), hub.url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        hub.set_kill_pid(proc.pid)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
        assert not out.exists()
        assert json.loads((state / "state.json").read_text())["pages"] == kill_page - 1
        manifest = collect_listing("models", task, out, state, endpoint=hub.url)
        hits = hub.page_hits("models", task)
    assert out.read_bytes() == (tmp_path / "ref.jsonl.gz").read_bytes()
    assert manifest["sha256"] == reference["sha256"] and manifest["records"] == reference["records"]
    assert hits == {p: (2 if p == kill_page else 1) for p in range(1, pages + 1)}
    assert manifest["sessions"] == 2
    assert manifest["requests"] == sum(hits.values())  # also the request the killed session was waiting on


def test_foreign_checkpoint_is_discarded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    with FakeHub(page_size=20, faults=[Fault("503", page=3, times=9, task="summarization")]) as hub:
        with pytest.raises(CollectionError):
            collect_listing(
                "datasets",
                "summarization",
                tmp_path / "x.jsonl.gz",
                state,
                endpoint=hub.url,
                max_retries=0,
                sleep=lambda s: None,
            )
        with caplog.at_level(logging.INFO, logger="hubreuse.collect.hub_api"):
            collect_listing("datasets", "translation", tmp_path / "t.jsonl.gz", state, endpoint=hub.url)
    assert "another query" in caplog.text
    assert read_listing(tmp_path / "t.jsonl.gz") == expected("datasets", "translation")


def test_token_sent_but_never_written_or_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    out, state = tmp_path / "out" / "d.jsonl.gz", tmp_path / "state"
    faults = [Fault("429", page=2, t=2), Fault("503", page=3, times=3), Fault("close", page=4)]
    caplog.set_level(logging.DEBUG)
    with FakeHub(page_size=50, faults=faults, require_token=TOKEN) as hub:
        with pytest.raises(CollectionError) as caught:
            collect_listing(
                "datasets",
                "text-classification",
                out,
                state,
                endpoint=hub.url,
                max_retries=2,
                sleep=lambda s: None,
            )
        kept = {p.name: p.read_bytes() for p in state.iterdir()}
        manifest = collect_listing(
            "datasets", "text-classification", out, state, endpoint=hub.url, sleep=lambda s: None
        )
        seen = set(hub.authorizations)
    assert seen == {f"Bearer {TOKEN}"}
    assert "state.json" in kept and any(name.startswith("page-") for name in kept)
    texts = [str(caught.value), caplog.text, json.dumps(manifest)]
    texts += [gzip.decompress(b).decode() if b[:2] == b"\x1f\x8b" else b.decode() for b in kept.values()]
    texts += [gzip.decompress(p.read_bytes()).decode() for p in out.parent.iterdir()]
    assert caplog.records and all(TOKEN not in text for text in texts)
    assert read_listing(out) == expected("datasets", "text-classification")


def test_wrong_token_is_a_clear_error_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    with FakeHub(page_size=50, require_token="hf_other") as hub:
        with pytest.raises(CollectionError, match=r"page 1: HTTP 401, not retried") as caught:
            collect_listing(
                "datasets", "translation", tmp_path / "d.jsonl.gz", tmp_path / "s", endpoint=hub.url
            )
        assert hub.page_hits("datasets", "translation") == {1: 1}
    assert TOKEN not in str(caught.value)


def test_endpoint_from_environment_and_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeHub(page_size=50) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        with pytest.raises(CollectionError, match=r"page 3: listing has more than page_limit=2 pages"):
            collect_listing("datasets", "translation", tmp_path / "d.jsonl.gz", tmp_path / "s", page_limit=2)
        assert hub.page_hits("datasets", "translation") == {1: 1, 2: 1}


def test_server_command_line(tmp_path: Path) -> None:
    """The CLI the end-to-end workflow test uses: port on stdout, faults from --faults, counters over HTTP."""
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "tests" / "hub_server.py"),
            "--port",
            "0",
            "--page-size",
            "50",
            "--faults",
            "503:page=2:times=2,429:page=3:t=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        sleeps: list[float] = []
        manifest = collect_listing(
            "datasets",
            "translation",
            tmp_path / "d.jsonl.gz",
            tmp_path / "s",
            endpoint=url,
            sleep=sleeps.append,
        )
        stats = httpx2.get(f"{url}/_control/stats").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert read_listing(tmp_path / "d.jsonl.gz") == expected("datasets", "translation")
    assert sleeps == [1.0, 2.0, 1.0] and manifest["retries"] == 2 and manifest["rate_limit_waits"] == 1
    hits = {page: n for kind, task, page, n in stats["pages"] if (kind, task) == ("datasets", "translation")}
    assert hits[2] == 3 and hits[3] == 2 and sum(hits.values()) == manifest["requests"]


def test_kill_peer_kills_the_requesting_process(tmp_path: Path) -> None:
    """The fault the end-to-end test can use when it does not know the collector's pid."""
    code = (
        "import sys; from pathlib import Path; from hubreuse.collect.hub_api import collect_listing; "
        "collect_listing('datasets', 'translation', Path(sys.argv[1]), Path(sys.argv[2]), endpoint=sys.argv[3])"
    )
    with FakeHub(page_size=50, faults=[Fault("kill-peer", page=3)]) as hub:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "d.jsonl.gz"), str(tmp_path / "s"), hub.url],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            timeout=60,
        )
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
        assert json.loads((tmp_path / "s" / "state.json").read_text())["pages"] == 2
        collect_listing("datasets", "translation", tmp_path / "d.jsonl.gz", tmp_path / "s", endpoint=hub.url)
        assert hub.page_hits("datasets", "translation") == {1: 1, 2: 1, 3: 2, 4: 1}
    assert read_listing(tmp_path / "d.jsonl.gz") == expected("datasets", "translation")


def test_page_with_record_without_id_is_retried_and_never_checkpointed(tmp_path: Path) -> None:
    task, size = "fill-mask", 200
    out, state = tmp_path / "out.jsonl.gz", tmp_path / "state"
    with FakeHub(page_size=size, faults=[Fault("bad-record", page=3, times=3, record=17)]) as hub:
        with pytest.raises(CollectionError) as caught:
            collect_listing("models", task, out, state, endpoint=hub.url, max_retries=2, sleep=lambda s: None)
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith(
            "models listing for task 'fill-mask', page 3: gave up after 3 failed attempts; last error: "
            "record 17 of 200 has no string id (id: null, modelId: absent); page not checkpointed "
            f"(2 pages / 400 records checkpointed in {state}; rerun to resume)"
        ), message
        assert not out.exists() and not (state / "page-000003.jsonl.gz").exists()
        kept = json.loads((state / "state.json").read_text())
        assert kept["pages"] == 2 and kept["requests"] == 5 and kept["retries"] == 2
        manifest = collect_listing("models", task, out, state, endpoint=hub.url, sleep=lambda s: None)
        hits = hub.page_hits("models", task)
    assert read_listing(out) == expected("models", task)
    assert hits[3] == 4 and manifest["requests"] == sum(hits.values()) and manifest["retries"] == 2


def test_checkpoint_page_without_id_is_discarded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A page an older collector kept although parse rejects it is not resumed from (it would fail every rerun)."""
    out, state = tmp_path / "d.jsonl.gz", tmp_path / "s"
    with FakeHub(page_size=50, faults=[Fault("503", page=3)]) as hub:
        with pytest.raises(CollectionError):
            collect_listing("datasets", "translation", out, state, endpoint=hub.url, max_retries=0)
        page = state / "page-000001.jsonl.gz"
        lines = gzip.decompress(page.read_bytes()).decode().splitlines()
        lines[0] = json.dumps({**json.loads(lines[0]), "id": None}, separators=(",", ":"))
        page.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
        with caplog.at_level(logging.INFO, logger="hubreuse.collect.hub_api"):
            collect_listing("datasets", "translation", out, state, endpoint=hub.url)
        assert hub.page_hits("datasets", "translation")[1] == 2
    assert "page 1 holds a record without a string id); starting over" in caplog.text
    assert read_listing(out) == expected("datasets", "translation")


@pytest.fixture
def _restore_logging():
    """run_step reconfigures the root logger; give the next tests theirs back."""
    root, ours = logging.getLogger(), logging.getLogger("hubreuse")
    handlers, level, our_level = root.handlers[:], root.level, ours.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    ours.setLevel(our_level)


@pytest.mark.usefixtures("_restore_logging")
def test_task_job_keeps_finished_listing_and_every_session_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The collect job as Snakemake runs it (scripts/collect.py): models finish, datasets fail on a page parse
    would reject; Snakemake then deletes every output and the log. The rerun requests no models page again,
    the manifests count every request of both sessions, and the log still holds the first session."""
    task = "translation"
    outputs = {
        f"{kind}_{part}": str(tmp_path / "raw" / kind / f"{task}.{suffix}")
        for kind in ("models", "datasets")
        for part, suffix in (("listing", "jsonl.gz"), ("manifest", "manifest.json"))
    }
    state_dir = str(tmp_path / "partial" / "{kind}" / task)
    history, log = str(tmp_path / "partial" / "sessions" / f"{task}.log"), tmp_path / "logs" / f"{task}.log"
    log.parent.mkdir()
    faults = [Fault("bad-record", page=2, times=5, record=17, listing="datasets")]

    def job() -> None:
        collect("api", task, outputs, {}, endpoint=hub.url, state_dir=state_dir, session_log=history,
                     max_retries=1, sleep=lambda s: None)  # fmt: skip

    with FakeHub(page_size=50, faults=faults) as hub:
        with pytest.raises(SystemExit) as exited:
            run_step(str(log), job, history=history)
        assert exited.value.code == 1
        error = capsys.readouterr().err.strip().splitlines()[-1]
        assert error.startswith(
            "hubreuse: error: datasets listing for task 'translation', page 2: gave up after 2 failed attempts; "
            "last error: record 17 of 50 has no string id (id: null, modelId: absent); page not checkpointed"
        ), error
        assert json.loads((tmp_path / "partial" / "models" / task / "state.json").read_text())["complete"]
        # what Snakemake does to a failed job's outputs, then (before the rerun) to its log
        for path in [*outputs.values(), log]:
            Path(path).unlink(missing_ok=True)
        first_models = hub.page_hits("models", task)
        hub.faults = []
        run_step(str(log), job, history=history)
        models_hits, datasets_hits = hub.page_hits("models", task), hub.page_hits("datasets", task)
    assert models_hits == first_models  # no page of the finished listing fetched again
    for kind, hits, retries, sessions in (("models", models_hits, 0, 1), ("datasets", datasets_hits, 1, 2)):
        assert read_listing(Path(outputs[f"{kind}_listing"])) == expected(kind, task)
        manifest = json.loads(Path(outputs[f"{kind}_manifest"]).read_text())
        assert manifest["requests"] == sum(hits.values()), kind
        assert (manifest["retries"], manifest["sessions"]) == (retries, sessions), kind
    text = log.read_text()
    assert "datasets/translation page 2: record 17 of 50 has no string id" in text  # first session's warning
    assert error in text and "models/translation: complete checkpoint" in text
    assert text.index(error) < text.index("models/translation: complete checkpoint")
    assert not (tmp_path / "partial" / "models" / task).exists()
    assert not (tmp_path / "partial" / "datasets" / task).exists() and not Path(history).exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'[{"id": "a"}, {"modelId": "b"}]', None),
        (
            b'[{"id": "a"}, {"id": 5, "modelId": null}]',
            "record 2 of 2 has no string id (id: 5, modelId: null)",
        ),
        (b'[{"id": "a"}, ["b"]]', "record 2 of 2 is not a JSON object (got list)"),
        (b'[{"id": "a", "score": NaN}]', "invalid JSON body (27 bytes): NaN is not valid JSON"),
        (
            b'[{"id": "a\\ud800"}]',
            "record 1 of 1 holds text that is not valid UTF-8 (surrogates not allowed)",
        ),
        (b'{"id": "a"}', "body is not a JSON array of objects"),
    ],
)
def test_page_checks_are_what_parse_accepts(body: bytes, problem: str | None) -> None:
    from hubreuse.collect.hub_pages import page_records

    records, found = page_records(httpx2.Response(200, content=body))
    assert (found or "").removesuffix("; page not checkpointed") == (problem or "")
    assert (records == []) == (problem is not None)
