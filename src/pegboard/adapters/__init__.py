"""Adapters: the database, notifications and shop integrations behind the service ports."""
