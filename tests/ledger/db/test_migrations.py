"""Migrations are safe when several processes start on one new database together, and give the schema of
``ledger/db/schema.py`` whichever way a database gets there (from empty, from 0003 with data, down and up again).

``originals up`` (and any deployment that starts API replicas next to the indexer) runs ``upgrade`` in each process.
On a new SQLite file a deferred transaction that reads first and then creates tables cannot wait for a concurrent
writer: SQLite fails it at once with "database is locked" (this broke CI once). ``upgrade`` takes the write lock up
front instead, so the others wait and then find the schema already at head.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from eth_hash.auto import keccak
from sqlalchemy import Engine, inspect, text
from support.pgscratch import scratch_database

from ledger.db.engine import HEAD_REVISION, alembic_config, make_engine, revision, table_names, upgrade
from ledger.db.schema import metadata

WORKERS = 6


def _migrate(url: str, start: multiprocessing.synchronize.Barrier) -> None:
    engine = make_engine(url)
    try:
        start.wait(timeout=60)
        upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    with scratch_database("originals_migrate") as url:
        yield url


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_concurrent_upgrades_of_a_new_database_all_succeed(new_database_url: str) -> None:
    url = new_database_url
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    workers = [context.Process(target=_migrate, args=(url, start)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * WORKERS

    engine = make_engine(url)
    try:
        assert set(metadata.tables) <= table_names(engine)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [_head(url)]
    finally:
        engine.dispose()


def test_upgrade_is_a_no_op_at_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            first = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == first
        assert first == _head(str(engine.url))
    finally:
        engine.dispose()


def test_head_revision_is_alembics_head(tmp_path: Path) -> None:
    """``upgrade`` skips Alembic on a database at HEAD_REVISION: it must name the newest migration."""
    assert _head(f"sqlite:///{tmp_path / 'any.db'}") == HEAD_REVISION


def test_revision_is_none_on_a_new_database_and_head_after_upgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        assert revision(engine) is None
        upgrade(engine)
        assert revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()


# -- 0004: contracts v2 --------------------------------------------------------------------------------------------

ISSUER = "0x" + "ab" * 20
ROOT = "0x" + "cd" * 32
CERTIFICATE_ID = "0x" + keccak(bytes(12) + bytes.fromhex(ISSUER[2:]) + bytes.fromhex(ROOT[2:])).hex()
V1_ONLY_COLUMNS = {"certificates": "root", "documents": "status", "certificate_history": "root"}


def _migrate_to(engine: Engine, target: str, direction: str = "upgrade") -> None:
    """Alembic ``upgrade``/``downgrade`` to ``target`` on the engine's database, as :func:`upgrade` runs it."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def _schema_differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def _columns(engine: Engine, table: str) -> list[str]:
    return [str(column["name"]) for column in inspect(engine).get_columns(table)]


@pytest.fixture
def any_database(new_database_url: str) -> Iterator[Engine]:
    engine = make_engine(new_database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_migrations_give_exactly_the_schema_of_schema_py(any_database: Engine) -> None:
    """Tables, columns, types, keys and indexes of a migrated database are those ledger.db.schema declares."""
    upgrade(any_database)
    assert _schema_differences(any_database) == []


def test_upgrade_from_0003_keeps_api_keys_fills_issuance_ids_and_starts_the_chain_tables_empty(
    any_database: Engine,
) -> None:
    engine = any_database
    _migrate_to(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (key_hash, key_prefix, issuer, label, keystore, created_at) "
                "VALUES ('k' , 'orig_k', :issuer, 'mill', '{}', 1)"
            ),
            {"issuer": ISSUER},
        )
        conn.execute(
            text(
                "INSERT INTO issuances (tx_hash, action, root, leaf, issuer, documents, submitted_at) "
                "VALUES (:tx, 'issue', :root, NULL, :issuer, 1, 2)"
            ),
            {"tx": "0x" + "11" * 32, "root": ROOT, "issuer": ISSUER},
        )
        conn.execute(
            text(
                "INSERT INTO certificates (root, issuer, fingerprint, mode, issued_at, valid_until, status, "
                "block_number, tx_hash) VALUES (:root, :issuer, NULL, 'batch', 5, 0, 0, 7, :tx)"
            ),
            {"root": ROOT, "issuer": ISSUER, "tx": "0x" + "11" * 32},
        )
        conn.execute(
            text(
                "INSERT INTO sync_state (id, chain_id, config_hash, schema_version, checkpoint_block, updated_at) "
                "VALUES (1, 31337, 'c', 1, 7, 3)"
            )
        )

    upgrade(engine)

    assert revision(engine) == HEAD_REVISION
    assert _schema_differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key_hash, issuer, label FROM api_keys")).all() == [("k", ISSUER, "mill")]
        assert conn.execute(text("SELECT tx_hash, certificate_id, root, issuer FROM issuances")).all() == [
            ("0x" + "11" * 32, CERTIFICATE_ID, ROOT, ISSUER)
        ]
        for table in ("certificates", "sync_state", "chain_events", "block_hashes"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


def test_downgrade_to_0003_restores_the_v1_tables_and_upgrades_again(any_database: Engine) -> None:
    engine = any_database
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO issuances (tx_hash, action, certificate_id, root, leaf, issuer, documents, submitted_at) "
                "VALUES (:tx, 'issue', :id, :root, NULL, :issuer, 1, 2)"
            ),
            {"tx": "0x" + "22" * 32, "id": CERTIFICATE_ID, "root": ROOT, "issuer": ISSUER},
        )

    _migrate_to(engine, "0003", "downgrade")

    assert revision(engine) == "0003"
    names = table_names(engine)
    assert {"partner_details", "document_status"} & names == set()
    for table, column in V1_ONLY_COLUMNS.items():
        assert column in _columns(engine, table), table
    assert "certificate_id" not in _columns(engine, "issuances")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT tx_hash, root FROM issuances")).all() == [("0x" + "22" * 32, ROOT)]

    upgrade(engine)
    assert _schema_differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT certificate_id FROM issuances")).scalar_one() == CERTIFICATE_ID
