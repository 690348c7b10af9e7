"""Stage matrices: all tasks merged into sparse reuse matrices (Parquet edge lists)."""
