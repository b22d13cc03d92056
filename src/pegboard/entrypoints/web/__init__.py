"""Pages for people: the landing page (no external assets)."""
