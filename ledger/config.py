"""The one Settings class: every knob of the indexer, the API and the CLI, from ``ORIGINALS_*`` environment variables.

Defaults are those of a local devnet (anvil on :8545, SQLite in the working directory), so ``make run`` needs no
configuration; production sets ``ORIGINALS_ENVIRONMENT=production`` and real values. Nothing here reads files other
than an optional ``.env``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration, read once at start-up. Field docs are what ``originals --help`` and the docs show."""

    model_config = SettingsConfigDict(env_prefix="ORIGINALS_", env_file=".env", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        "sqlite:///originals.sqlite3",
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://user@host/db",
    )
    rpc_url: str = Field("http://127.0.0.1:8545", description="JSON-RPC endpoint of the chain")
    rpc_timeout: float = Field(30.0, gt=0, description="seconds per JSON-RPC request")
    deployments_dir: Path = Field(Path("deployments"), description="folder of <chain_id>.json manifests")
    use_finalized: bool = Field(True, description="backfill up to the node's 'finalized' block when it has one")
    confirmations: int = Field(
        12, ge=0, description="without a 'finalized' block: backfill up to head minus this many blocks"
    )
    poll_interval: float = Field(0.5, gt=0, description="seconds between head polls once caught up")
    reorg_window: int = Field(128, ge=2, description="recent block hashes kept to detect and undo reorgs")
    range_initial: int = Field(
        1,
        ge=1,
        description="first eth_getLogs block range; it doubles while calls return few logs (see range_target_logs)",
    )
    range_target_logs: int = Field(
        5_000, ge=100, description="logs per eth_getLogs call the range adapts to (bounds memory on dense chains)"
    )
    range_max: int = Field(100_000, ge=1, description="largest eth_getLogs block range")
    range_result_cap: int | None = Field(
        None, ge=1, description="the provider's eth_getLogs result cap; a result this size is treated as truncated"
    )
    batch_events: int = Field(20_000, ge=1, description="events per database transaction during backfill")
    api_host: str = Field("127.0.0.1", description="address the API listens on")
    api_port: int = Field(8000, ge=1, le=65535, description="port the API listens on")
    max_upload_bytes: int = Field(100 * 1024 * 1024, ge=1, description="largest file accepted for verification")
    max_batch_documents: int = Field(10_000, ge=1, description="most documents one batch issuance may carry")
    mined_timeout: float = Field(
        60.0, gt=0, description="seconds an issuing or status request waits for its transaction to be mined"
    )
    keystore_dir: Path = Field(Path("keystore"), description="folder of encrypted issuer keystores")
    keystore_password: SecretStr = Field(
        SecretStr(""), description="password of the issuer keystores (needed to issue through the API)"
    )
    api_url: str = Field("http://127.0.0.1:8000", description="where the CLI finds the API")
    api_key: SecretStr | None = Field(None, description="the CLI's issuer API key")

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Settings:
        if self.environment == "production":
            password = self.keystore_password.get_secret_value()
            if password in ("", "devnet", "changeme", "password"):
                raise ValueError("set ORIGINALS_KEYSTORE_PASSWORD to a real secret in production")
        return self

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("database_url must start with sqlite:// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
