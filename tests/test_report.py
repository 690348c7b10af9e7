"""The findings report rendered from small constructed tables (no Snakemake): content, structure, vector
figures, bookmarks, the published table, and the handling of untrusted ids (escaping, no remote fetch)."""

from __future__ import annotations

import html as html_lib
import http.server
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pypdf
import pytest

from hubreuse.core.names import DOMAIN_COMPARISON, MEAN_INTERVALS
from hubreuse.report import figurebook, pdf, replication
from hubreuse.report import render as report
from hubreuse.report.inputs import read_table
from hubreuse.stats import steps
from tests.conftest import shared_path

EVIL = "<img src=x onerror=alert(1)>"
REPO = Path(__file__).resolve().parents[1]
TASKS = {"feature-extraction": "nlp", "fill-mask": "nlp", "image-classification": "cv", "depth-estimation": "cv",
         "keypoint-detection": "cv"}  # fmt: skip


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def values_for(rng: np.random.Generator, kind: str, remote_id: str) -> pd.DataFrame:
    rows = []
    for task, domain in TASKS.items():
        if task == "keypoint-detection":
            continue  # an empty task
        n = 40 if domain == "nlp" else 25
        vals = (rng.poisson(1.5, n) + (1 if kind != "rq2" else 0)).tolist()
        ids = [f"{task}/unit-{i}" for i in range(n)]
        if kind == "rq2" and task == "feature-extraction":
            ids[0], vals[0] = EVIL, 900  # the most reused dataset: an untrusted id
            ids[1], vals[1] = remote_id, 800
        rows += [(task, domain, i, v) for i, v in zip(ids, vals, strict=True)]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


def summary_of(values: pd.DataFrame, population: int) -> pd.DataFrame:
    rows = []
    for task, domain in TASKS.items():
        v = values.loc[values["task"] == task, "value"].to_numpy(dtype=float)
        rows.append({"task": task, "domain": domain, "n": len(v), "mean": v.mean() if len(v) else np.nan,
                     "sd": v.std(ddof=1) if len(v) > 1 else np.nan,
                     "median": np.median(v) if len(v) else np.nan,
                     "q1": np.percentile(v, 25) if len(v) else np.nan, "q3": np.percentile(v, 75) if len(v) else np.nan,
                     "min": v.min() if len(v) else np.nan, "max": v.max() if len(v) else np.nan,
                     "population": population, "share_declaring": len(v) / population})  # fmt: skip
    return pd.DataFrame(rows)


def with_inference_tables(tables: dict[str, object], folder: Path, n_boot: int, seed: int) -> dict[str, object]:
    """``tables`` plus the bootstrap intervals and domain comparison tables, written by the stats steps the
    workflow runs (values as Parquet in, CSV out), as the report job finds them."""
    folder.mkdir(parents=True, exist_ok=True)
    values = {}
    for key in ("rq1", "rq2", "rq3"):
        values[key] = folder / f"{key}_values.parquet"
        tables[f"{key}_values"].to_parquet(values[key])
    steps.mean_intervals(values, TASKS, "demo", n_boot, seed, str(folder / f"{MEAN_INTERVALS}.csv"))
    steps.domain_comparison(values, TASKS, "demo", n_boot, seed, str(folder / f"{DOMAIN_COMPARISON}.csv"))
    return {**tables, MEAN_INTERVALS: folder / f"{MEAN_INTERVALS}.csv",
            DOMAIN_COMPARISON: folder / f"{DOMAIN_COMPARISON}.csv"}  # fmt: skip


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, server):
    out = tmp_path_factory.mktemp("report")
    remote = f'<img src="http://127.0.0.1:{server}/x">'
    rng = np.random.default_rng(5)
    tables: dict[str, object] = {}
    for key in ("rq1", "rq2", "rq3"):
        values = values_for(rng, key, remote)
        tables[f"{key}_values"] = values
        tables[key] = summary_of(values, 100)
    # A published value's reproduced neighbour: fix RQ1 feature-extraction's mean at a known number.
    rq1 = tables["rq1"]
    rq1.loc[rq1["task"] == "feature-extraction", "mean"] = 2.1234
    shapes = []
    for key in ("datasets", "base_model"):
        for task, domain in TASKS.items():
            shapes.append({"task": task, "domain": domain, "key": key, "absent": 50, "null": 2, "string": 10,
                           "list": 30, "list_nonstring": 3, "empty_list": 1, "other": 4})  # fmt: skip
    tables["declaration_shapes"] = pd.DataFrame(shapes)
    # Beyond the paper: two tables given (one with an untrusted id), the rest absent.
    tables["lineage_families"] = pd.DataFrame({"root": [EVIL, "org/base"], "collected": [True, False],
                                               "n_children": [4, 2], "family_size": [9, 3],
                                               "family_max_depth": [2, 1]})  # fmt: skip
    tables["coverage"] = str(out / "does-not-exist.csv")
    manifest = {
        "source": "demo", "source_label": "demo (SYNTHETIC data)", "synthetic": True,
        "started_at": "2026-01-02T03:04:05+00:00", "finished_at": "2026-01-02T03:09:05+00:00",
        "config_digest": "abc123def456",
        "tasks": [{"task": t, "domain": d, "models": 0 if t == "keypoint-detection" else 120, "datasets": 30}
                  for t, d in TASKS.items()],
        "dumps": [{"dump": f"/data/{EVIL}.jsonl.gz", "records": 500, "duplicates": 7, "dump_sha256": "f" * 64}],
    }  # fmt: skip
    config = {"source": "demo", "hub_token": "hf_secret_value", "tasks": {"nlp": ["feature-extraction"]}}
    tables = with_inference_tables(tables, out / "stats", n_boot=300, seed=0)
    figure_paths = {"rq1_boxplot": out / "figures" / "rq1_boxplot.svg", "lorenz": out / "figures" / "lorenz.svg"}
    context = report.render_report(tables, manifest, config, REPO / "report" / "report.html.j2", REPO / "report" / "report.css", out / "report.html", out / "report.pdf",
                                   figure_paths=figure_paths)  # fmt: skip
    html = (out / "report.html").read_text(encoding="utf-8")
    reader = pypdf.PdfReader(out / "report.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    return {"out": out, "html": html, "reader": reader, "pages": pages, "text": "\n".join(pages),
            "context": context, "figure_paths": figure_paths, "remote": remote}  # fmt: skip


def test_sections_and_table_headings_are_in_the_pdf(rendered):
    text = rendered["text"]
    for heading in ("Summary of findings", "RQ1: datasets declared per model", "RQ2: models declaring each dataset",
                    "RQ3: base models declared per model", "NLP and CV compared", "Replication", "Data quality",
                    "Beyond the paper", "Methods appendix", "RQ1 per task", "The paper's directional claims",
                    "Declarations of datasets by shape", "Most reused datasets", "Effective configuration",
                    "Records per task"):  # fmt: skip
        assert heading in text, heading
    assert "SYNTHETIC DEMO DATA" in text
    assert "Estimate Std. Error z value Pr(>|z|)" in text  # the R-style coefficient block
    assert "Population totals" in text


def test_demo_flag_on_every_page_and_page_numbers(rendered):
    pages = rendered["pages"]
    assert 8 <= len(pages) <= 60
    for number, page in enumerate(pages, start=1):
        assert "SYNTHETIC DEMO DATA" in page, number
        assert f"Page {number} of {len(pages)}" in page, number


def test_published_value_beside_its_reproduced_neighbour(rendered):
    # Published RQ1 feature-extraction mean 2.578267 (Park & Yoon 2025) beside this run's 2.1234.
    flat = re.sub(r"\s+", " ", rendered["text"])
    assert re.search(r"feature-extraction NLP 2\.5783 2\.1234 −0\.4549", flat), "replication row not found"
    # The CV RQ2 sd is flagged as not comparable.
    assert "sd not comparable: the paper printed the CV RQ1 sd" in flat


def test_bookmarks_for_sections_and_subsections(rendered):
    outline = rendered["reader"].outline
    top = [item.title for item in outline if not isinstance(item, list)]
    for title in ("Summary of findings", "RQ1: datasets declared per model", "NLP and CV compared", "Replication",
                  "Data quality", "Beyond the paper", "Methods appendix"):  # fmt: skip
        assert title in top
    nested = [item.title for sub in outline if isinstance(sub, list) for item in sub if not isinstance(item, list)]
    assert "Concentration" in nested and "RQ1 per task" in nested


def _content_with_forms(obj, seen: set[int]) -> bytes:
    """A page's or form's content stream plus those of the forms it draws."""
    data = obj.get_contents().get_data() if hasattr(obj, "get_contents") and obj.get_contents() else b""
    if not data and hasattr(obj, "get_data"):
        data = obj.get_data()
    resources = obj.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for ref in (xobjects.get_object().values() if xobjects is not None else []):
        if id(ref.get_object()) in seen:
            continue
        seen.add(id(ref.get_object()))
        form = ref.get_object()
        assert form.get("/Subtype") != "/Image", "raster image in the PDF"
        data += _content_with_forms(form, seen)
    return data


def test_figures_are_vector_in_html_and_pdf(rendered):
    html = rendered["html"]
    assert html.count("<svg") >= 15
    assert "<img" not in html  # figures inline, and no id became a tag
    reader = rendered["reader"]
    assert all(len(page.images) == 0 for page in reader.pages)
    page_no = next(i for i, t in enumerate(rendered["pages"]) if "Figure 6." in t)
    content = _content_with_forms(reader.pages[page_no], set())
    path_ops = re.findall(rb"[\d.]+ [\d.]+ [lm]\b", content)
    assert len(path_ops) > 100  # boxplots drawn as paths
    for fig_id, path in rendered["figure_paths"].items():
        text = Path(path).read_text(encoding="utf-8")
        assert text.startswith("<?xml") and "<svg" in text, fig_id


def test_untrusted_ids_are_text_in_html_and_pdf(rendered):
    html, text = rendered["html"], rendered["text"]
    assert html_lib.escape(EVIL, quote=False) in html or "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "<img src=\"http" not in html
    joined = text.replace("\n", "")
    assert EVIL in text or EVIL in joined
    assert "hf_secret_value" not in html and "[redacted]" in html


def test_remote_url_in_an_id_is_never_fetched(rendered, server):
    assert html_lib.escape(rendered["remote"], quote=True) in rendered["html"] or "&lt;img src=&#34;http" in rendered["html"]
    assert CountingHandler.hits == []


def test_pdf_renderer_fetches_nothing_remote_even_from_raw_markup(tmp_path, server):
    html = f'<html><body><p>x</p><img src="http://127.0.0.1:{server}/raw"><img src="file:///etc/hostname"></body></html>'
    pdf.write_pdf(html, tmp_path / "x.pdf", tmp_path, [tmp_path])
    assert CountingHandler.hits == []
    assert (tmp_path / "x.pdf").stat().st_size > 0


def test_local_only_fetcher_refuses_http_and_files_outside_its_roots(tmp_path, server):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "a.css").write_text("p {}", encoding="utf-8")
    (tmp_path / "outside.css").write_text("p {}", encoding="utf-8")
    fetcher = pdf.LocalOnlyFetcher([inside])
    for url in (f"http://127.0.0.1:{server}/y", f"https://127.0.0.1:{server}/y", "ftp://127.0.0.1/y",
                (tmp_path / "outside.css").as_uri(), (inside / ".." / "outside.css").as_uri()):  # fmt: skip
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert CountingHandler.hits == []
    response = fetcher.fetch((inside / "a.css").as_uri())
    assert response is not None
    assert fetcher.fetch("data:text/plain,hello") is not None


def test_absent_tables_render_as_not_computed(rendered):
    flat = re.sub(r"\s+", " ", rendered["text"])
    assert "Coverage: not computed in this run." in flat
    assert "Concentration: not computed in this run." in flat
    assert "Largest families" in flat and "org/base" in flat  # a given beyond table renders


def test_data_quality_counts_duplicates_and_empty_tasks(rendered):
    flat = re.sub(r"\s+", " ", rendered["text"])
    assert "500 records, 7 duplicate ids" in flat
    assert "keypoint-detection (CV): 0 models" in flat
    # Shape totals: 5 tasks x 50 absent.
    assert re.search(r"Total \(task memberships\) 250 10 50 150 15 5 20", flat)


def test_shipped_published_values_equal_the_studys_table():
    shipped = replication.load_published()
    import csv

    with open(shared_path("paper/published_values.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(shipped) == len(rows)
    for row, (_, ours) in zip(rows, shipped.iterrows(), strict=True):
        assert (row["rq"], row["domain"], row["task"]) == (ours["rq"], ours["domain"], ours["task"])
        assert float(row["mean"]) == pytest.approx(ours["mean"])
        if row["sd"] in ("", "NaN"):
            assert pd.isna(ours["sd"])
        else:
            assert float(row["sd"]) == pytest.approx(ours["sd"])


def test_compare_marks_cv_rq2_sd_and_computes_differences():
    published = pd.DataFrame({"rq": ["rq2", "rq1"], "domain": ["cv", "nlp"], "task": ["a", "b"],
                              "mean": [0.5, 2.0], "sd": [np.nan, 1.0]})  # fmt: skip
    ours = {"rq1": pd.DataFrame({"task": ["b"], "n": [3], "mean": [2.5], "sd": [1.5]}),
            "rq2": pd.DataFrame({"task": ["a"], "n": [4], "mean": [0.25], "sd": [0.1]})}  # fmt: skip
    table = replication.compare(published, ours).set_index("task")
    assert table.loc["b", "diff_mean"] == pytest.approx(0.5)
    assert table.loc["b", "rel_diff_mean"] == pytest.approx(0.25)
    assert table.loc["b", "diff_sd"] == pytest.approx(0.5)
    assert pd.isna(table.loc["a", "diff_sd"]) and "not comparable" in table.loc["a", "note"]


def paper_only_inputs(seed: int, folder: Path, n_boot: int = 100) -> tuple[dict[str, object], dict[str, object]]:
    """The paper's three measures (summaries, values, intervals, domain comparison) of a small synthetic run, and
    its manifest."""
    rng = np.random.default_rng(seed)
    tables: dict[str, object] = {}
    for key in ("rq1", "rq2", "rq3"):
        values = values_for(rng, key, "org/remote")
        tables[f"{key}_values"] = values
        tables[key] = summary_of(values, 100)
    manifest = {"source": "demo", "synthetic": True,
                "tasks": [{"task": t, "domain": d, "models": 120, "datasets": 30} for t, d in TASKS.items()]}  # fmt: skip
    return with_inference_tables(tables, folder, n_boot=n_boot, seed=3), manifest


def render_to(folder: Path, tables: dict[str, object], manifest: dict[str, object], workers: int) -> dict:
    """The context of a report rendered into ``folder`` by ``workers`` processes, as the report step does."""
    return report.render_report(tables, manifest, {}, REPO / "report" / "report.html.j2", REPO / "report" / "report.css",
                                folder / "report.html", folder / "report.pdf", workers=workers)  # fmt: skip


def test_figures_drawn_by_worker_processes_equal_those_drawn_in_process(tmp_path):
    """The workflow draws figures in two worker processes; the numbers, captions, SVG text and domain tests must
    be those of drawing them one by one in the report's own process."""
    tables, manifest = paper_only_inputs(11, tmp_path / "stats", n_boot=200)
    serial = render_to(tmp_path / "w1", tables, manifest, workers=1)
    parallel = render_to(tmp_path / "w2", tables, manifest, workers=2)
    assert list(parallel["figures"]) == list(serial["figures"])
    for fig_id, item in serial["figures"].items():
        other = parallel["figures"][fig_id]
        assert (other["number"], other["caption"]) == (item["number"], item["caption"]), fig_id
        assert other["svg_text"] == item["svg_text"], fig_id
        assert other["svg"] == item["svg"], fig_id
    assert [i["summary_text"] for i in parallel["domain"]["items"] if i["available"]] == [
        i["summary_text"] for i in serial["domain"]["items"] if i["available"]]
    assert len(serial["figures"]) == 15


def test_pdf_typeset_while_workers_draw_equals_serial(tmp_path):
    """With workers the PDF is typeset while figures are drawing (each fetched when the renderer reaches it):
    the PDF text, outline and figure files must be those of the serial run."""
    tables, manifest = paper_only_inputs(12, tmp_path / "stats")
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        figure_paths = {"rq1_boxplot": out / "rq1_boxplot.svg", "replication": out / "replication.svg"}
        report.render_report(tables, manifest, {}, REPO / "report" / "report.html.j2", REPO / "report" / "report.css", out / "report.html", out / "report.pdf",
                             figure_paths=figure_paths, workers=workers)  # fmt: skip
        reader = pypdf.PdfReader(out / "report.pdf")
        text = [re.sub(r"\d{4}-\d\d-\d\dT[\d:]+(?:\+00:00|Z)", "<time>", page.extract_text()) for page in reader.pages]
        runs[workers] = (text, [o.title for o in reader.outline
                         if not isinstance(o, list)], {k: p.read_text() for k, p in figure_paths.items()})  # fmt: skip
    assert runs[2] == runs[1]
    assert "Figure 1." in "\n".join(runs[1][0])
    assert runs[1][2]["rq1_boxplot"].lstrip().startswith("<?xml")


def test_figures_are_drawn_in_process_where_fork_is_not_safe(monkeypatch, tmp_path):
    monkeypatch.setattr(figurebook.sys, "platform", "darwin")
    with figurebook.figure_pool(2) as pool:
        assert pool is None
    tables, manifest = paper_only_inputs(13, tmp_path / "stats", n_boot=50)
    context = render_to(tmp_path, tables, manifest, workers=2)
    assert all(isinstance(item["svg_text"], str) and "<svg" in item["svg_text"] for item in context["figures"].values())


def test_inference_numbers_are_read_from_the_stats_tables(rendered):
    """The intervals and the NLP-against-CV tests in the report are those of the tables the stats steps wrote:
    the resamples and seed they record, and the domain comparison rows as the stats step wrote them."""
    from hubreuse.stats import domains as domain_stats

    context, flat = rendered["context"], re.sub(r"\s+", " ", rendered["text"])
    assert (context["n_boot"], context["seed"]) == (300, 0)
    assert "(300 resamples, seed 0)" in flat
    intervals = read_table(rendered["out"] / "stats" / f"{MEAN_INTERVALS}.csv")
    fe = intervals[(intervals["measure"] == "rq1") & (intervals["task"] == "feature-extraction")].iloc[0]
    row = next(r for r in context["paper"]["rq1"]["rows"] if r["task"] == "feature-extraction")
    assert (row["ci_low"], row["ci_high"]) == (fe["ci_low"], fe["ci_high"])
    # Every NLP-against-CV number is the stats job's, and the R printout is made from its row.
    comparison = read_table(rendered["out"] / "stats" / f"{DOMAIN_COMPARISON}.csv")
    shown = pd.DataFrame(context["domain"]["rows"])
    assert len(shown) == len(comparison) == 9  # three measures x (task level, count model, ranks)
    for column in ("estimate", "ci_low", "ci_high", "p_value"):
        assert shown[column].tolist() == pytest.approx(comparison[column].tolist(), nan_ok=True), column
    item = next(i for i in context["domain"]["items"] if i["key"] == "rq2")
    assert item["summary_text"] == domain_stats.summary_text(comparison, "rq2")
    assert item["summary_text"] in html_lib.unescape(rendered["html"])
    children = next(i for i in context["domain"]["items"] if i["key"] == "children")
    assert not children["available"]  # no children values given: not computed


def test_report_without_the_inference_tables_says_not_computed(tmp_path):
    tables, manifest = paper_only_inputs(14, tmp_path / "stats")
    for name in (MEAN_INTERVALS, DOMAIN_COMPARISON):
        tables[name] = tmp_path / "missing" / f"{name}.csv"
    context = render_to(tmp_path / "out", tables, manifest, workers=1)
    assert (context["n_boot"], context["seed"]) == (None, None)
    assert not any(item["available"] for item in context["domain"]["items"])
    assert all(row["ci_low"] is None for row in context["paper"]["rq1"]["rows"])
    assert "not computed in this run" in context["figures"]["rq1_means"]["caption"]
    assert "not computed in this run" in context["figures"]["domain_rate_ratios"]["caption"]
    assert context["figures"]["rq1_boxplot"]["svg_text"].count("<svg") == 1  # drawn from the values


def test_every_inline_figure_is_titled_with_its_caption(rendered):
    """Alt text of the inline SVGs: each root <svg> starts with a <title> holding the caption shown under it."""
    blocks = re.findall(r'<figure class="fig" id="fig-([^"]+)">\s*(<svg\b.*?</svg>)\s*<figcaption><b>Figure \d+\.</b> '
                        r"(.*?)</figcaption>", rendered["html"], re.DOTALL)  # fmt: skip
    captions = {fig_id: item["caption"] for fig_id, item in rendered["context"]["figures"].items()}
    assert len(blocks) == rendered["html"].count("<svg") == len(captions) == 15
    for fig_id, svg, caption in blocks:
        first = ET.fromstring(svg.encode("utf-8"))[0]
        assert first.tag == "{http://www.w3.org/2000/svg}title", fig_id
        assert first.text and first.text == html_lib.unescape(caption) == captions[fig_id], fig_id


def test_standalone_svgs_carry_the_synthetic_mark_only_in_a_synthetic_run(rendered, tmp_path):
    for fig_id, path in rendered["figure_paths"].items():
        marks = [el for el in ET.parse(path).iter("{http://www.w3.org/2000/svg}text") if el.text == "SYNTHETIC DEMO DATA"]
        assert len(marks) == 1, fig_id
    # The same tables in a run on real data (source dump): no figure file is marked.
    stats = rendered["out"] / "stats"
    tables: dict[str, object] = {MEAN_INTERVALS: stats / f"{MEAN_INTERVALS}.csv",
                                 DOMAIN_COMPARISON: stats / f"{DOMAIN_COMPARISON}.csv"}  # fmt: skip
    for key in ("rq1", "rq2", "rq3"):
        values = pd.read_parquet(stats / f"{key}_values.parquet")
        tables.update({f"{key}_values": values, key: summary_of(values, 100)})
    context = report.report_context(tables, {"source": "dump", "source_label": "dump", "tasks": []}, {})
    assert not context["synthetic"]
    paths = {fig_id: tmp_path / f"{fig_id}.svg" for fig_id in context["figures"]}
    figurebook.write_figure_files(context["figures"], paths)
    assert len(paths) == 15
    for fig_id, path in paths.items():
        text = path.read_text(encoding="utf-8")
        assert "<title>" in text and "SYNTHETIC DEMO DATA" not in text, fig_id
