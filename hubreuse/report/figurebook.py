"""The report's figures in document order, drawn in worker processes while the report builds its other parts.

Why workers: drawing the figures is a third of the report's work outside PDF typesetting, and the report is the
workflow's last job, so a second core would otherwise stay idle. Figures are named by the function of
:mod:`hubreuse.report.figures` that draws them, so matplotlib (over a second to import) loads only in the
process that draws.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from markupsafe import Markup

from hubreuse.report.format import NOT_COMPUTED


class FigureBook:
    """Figures in document order: number, caption, inline SVG; standalone SVG text kept for the files.

    A figure is added as a function that draws it. With a process pool the drawing starts at once in a worker
    while the report goes on building its other parts; :func:`finish_figures` collects the SVG text.
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
    """The figure function ``hubreuse.report.figures.<name>`` bound to its arguments, for :meth:`FigureBook.add`.

    By name, so matplotlib loads only in the process that draws: the figure workers, not the report's own
    process, which meanwhile builds the tables and typesets the PDF.
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
