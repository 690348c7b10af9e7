"""The small core every stage shares: errors, atomic file writes, settings, the job runner, ids and locks."""
