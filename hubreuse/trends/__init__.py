"""Stage trends: several snapshots of the Hub compared side by side (runs with ``snapshots:``)."""
