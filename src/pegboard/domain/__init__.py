"""The pure core: entities, value objects and rules; no I/O, no frameworks."""
