"""Use cases: each runs in one unit of work (one transaction) and records events."""
