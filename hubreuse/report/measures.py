"""The measures the report presents: titles, units and definitions, written once for every section.

Why here: the paper sections, the NLP-against-CV comparison, the findings and the methods appendix all name the
same measures; their wording lives in one place so the report never describes a measure two ways.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """How the report names a measure: section title, short label, unit, axis and share labels, definition."""

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
# Measures compared between NLP and CV (key, label), in the order of the comparison table.
DOMAIN_MEASURES = (*((key, measure.short) for key, measure in MEASURES.items()), ("children", "children per model"))
# Per-task concentration tables for the measures of reuse (how concentrated reuse of datasets and of models
# is); the Lorenz curves and tail verdicts cover every measure, the CSV has all per-task values.
CONCENTRATION_TABLES = ("rq2", "children")
CONCENTRATION_TITLES = {"rq1": "RQ1 datasets per model", "rq2": "RQ2 models per dataset",
                        "rq3": "RQ3 base models per model", "children": "children per model"}  # fmt: skip
