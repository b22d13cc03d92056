"""Entry points: the CLI, the REST API and the web pages."""
