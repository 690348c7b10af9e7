"""Colours and names of the domains, shared by the figures and the report, and the figures' other keys.

Kept apart from :mod:`hubreuse.report.figures` so the report's own process can colour labels without loading
matplotlib, which only its figure workers need. Blue and vermilion mean NLP and CV everywhere; each other domain
of the Hub's taxonomy has its own colour, and nothing else uses any of them (the forest plot's level colours are
not domain colours), so a colour never means two things across the report.
"""

from hubreuse.core.names import DOMAIN_NAMES as _TAXONOMY

# Okabe-Ito (safe for colour blindness) for NLP, CV, audio and multimodal; Paul Tol's olive, wine and indigo for
# the rarer tabular, RL and other, as Okabe-Ito's remaining green and pink are the forest plot's levels.
DOMAIN_COLOURS = {"nlp": "#0072B2", "cv": "#D55E00", "audio": "#E69F00", "multimodal": "#56B4E9",
                  "tabular": "#999933", "rl": "#882255", "other": "#332288", "all": "#444444"}  # fmt: skip
DOMAIN_NAMES = {**_TAXONOMY, "all": "all"}

# Count classes (1, 2, 3-4...) from light to dark: viridis, ordered and safe for colour blindness, with the text
# colour that reads on each.
_CLASS_FILLS = ("#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154")
_CLASS_INKS = ("#000000", "#000000", "#000000", "#FFFFFF", "#FFFFFF", "#FFFFFF")

# The two levels of an NLP-against-CV ratio in the forest plot (Okabe-Ito colours other than the domains').
LEVEL_STYLES = {
    "task": {"marker": "o", "color": "#009E73", "label": "task level: ratio of mean task means"},
    "unit": {"marker": "s", "color": "#CC79A7", "label": "unit level: rate ratio of the count model"},
}


def count_class_colours(n: int) -> list[tuple[str, str]]:
    """(fill, text colour) for ``n`` ordered count classes, spread over the light-to-dark scale."""
    if n <= 1:
        return [(_CLASS_FILLS[0], _CLASS_INKS[0])] * max(n, 0)
    last = len(_CLASS_FILLS) - 1
    picks = [round(i * last / (n - 1)) for i in range(n)]
    return [(_CLASS_FILLS[i], _CLASS_INKS[i]) for i in picks]
