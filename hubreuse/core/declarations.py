"""The card keys whose values declare reuse.

Shared by the parser (DuckDB SQL, :mod:`hubreuse.parse.listing`) and the parsed tables' Arrow schemas
(:mod:`hubreuse.parse.tables`), so that neither has to load the other's engine.
"""

DECLARATION_KEYS = ("datasets", "base_model")
