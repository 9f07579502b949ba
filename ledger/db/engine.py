"""Engines and migrations: how the library opens SQLite or PostgreSQL and brings the schema up to date.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed transaction survives the process being killed
(the indexer's crash guarantee), though not necessarily a power cut; PostgreSQL gives full durability. Migrations are
Alembic's, shipped inside the package (``ledger/db/migrations``) so an installed package can migrate itself.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError

from ledger.db.checkpoints import WAL_LIMIT

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD_REVISION = "0007"
"""The newest migration's revision (tests/ledger/db/test_migrations.py pins it to Alembic's head). A database already
there needs no Alembic at all: importing and running it takes a few hundred milliseconds of every indexer start."""
SQLITE_PAGE_SIZE = 16_384
"""Bytes per page of a SQLite database this project creates (SQLite's default is 4,096).

A dense backfill writes ~1.3 KB of rows and index entries per event, so a 1M-event backfill writes ~1.3 GB through
the WAL. Every page costs a few system calls (each WAL frame is two writes; every page the 2 MB cache has let go
is read again), whatever its size: with 4 KiB pages the indexer made ~2.6M ``pwrite`` and ~1.1M ``pread`` calls
for 1M events, and with 16 KiB ~3x fewer. Measured, interleaved on the benchmark's 1M-event chain: ~20% more
events per second and ~20% less CPU, same peak RSS (the cache is sized in bytes, not pages). Reads by key touch as
many pages as before (the B-trees are shallower), each a few more KiB to copy.

It only applies to a new database: the page size is fixed when the first table is written (and a WAL database can
never change it), so databases made before keep 4 KiB pages and work exactly as before.
"""
# Execution option: on SQLite, begin the transaction holding the write lock (``BEGIN IMMEDIATE``).
IMMEDIATE = "originals_sqlite_immediate"
# pg_advisory_xact_lock key that serialises migrations between processes on PostgreSQL ("ORIGMIGR").
_PG_MIGRATION_LOCK = 0x4F5249474D494752


def make_engine(url: str, *, writer: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings this project relies on.

    ``writer``: on SQLite, every transaction begins holding the write lock (``BEGIN IMMEDIATE``). The indexer's
    transactions read before they write (its checkpoint, the rows it updates); a deferred one that must then upgrade
    to writing after another connection wrote (the API migrating or issuing) fails at once with "database is locked"
    (SQLite's stale-snapshot rule, which busy_timeout does not cover). Readers are not blocked by it (WAL).
    A writer's commits also leave WAL checkpoints to whoever owns the engine, which must run a
    :class:`ledger.db.checkpoints.WalCheckpointer` (the indexer does): copying each big backfill commit into the
    database inside ``COMMIT`` stalled the writer for ~12% of a backfill.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy, not the driver, starts transactions (see _begin): pysqlite's own implicit BEGIN skips DDL,
            # so without this a migration commits table by table and a crash leaves half a schema.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # Before WAL: switching a new, empty file to WAL writes its header, and the page size with it.
            cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if writer:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
                # After a checkpoint the WAL is reused from its start; this trims it back to WAL_LIMIT then, so the
                # checkpointer's size test sees the new frames instead of the file's high-water mark.
                cursor.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
                # Sorter threads for CREATE INDEX: the read-path indexes a first backfill builds at the end (1M events:
                # ~6.5 -> ~4.5 s on 2 cores).
                cursor.execute(f"PRAGMA threads={min(4, os.cpu_count() or 1)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A deferred BEGIN that reads first and writes later cannot wait for another writer: SQLite answers
            # "database is locked" at once instead of applying busy_timeout. Work that must not lose that race
            # (migrations run by several processes starting together) asks for the write lock up front.
            immediate = writer or conn.get_execution_options().get(IMMEDIATE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _enable_wal(cursor: Any, timeout: float = 30.0) -> None:
    """Switch the file to WAL (a persistent setting: a no-op once any connection has done it).

    Switching needs an exclusive lock, and SQLite reports a clash there as "database is locked" at once, without
    applying busy_timeout; processes opening a new file together (the indexer and the API under ``originals up``)
    clash exactly there, so this waits and retries until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates every table on an empty database).

    Safe when several processes start on a new database at once (``originals up`` starts the indexer and the API
    together): the first takes the write lock and migrates, the others wait for it and then find nothing to do.
    """
    if revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect().execution_options(**{IMMEDIATE: True}) as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(engine: Engine) -> str | None:
    """The database's migration revision; None when it has none (a new database)."""
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table yet
        return None
    return None if version is None else str(version)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())
