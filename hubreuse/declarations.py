"""The card keys whose values declare reuse, and the shapes a declaration can take.

Shared by the parser (DuckDB SQL, :mod:`hubreuse.parse`) and the parsed tables' Arrow schemas
(:mod:`hubreuse.parsed`), so that neither has to load the other's engine.
"""

DECLARATION_KEYS = ("datasets", "base_model")
SHAPES = ("absent", "null", "string", "list", "list_nonstring", "empty_list", "other")
