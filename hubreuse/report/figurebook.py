"""The report's figures in document order, drawn in worker processes while the report builds its other parts.

Why workers: drawing the figures is a third of the report's work outside PDF typesetting, and the report is the
workflow's last job, so a second core would otherwise stay idle. Figures are named by the function of
:mod:`hubreuse.report.figures` that draws them, so matplotlib (over a second to import) loads only in the
process that draws.

Every figure's SVG carries its caption as its ``<title>`` (the text alternative screen readers and SVG viewers
show), and, in a run on synthetic data, a visible "SYNTHETIC DEMO DATA" mark: a standalone SVG file travels
without the report's banner.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from markupsafe import Markup, escape

from hubreuse.core.io import atomic_path
from hubreuse.report.format import NOT_COMPUTED


class FigureBook:
    """Figures in document order: number, caption, inline SVG; standalone SVG text kept for the files.

    A figure is added as a function that draws it. With a process pool the drawing starts at once in a worker
    while the report goes on building its other parts; :func:`finish_figures` collects the SVG text.
    """

    def __init__(self, pool: Executor | None = None, synthetic: bool = False) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.pool = pool
        self.synthetic = synthetic

    def add(self, fig_id: str, draw: Callable[[], str], caption: str) -> dict[str, Any]:
        """Start drawing a figure (its SVG titled with ``caption``, marked when the book is synthetic)."""
        job = partial(decorated, draw, caption, self.synthetic)
        svg_text = self.pool.submit(job) if self.pool is not None else job()
        item = {"id": fig_id, "number": len(self.items) + 1, "caption": caption, "svg_text": svg_text,
                "svg": None}  # fmt: skip
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
    """The figure function ``hubreuse.report.figures.<name>`` bound to its arguments, for :meth:`FigureBook.add`.

    By name, so matplotlib loads only in the process that draws: the figure workers, not the report's own
    process, which meanwhile builds the tables and typesets the PDF.
    """
    return partial(draw_figure, name, *args)


def draw_figure(name: str, *args: Any) -> str:
    from hubreuse.report import figures

    return getattr(figures, name)(*args)


SYNTHETIC_MARK = "SYNTHETIC DEMO DATA"
MARK_BAND_PT = 12.0  # height of the band added above a synthetic figure for its mark
_ROOT = re.compile(r"<svg\b[^>]*>")
_NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plain_caption(caption: str) -> str:
    """A caption as one line of plain text: no control characters (invalid in XML), whitespace collapsed."""
    return " ".join(_NOT_XML_TEXT.sub("", str(caption)).split())


def decorated(draw: Callable[[], str], caption: str, synthetic: bool) -> str:
    """``draw()``'s SVG with :func:`decorate_svg` applied, in the process that draws."""
    return decorate_svg(draw(), caption, synthetic)


def decorate_svg(svg: str, caption: str, synthetic: bool) -> str:
    """``svg`` with ``caption`` (escaped) as the ``<title>`` first inside the root element and, when
    ``synthetic``, a band above the figure holding a visible red :data:`SYNTHETIC_MARK`.

    Why a band: the mark must never cover data; the root's viewBox and height grow by :data:`MARK_BAND_PT`.
    """
    root = _ROOT.search(svg)
    end = svg.rfind("</svg>")
    if root is None or end < root.end():
        raise ValueError("not an SVG document")
    tag, mark = root.group(0), ""
    if synthetic:
        tag, mark = _with_mark_band(tag)
    title = f"<title>{escape(plain_caption(caption))}</title>"
    return svg[: root.start()] + tag + title + svg[root.end() : end] + mark + svg[end:]


def _with_mark_band(tag: str) -> tuple[str, str]:
    """The root tag grown by a band on top, and the mark's ``<text>`` element placed in the band."""
    view = re.search(r'viewBox="\s*([-\d.eE]+)[\s,]+([-\d.eE]+)[\s,]+([-\d.eE]+)[\s,]+([-\d.eE]+)\s*"', tag)
    height = re.search(r'\bheight="([\d.eE]+)pt"', tag)
    if view is None or height is None:
        raise ValueError("SVG root without a viewBox and a height in pt")
    x, y, w, h = (float(v) for v in view.groups())
    band = MARK_BAND_PT
    tag = tag.replace(view.group(0), f'viewBox="{x:g} {y - band:g} {w:g} {h + band:g}"')
    tag = tag.replace(height.group(0), f'height="{float(height.group(1)) + band:g}pt"')
    text = (f'<text x="{x + w - 3:g}" y="{y - 3:g}" text-anchor="end" font-family="DejaVu Sans, sans-serif" '
            f'font-size="8" font-weight="bold" fill="#b00020">{SYNTHETIC_MARK}</text>')  # fmt: skip
    return tag, text


def figure_img(fig_id: str, caption: str, scheme: str) -> Markup:
    """The PDF's ``<img>`` of a figure served as ``<scheme>:<fig_id>``, its caption as alt text."""
    return Markup('<img class="svg" alt="{}" src="{}:{}">').format(plain_caption(caption), scheme, fig_id)


def write_figure_files(items: Mapping[str, dict[str, Any]], paths: Mapping[str, Any]) -> None:
    """Each figure of ``paths`` (id -> path) as its own standalone SVG file (titled, marked when synthetic)."""
    for fig_id, path in paths.items():
        with atomic_path(path) as tmp:
            tmp.write_text(figure_svg(items[fig_id]), encoding="utf-8")


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
    """Worker processes for drawing figures (none when ``workers`` is 1).

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
