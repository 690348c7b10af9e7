"""Render the findings report: jinja2 HTML with autoescaping, and a PDF through weasyprint.

Why this shape: the report is what users read and attach to a paper, so every number in it is computed here from
the pipeline's tables (nothing typed by hand), every section says when its input was not computed in a run, and
the same HTML (figures as inline SVG) becomes the PDF. Everything from the Hub is untrusted text: templates
autoescape, figures escape their labels, and the PDF renderer may only read the report's own local files.

Inputs are a mapping name -> table (a path to CSV/Parquet, a DataFrame, or None when not computed):
``rq1``..``rq3`` (summary tables), ``rq1_values``..``rq3_values``, ``declaration_shapes``, and the beyond-paper
tables named by their file stem (``coverage``, ``concentration``, ``lorenz``, ``children_values``, ...).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import numbers
import os
import platform
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
import yaml
from markupsafe import Markup

from hubreuse.core.io import atomic_path
from hubreuse.core.names import FIGURE_IDS
from hubreuse.report import replication
from hubreuse.report.palette import DOMAIN_COLOURS
from hubreuse.stats import inference

log = logging.getLogger(__name__)

TITLE = "Reuse of datasets and models on the Hugging Face Hub"
SOFTWARE = ("hubreuse", "snakemake", "huggingface_hub", "pandas", "pyarrow", "numpy", "scipy", "statsmodels",
            "matplotlib", "powerlaw", "jinja2", "weasyprint")  # fmt: skip
NOT_COMPUTED = "not computed in this run"
# Figures the report writes as standalone SVG files too (registered with Snakemake's report()).
PAPER_FILES = {"rq1_datasets_per_model": "rq1", "rq2_models_per_dataset": "rq2", "rq3_base_models_per_model": "rq3"}
SECRET_KEY = re.compile(r"token|secret|password|passwd|auth|key$", re.IGNORECASE)


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    short: str
    unit: str
    value_label: str
    share_label: str
    definition: str


MEASURES = {
    "rq1": Measure(
        "rq1", "RQ1: datasets declared per model", "datasets per model", "model", "datasets declared per model",
        "Share declaring",
        "Over the models of L_M(T) (models whose tags contain task T) that declare datasets, the number of "
        "entries of cardData.datasets (a string counts as one entry; a non-empty list counts every entry, null "
        "and non-string entries too). Models that declare nothing are left out, as in the paper. Share declaring "
        "= n / |L_M(T)|.",
    ),
    "rq2": Measure(
        "rq2", "RQ2: models declaring each dataset", "models per dataset", "dataset", "models declaring the dataset",
        "Share reused",
        "Over all datasets d of L_D(T) (datasets tagged task_categories:T), zeros included: the number of models "
        "of L_M(T) whose declared datasets contain a string exactly equal to d's id (case-sensitive). Share "
        "reused = datasets declared by at least one model / |L_D(T)|.",
    ),
    "rq3": Measure(
        "rq3", "RQ3: base models declared per model", "base models per model", "model",
        "base models declared per model", "Share declaring",
        "As RQ1, for cardData.base_model: over the models of L_M(T) that declare a base model, the number of "
        "declared entries. As the paper's notes say, this is the number of base models each model declares, not "
        "how often a model is reused as a base (see 'Reuse as a base' for that).",
    ),
}
# Per-task concentration tables for the measures of reuse (how concentrated reuse of datasets and of models
# is); the Lorenz curves and tail verdicts cover every measure, the CSV has all per-task values.
CONCENTRATION_TABLES = ("rq2", "children")
CONCENTRATION_TITLES = {"rq1": "RQ1 datasets per model", "rq2": "RQ2 models per dataset",
                        "rq3": "RQ3 base models per model", "children": "children per model"}  # fmt: skip


# --------------------------------------------------------------------------------------------- formatting


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(float(value))


def fmt_number(value: Any, digits: int = 4) -> str:
    """Numbers as a reader expects them in a table; undefined values as an en dash."""
    if _missing(value):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        if math.isinf(float(value)):
            return "∞" if value > 0 else "−∞"
        return f"{float(value):,.{digits}f}"
    return str(value)


def fmt_stat(value: Any, digits: int = 2) -> str:
    """Quantiles and maxima: whole numbers without decimals, others with ``digits``."""
    if not _missing(value) and isinstance(value, numbers.Real) and float(value).is_integer():
        return f"{int(value):,}"
    return fmt_number(value, digits)


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{100.0 * float(value):.{digits}f}%"


def fmt_ci(lo: Any, hi: Any, digits: int = 3) -> str:
    if _missing(lo) or _missing(hi):
        return "–"
    return f"[{fmt_number(float(lo), digits)}, {fmt_number(float(hi), digits)}]"


def fmt_signed(value: Any, digits: int = 4) -> str:
    if _missing(value):
        return "–"
    return ("+" if float(value) > 0 else "") + fmt_number(float(value), digits).replace("-", "−")


def template_environment(template_dir: str | os.PathLike[str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=fmt_number, stat=fmt_stat, pct=fmt_pct, ci=fmt_ci, signed=fmt_signed,
                       pval=inference.format_pvalue)  # fmt: skip
    return env


# --------------------------------------------------------------------------------------------- inputs


def read_table(source: str | os.PathLike[str] | pd.DataFrame | None,
               columns: list[str] | None = None) -> pd.DataFrame | None:  # fmt: skip
    """A table (only ``columns`` when given) from a DataFrame or a CSV/Parquet path; None when not given or the
    file does not exist.

    CSV cells are read as written (``NA``, ``null`` or ``None`` as an id stay strings); only empty cells are
    missing values.
    """
    if source is None or isinstance(source, pd.DataFrame):
        return source if source is None or columns is None else source[columns]
    path = Path(source)
    if not path.exists():
        return None
    if path.suffix == ".parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, keep_default_na=False, na_values=[""], usecols=columns)


def load_inputs(sources: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """All given tables by name (file stems of the paper tables mapped to rq1..rq3); absent ones left out."""
    tables = {}
    for name, source in sources.items():
        table = read_table(source)
        if table is not None:
            tables[PAPER_FILES.get(name, name)] = table.drop(columns=["source"], errors="ignore")
    return tables


def rows(table: pd.DataFrame | None) -> list[dict[str, Any]]:
    """DataFrame rows as dicts with missing values turned into None, ready for the template."""
    if table is None:
        return []
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def table_rows(table: pd.DataFrame) -> list[dict[str, Any]]:  # kept for callers of the minimal report
    return rows(table)


def redact(config: Any) -> Any:
    """The effective config for display: values of keys that look like credentials replaced."""
    if isinstance(config, Mapping):
        return {k: ("[redacted]" if SECRET_KEY.search(str(k)) and v else redact(v)) for k, v in config.items()}
    if isinstance(config, list | tuple):
        return [redact(v) for v in config]
    return config


# --------------------------------------------------------------------------------------------- figures


class FigureBook:
    """Figures in document order: number, caption, inline SVG; standalone SVG text kept for the files.

    A figure is added as a function that draws it. With a process pool the drawing starts at once in a worker
    while the report goes on building its other parts; :func:`finish_figures` collects the SVG text. Why: drawing the
    figures is a third of the report's work outside PDF typesetting, and the report is the workflow's last job,
    so a second core would otherwise stay idle.
    """

    def __init__(self, pool: Executor | None = None) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.pool = pool

    def add(self, fig_id: str, draw: Callable[[], str], caption: str) -> dict[str, Any]:
        svg_text = self.pool.submit(draw) if self.pool is not None else draw()
        item = {"id": fig_id, "number": len(self.items) + 1, "caption": caption, "svg_text": svg_text, "svg": None}
        self.items[fig_id] = item
        return item

    def absent(self, fig_id: str, caption: str, message: str = NOT_COMPUTED) -> dict[str, Any]:
        return self.add(fig_id, drawing("placeholder", fig_id, message), caption + f" ({message})")

    def extend(self, other: FigureBook) -> None:
        """Append ``other``'s figures, renumbered after this book's (the same items, so sections that hold them
        show the new numbers): sections can then be built in any order and numbered in document order."""
        for item in other.items.values():
            item["number"] = len(self.items) + 1
            self.items[item["id"]] = item


def drawing(name: str, *args: Any) -> Callable[[], str]:
    """The figure function ``hubreuse.figures.<name>`` bound to its arguments, for :meth:`FigureBook.add`.

    By name, so matplotlib (over a second to import) loads only in the process that draws: the figure workers,
    not the report's own process, which meanwhile builds the tables and typesets the PDF.
    """
    return partial(draw_figure, name, *args)


def draw_figure(name: str, *args: Any) -> str:
    from hubreuse.report import figures

    return getattr(figures, name)(*args)


def inline_svg(svg: str) -> str:
    """Standalone SVG text without its XML prolog, for inlining in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def figure_svg(item: dict[str, Any]) -> str:
    """A figure's SVG text, waiting for its worker if it is still being drawn."""
    if isinstance(item["svg_text"], Future):
        item["svg_text"] = item["svg_text"].result()
    return item["svg_text"]


def finish_figures(items: Mapping[str, dict[str, Any]]) -> None:
    """Wait for every figure and set its inline SVG markup (a drawing error is raised here)."""
    for item in items.values():
        item["svg"] = Markup(inline_svg(figure_svg(item)))  # matplotlib output, labels escaped


@contextmanager
def figure_pool(workers: int) -> Iterator[Executor | None]:
    """Worker processes for drawing figures and fitting the domain tests (none when ``workers`` is 1).

    Forked: a worker starts without re-running the job's script and draws from the pickled arguments of each
    figure.
    """
    if workers <= 1 or not sys.platform.startswith("linux"):
        # Only fork starts workers without re-running the job's script in each, and macOS and Windows either
        # lack it or call it unsafe: there the figures are drawn one by one in the report's own process.
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def _order(summary: pd.DataFrame) -> pd.DataFrame:
    """NLP first then CV; within a domain by mean, largest first; empty tasks last."""
    dom = summary["domain"].map({"nlp": 0, "cv": 1}).fillna(2)
    return (summary.assign(_d=dom, _m=summary["mean"].fillna(-np.inf))
            .sort_values(["_d", "_m"], ascending=[True, False], kind="stable").drop(columns=["_d", "_m"]))  # fmt: skip


def _domain_rows(values: pd.DataFrame, summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Pooled per-domain rows (units stacked over tasks, as the paper pooled them)."""
    out = []
    for domain in ("nlp", "cv"):
        v = values.loc[values["domain"] == domain, "value"].to_numpy(dtype=float)
        s = summary[summary["domain"] == domain]
        pop = s["population"].sum()
        declared = (s["share_declaring"].fillna(0) * s["population"]).sum()
        row = {"task": f"All {domain.upper()} tasks (pooled)", "domain": domain, "n": len(v),
               "population": int(pop), "share_declaring": declared / pop if pop else None}  # fmt: skip
        if len(v):
            q1, med, q3 = np.percentile(v, [25, 50, 75])
            row.update(mean=v.mean(), sd=v.std(ddof=1) if len(v) > 1 else None, median=med, q1=q1, q3=q3,
                       max=v.max())  # fmt: skip
        else:
            row.update(mean=None, sd=None, median=None, q1=None, q3=None, max=None)
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------- sections


def paper_sections(tables: Mapping[str, pd.DataFrame], book: FigureBook, n_boot: int, seed: int) -> dict[str, Any]:
    sections = {}
    for key, measure in MEASURES.items():
        summary = tables.get(key)
        values = tables.get(f"{key}_values")
        section: dict[str, Any] = {"key": key, "measure": measure, "available": summary is not None}
        if summary is None:
            sections[key] = section
            continue
        ordered = _order(summary)
        domains = dict(zip(summary["task"], summary["domain"], strict=True))
        if values is not None:
            ci = inference.bootstrap_means(values, order=list(ordered["task"]), n_resamples=n_boot, seed=seed)
            ordered = ordered.merge(ci[["task", "ci_lo", "ci_hi"]], on="task", how="left")
            section["domain_rows"] = _domain_rows(values, summary)
            box = drawing("task_boxplots", values, list(ordered["task"]), domains, f"{key}_boxplot",
                                        measure.value_label.capitalize())  # fmt: skip
            section["boxplot"] = book.add(f"{key}_boxplot", box, f"{measure.title}: distribution per task "
                                          "(box = quartiles, line = median, whiskers = 1.5 IQR, dots = outlying "
                                          "values, each distinct value drawn once).")  # fmt: skip
            by_mean = ci.assign(_m=ci["mean"].fillna(-np.inf)).sort_values("_m", ascending=False, kind="stable")
            means = drawing("mean_ci_plot", by_mean, f"{key}_means", f"Mean {measure.value_label}")
            section["means"] = book.add(f"{key}_means", means, f"{measure.title}: mean per task with 95% "
                                        f"percentile bootstrap interval ({n_boot:,} resamples, seed {seed}), "
                                        "largest first.")  # fmt: skip
            section["ci"] = ci
        else:
            ordered = ordered.assign(ci_lo=np.nan, ci_hi=np.nan)
            section["domain_rows"] = []
            section["boxplot"] = book.absent(f"{key}_boxplot", f"{measure.title}: boxplots")
            section["means"] = book.absent(f"{key}_means", f"{measure.title}: means with 95% intervals")
        section["rows"] = rows(ordered)
        section["empty_tasks"] = list(summary.loc[summary["n"] == 0, "task"])
        sections[key] = section
    return sections


def top_datasets(values: pd.DataFrame | None, k: int = 10) -> pd.DataFrame | None:
    """The (dataset, task) pairs with the most declaring models of the task."""
    if values is None:
        return None
    top = values[values["value"] > 0].sort_values(["value", "unit_id"], ascending=[False, True], kind="stable")
    return top.head(k)[["unit_id", "task", "domain", "value"]].reset_index(drop=True)


def top_base_models(children: pd.DataFrame | None, k: int = 10) -> pd.DataFrame | None:
    """Models with the most direct children (a model in several tasks is counted once)."""
    if children is None:
        return None
    # Only positive rows can make the list; filtering first leaves the de-duplication a few rows.
    positive = children[children["value"] > 0]
    distinct = positive.sort_values("value", ascending=False, kind="stable").drop_duplicates("unit_id")
    top = distinct.sort_values(["value", "unit_id"], ascending=[False, True], kind="stable").head(k)
    return top[["unit_id", "task", "domain", "value"]].reset_index(drop=True)


def domain_tests(measures: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """NB GLM and Mann-Whitney per (key, label, values) measure; values (a table or its path, as in
    :func:`read_table`) need only domain and value."""
    items = []
    for key, label, source in measures:
        values = read_table(source, columns=["domain", "value"])
        if values is None:
            items.append({"key": key, "label": label, "available": False})
            continue
        fit = inference.nb_glm(values, key)
        rank = inference.mann_whitney(values, key)
        items.append({"key": key, "label": label, "available": True, "fit": fit, "rank": rank,
                      "summary_text": inference.format_r_summary(fit),
                      "rr": fit.coefficients[1] if fit.ok else None})  # fmt: skip
    return {"items": items}


def domain_section(sources: Mapping[str, Any], pool: Executor | None = None) -> dict[str, Any] | Future:
    """NB GLM and Mann-Whitney per measure (children per model too, when computed), from the values tables of
    ``sources`` (see :func:`load_inputs`).

    Given a pool, the tests run in a worker that reads the values itself: fitting needs statsmodels, the
    slowest import of the report (about 2 s), so they start first and the report's own process loads and
    builds the other sections meanwhile.
    """
    measures = [(key, MEASURES[key].short, sources.get(f"{key}_values")) for key in MEASURES]
    measures.append(("children", "children per model", sources.get("children_values")))
    return pool.submit(domain_tests, measures) if pool is not None else domain_tests(measures)


def quality_section(tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any],
                    paper: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    shapes = tables.get("declaration_shapes")
    by_key = {}
    shape_cols = ["absent", "null", "string", "list", "list_nonstring", "empty_list", "other"]
    if shapes is not None:
        for key in ("datasets", "base_model"):
            sub = shapes[shapes["key"] == key]
            total = {"task": "Total", "domain": "", **{c: int(sub[c].sum()) for c in shape_cols if c in sub}}
            by_key[key] = {"rows": rows(sub), "total": total}
    dumps = [{"name": Path(str(d.get("dump", ""))).name or str(d.get("dump", "")), "records": d.get("records"),
              "duplicates": d.get("duplicates"), "sha256": str(d.get("dump_sha256", ""))[:16]}
             for d in manifest.get("dumps", []) or []]  # fmt: skip
    listing_tasks = manifest.get("tasks", []) or []
    empty_listings = [t for t in listing_tasks if not t.get("models") or not t.get("datasets")]
    empty_measures = {key: s.get("empty_tasks", []) for key, s in paper.items() if s.get("available")}
    return {"shapes": by_key, "shape_cols": shape_cols, "dumps": dumps, "empty_listings": empty_listings,
            "empty_measures": empty_measures}  # fmt: skip


def beyond_section(tables: Mapping[str, pd.DataFrame], book: FigureBook, n_boot: int, seed: int) -> dict[str, Any]:
    """The issue-5 measures; every part says when its table was not computed in this run."""
    t = tables.get
    out: dict[str, Any] = {}
    # Canonical ids: RQ1 and RQ2, raw beside canonical, one row per task.
    rq1c, rq2c = t("rq1_canonical"), t("rq2_canonical")
    cols = ["n_raw", "mean_raw", "n_canonical", "mean_canonical"]
    canon_rows = None
    if rq1c is not None or rq2c is not None:
        base = rq1c if rq1c is not None else rq2c
        merged = base[["task", "domain"]].copy()
        for key, table in (("rq1", rq1c), ("rq2", rq2c)):
            if table is not None:
                part = table[["task", *cols]].rename(columns={c: f"{key}_{c}" for c in cols})
                merged = merged.merge(part, on="task", how="left")
                merged[f"{key}_diff"] = merged[f"{key}_mean_canonical"] - merged[f"{key}_mean_raw"]
            else:
                for c in [*cols, "diff"]:
                    merged[f"{key}_{c}"] = np.nan
        canon_rows = rows(merged)
    summ = t("canonicalisation_summary")
    out["canonical"] = {"rows": canon_rows, "summary": rows(summ) if summ is not None else None}
    # Reuse as a base.
    children = t("rq3_children_per_model")
    child_values = t("children_values")
    if child_values is not None:
        ci = inference.bootstrap_means(child_values, n_resamples=n_boot, seed=seed)
        ci = ci.assign(_m=ci["mean"].fillna(-np.inf)).sort_values("_m", ascending=False, kind="stable")
        fig = book.add("children_means", drawing("mean_ci_plot", ci, "children_means", "Mean children per model"),
                       "Children per model (models of the population naming the model as a base), mean per task "
                       "with 95% bootstrap interval.")  # fmt: skip
    else:
        fig = book.absent("children_means", "Children per model: means with 95% intervals")
    disagreement = t("base_card_tag_disagreement_by_task")
    out["base"] = {"children": rows(_order(children)) if children is not None else None, "figure": fig,
                   "disagreement": rows(disagreement) if disagreement is not None else None}  # fmt: skip
    # Coverage.
    coverage, distinct, overlap = t("coverage"), t("domain_measures_distinct"), t("task_overlap")
    top_overlap = None
    if overlap is not None:
        off = overlap[overlap["task_a"] < overlap["task_b"]]
        top_overlap = rows(off.sort_values(["jaccard", "task_a"], ascending=[False, True]).head(12))
    out["coverage"] = {"coverage": rows(coverage) if coverage is not None else None,
                       "distinct": rows(distinct) if distinct is not None else None, "overlap": top_overlap}  # fmt: skip
    # Concentration.
    conc, tails, lorenz = t("concentration"), t("heavy_tail"), t("lorenz")
    conc_parts = []
    if conc is not None:
        merged = conc
        if tails is not None and "best_fit" in tails:
            merged = conc.merge(tails[["task", "measure", "best_fit", "alpha", "xmin"]], on=["task", "measure"],
                                how="left")  # fmt: skip
        for measure, title in CONCENTRATION_TITLES.items():
            if measure not in CONCENTRATION_TABLES:
                continue
            sub = merged[merged["measure"] == measure]
            if len(sub):
                conc_parts.append({"measure": measure, "title": title, "rows": rows(sub.sort_values(
                    ["domain", "gini"], ascending=[False, False]))})  # fmt: skip
    verdicts = None
    if tails is not None and "best_fit" in tails:
        verdicts = rows(tails.groupby(["measure", "best_fit"]).size().rename("tasks").reset_index())
    if lorenz is not None:
        lorenz = lorenz.rename(columns={"population_share": "x", "value_share": "y"})
        lz = book.add("lorenz", drawing("lorenz_panels", lorenz, "lorenz", CONCENTRATION_TITLES),
                      "Lorenz curves per task (blue NLP, orange CV); the further below the diagonal, the more of "
                      "the total is held by few units.")  # fmt: skip
    else:
        lz = book.absent("lorenz", "Lorenz curves")
    out["concentration"] = {"parts": conc_parts if conc is not None else None, "verdicts": verdicts,
                            "lorenz": lz, "n_boot": int(conc["n_boot"].iloc[0]) if conc is not None and len(conc)
                            and "n_boot" in conc else None}  # fmt: skip
    # Lineage.
    summary, depth, families, cycles = t("lineage_summary"), t("lineage_depth"), t("lineage_families"), t("lineage_cycles")
    if depth is not None:
        dfig = book.add("lineage_depth", drawing("depth_bars", depth, "lineage_depth"),
                        "Lineage graph: nodes per depth (0 = roots; log scale).")
    else:
        dfig = book.absent("lineage_depth", "Lineage depth")
    out["lineage"] = {"summary": rows(summary) if summary is not None else None,
                      "depth": rows(depth) if depth is not None else None, "figure": dfig,
                      "families": rows(families.head(15)) if families is not None else None,
                      "cycles": rows(cycles.head(15)) if cycles is not None else None,
                      "n_cycles": len(cycles) if cycles is not None else 0}  # fmt: skip
    # Time.
    months, first = t("declarations_by_month"), t("dataset_time_to_first_reuse_by_task")
    if months is not None:
        overall = months[months["domain"] == "all"]
        mfig = book.add("declarations_by_month", drawing("month_lines", overall, "declarations_by_month"),
                        "Share of each month's new models (all tasks, distinct models) that declare datasets or a "
                        "base model; grey bars: models created that month.")  # fmt: skip
    else:
        mfig = book.absent("declarations_by_month", "Declarations by creation month")
    out["time"] = {"figure": mfig, "first_reuse": rows(first) if first is not None else None}
    return out


# --------------------------------------------------------------------------------------------- findings


def _fmt(v: float, digits: int = 2) -> str:
    return fmt_number(float(v), digits)


def findings(paper: Mapping[str, Any], domain: Mapping[str, Any], comparison: pd.DataFrame,
             tables: Mapping[str, pd.DataFrame], book: FigureBook, synthetic: bool) -> list[dict[str, Any]]:  # fmt: skip
    """Short sentences generated from the numbers, each with the figure that shows it (in document order)."""
    out = []
    # 1. Diversity of training data (RQ1).
    rq1 = paper["rq1"]
    if rq1.get("ci") is not None and rq1["ci"]["mean"].notna().any():
        ci = rq1["ci"].dropna(subset=["mean"]).sort_values("mean", ascending=False)
        first, rest, last = ci.iloc[0], ci.iloc[1:3], ci.iloc[-1]
        text = (f"Models of {first['task']} declare the most datasets per model (mean {_fmt(first['mean'])}, 95% CI "
                f"{_fmt(first['ci_lo'])}–{_fmt(first['ci_hi'])}, n = {int(first['n']):,})")
        if len(rest):
            text += ", followed by " + " and ".join(f"{r['task']} ({_fmt(r['mean'])})" for _, r in rest.iterrows())
        text += f"; the fewest are declared in {last['task']} ({_fmt(last['mean'])})."
        top = ci.head(10)
        fig = book.add("summary_diversity", drawing("mean_ci_plot", top, "summary_diversity", "Mean datasets per model"),
                       "The ten tasks whose models declare the most datasets (RQ1), means with 95% bootstrap "
                       "intervals.")  # fmt: skip
    else:
        text = f"Datasets declared per model (RQ1): {NOT_COMPUTED}."
        fig = book.absent("summary_diversity", "Most diverse training data")
    out.append({"title": "Diversity of training data", "text": text, "figure": fig})
    # 2. Most reused datasets (RQ2).
    top = top_datasets(tables.get("rq2_values"))
    summary2 = tables.get("rq2")
    if top is not None and len(top):
        best = top.iloc[0]
        text = (f"The most reused dataset is {best['unit_id']}, declared by {int(best['value']):,} models of "
                f"{best['task']}.")
        if summary2 is not None and summary2["population"].sum() > 0:
            unused = 1 - (summary2["share_declaring"].fillna(0) * summary2["population"]).sum() / summary2["population"].sum()
            text += f" Across tasks, {fmt_pct(unused)} of the listed datasets are declared by no model of their task."
        labels = [f"{u} ({t})" for u, t in zip(top["unit_id"], top["task"], strict=True)]
        colours = [DOMAIN_COLOURS.get(d, "#444") for d in top["domain"]]
        fig = book.add("top_datasets", drawing("top_bar", labels, list(top["value"]), "top_datasets",
                                                       "models of the task declaring the dataset", colours),
                       "The most reused datasets (RQ2): models of the task whose card declares the dataset's id.")
    else:
        text = f"Reuse of datasets (RQ2): {NOT_COMPUTED}." if top is None else "No dataset is declared by any model."
        fig = book.absent("top_datasets", "Most reused datasets", NOT_COMPUTED if top is None else "no reuse")
    out.append({"title": "Most reused datasets", "text": text, "figure": fig})
    # 3. Most reused base models (children per model).
    topb = top_base_models(tables.get("children_values"))
    if topb is not None and len(topb):
        best = topb.iloc[0]
        cv = tables["children_values"]  # a model's count is the same in each of its tasks
        based_on = cv.loc[cv["value"] > 0, "unit_id"].nunique() / cv["unit_id"].nunique()
        text = (f"The most reused base model is {best['unit_id']}, named as base by {int(best['value']):,} models; "
                f"{fmt_pct(based_on)} of the listed models are the base of at least one other.")
        labels, vals = list(topb["unit_id"]), list(topb["value"])
        colours = [DOMAIN_COLOURS.get(d, "#444") for d in topb["domain"]]
        fig = book.add("top_base_models", drawing("top_bar", labels, vals, "top_base_models",
                                                          "models naming it as base model", colours),
                       "The most reused base models: distinct models whose card names the model as base_model.")
    else:
        text = "Reuse of models as a base (children per model): " + NOT_COMPUTED + "."
        r3 = paper["rq3"]
        if r3.get("domain_rows"):
            parts = [f"{r['task'].split()[1]} {_fmt(r['mean'])}" for r in r3["domain_rows"] if r["mean"] is not None]
            text += " Models that declare a base model declare on average " + ", ".join(parts) + " base models."
        fig = book.absent("top_base_models", "Most reused base models")
    out.append({"title": "Most reused base models", "text": text, "figure": fig})
    # 4. NLP vs CV.
    parts, forest = [], []
    for item in domain["items"]:
        if not item["available"] or item["rr"] is None:
            continue
        rr, rank = item["rr"], item["rank"]
        direction = "higher" if rr.rate_ratio > 1 else "lower"
        parts.append(f"{item['label']}: the NLP mean is {rr.rate_ratio:.2f} times the CV mean ({direction}; 95% CI "
                     f"{rr.rr_lo:.2f}–{rr.rr_hi:.2f}, NB GLM p {_p_text(rr.p)}, Mann-Whitney p {_p_text(rank.p)})")
        forest.append({"label": item["label"], "rr": rr.rate_ratio, "lo": rr.rr_lo, "hi": rr.rr_hi})
    if forest:
        text = "NLP against CV. " + "; ".join(parts) + "."
        fig = book.add("domain_rate_ratios", drawing("forest_plot", pd.DataFrame(forest), "domain_rate_ratios",
                                                                 "rate ratio NLP / CV (log scale)"),
                       "NLP against CV: rate ratios (NLP mean / CV mean) from the negative binomial GLMs, with 95% "
                       "Wald intervals; right of the dashed line NLP is higher.")  # fmt: skip
    else:
        text = f"NLP against CV: {NOT_COMPUTED}."
        fig = book.absent("domain_rate_ratios", "NLP against CV")
    out.append({"title": "NLP and CV differ", "text": text, "figure": fig})
    # 5. Replication.
    comp = comparison.dropna(subset=["published_mean", "reproduced_mean"])
    if len(comp):
        rel = comp["rel_diff_mean"].abs()
        within = int((rel <= 0.10).sum())
        text = (f"Of {len(comp)} published means with a reproduced neighbour, {within} are within 10% of this run's "
                f"(median absolute relative difference {fmt_pct(rel.median())}).")
        if synthetic:
            text += " This run uses synthetic demo data, so differences are expected and say nothing about the study."
        fig = book.add("replication", drawing("replication_scatter", comparison, "replication"),
                       "Published means (Park & Yoon 2025) against this run's; dashed line = equal.")
    else:
        text = f"Replication: {NOT_COMPUTED}."
        fig = book.absent("replication", "Replication")
    out.append({"title": "Replication", "text": text, "figure": fig})
    return out


def _p_text(p: float) -> str:
    s = inference.format_pvalue(p)
    return s if s.startswith("<") else f"= {s}"


# --------------------------------------------------------------------------------------------- assembly


def build_context(sources: Mapping[str, Any], manifest: Mapping[str, Any], config: Mapping[str, Any],
                  n_boot: int = 2000, seed: int = 0, published: pd.DataFrame | None = None,
                  workers: int = 1) -> dict[str, Any]:  # fmt: skip
    """Everything the template shows, computed from the tables (figures drawn by ``workers`` processes)."""
    with figure_pool(workers) as pool:
        context = collect_context(sources, manifest, config, n_boot, seed, published, pool)
        log.info("report context built")
        finish_figures(context["figures"])
    return context


def collect_context(sources: Mapping[str, Any], manifest: Mapping[str, Any], config: Mapping[str, Any],
                    n_boot: int = 2000, seed: int = 0, published: pd.DataFrame | None = None,
                    pool: Executor | None = None) -> dict[str, Any]:  # fmt: skip
    """As :func:`build_context`, but figures given to ``pool`` may still be drawing (see :func:`figure_svg`)."""
    domain = domain_section(sources, pool)
    tables = load_inputs(sources)
    synthetic = bool(manifest.get("synthetic")) or manifest.get("source") == "demo"
    published = replication.load_published() if published is None else published
    comparison = replication.compare(published, {k: tables.get(k) for k in MEASURES})
    # The summary needs the domain tests, which fit in a worker meanwhile: the sections after it are built
    # first, each in its own book, and the books are numbered in document order at the end.
    book, paper_book, beyond_book = FigureBook(pool), FigureBook(pool), FigureBook(pool)
    paper = paper_sections(tables, paper_book, n_boot, seed)
    beyond = beyond_section(tables, beyond_book, n_boot, seed)
    quality = quality_section(tables, manifest, paper)
    domain = domain.result() if isinstance(domain, Future) else domain
    found = findings(paper, domain, comparison, tables, book, synthetic)
    book.extend(paper_book)
    book.extend(beyond_book)
    rep_groups = [{"rq": rq, "title": MEASURES[rq].title, "rows": rows(comparison[comparison["rq"] == rq])}
                  for rq in MEASURES]  # fmt: skip
    effective = redact(dict(config) if config else dict(manifest.get("config", {}) or {}))
    return {
        "title": TITLE,
        "synthetic": synthetic,
        "manifest": manifest,
        "source_label": manifest.get("source_label") or manifest.get("source", "unknown"),
        "config_digest": manifest.get("config_digest", ""),
        "config_yaml": yaml.safe_dump(effective, sort_keys=False, allow_unicode=True, width=100),
        "software": software_versions(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "measures": MEASURES,
        "findings": found,
        "paper": paper,
        "domain": domain,
        "replication": {"groups": rep_groups, "citation": replication.CITATION, "notes": replication.STUDY_NOTES},
        "quality": quality,
        "beyond": beyond,
        "top_datasets": rows(top_datasets(tables.get("rq2_values"))) if "rq2_values" in tables else None,
        "figures": book.items,
        "n_boot": n_boot,
        "seed": seed,
        "signif_legend": inference.SIGNIF_LEGEND,
        "not_computed": NOT_COMPUTED,
        "tasks_total": {d: sum(1 for t in manifest.get("tasks", []) if t.get("domain") == d) for d in ("nlp", "cv")},
    }


def render_html(context: Mapping[str, Any], template: str | os.PathLike[str], css: str | os.PathLike[str]) -> str:
    template = Path(template)
    env = template_environment(template.parent)
    # The stylesheet is the project's own file (trusted): inserted as is, since a <style> element does not
    # decode entities and escaping would break its quoted strings.
    style = Markup(Path(css).read_text(encoding="utf-8"))
    return env.get_template(template.name).render(**context, css=style)


def render_report(
    sources: Mapping[str, Any],
    manifest: Mapping[str, Any],
    config: Mapping[str, Any],
    template: str | os.PathLike[str],
    css: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    figure_paths: Mapping[str, str | os.PathLike[str]] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    published: pd.DataFrame | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Render the report to HTML and PDF (and each figure to its own SVG file when asked); returns the context."""
    unknown = set(figure_paths or {}) - set(FIGURE_IDS)
    if unknown:
        raise ValueError(f"unknown figure id(s): {', '.join(sorted(unknown))}")
    with figure_pool(workers) as pool:
        context = collect_context(sources, manifest, config, n_boot, seed, published, pool)
        log.info("report context built")
        from hubreuse.report.pdf import (  # weasyprint loads once the figures are drawing
            FIGURE_SCHEME,
            write_pdf,
        )

        # The PDF is typeset while figures are still drawing: its HTML names each figure by a URL that the
        # renderer fetches (and waits for) only when it builds that image's box, after parsing and styling
        # the whole document.
        figures = context["figures"]
        for fig_id, item in figures.items():
            item["svg"] = Markup(f'<img class="svg" alt="figure" src="{FIGURE_SCHEME}:{fig_id}">')
        pdf_html = render_html(context, template, css)
        write_pdf(pdf_html, pdf_path, Path(html_path).parent, [Path(template).parent, Path(html_path).parent],
                  figures={fig_id: partial(figure_svg, item) for fig_id, item in figures.items()})  # fmt: skip
        log.info("PDF typeset: %s", pdf_path)
        finish_figures(figures)
    html = render_html(context, template, css)
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    for fig_id, path in (figure_paths or {}).items():
        with atomic_path(path) as tmp:
            tmp.write_text(figures[fig_id]["svg_text"], encoding="utf-8")
    log.info("report written: %s, %s", html_path, pdf_path)
    return context
