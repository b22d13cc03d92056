"""Read-side queries for lists and reports: plain JSON-ready data, never writes."""
