"""The planning engine: pure numeric code working on plain data; no database."""
