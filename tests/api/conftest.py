"""Fixtures for the API tests: one scenario on one anvil for the whole session, indexed into SQLite and PostgreSQL.

- ``scenario``: the chain story of :mod:`support.api_scenario` (built once, ~3 s; the chain is not changed afterwards
  except inside a test that takes a snapshot and reverts it).
- ``api`` (parametrised ``sqlite`` / ``postgresql``): a :class:`~fastapi.testclient.TestClient` over
  ``create_app(Settings(...))`` whose database the real indexer filled from that chain up to its head.
- ``postgres_url``: a database of its own for this session, created on 127.0.0.1:5432 (or the admin URL in
  ``ORIGINALS_TEST_POSTGRES_URL``) and dropped at the end. Without a server the ``postgresql`` variants are skipped
  with a message, unless ``CI`` is set: then they fail. (The indexer tests' ``db_engine`` is function-scoped and
  empties its database before each test, so a session-long index cannot share it; the conventions are the same.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from support.api_scenario import CHAIN_LAG_SECONDS, Scenario, build_scenario
from support.pgscratch import scratch_database

from api.main import create_app
from devtools.devnet import Anvil
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.db import schema
from ledger.indexer.runner import build_indexer


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    """An anvil whose clock starts two days behind the wall clock (see :mod:`support.api_scenario`)."""
    genesis = int(time.time()) - CHAIN_LAG_SECONDS
    with Anvil(extra_args=("--timestamp", str(genesis))) as node:
        yield node


@pytest.fixture(scope="session")
def rpc(anvil: Anvil) -> Iterator[RpcClient]:
    client = RpcClient(anvil.url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def scenario(anvil: Anvil, rpc: RpcClient, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    built = build_scenario(rpc, tmp_path_factory.mktemp("deployments"))
    built.url = anvil.url
    return built


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with scratch_database("originals_api") as url:
        yield url


def settings_for(scenario: Scenario, database_url: str, **overrides: Any) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        rpc_url=scenario.url,
        deployments_dir=scenario.deployments_dir,
        poll_interval=0.05,
        # One test client sends far faster than any person; the rate limit has tests of its own (test_rate_limit.py).
        rate_limit="off",
        **overrides,
    )


def index_into(scenario: Scenario, database_url: str) -> Settings:
    """Run the real indexer over the scenario's chain into ``database_url``, up to the head; its settings."""
    settings = settings_for(scenario, database_url)
    setup = build_indexer(settings)
    try:
        setup.indexer.run(once=True)
        assert setup.indexer.checkpoint.block == scenario.head, "the indexer stopped short of the head"
    finally:
        setup.client.close()
        setup.engine.dispose()
    return settings


@pytest.fixture(scope="session")
def sqlite_indexed(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return index_into(scenario, f"sqlite:///{tmp_path_factory.mktemp('index') / 'index.db'}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def indexed(request: pytest.FixtureRequest, scenario: Scenario) -> Settings:
    """Settings of a database the indexer filled from the scenario's chain, up to its head."""
    if request.param == "sqlite":
        settings: Settings = request.getfixturevalue("sqlite_indexed")
        return settings
    return index_into(scenario, request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def api(indexed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(indexed)) as client:
        yield client


@pytest.fixture
def counts(api: TestClient) -> Callable[[], dict[str, int]]:
    """Rows per table of the app's database: a request that must not write anything leaves these unchanged."""
    engine: Engine = api.app.state.engine  # type: ignore[attr-defined]

    def count() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }

    return count
