"""Stage collect: the sources of Hub metadata (demo, dumps, Hub API, hub-stats snapshots) cut into per-task listings."""
