"""Words that follow from the numbers: what the domain comparisons (NLP against CV by default) support.

Why one module: the summary of findings, the domain section and the replication's check of the paper's claims
all put a test result into words. The rule is the same everywhere, so it is written once: a direction ("NLP
higher") is stated only when a 95% interval excludes the null value, "no evidence of a difference" when it covers
it, and when the tests of a measure disagree the text says so instead of picking one. The numbers come from
``results/tables/domain_comparison.csv`` (one row per measure, level, method and compared domain, each naming its
``reference`` and ``domain``; a table without those columns is NLP against CV); nothing is computed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from hubreuse.core.names import DOMAIN_NAMES
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
EFFECT_NAMES = {"task_means": "ratio of mean task means", "mann_whitney": "P({a} > {b})"}
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
    reference: str = "nlp"
    domain: str = "cv"

    @property
    def names(self) -> tuple[str, str]:
        """The two domains as text names them: (``NLP``, ``CV``)."""
        return DOMAIN_NAMES.get(self.reference, self.reference), DOMAIN_NAMES.get(self.domain, self.domain)

    @property
    def direction(self) -> str:
        """``higher``/``lower`` (the reference against the domain) when the interval excludes the null value, else
        ``no evidence``."""
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
        a, b = self.names
        return EFFECT_NAMES.get(self.method, RATE_RATIO).format(a=a, b=b)

    @property
    def method_name(self) -> str:
        return METHOD_NAMES.get(self.method, self.method.replace("_", " "))

    def numbers(self) -> str:
        """``rate ratio 0.98 (95% CI 0.91–1.07, p = 0.71; zero-truncated negative binomial)``."""
        if self.direction == NOT_ESTIMABLE:
            why = self.error.removeprefix("not estimable: ") if self.error else ""
            return f"{self.method_name}: not estimable{f' ({why})' if why else ''}"
        p = f", p {p_text(self.p_value)}" if not math.isnan(self.p_value) else ""
        return (f"{self.effect} {fmt_number(self.estimate, 2)} (95% CI {fmt_number(self.ci_low, 2)}–"
                f"{fmt_number(self.ci_high, 2)}{p}; {self.method_name})")  # fmt: skip


def _float(value: Any) -> float:
    return math.nan if is_missing(value) else float(value)


def _text(row: Mapping[str, Any], column: str, default: str) -> str:
    """The cell, ``default`` when the table has no such column (written before it existed)."""
    return default if column not in row else "" if is_missing(row[column]) else str(row[column])


def results(table: pd.DataFrame | None, measure: str, domain: str | None = None) -> list[DomainTest]:
    """The tests of ``measure`` in the table's order (task level first, then the unit-level model and ranks),
    only those against ``domain`` when given."""
    if table is None:
        return []
    out = []
    for row in table[table["measure"] == measure].to_dict(orient="records"):
        error = "" if is_missing(row.get("error")) else str(row.get("error"))
        test = DomainTest(measure, str(row["level"]), str(row["method"]), _float(row.get("estimate")),
                          _float(row.get("ci_low")), _float(row.get("ci_high")), _float(row.get("null_value")),
                          _float(row.get("p_value")), error, _text(row, "reference", "nlp"),
                          _text(row, "domain", "cv"))  # fmt: skip
        if domain is None or test.domain == domain:
            out.append(test)
    return out


def compared(table: pd.DataFrame | None, measure: str | None = None) -> list[str]:
    """The domains compared with the reference (of ``measure``'s rows when given), in the table's order."""
    if table is None:
        return []
    measures = [measure] if measure else list(dict.fromkeys(table["measure"]))
    return list(dict.fromkeys(t.domain for m in measures for t in results(table, m)))


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
    words = {HIGHER: f"{test.names[0]} higher", LOWER: f"{test.names[0]} lower", NO_EVIDENCE: "interval covers "
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
    interval covers 1; ...).")``. With several compared domains, one clause per domain after the reference (NLP
    higher than CV (...); no evidence of a difference between NLP and Audio (...)), and the reading is the first
    domain's when they all agree, else ``mixed``."""
    domains = compared(table, measure)
    if not domains:
        return NOT_ESTIMABLE, f"{label.capitalize()}: not compared in this run."
    readings, clauses = [], []
    for domain in domains:
        tests = results(table, measure, domain)
        reading = overall(tests)
        parts = [brief(t) if short else detail(t) for t in tests]
        readings.append(reading)
        clauses.append(f"{headline(reading, *tests[0].names)} ({'; '.join(parts)})")
    reading = readings[0] if len(set(readings)) == 1 else "mixed"
    return reading, f"{label.capitalize()}: {'; '.join(clauses)}."


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
    ``mixed``, ``not tested``) and a sentence that follows from the numbers. Only NLP against CV: the paper's
    domains (a run whose reference is not NLP, or without CV, does not test the claim)."""
    tests = [t for t in results(table, measure, "cv") if t.reference == "nlp"]
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
    """Ratio effects (task level and the unit-level model; not the rank test, whose scale differs) per measure
    and compared domain, for the forest plot: label (the measure, and the pair when several domains are
    compared: ``Datasets per model, NLP / Audio``), level, estimate, lo, hi."""
    several = len(compared(table)) > 1
    rows = [{"label": labels[t.measure] + (f", {t.names[0]} / {t.names[1]}" if several else ""), "level": t.level,
             "estimate": t.estimate, "lo": t.ci_low, "hi": t.ci_high}
            for measure in labels for domain in compared(table, measure) for t in results(table, measure, domain)
            if t.method != "mann_whitney" and t.direction != NOT_ESTIMABLE]  # fmt: skip
    return pd.DataFrame(rows, columns=["label", "level", "estimate", "lo", "hi"])
