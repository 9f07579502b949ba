"""The one Settings class: every knob of the indexer, the API and the CLI, from ``ORIGINALS_*`` environment variables.

Defaults are those of a local devnet (anvil on :8545, SQLite in the working directory), so ``make run`` needs no
configuration; production sets ``ORIGINALS_ENVIRONMENT=production`` and real values. Nothing here reads files other
than an optional ``.env``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIB = 1024 * 1024


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
    max_upload_bytes: int = Field(100 * MIB, ge=1, description="largest file accepted for verification")
    max_request_bytes: int = Field(
        1 * MIB,
        ge=1024,
        description="largest request body of every route but POST /verify/file and POST /batches (a wrapped "
        "document, an issue request); counted as it streams in",
    )
    max_batch_request_bytes: int = Field(
        16 * MIB, ge=1024, description="largest request body of POST /batches; counted as it streams in"
    )
    rate_limit: str = Field(
        "20/second;600/minute",
        description="requests per client address (limits notation: N/second|minute|hour|day, several joined by ';'); "
        "'off' disables it. Counted in each API process's memory",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="where verifiers reach this API: the links in QR codes are made from it, never from the request "
        "(default: http://<api_host>:<api_port>, 127.0.0.1 for a wildcard address)",
    )
    trusted_hosts: Annotated[list[str], NoDecode] = Field(
        ["127.0.0.1", "localhost", "::1"],
        description="Host header values the API answers (comma-separated; '*' for any); the public base URL's host "
        "is always trusted. Other hosts get a 400",
    )
    pdf_font_dir: Path = Field(
        Path("node_modules/dejavu-fonts-ttf/ttf"),
        description="folder of the DejaVu TTF fonts embedded in PDF certificates (npm's dejavu-fonts-ttf, installed by "
        "make setup)",
    )
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
    relayer_keystore: Path | None = Field(
        None,
        description="encrypted keystore of the relayer account, which sends signed actions and pays their gas "
        "(unset: the API relays nothing and answers 503)",
    )
    relayer_password: SecretStr = Field(SecretStr(""), description="password of the relayer's keystore")
    relayer_rate_limit: str = Field(
        "10/minute",
        description="signed actions relayed per signer (N/second|minute|hour|day: a token bucket of N refilled over "
        "the period); 'off' disables it. Counted in each API process's memory",
    )
    relayer_global_rate_limit: str = Field(
        "300/minute", description="signed actions relayed for everyone together (same notation); 'off' disables it"
    )
    relayer_application_rate_limit: str = Field(
        "30/hour",
        description="applications relayed for everyone together (same notation): the one action a stranger can have "
        "relayed, so a stranger with many keys cannot spend the relayer's ether on them; 'off' disables it",
    )
    relayer_low_balance_ether: Decimal = Field(
        Decimal("0.1"), ge=0, description="below this balance (in ether) the relayer is reported low and warns"
    )
    action_ttl: int = Field(
        900, ge=60, le=7 * 24 * 3600, description="seconds a prepared signed action stays valid (its deadline)"
    )
    signer_keystore: Path | None = Field(
        None, description="the CLI's keystore for signed actions (apply, council, leave); or --keystore"
    )
    signer_password: SecretStr | None = Field(
        None, description="password of the CLI's signing keystore (asked for on a terminal when unset)"
    )

    @model_validator(mode="before")
    @classmethod
    def _public_base_url_of_the_listener(cls, data: Any) -> Any:
        """Without a public base URL, the address the API listens on (a devnet's links then follow its port)."""
        if isinstance(data, dict) and not data.get("public_base_url"):
            host = str(data.get("api_host") or "127.0.0.1")
            host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
            host = f"[{host}]" if ":" in host else host
            data = {**data, "public_base_url": f"http://{host}:{data.get('api_port') or 8000}"}
        return data

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Settings:
        if self.environment == "production":
            password = self.keystore_password.get_secret_value()
            if password in ("", "devnet", "changeme", "password"):
                raise ValueError("set ORIGINALS_KEYSTORE_PASSWORD to a real secret in production")
            relayer_password = self.relayer_password.get_secret_value()
            if self.relayer_keystore is not None and relayer_password in ("", "devnet", "changeme", "password"):
                raise ValueError("set ORIGINALS_RELAYER_PASSWORD to a real secret in production")
            if urlsplit(self.public_base_url).hostname in ("127.0.0.1", "localhost", "::1"):
                raise ValueError("set ORIGINALS_PUBLIC_BASE_URL to the address verifiers use, in production")
        return self

    @field_validator("rate_limit", "relayer_rate_limit", "relayer_global_rate_limit", "relayer_application_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str, info: ValidationInfo) -> str:
        """'off', or limits' notation: several rates for the API's edge, one (a token bucket) for the relayer's."""
        value = value.strip()
        if value.lower() in ("off", ""):
            return "off"
        from limits import parse_many  # here: the CLI's start-up need not import it

        single = info.field_name != "rate_limit"
        try:
            if len(parse_many(value)) > 1 and single:
                raise ValueError
        except ValueError:
            example = "'10/minute'" if single else "'20/second;600/minute'"
            raise ValueError(f"{info.field_name} must be 'off' or like {example}") from None
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            raise ValueError("public_base_url must be an http(s) URL with a host and no credentials")
        if parts.query or parts.fragment:
            raise ValueError("public_base_url must not have a query or a fragment")
        return value.strip().rstrip("/")

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [host for host in value.split(",") if host.strip()]
        if isinstance(value, list):
            value = [
                host.strip().lower().removeprefix("[").removesuffix("]") if isinstance(host, str) else host
                for host in value
            ]
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("database_url must start with sqlite:// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
