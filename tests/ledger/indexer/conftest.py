"""Database fixtures for the indexer tests: every test that takes ``db_engine`` runs on SQLite AND on PostgreSQL.

``db_engine`` (function scope, parametrised with the ids ``sqlite`` and ``postgresql``) yields a SQLAlchemy
:class:`~sqlalchemy.Engine` made with :func:`ledger.db.engine.make_engine` on a database migrated to the newest
schema with :func:`ledger.db.engine.upgrade`, in which every table is empty:

- ``sqlite``: a new database file in the test's ``tmp_path`` (WAL mode and the project's pragmas, as in production).
- ``postgresql``: one database per test session (per xdist worker), named ``originals_test_<pid>_<random>``, created
  on first use on 127.0.0.1:5432 as user ``postgres`` (override the server with ``ORIGINALS_TEST_POSTGRES_URL``, an
  admin URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), migrated once, and dropped at the
  end of the session. Before each test every table except ``alembic_version`` is emptied.

The engine is disposed after the test; a test must close the connections it opens (a lock it holds dies with its
session). ``db_engine.url.render_as_string(hide_password=False)`` is a URL that another process (an indexer in a
subprocess) can open. Tests that run many examples on one engine (Hypothesis) empty the tables themselves with
``support.indexer_tables.reset_tables``.

When no PostgreSQL server answers, the ``postgresql`` variants are skipped with a message saying so, unless the
``CI`` environment variable is set: in CI they fail, so a missing server can never pass for a green run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from support.pgscratch import scratch_database

from ledger.db import schema
from ledger.db.engine import make_engine, upgrade


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A migrated database of its own for this test session; dropped when the session ends."""
    with scratch_database("originals_test") as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        yield url


def _empty_all(engine: Engine) -> None:
    # DELETE, not TRUNCATE: on these small tables it is ten times faster (TRUNCATE swaps files and syncs them).
    with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a migrated, empty database: SQLite in ``tmp_path`` or the session's PostgreSQL database."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'index.db'}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_database_url"))
        _empty_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
