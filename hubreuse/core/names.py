"""Every file the workflow writes, by name: the one list that rules, steps and the report share.

The rules name their inputs and outputs from here (``rules/common.smk``), the steps receive those paths, and
the report finds its tables by the same names. It imports nothing, so Snakemake's start-up stays light.
"""

from __future__ import annotations

KINDS = ("models", "datasets")
# model_dataset and model_base hold the configured declarations (card or tags); card_dataset and card_base always
# the card's, for the card/tag disagreement tables (in card mode the same edges).
MATRIX_NAMES = (
    "models", "model_task", "datasets", "dataset_task", "model_dataset", "model_base", "card_dataset", "card_base",
)  # fmt: skip

# The paper's measures: short key -> table name (results/tables/<name>.csv).
PAPER_TABLES = {"rq1": "rq1_datasets_per_model", "rq2": "rq2_models_per_dataset", "rq3": "rq3_base_models_per_model"}
DECLARATION_SHAPES = "declaration_shapes"
CANONICAL_TABLES = ("rq1_canonical", "rq2_canonical", "canonicalisation_summary")
REUSE_TABLES = (
    "rq3_children_per_model", "coverage", "domain_measures_distinct", "task_overlap", "declarations_by_month",
    "dataset_time_to_first_reuse_by_task", "base_card_tag_disagreement_by_task", "dataset_card_tag_disagreement_by_task",
)  # fmt: skip
LINEAGE_TABLES = ("lineage_summary", "lineage_roots", "lineage_depth", "lineage_families", "lineage_cycles")
CONCENTRATION_TABLES = ("concentration", "heavy_tail")
# Inference on the per-unit values of these measures: bootstrap intervals of the per-task means, and NLP against
# CV (negative binomial GLM, Mann-Whitney U), each one table the report reads.
INFERENCE_MEASURES = ("rq1", "rq2", "rq3", "children")
MEAN_INTERVALS = "mean_intervals"
DOMAIN_COMPARISON = "domain_comparison"
# The domains of the Hub's task taxonomy as the report names them, in the order of
# hubreuse.core.settings.DOMAINS (tables and figures list domains in this order; the first with tasks is the
# reference of the domain comparisons).
DOMAIN_NAMES = {"nlp": "NLP", "cv": "CV", "audio": "Audio", "multimodal": "Multimodal", "tabular": "Tabular",
                "rl": "RL", "other": "Other"}  # fmt: skip

# The comparison of several snapshots (snapshots:), results/tables/trend_<name>.csv: the per-task measures over the
# snapshots (the paper's three and children per model), populations, concentration, and the moves between snapshots.
TREND_MEASURES = ("rq1", "rq2", "rq3", "children")
TREND_TABLES = (*TREND_MEASURES, "population", "concentration", "changes")
TREND_FIGURE_IDS = ("trend_population", *(f"trend_{measure}" for measure in TREND_MEASURES))

# Per-unit values (results/stats/<name>.parquet) written by the stats jobs.
PAPER_VALUES = {key: f"{key}_values" for key in PAPER_TABLES}
REUSE_VALUES = (
    "base_relations", "base_card_tag_disagreement", "dataset_card_tag_disagreement", "dataset_time_to_first_reuse",
    "children_values",
)  # fmt: skip
CANONICAL_VALUES = "canonical_dataset_edges"
LORENZ = "lorenz"

CONCENTRATION_MEASURES = ("rq1", "rq2", "rq3", "children")
# One concentration job per group of measures whose values are written by the same stats job: the job's imports
# (pandas, scipy, powerlaw: ~2.5 s) are paid once per group, and each group starts as soon as its values exist.
CONCENTRATION_GROUPS = {"paper": ("rq1", "rq2", "rq3"), "children": ("children",)}

FIGURE_IDS = (
    "summary_diversity", "top_datasets", "top_base_models", "domain_rate_ratios", "replication",
    "rq1_boxplot", "rq1_means", "rq2_boxplot", "rq2_means", "rq3_boxplot", "rq3_means",
    "children_means", "lorenz", "declarations_by_month", "lineage_depth",
)  # fmt: skip


# Where a run writes: ``results`` for a run without ``snapshots:``; each snapshot of a run with several writes under
# its own folder (``results/snapshots/<name>``), with the same layout inside.
RESULTS = "results"


def snapshot_root(name: str) -> str:
    """The folder of one snapshot's outputs: ``results/snapshots/<name>`` (``{snapshot}`` as a wildcard)."""
    return f"{RESULTS}/snapshots/{name}"


def table(name: str, root: str = RESULTS) -> str:
    """A result table: ``<root>/tables/<name>.csv``."""
    return f"{root}/tables/{name}.csv"


def values(name: str, root: str = RESULTS) -> str:
    """Per-unit values or edges behind the tables: ``<root>/stats/<name>.parquet``."""
    return f"{root}/stats/{name}.parquet"


def matrix(name: str, root: str = RESULTS) -> str:
    """A reuse matrix (Parquet edge list): ``<root>/matrices/<name>.parquet``."""
    return f"{root}/matrices/{name}.parquet"


def figure(name: str) -> str:
    """A report figure on its own: ``results/report/figures/<name>.svg`` (one report per run)."""
    return f"{RESULTS}/report/figures/{name}.svg"


def measure_values(measure: str, root: str = RESULTS) -> str:
    """The per-unit values of a concentration measure (``rq1``..``rq3``, ``children``)."""
    return values(PAPER_VALUES.get(measure, f"{measure}_values"), root)
