"""Steps of stage stats: one function per rule, called by its script with the job's paths and params.

Each step takes the matrices by name (matrix name -> path) and writes each table to the path its rule names.
Heavy modules are imported inside each step: a job starts a fresh interpreter and loads only what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hubreuse.core.io import atomic_path
from hubreuse.stats.files import Paths, load_matrices, load_models, write_csv, write_values


def paper_tables(matrices: Paths, domains: Mapping[str, str], source: str, tables_out: Mapping[str, str],
                 values_out: Mapping[str, str], shapes_out: str) -> None:  # fmt: skip
    """RQ1-RQ3 summary tables and per-unit values, plus declaration shapes per task."""
    from hubreuse.stats import paper
    from hubreuse.stats.idcodes import encode_tables

    mats = load_matrices(matrices, ("model_task", "dataset_task", "model_dataset"))
    mats["models"] = load_models(matrices["models"])
    # Joins on integer codes of the ids (see hubreuse.stats.idcodes); the values files get the ids back.
    mats, ids = encode_tables(mats)
    for key, (summary, values) in paper.paper_measures(mats, domains).items():
        write_csv(summary, tables_out[key], source)
        write_values(ids.decode_frame(values, ["unit_id"]), values_out[key], source)
    write_csv(paper.declaration_shapes(mats["models"], mats["model_task"], domains), shapes_out, source)


def canonical_tables(matrices: Paths, domains: Mapping[str, str], source: str, alias_files: Sequence[str],
                     pseudo_files: Sequence[str], tables_out: Mapping[str, str], edges_out: str) -> None:  # fmt: skip
    """Canonical dataset ids: RQ1 and RQ2 raw beside canonical, and what each normalisation step changed."""
    from hubreuse.stats import canonical
    from hubreuse.stats.idcodes import encode_tables

    mats = load_matrices(matrices, ("model_task", "datasets", "dataset_task", "model_dataset"))
    models = load_models(matrices["models"])
    aliases = canonical.load_alias_table(extra=alias_files)
    pseudo = canonical.load_pseudo_datasets(extra=pseudo_files)
    edges = canonical.canonicalise(
        mats["model_dataset"], aliases, pseudo, models["model_id"], mats["datasets"]["dataset_id"]
    )
    dataset_map = canonical.canonical_dataset_ids(mats["datasets"], aliases, pseudo)
    # The measures join on integer codes of the ids (see hubreuse.stats.idcodes); their tables hold no ids.
    coded, _ = encode_tables(
        {"models": models, "model_task": mats["model_task"], "dataset_task": mats["dataset_task"], "edges": edges,
         "dataset_map": dataset_map},
        extra={"edges": ["model_id", "dataset_id", "canonical_id"], "dataset_map": ["dataset_id", "canonical_id"]},
    )  # fmt: skip
    rq1, rq2 = canonical.rq1_rq2_canonical(
        coded["models"], coded["model_task"], coded["dataset_task"], coded["edges"], dict(domains),
        coded["dataset_map"],
    )  # fmt: skip
    tables = {"rq1_canonical": rq1, "rq2_canonical": rq2,
              "canonicalisation_summary": canonical.canonicalisation_summary(edges, models)}  # fmt: skip
    for name, table in tables.items():
        write_csv(table, tables_out[name], source)
    write_values(edges, edges_out, source)


def reuse_tables(matrices: Paths, domains: Mapping[str, str], source: str, tables_out: Mapping[str, str],
                 values_out: Mapping[str, str], cards: bool = True) -> None:  # fmt: skip
    """Reuse as a base (children, relations, card/tag disagreement), coverage, overlap and time. Without
    ``cards`` (the light API listing), the disagreement tables leave every count that needs a card empty.

    Ids are integer-coded once (:mod:`hubreuse.stats.idcodes`) and decoded in what is written: the measures join
    millions of ids, and integers join an order of magnitude faster than strings.
    """
    import pyarrow.parquet as pq

    from hubreuse.stats import base_models, reuse
    from hubreuse.stats.idcodes import encode_tables

    mats = load_matrices(matrices, ("model_task", "datasets", "dataset_task", "model_dataset", "model_base",
                                    "card_dataset", "card_base"))  # fmt: skip
    # Tags stay in Arrow (only their base_model and dataset edges are needed); the models file is read once.
    models_table = pq.read_table(matrices["models"])
    mats["tag_edges"] = base_models.base_tag_edges(models_table.column("model_id"), models_table.column("tags"))
    mats["dataset_tags"] = base_models.dataset_tag_edges(models_table.column("model_id"), models_table.column("tags"))
    mats["models"] = models_table.drop_columns(["tags"]).to_pandas()
    del models_table
    mats, ids = encode_tables(mats, extra={"tag_edges": ["model_id", "base_model_id"],
                                           "dataset_tags": ["model_id", "dataset_id"]})  # fmt: skip
    models, model_task, model_base, tag_edges = mats["models"], mats["model_task"], mats["model_base"], mats["tag_edges"]
    domains = dict(domains)
    relations = base_models.base_relations(models, tag_edges)
    # Card against tags whatever the declarations: the card edges (card_base, card_dataset) and the tags' own.
    disagreement = base_models.card_tag_disagreement(models, mats["card_base"], tag_edges, decode=ids.decode)
    dataset_disagreement = base_models.card_tag_disagreement(
        models, mats["card_dataset"], mats["dataset_tags"], decode=ids.decode, column="dataset_id", what="datasets"
    )
    first_reuse = reuse.dataset_time_to_first_reuse(mats["datasets"], mats["model_dataset"], models)
    children = base_models.children_per_model_values(models, model_task, model_base, domains)
    tables = {
        "rq3_children_per_model": base_models.children_per_model(models, model_task, model_base, domains, relations,
                                                           values=children),  # fmt: skip
        "coverage": reuse.coverage(models, model_task, domains),
        "domain_measures_distinct": reuse.domain_measures_distinct(
            models, model_task, model_base, domains, mats["model_dataset"], mats["dataset_task"]
        ),
        "task_overlap": reuse.task_overlap(model_task[model_task["task"].isin(list(domains))]),
        "declarations_by_month": reuse.declarations_by_month(models, model_task, domains),
        "dataset_time_to_first_reuse_by_task": reuse.time_to_first_reuse_by_task(
            first_reuse, mats["dataset_task"], domains
        ),
        "base_card_tag_disagreement_by_task": base_models.card_tag_disagreement_by_task(
            models, model_task, mats["card_base"], domains, disagreement, tag_edges
        ),
        "dataset_card_tag_disagreement_by_task": base_models.card_tag_disagreement_by_task(
            models, model_task, mats["card_dataset"], domains, dataset_disagreement, mats["dataset_tags"], "dataset_id"
        ),
    }
    if not cards:
        for name in ("base_card_tag_disagreement_by_task", "dataset_card_tag_disagreement_by_task"):
            tables[name] = base_models.without_cards(tables[name])
    for name, table in tables.items():
        write_csv(table, tables_out[name], source)
    id_columns = ("model_id", "base_model_id", "dataset_id", "unit_id")
    values = {"base_relations": relations, "base_card_tag_disagreement": disagreement,
              "dataset_card_tag_disagreement": dataset_disagreement,
              "dataset_time_to_first_reuse": first_reuse, "children_values": children}  # fmt: skip
    for name, frame in values.items():
        write_values(ids.decode_frame(frame, id_columns), values_out[name], source)


def concentration(values: Mapping[str, str], source: str, n_boot: int, seed: int, concentration_out: str,
                         heavy_tail_out: str, lorenz_out: str) -> None:  # fmt: skip
    """Gini, HHI, top shares with bootstrap CIs; heavy-tail comparisons; Lorenz curves, for every measure."""
    import pandas as pd

    from hubreuse.stats import concentration

    conc, tails, lorenz = [], [], []
    for measure, path in values.items():
        frame = pd.read_parquet(path)
        conc.append(concentration.concentration_table(frame, measure, n_boot=n_boot, seed=seed))
        tails.append(concentration.heavy_tail_table(frame, measure, seed=seed))
        lorenz.append(concentration.lorenz_points(frame).assign(measure=measure))
    write_csv(pd.concat(conc, ignore_index=True), concentration_out, source)
    write_csv(pd.concat(tails, ignore_index=True), heavy_tail_out, source)
    write_csv(pd.concat(lorenz, ignore_index=True), lorenz_out, source)


def concentration_stack(parts: Mapping[str, Sequence[str]], outputs: Mapping[str, str]) -> None:
    """The per-group concentration tables stacked into one table each (``parts`` and ``outputs`` by table name),
    in the given order, cell text kept exactly as written."""
    import pandas as pd

    for name, paths in parts.items():
        frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
        with atomic_path(outputs[name]) as tmp:
            pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)


def lineage(matrices: Paths, source: str, tables_out: Mapping[str, str]) -> None:
    """Family trees from base-model edges: roots, depth, largest families, cycles."""
    from hubreuse.stats import lineage as lineage_measures

    mats = load_matrices(matrices, ("model_base",))
    for name, table in lineage_measures.lineage_tables(mats["model_base"], load_models(matrices["models"])).items():
        write_csv(table, tables_out[name], source)


def _unit_values(values: Mapping[str, str]) -> dict:
    """The per-unit values of each measure (``values``: measure -> path), only the columns inference needs."""
    import pandas as pd

    return {measure: pd.read_parquet(path, columns=["task", "domain", "value"]) for measure, path in values.items()}


def mean_intervals(values: Mapping[str, str], domains: Mapping[str, str], source: str, n_boot: int, seed: int,
                   intervals_out: str) -> None:  # fmt: skip
    """Per measure and task: mean and 95% percentile-bootstrap interval (``n_boot`` resamples, ``seed``)."""
    from hubreuse.stats import intervals

    table = intervals.mean_intervals(_unit_values(values), dict(domains), n_boot=n_boot, seed=seed)
    write_csv(table, intervals_out, source)


def domain_comparison(values: Mapping[str, str], domains: Mapping[str, str], source: str, n_boot: int, seed: int,
                      comparison_out: str) -> None:  # fmt: skip
    """Per measure: each configured domain against the reference (NLP by default) with tasks as units, by one
    count model of the distinct units (errors clustered by task) and by the Mann-Whitney test (interval
    resampling tasks); ``n_boot`` resamples, ``seed``."""
    import pandas as pd

    from hubreuse.stats import domains as domain_stats

    columns = ["task", "domain", "unit_id", "value"]
    # One measure in memory at a time: each frame holds up to millions of string ids.
    parts = [domain_stats.domain_comparison({measure: pd.read_parquet(path, columns=columns)}, dict(domains),
                                            n_boot=n_boot, seed=seed) for measure, path in values.items()]  # fmt: skip
    table = pd.concat(parts, ignore_index=True) if parts else domain_stats.domain_comparison({}, domains, n_boot, seed)
    write_csv(table, comparison_out, source)
