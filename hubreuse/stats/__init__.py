"""Stage stats: the paper's measures and the extended ones, as tables and per-unit values."""
