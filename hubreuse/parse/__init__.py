"""Stage parse: each per-task raw listing into a typed Parquet table, keeping every declaration's shape."""
