"""The REST API: FastAPI routes under /api/v1, bearer tokens, idempotent writes, OpenAPI at /docs."""
