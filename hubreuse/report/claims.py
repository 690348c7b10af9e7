"""Words that follow from the numbers: what the NLP-against-CV tests support, sentence by sentence.

Why one module: the summary of findings, the domain section and the replication's check of the paper's claims
all put a test result into words. The rule is the same everywhere, so it is written once: a direction ("NLP
higher") is stated only when a 95% interval excludes the null value, "no evidence of a difference" when it covers
it, and when the tests of a measure disagree the text says so instead of picking one. The numbers come from
``results/tables/domain_comparison.csv`` (one row per measure, level and method); nothing is computed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hubreuse.report.format import fmt_number, is_missing, p_text

HIGHER, LOWER, NO_EVIDENCE, NOT_ESTIMABLE = "higher", "lower", "no evidence", "not estimable"
# The comparison table's methods, as a reader names them.
METHOD_NAMES = {
    "task_means": "tasks as units",
    "negbin": "negative binomial GLM",
    "zt_negbin": "zero-truncated negative binomial",
    "poisson": "Poisson GLM",
    "zt_poisson": "zero-truncated Poisson",
    "logseries": "logarithmic series (zero-truncated NB, θ → 0)",
    "mann_whitney": "Mann-Whitney",
}
EFFECT_NAMES = {"task_means": "ratio of mean task means", "mann_whitney": "P(NLP > CV)"}
RATE_RATIO = "rate ratio"


@dataclass(frozen=True)
class DomainTest:
    """One row of the domain comparison: an effect with its interval, the null value it is read against."""

    measure: str
    level: str
    method: str
    estimate: float
    ci_low: float
    ci_high: float
    null_value: float
    p_value: float
    error: str = ""

    @property
    def direction(self) -> str:
        """``higher``/``lower`` (NLP against CV) when the interval excludes the null value, else ``no evidence``."""
        bounds = (self.estimate, self.ci_low, self.ci_high, self.null_value)
        if self.error or any(math.isnan(v) for v in bounds):
            return NOT_ESTIMABLE
        if self.ci_low > self.null_value:
            return HIGHER
        if self.ci_high < self.null_value:
            return LOWER
        return NO_EVIDENCE

    @property
    def effect(self) -> str:
        return EFFECT_NAMES.get(self.method, RATE_RATIO)

    @property
    def method_name(self) -> str:
        return METHOD_NAMES.get(self.method, self.method.replace("_", " "))

    def numbers(self) -> str:
        """``rate ratio 0.98 (95% CI 0.91–1.07, p = 0.71; zero-truncated negative binomial)``."""
        if self.direction == NOT_ESTIMABLE:
            return f"{self.method_name}: not estimable{f' ({self.error})' if self.error else ''}"
        p = f", p {p_text(self.p_value)}" if not math.isnan(self.p_value) else ""
        return (f"{self.effect} {fmt_number(self.estimate, 2)} (95% CI {fmt_number(self.ci_low, 2)}–"
                f"{fmt_number(self.ci_high, 2)}{p}; {self.method_name})")  # fmt: skip


def _float(value: Any) -> float:
    return math.nan if is_missing(value) else float(value)


def results(table: pd.DataFrame | None, measure: str) -> list[DomainTest]:
    """The tests of ``measure`` in the table's order (task level first, then the unit-level model and ranks)."""
    if table is None:
        return []
    out = []
    for row in table[table["measure"] == measure].to_dict(orient="records"):
        error = "" if is_missing(row.get("error")) else str(row.get("error"))
        out.append(DomainTest(measure, str(row["level"]), str(row["method"]), _float(row.get("estimate")),
                              _float(row.get("ci_low")), _float(row.get("ci_high")), _float(row.get("null_value")),
                              _float(row.get("p_value")), error))  # fmt: skip
    return out


def overall(tests: list[DomainTest]) -> str:
    """One reading of several tests: a direction only when every estimable test shows it; ``no evidence`` when
    none does; ``mixed`` otherwise; ``not estimable`` when no test could be computed."""
    directions = {t.direction for t in tests} - {NOT_ESTIMABLE}
    if not directions:
        return NOT_ESTIMABLE
    if len(directions) == 1:
        return directions.pop()
    return "mixed"


def headline(reading: str, a: str = "NLP", b: str = "CV") -> str:
    """The reading in words: ``NLP higher than CV``, ``no evidence of a difference between NLP and CV``..."""
    return {
        HIGHER: f"{a} higher than {b}",
        LOWER: f"{a} lower than {b}",
        NO_EVIDENCE: f"no evidence of a difference between {a} and {b}",
        "mixed": "the tests disagree",
        NOT_ESTIMABLE: "not estimable",
    }[reading]


def detail(test: DomainTest) -> str:
    """A test's numbers with its own reading when it differs from a plain statement of the numbers."""
    words = {HIGHER: "NLP higher", LOWER: "NLP lower", NO_EVIDENCE: "interval covers "
             + fmt_number(test.null_value, 1 if test.null_value == 0.5 else 0)}  # fmt: skip
    reading = words.get(test.direction)
    return f"{test.numbers()}{f', {reading}' if reading else ''}"


def brief(test: DomainTest) -> str:
    """A test's effect and interval only, for the summary: ``rate ratio 1.00 (0.60–1.67)``."""
    if test.direction == NOT_ESTIMABLE:
        return f"{test.method_name} not estimable"
    effect = "ratio of task means" if test.method == "task_means" else test.effect
    return f"{effect} {fmt_number(test.estimate, 2)} ({fmt_number(test.ci_low, 2)}–{fmt_number(test.ci_high, 2)})"


def measure_sentence(table: pd.DataFrame | None, measure: str, label: str,
                     short: bool = False) -> tuple[str, str]:  # fmt: skip
    """(reading, sentence) for one measure, e.g. ``("no evidence", "Datasets per model: no evidence of a
    difference between NLP and CV (ratio of mean task means 1.02 (95% CI 0.81–1.30, p = 0.88; tasks as units),
    interval covers 1; ...).")``."""
    tests = results(table, measure)
    if not tests:
        return NOT_ESTIMABLE, f"{label.capitalize()}: not compared in this run."
    reading = overall(tests)
    parts = [brief(t) if short else detail(t) for t in tests]
    return reading, f"{label.capitalize()}: {headline(reading)} ({'; '.join(parts)})."


# The paper's directional claims about NLP against CV, as its abstract states them (measure, the domain the
# paper says is higher, the claim in the paper's words).
PAPER_CLAIMS = (
    ("rq1", "nlp", "NLP models declare more (more diverse) training datasets than CV models (RQ1)"),
    ("rq2", "cv", "NLP datasets are reused less frequently than CV datasets (RQ2)"),
    ("rq3", "cv", "CV models reuse other models more than NLP models do (RQ3)"),
)
CLAIM_NOTES = {
    "rq2": "The paper's conclusion states the opposite for RQ2 (NLP datasets of two tasks reused the most, CV "
    "datasets comparably less); its abstract's claim is the one tested here.",
}


def claim_check(table: pd.DataFrame | None, measure: str, higher: str, claim: str) -> dict[str, str]:
    """One paper claim set against this run's tests: a status (``supported``, ``contradicted``, ``not supported``,
    ``mixed``, ``not tested``) and a sentence that follows from the numbers."""
    tests = results(table, measure)
    reading = overall(tests) if tests else NOT_ESTIMABLE
    expected = HIGHER if higher == "nlp" else LOWER
    if reading == expected:
        status, verdict = "supported", "this run's tests agree"
    elif reading in (HIGHER, LOWER):
        status, verdict = "contradicted", f"this run finds the opposite: {headline(reading)}"
    elif reading == NO_EVIDENCE:
        status, verdict = "not supported", "this run finds no evidence of a difference"
    elif reading == "mixed":
        status, verdict = "mixed", "this run's tests disagree"
    else:
        status, verdict = "not tested", "not compared in this run"
    numbers = "; ".join(detail(t) for t in tests)
    text = f"{claim}: {verdict}" + (f" ({numbers})." if numbers else ".")
    if measure in CLAIM_NOTES:
        text += " " + CLAIM_NOTES[measure]
    return {"measure": measure, "claim": claim, "status": status, "text": text}


def paper_claims(table: pd.DataFrame | None) -> list[dict[str, str]]:
    """The paper's three directional claims, each against this run's tests."""
    return [claim_check(table, measure, higher, claim) for measure, higher, claim in PAPER_CLAIMS]


def forest_rows(table: pd.DataFrame | None, labels: Mapping[str, str]) -> pd.DataFrame:
    """Ratio effects (task level and the unit-level model; not the rank test, whose scale differs) per measure,
    for the forest plot: label, level, estimate, lo, hi."""
    rows = [{"label": labels[t.measure], "level": t.level, "estimate": t.estimate, "lo": t.ci_low,
             "hi": t.ci_high} for measure in labels for t in results(table, measure)
            if t.method != "mann_whitney" and t.direction != NOT_ESTIMABLE]  # fmt: skip
    return pd.DataFrame(rows, columns=["label", "level", "estimate", "lo", "hi"])
