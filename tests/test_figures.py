"""The report's figures on small frames: the display chosen from the data, count axes, legends, the forest plot
of both levels, untrusted ids as text, and the caption as <title> and the synthetic mark on every SVG.

Expected values come from plain-Python counting over the raw values, never from the code under test; matplotlib
objects are read from the figure each function draws (captured as it is serialised).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from hubreuse.report import displays, distribution_figures, figurebook, figures, plotting
from hubreuse.report.palette import DOMAIN_COLOURS

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list:
    """The matplotlib figures drawn by the figure functions, in order (each still serialised as usual)."""
    captured: list = []
    real = plotting.to_svg

    def keep(fig, name: str) -> str:
        captured.append(fig)
        return real(fig, name)

    for module in (figures, distribution_figures, plotting):
        monkeypatch.setattr(module, "to_svg", keep)
    return captured


def values_frame(per_task: dict[str, list[int]], domains: dict[str, str]) -> pd.DataFrame:
    rows = [(t, domains[t], f"{t}/u{i}", v) for t, vs in per_task.items() for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["task", "domain", "unit_id", "value"])


def count_class(v: int) -> str:
    """The report's count classes, written out by hand."""
    if v <= 2:
        return str(v)
    return "3–4" if v <= 4 else "5–9" if v <= 9 else "10+"


def texts(svg: str) -> list[str]:
    """Every text node of an SVG document (parsing fails on malformed XML)."""
    return ["".join(el.itertext()) for el in ET.fromstring(svg.encode("utf-8")).iter(f"{SVG}text")]


# Almost every model declares one base model: in three tasks of four the quartiles are both 1.
COLLAPSED = {
    "a": [1] * 18 + [2, 3],
    "b": [1] * 9 + [4],
    "c": [1] * 12 + [2, 2, 7],
    "d": [1, 2, 3, 4, 5, 6, 7, 9],
}
DOMAINS = {"a": "nlp", "b": "nlp", "c": "cv", "d": "cv"}


def test_collapsed_quartiles_pick_stacked_bars_with_the_shares_of_each_class(drawn):
    values = values_frame(COLLAPSED, DOMAINS)
    # By hand: a task collapses when its 25th and 75th percentiles (numpy's default interpolation) are equal.
    collapsed = sum(np.percentile(v, 25) == np.percentile(v, 75) for v in COLLAPSED.values())
    assert collapsed == 3
    assert displays.distribution_display(values) == "task_count_bars"
    caption = displays.distribution_caption("RQ3", "model", values)
    assert "stacked bars" in caption and "3 of 4 tasks" in caption and "(1, 2, 3–4, 5–9)" in caption
    distribution_figures.task_count_bars(
        values, list(COLLAPSED), DOMAINS, "rq3_boxplot", "Share", "Base models"
    )
    ax = drawn[-1].axes[0]
    widths: dict[tuple[int, str], float] = {}
    for container in ax.containers:
        for row, bar in enumerate(container.patches):
            widths[(row, container.get_label())] = bar.get_width()
    for row, (task, vs) in enumerate(COLLAPSED.items()):  # bars in task order, the first on top
        counts = Counter(count_class(v) for v in vs)
        for label in ("1", "2", "3–4", "5–9"):
            assert widths[(row, label)] == pytest.approx(counts[label] / len(vs)), (task, label)
    assert ax.get_legend().get_title().get_text() == "Base models"


def test_spread_distributions_keep_box_plots():
    spread = {"a": [1, 2, 3, 4, 5, 6], "b": [1, 1, 2, 3, 5, 8], "c": [2, 3, 3, 4, 6, 9], "d": [1] * 8 + [2]}
    values = values_frame(spread, DOMAINS)
    # One task of four collapses ("d": quartiles both 1), under a third: box plots stay.
    assert displays.distribution_display(values) == "task_boxplots"
    caption = displays.distribution_caption("RQ1", "model", values)
    assert "short vertical ticks = values beyond the whiskers" in caption


def test_count_bins_cover_exactly_the_observed_values():
    assert [b.label for b in displays.count_bins([1, 1, 2, 3])] == ["1", "2", "3"]
    assert [b.label for b in displays.count_bins([0, 1, 40])] == ["0", "1", "2", "3–4", "5–9", "10+"]
    assert [b.label for b in displays.count_bins([2, 6])] == ["2", "3–4", "5–6"]


def test_heavy_counts_from_1_get_a_log_axis_starting_at_1(drawn):
    heavy = {
        "a": [1, 1, 2, 2, 3, 400],
        "b": [1, 2, 2, 3, 3, 90],
        "c": [1, 2, 3, 3, 4, 50],
        "d": [2, 3, 4, 5, 6, 7],
    }
    values = values_frame(heavy, DOMAINS)
    assert min(min(v) for v in heavy.values()) == 1
    distribution_figures.task_boxplots(values, list(heavy), DOMAINS, "rq1_boxplot", "Datasets per model")
    ax = drawn[-1].axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlim()[0] >= 1
    means = pd.DataFrame({"task": ["a", "b", "c"], "domain": ["nlp", "nlp", "cv"], "mean": [60.0, 2.0, 1.5],
                          "ci_low": [1.0, 1.2, 1.1], "ci_high": [180.0, 3.0, 2.0]})  # fmt: skip
    figures.mean_ci_plot(means, "rq1_means", "Mean datasets per model")
    ax = drawn[-1].axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlim()[0] >= 1


def test_heavy_counts_with_zeros_get_log_of_1_plus_value_from_0(drawn):
    with_zeros = {
        "a": [0, 0, 1, 2, 3, 500],
        "b": [0, 1, 2, 3, 4, 60],
        "c": [0, 1, 1, 2, 5, 80],
        "d": [0, 2, 3, 4],
    }
    values = values_frame(with_zeros, DOMAINS)
    distribution_figures.task_boxplots(values, list(with_zeros), DOMAINS, "rq2_boxplot", "Models per dataset")
    ax = drawn[-1].axes[0]
    assert ax.get_xscale() == "function"
    lo, hi = ax.get_xlim()
    assert lo == 0 and hi >= 500
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks[0] == 0 and 1 in ticks  # zero is on the axis and labelled as itself
    # Equal steps on the axis for 0 -> 1 and 1 -> 3 (log of 1 + value), whatever the axis length.
    to_axis = ax.xaxis.get_transform().transform
    assert to_axis(np.array([1.0]))[0] - to_axis(np.array([0.0]))[0] == pytest.approx(
        to_axis(np.array([3.0]))[0] - to_axis(np.array([1.0]))[0])  # fmt: skip


def test_domain_colours_always_come_with_a_legend(drawn):
    figures.top_bar(
        ["x/a", "y/b"], [5, 3], "top_datasets", "models", [DOMAIN_COLOURS["nlp"], DOMAIN_COLOURS["cv"]]
    )
    legend = drawn[-1].axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["NLP", "CV"]
    values = values_frame(COLLAPSED, DOMAINS)
    distribution_figures.task_count_bars(
        values, list(COLLAPSED), DOMAINS, "rq3_boxplot", "Share", "Base models"
    )
    side = [t.get_text() for t in drawn[-1].axes[0].texts if t.get_rotation() == 270]
    assert side == ["NLP", "CV"]  # bars coloured by class: the domains are named beside their rows


def test_domain_count_shares_count_each_unit_once_per_domain(drawn):
    values = pd.DataFrame({"task": ["a", "b", "a", "a", "c", "c", "c"], "domain": ["nlp", "nlp", "nlp", "nlp", "cv", "cv", "cv"],
                           "unit_id": ["m1", "m1", "m2", "m3", "m4", "m5", "m6"], "value": [1, 1, 2, 12, 1, 1, 3]})  # fmt: skip
    figures.domain_count_shares(values, "summary_diversity", "Datasets declared per model")
    ax = drawn[-1].axes[0]
    # By hand: NLP models m1 (1), m2 (2), m3 (12); CV models m4 (1), m5 (1), m6 (3). Classes 1, 2, 3-4, 5-9, 10+.
    expected = {"NLP": [1 / 3, 1 / 3, 0, 0, 1 / 3], "CV": [2 / 3, 0, 1 / 3, 0, 0]}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3–4", "5–9", "10+"]
    for container in ax.containers:
        domain = container.get_label().split()[0]
        assert [bar.get_height() for bar in container.patches] == pytest.approx(expected[domain])
        assert "n = 3 models" in container.get_label()


def test_forest_plot_draws_both_levels_on_a_log_axis_with_the_null_line(drawn):
    rows = pd.DataFrame({"label": ["datasets per model"] * 2 + ["models per dataset"] * 2,
                         "level": ["unit", "task", "unit", "task"], "estimate": [0.9, 1.1, 4.7, 5.2],
                         "lo": [0.8, 0.7, 4.0, 3.2], "hi": [1.0, 1.6, 5.5, 7.2]})  # fmt: skip
    figures.forest_plot(rows, "domain_rate_ratios", "NLP / CV (log scale)")
    ax = drawn[-1].axes[0]
    assert ax.get_xscale() == "log"
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.get_lines())  # the null line
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 2 and legend[0].startswith("task level") and legend[1].startswith("unit level")
    estimates = sorted(float(x) for c in ax.containers for x in c.lines[0].get_xdata())
    assert estimates == sorted(rows["estimate"])


def test_hostile_ids_stay_text():
    hostile = ["<script>alert(1)</script>", "$x$", "a\x00b\x1bc\x7f", "&amp; <b>bold</b>"]
    svg = figures.top_bar(hostile, [4, 3, 2, 1], "top_datasets", "models")
    root = ET.fromstring(svg.encode("utf-8"))  # well-formed: nothing broke out of its element
    assert not [el for el in root.iter() if el.tag.split("}")[-1] in ("script", "b", "foreignObject")]
    labels = texts(svg)
    assert "<script>alert(1)</script>" in labels and "&amp; <b>bold</b>" in labels
    assert "$x$" in labels  # dollars kept as characters: no mathtext
    assert "abc" in labels  # control characters removed
    caption = "Most reused: <script>x</script> & $y$\x01"
    titled = figurebook.decorate_svg(svg, caption, synthetic=False)
    title = ET.fromstring(titled.encode("utf-8")).find(f"{SVG}title")
    assert title.text == "Most reused: <script>x</script> & $y$"
    img = str(figurebook.figure_img("top_datasets", caption, "hubreuse-figure"))
    assert img.startswith('<img class="svg" alt="Most reused: &lt;script&gt;x&lt;/script&gt; &amp; $y$"')


def test_title_first_and_synthetic_mark_only_when_synthetic():
    svg = plotting.placeholder("lorenz", "no Lorenz curve in this run")
    plain = ET.fromstring(figurebook.decorate_svg(svg, "Lorenz curves", synthetic=False).encode("utf-8"))
    marked = ET.fromstring(figurebook.decorate_svg(svg, "Lorenz curves", synthetic=True).encode("utf-8"))
    for root in (plain, marked):
        assert root[0].tag == f"{SVG}title" and root[0].text == "Lorenz curves"
    assert "SYNTHETIC DEMO DATA" not in ET.tostring(plain, encoding="unicode")
    mark = [el for el in marked.iter(f"{SVG}text") if el.text == "SYNTHETIC DEMO DATA"]
    assert len(mark) == 1
    # The mark sits in a band added above the drawing: inside the grown viewBox, above the original one.
    x0, y0, w, h = (float(v) for v in marked.get("viewBox").split())
    ox, oy, ow, oh = (float(v) for v in plain.get("viewBox").split())
    assert (x0, w) == (ox, ow) and y0 < oy and h > oh
    assert y0 <= float(mark[0].get("y")) < oy
