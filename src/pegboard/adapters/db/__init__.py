"""SQL storage: tables, the quantity column type, repositories and the unit of work."""
