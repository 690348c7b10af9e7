"""The report's tables on the page, checked on one report rendered from small adversarial tables (long Hub ids,
long verdicts, large numbers, the longest task names): every word inside the page's content box, no text running
out of its table cell, numbered captions, one task order in every per-task table, contents with page numbers,
and table headers kept with at least three rows at a page break."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pypdf
import pytest
import weasyprint
from weasyprint.formatting_structure import boxes

from hubreuse.core.names import MEAN_INTERVALS
from hubreuse.report import render
from hubreuse.report.sections import power_law_parts, task_order

REPO = Path(__file__).resolve().parents[1]
TEMPLATE, CSS = REPO / "report" / "report.html.j2", REPO / "report" / "report.css"
MM = 72 / 25.4  # PDF points per millimetre
# The page (A4) and its margins as report.css sets them: top, right, bottom, left.
PAGE_W, PAGE_H, MARGINS = 210.0, 297.0, (20.0, 15.0, 18.0, 15.0)
# Configured order: not alphabetical, not the paper's, and (below) every value rises along it, so a table sorted
# by value, by name or by the paper's order would differ. The longest task names of the Hub are among them.
TASKS = [("token-classification", "nlp"), ("table-question-answering", "nlp"), ("fill-mask", "nlp"),
         ("unconditional-image-generation", "cv"), ("zero-shot-image-classification", "cv"),
         ("depth-estimation", "cv"), ("image-to-3d", "cv")]  # fmt: skip
NAMES = [t for t, _ in TASKS]
# The widest plausible content of a whole-Hub run (report.css sizes its columns for it): counts, means, sds,
# signed differences, quartiles, intervals, day counts; long ids, an id or error without a break opportunity.
BIG, MEAN, SD, SIGNED, Q1, Q3, CI = 987_654, 12.345, 123.456, -12.345, 12.25, 345.75, (12.34, 123.45)
LONG_ID = "an-organisation-with-a-long-name-0123456789/" + "a-dataset-name-that-goes-on" * 3
UNBROKEN = "x" * 120
LONG_ERROR = "fit failed (" + "overflow" * 20 + ": values too large to fit)"


def per_task(rank: int, domain: str, **columns: object) -> dict[str, object]:
    return {"task": NAMES[rank], "domain": domain, **columns}


def every_task(**columns: object) -> pd.DataFrame:
    """One row per task with the same columns; a column given as a function gets the task's rank."""
    return pd.DataFrame([per_task(r, d, **{k: v(r) if callable(v) else v for k, v in columns.items()})
                         for r, (_, d) in enumerate(TASKS)])  # fmt: skip


def rising(rank: int) -> float:
    """A mean that rises along the configured order, up to MEAN."""
    return MEAN - (len(TASKS) - 1 - rank)


def values(key: str) -> pd.DataFrame:
    """Per-unit values: a few units per task (the figures need them), larger along the configured order."""
    rows = []
    for rank, (task, domain) in enumerate(TASKS):
        for i in range(4 + rank):
            unit = LONG_ID + f"-{rank}-{i}" if key == "rq2" and i == 0 else f"{task}/unit-{i}"
            rows.append((task, domain, unit, 1 + rank + i % 3 + (0 if key != "rq2" else 40 * (i == 0))))
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


def summary() -> pd.DataFrame:
    return every_task(n=BIG, mean=rising, sd=SD, median=Q1, q1=Q1, q3=Q3, min=1, max=BIG, population=BIG,
                      share_declaring=0.999)  # fmt: skip


def concentration(measure: str) -> list[dict[str, object]]:
    return [per_task(rank, domain, measure=measure, n=BIG, total=9.9e6, share_zero=0.5, mean=1.0, mean_lo=0.5,
                     mean_hi=1.5, gini=0.1 + rank / 10, gini_lo=0.05, gini_hi=1.0, hhi=0.5328, hhi_lo=0.0567,
                     hhi_hi=1.0, top1_share=0.999, top1_lo=1.0, top1_hi=1.0, top10_share=0.999, top10_lo=1.0,
                     top10_hi=1.0, n_boot=2000, seed=0)
            for rank, (_, domain) in enumerate(TASKS)]  # fmt: skip


def heavy_tail(measure: str) -> list[dict[str, object]]:
    """Fitted tasks with wide numbers and every verdict, two tasks too small to fit (different counts, one reason)
    and one fit that failed with a long error."""
    verdicts = ["power law", "heavy-tailed (power law and lognormal indistinguishable)", "", "lognormal",
                "exponential (not heavy-tailed)", "", ""]  # fmt: skip
    out = []
    for rank, (_, domain) in enumerate(TASKS):
        row = per_task(rank, domain, measure=measure, n=BIG, n_positive=BIG, n_fit=100_000, subsampled=rank == 3,
                       xmin=1234.0, alpha=MEAN, n_tail=BIG, R_lognormal=-12.34, p_lognormal=1.23e-5,
                       R_exponential=-12.34, p_exponential=0.0123, best_fit=verdicts[rank], verdict=f"best: {verdicts[rank]}",
                       alpha_se=1.234, ks_d=0.123)  # fmt: skip
        if rank in (2, 5):
            row.update(n_positive=20 + rank, xmin=np.nan, alpha=np.nan, alpha_se=np.nan, ks_d=np.nan, n_tail=0,
                       R_lognormal=np.nan, p_lognormal=np.nan, R_exponential=np.nan, p_exponential=np.nan,
                       best_fit="not fitted", verdict=f"too few positive values to fit (n_positive={20 + rank}, "
                       f"distinct={rank}; need >= 50 and >= 3 distinct)")  # fmt: skip
        elif rank == 6:
            row.update(best_fit="not fitted", verdict=LONG_ERROR + UNBROKEN)
        out.append(row)
    return out


def adversarial_tables() -> dict[str, pd.DataFrame]:
    """Every table the report's own (non-figure) parts read, with the widest content a run can give."""
    t: dict[str, pd.DataFrame] = {}
    for key in ("rq1", "rq2", "rq3"):
        t[key] = summary()
    t["rq2_values"] = values(
        "rq2"
    )  # the most reused datasets (long ids); RQ1 and RQ3 figures are left out: time
    t[MEAN_INTERVALS] = pd.concat([every_task(measure=m, n=BIG, mean=rising, ci_low=CI[0], ci_high=CI[1],
                                              n_boot=2000, seed=0)
                                   for m in ("rq1", "rq2", "rq3", "children")], ignore_index=True)  # fmt: skip
    shapes = ("absent", "null", "string", "list", "list_nonstring", "empty_list", "other")
    t["declaration_shapes"] = pd.concat([every_task(key=k, **dict.fromkeys(shapes, BIG))
                                         for k in ("datasets", "base_model")], ignore_index=True)  # fmt: skip
    t["rq1_canonical"] = t["rq2_canonical"] = every_task(n_raw=BIG, mean_raw=MEAN, n_canonical=BIG,
                                                         mean_canonical=lambda r: MEAN + SIGNED * (r % 2))  # fmt: skip
    t["canonicalisation_summary"] = pd.DataFrame({"measure": ["declared_entries", "changed_by_alias"],
                                                  "count": [BIG, BIG], "share_of_string_entries": [1.0, 0.5]})  # fmt: skip
    relations = {f"{k}_children_total": BIG for k in ("finetune", "adapter", "quantized", "merge")}
    t["rq3_children_per_model"] = every_task(n=BIG, mean=rising, sd=SD, max=BIG, share_with_children=0.999,
                                             total_children=BIG, **relations)  # fmt: skip
    t["base_card_tag_disagreement_by_task"] = every_task(n=BIG, n_card=BIG, n_tags=BIG, n_both=BIG, n_differ=BIG,
                                                         n_card_only=BIG, n_tags_only=BIG, share_differ=0.999)  # fmt: skip
    t["coverage"] = every_task(n=BIG, share_declaring_datasets=0.999, share_declaring_base=0.999,
                               rq1_zeros_mean=MEAN, rq1_zeros_sd=SD, rq3_zeros_mean=MEAN, rq3_zeros_sd=SD)  # fmt: skip
    t["domain_measures_distinct"] = pd.DataFrame([{"domain": "nlp", "measure": "children", "counting": "distinct",
                                                   "n": BIG, "mean": MEAN, "sd": SD, "median": Q3, "max": BIG}])  # fmt: skip
    t["task_overlap"] = pd.DataFrame([{"task_a": a, "task_b": b, "intersection": BIG, "jaccard": 0.5}
                                      for a in NAMES for b in NAMES if a < b])  # fmt: skip
    t["concentration"] = pd.DataFrame(concentration("rq2") + concentration("children"))
    t["heavy_tail"] = pd.DataFrame([row for m in ("rq1", "rq2", "rq3", "children") for row in heavy_tail(m)])
    t["lineage_summary"] = pd.DataFrame({"measure": ["nodes", "largest_family"], "value": [BIG, BIG]})
    t["lineage_families"] = pd.DataFrame({"root": [LONG_ID, UNBROKEN], "collected": [True, False],
                                          "n_children": [BIG, 1], "family_size": [BIG, 2],
                                          "family_max_depth": [BIG, 1]})  # fmt: skip
    t["lineage_cycles"] = pd.DataFrame({"cycle_id": [1], "size": [BIG],
                                        "members": [";".join([LONG_ID, UNBROKEN] * 3)]})  # fmt: skip
    t["dataset_time_to_first_reuse_by_task"] = every_task(n_datasets=BIG, n_reused=BIG, n_never_reused=BIG,
                                                          n_reuse_date_unknown=BIG, n_dataset_date_unknown=0,
                                                          days_median=-2345.0, days_q1=-2345.0, days_q3=2345.0,
                                                          n_negative=BIG)  # fmt: skip
    return t


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("layout")
    manifest = {"source": "demo", "source_label": "demo (SYNTHETIC data)", "synthetic": True,
                "started_at": "2026-01-02T03:04:05Z", "finished_at": "2026-01-02T03:09:05Z", "config_digest": "f" * 64,
                "tasks": [{"task": t, "domain": d, "models": BIG * 10, "datasets": BIG} for t, d in TASKS],
                "dumps": [{"dump": f"/data/models-{UNBROKEN}.jsonl.gz", "records": BIG * 10, "duplicates": BIG,
                           "dump_sha256": "f" * 64}]}  # fmt: skip
    render.render_report(adversarial_tables(), manifest, {"source": "demo", "note": UNBROKEN}, TEMPLATE, CSS,
                         out / "report.html", out / "report.pdf")  # fmt: skip
    return {"pdf": out / "report.pdf", "html": (out / "report.html").read_text(encoding="utf-8")}


def pdf_words(pdf: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """(page, word, (x0, y0, x1, y1) in mm) of every word, from poppler's ``pdftotext -bbox-layout``."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    ns = "{http://www.w3.org/1999/xhtml}"
    words = []
    for number, page in enumerate(ET.fromstring(xml.stdout).iter(f"{ns}page"), start=1):
        for word in page.iter(f"{ns}word"):
            box = tuple(float(word.get(k)) / MM for k in ("xMin", "yMin", "xMax", "yMax"))
            words.append((number, word.text or "", box))
    return words


def words_outside(words: list[tuple[int, str, tuple[float, float, float, float]]],
                  tolerance: float = 0.5) -> list[tuple[int, str, tuple[float, ...]]]:  # fmt: skip
    """Words neither inside the content box nor, as the running header and footer, inside the top or bottom
    margin and within the page's width (tolerance in mm)."""
    top, right, bottom, left = MARGINS
    bad = []
    for page, text, (x0, y0, x1, y1) in words:
        in_body = left - tolerance <= x0 and x1 <= PAGE_W - right + tolerance
        in_body = in_body and top - tolerance <= y0 and y1 <= PAGE_H - bottom + tolerance
        in_margin = y1 <= top + tolerance or y0 >= PAGE_H - bottom - tolerance
        in_margin = in_margin and -tolerance <= x0 and x1 <= PAGE_W + tolerance
        if not (in_body or in_margin):
            bad.append((page, text, tuple(round(v, 1) for v in (x0, y0, x1, y1))))
    return bad


def test_the_geometry_check_sees_a_word_outside() -> None:
    """The check itself: a word past the right margin, one below the bottom margin's top in the body, and the
    running header are told apart."""
    words = [(1, "inside", (20.0, 30.0, 40.0, 33.0)), (1, "header", (15.0, 8.0, 80.0, 11.0)),
             (1, "right", (190.0, 30.0, 197.0, 33.0)), (2, "low", (20.0, 277.0, 30.0, 281.0))]  # fmt: skip
    assert [w[1] for w in words_outside(words)] == ["right", "low"]


def test_every_word_is_inside_the_content_box(report: dict[str, object]) -> None:
    words = pdf_words(report["pdf"])
    assert len({page for page, _, _ in words}) >= 8
    assert any(UNBROKEN[:20] in text for _, text, _ in words)  # the adversarial ids are on the pages
    assert words_outside(words) == []


def table_cells_overflowing(html: str, tolerance_px: float = 0.5) -> list[str]:
    """Text of the report's tables that runs out of its cell, and header words broken inside a word (a line of a
    header cell that ends neither at a word's end nor at a hyphen), laid out by WeasyPrint on the report's pages:
    the tables alone, with the report's stylesheet (the same widths, without typesetting the figures)."""
    tables = "".join(re.findall(r"<table\b.*?</table>", html, flags=re.DOTALL))
    document = weasyprint.HTML(string=f'<html lang="en"><head><meta charset="utf-8"><style>{CSS.read_text()}'
                                      f"</style></head><body>{tables}</body></html>").render()  # fmt: skip
    bad = []

    def texts(box: boxes.Box) -> list[boxes.TextBox]:
        if isinstance(box, boxes.TextBox):
            return [box]
        return [t for child in getattr(box, "children", []) for t in texts(child)]

    def lines(box: boxes.Box) -> list[boxes.LineBox]:
        if isinstance(box, boxes.LineBox):
            return [box]
        return [line for child in getattr(box, "children", []) for line in lines(child)]

    def visit(box: boxes.Box) -> None:
        if isinstance(box, boxes.TableCellBox):
            left, right = box.content_box_x(), box.content_box_x() + box.width
            for text in texts(box):
                if (
                    text.position_x < left - tolerance_px
                    or text.position_x + text.width > right + tolerance_px
                ):
                    bad.append(text.text)
            if box.element_tag == "th":
                words = "".join(box.element.itertext()).split()
                for line in lines(box)[:-1]:
                    last = "".join(t.text for t in texts(line)).split()[-1:]
                    if last and last[0] not in words and not last[0].endswith(("-", "\u2010", "\u00ad")):
                        bad.append("broken header: " + " ".join(t.text for t in texts(box)))
            return
        for child in getattr(box, "children", []):
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return bad


def test_no_text_runs_out_of_its_table_cell(report: dict[str, object]) -> None:
    assert table_cells_overflowing(report["html"]) == []


def test_the_cell_check_sees_a_header_too_wide_for_its_column() -> None:
    """Fifteen columns of a fixed-layout table leave "Difference" too little room: it runs into the next column
    when words may not break, and is broken inside the word when they may (the report's stylesheet)."""
    html = ('<table class="tasks"><thead><tr><th class="text">Task</th><th>Difference</th>'
            + "<th>x</th>" * 13 + "</tr></thead><tbody><tr>" + "<td>1</td>" * 15 + "</tr></tbody></table>")  # fmt: skip
    assert "Difference" in table_cells_overflowing(html.replace("<th>", '<th style="overflow-wrap: normal">'))
    assert any(text.startswith("broken header: Diff") for text in table_cells_overflowing(html))


class Tables(HTMLParser):
    """Each <table>: its caption's text, its header cells and the first cell of each body row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, object]] = []
        self.where: list[str] = []
        self.cell: list[str] | None = None
        self.row_start = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "first": []})
        elif tag in ("caption", "thead", "tbody"):
            self.where.append(tag)
        elif tag == "tr" and self.tables:
            self.row_start = True
        elif tag in ("td", "th") and self.tables:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "thead", "tbody") and self.where:
            self.where.pop()
        elif tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            table, part = self.tables[-1], self.where[-1] if self.where else ""
            if part == "thead":
                table["head"].append(text)
            elif self.row_start:
                table["first"].append(text)
            self.row_start, self.cell = False, None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.where and self.where[-1] == "caption":
            self.tables[-1]["caption"] += data


def parsed_tables(html: str) -> list[dict[str, object]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_every_table_has_a_numbered_caption_in_document_order(report: dict[str, object]) -> None:
    tables = parsed_tables(report["html"])
    assert len(tables) >= 20
    for number, table in enumerate(tables, start=1):
        caption = " ".join(table["caption"].split())
        assert caption.startswith(f"Table {number}. "), (number, caption, table["head"][:3])
        assert len(caption) > len(f"Table {number}. ") + 10, caption


def test_every_per_task_table_is_in_the_configured_order(report: dict[str, object]) -> None:
    """A per-task table (one "Task" column, rows named by task) lists its tasks as configured: by domain, then in the
    configuration's order; rows that are not tasks (pooled, totals) are left out of the comparison."""
    checked = 0
    for table in parsed_tables(report["html"]):
        if table["head"].count("Task") != 1:  # task pairs (two Task columns) are not per-task rows
            continue
        shown = [cell.split(" ")[0] for cell in table["first"] if cell.split(" ")[0] in NAMES]
        assert shown == [t for t in NAMES if t in shown], (table["caption"][:60], shown)
        checked += len(shown) == len(NAMES)
    # Records, three RQ tables, shapes (2), canonical, children, card and tags, coverage, concentration (2),
    # power-law fits (4), time to first reuse: 17 of the report's own, besides those of other sections.
    assert checked >= 17


def test_task_order_is_by_domain_then_as_configured() -> None:
    configured = [{"task": "b", "domain": "nlp"}, {"task": "z", "domain": "cv"}, {"task": "a", "domain": "nlp"},
                  {"task": "c", "domain": "cv"}]  # fmt: skip
    table = pd.DataFrame({"task": ["c", "new-cv", "a", "z", "b", "new-nlp"], "domain": ["cv", "cv", "nlp", "cv", "nlp", "nlp"],
                          "mean": [9, 8, 7, 6, 5, 4]})  # fmt: skip
    # Domains in the order the configuration lists them; unlisted tasks after their domain's listed ones.
    assert list(task_order(table, configured)["task"]) == ["b", "a", "new-nlp", "z", "c", "new-cv"]
    assert list(task_order(table, [])["task"]) == [
        "a",
        "b",
        "new-nlp",
        "c",
        "new-cv",
        "z",
    ]  # NLP, CV, table order


def test_power_law_rows_give_a_code_and_each_reason_once() -> None:
    tails = pd.DataFrame(heavy_tail("rq2"))
    (part,) = power_law_parts(tails, [{"task": t, "domain": d} for t, d in TASKS])
    assert [r["task"] for r in part["rows"]] == NAMES
    assert [r["code"] for r in part["rows"]] == ["PL", "HT", "nf", "LN", "Exp", "nf", "nf"]
    # Two rows too small to fit, with their own counts, share one note; the failed fit and the fit to a subsample
    # have their own.
    assert [r["mark"] for r in part["rows"]] == ["", "", "a", "b", "", "a", "c"]
    assert [f["text"] for f in part["footnotes"]] == [
        "Not fitted: too few positive values to fit (need ≥ 50 and ≥ 3 distinct)",
        "Fitted to a seeded random subsample of 100,000 of the positive values.",
        f"Not fitted: {LONG_ERROR}{UNBROKEN}",
    ]


def test_contents_give_the_page_each_section_starts_on(report: dict[str, object]) -> None:
    reader = pypdf.PdfReader(report["pdf"])
    starts = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
              if not isinstance(item, list)}  # fmt: skip
    contents = subprocess.run(["pdftotext", "-f", "1", "-l", "2", "-layout", str(report["pdf"]), "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    entries = re.findall(r"^\s*\d+\.\s+(.+?)\s*\.{3,}\s*(\d+)\s*$", contents, flags=re.MULTILINE)
    assert len(entries) >= 10
    for title, page in entries:
        assert starts.get(title) == int(page), (title, page, starts.get(title))


def table_pages(filler_mm: float) -> tuple[list[int], list[str]]:
    """Body rows per page of a seven-row table after ``filler_mm`` of other content, and each page's text."""
    rows = "".join(f"<tr><td>task-{i} <span class='dom'>NLP</span></td><td>{i}</td></tr>" for i in range(7))
    html = (f"<html><head><style>{CSS.read_text()}</style></head><body>"
            f'<div style="height: {filler_mm}mm"></div><p>A paragraph.</p><h4>A heading</h4>'
            '<table class="tasks"><caption><b>Table 1.</b> A caption.</caption><thead><tr><th class="text">Task</th>'
            f'<th>n</th></tr></thead><tbody>{rows}</tbody></table><p class="small">A note.</p></body></html>')  # fmt: skip

    def body_rows(box: boxes.Box, in_header: bool = False) -> int:
        if isinstance(box, boxes.TableRowGroupBox):
            in_header = box.is_header
        if isinstance(box, boxes.TableRowBox):
            return 0 if in_header else 1
        return sum(body_rows(child, in_header) for child in getattr(box, "children", []))

    def text(box: boxes.Box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text + " "
        return "".join(text(child) for child in getattr(box, "children", []))

    pages = weasyprint.HTML(string=html).render().pages
    return [body_rows(page._page_box) for page in pages], [text(page._page_box) for page in pages]


def test_a_table_never_starts_a_page_bottom_with_fewer_than_three_rows() -> None:
    """The table is pushed down across the bottom of the first page, 2 mm at a time (less than a row): wherever
    the page breaks, the first page holds none of its rows or at least three, the heading and caption stay with
    the first rows, and neither the last row nor the note under the table is left alone."""
    seen = set()
    for filler in np.arange(176.0, 226.0, 2.0):
        counts, texts = table_pages(float(filler))
        assert sum(counts) == 7 and len(counts) <= 2, (filler, counts)
        assert counts[0] in (0, 3, 4, 5, 7), (filler, counts)  # not 1 or 2 rows under the header, not 6 and 1
        first = next(i for i, n in enumerate(counts) if n)
        assert "A heading" in texts[first] and "A caption." in texts[first], (filler, texts)
        assert "A note." in texts[-1] and counts[-1], (filler, counts)
        seen.add(counts[0])
    assert {0, 3, 7} <= seen  # the sweep crossed the break: all, some, none of the rows on the first page
