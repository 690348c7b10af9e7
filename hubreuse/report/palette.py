"""Colours and names of the two domains, shared by the figures and the report.

Kept apart from :mod:`hubreuse.report.figures` so the report's own process can colour labels without loading
matplotlib, which only its figure workers need.
"""

DOMAIN_COLOURS = {"nlp": "#0072B2", "cv": "#D55E00", "all": "#444444"}  # Okabe-Ito: safe for colour blindness
DOMAIN_NAMES = {"nlp": "NLP", "cv": "CV", "all": "all"}
