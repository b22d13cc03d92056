"""Route modules, one per group of endpoints; each exposes `router`."""
