"""Settings from PEGBOARD_* environment variables, built once at start-up and passed down."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from pegboard.domain.allocation import AllocationPolicy

DEFAULT_DATABASE_URL = "sqlite:///pegboard.db"


class Settings(BaseSettings):
    """Where the data lives, how stock is handed out, and where the server listens."""

    model_config = SettingsConfigDict(env_prefix="PEGBOARD_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    allocation_policy: AllocationPolicy = AllocationPolicy.FIFO
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_size: int = 10
    max_request_bytes: int = 1_000_000
    #: How long the API trusts a token it has just checked (a revocation takes this long to bite).
    token_cache_seconds: float = 5.0
