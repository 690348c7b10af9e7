"""The card keys whose values declare reuse.

Shared by the parser (DuckDB SQL, :mod:`hubreuse.parse.listing`) and the parsed tables' Arrow schemas
(:mod:`hubreuse.parse.tables`), so that neither has to load the other's engine.
"""

DECLARATION_KEYS = ("datasets", "base_model")

DATASET_TAG = "dataset:"
BASE_MODEL_TAG = "base_model:"
# ``base_model:<relation>:<id>``: a relation is lower-case letters and '_' (finetune, adapter, quantized, merge);
# the same reading as the relation tables (hubreuse.stats.base_models.base_tag_edges). Hub ids hold no ':'.
_RELATION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")


def base_model_tag_id(body: str) -> str:
    """The base id of a ``base_model:`` tag without its prefix: ``<id>`` or ``<relation>:<id>``."""
    relation, colon, rest = body.partition(":")
    if colon and rest and relation and set(relation) <= _RELATION_CHARS:
        return rest
    return body


def tag_declarations(tags: list[str] | None) -> tuple[list[str] | None, list[str] | None]:
    """A model's declared datasets and base models read from the Hub's tags (``declarations: tags``).

    Why: the Hub derives ``dataset:<id>`` from the card's ``datasets`` and ``base_model:<id>`` (newer models also
    ``base_model:<relation>:<id>``) from its ``base_model``, and the light listing and whole-Hub snapshots carry
    tags but no card. Each list holds the distinct ids in order of first appearance, kept as written (odd
    characters and empty ids included, as the relation tables keep them); a model without such a tag declares nothing (None), as a card without the key does.
    """
    datasets: dict[str, None] = {}
    bases: dict[str, None] = {}
    for tag in tags or ():
        if not isinstance(tag, str):
            continue
        if tag.startswith(DATASET_TAG):
            datasets[tag[len(DATASET_TAG):]] = None
        elif tag.startswith(BASE_MODEL_TAG):
            bases[base_model_tag_id(tag[len(BASE_MODEL_TAG):])] = None
    return (list(datasets) or None, list(bases) or None)
