"""Migrations are safe when several processes start on one new database together.

``originals up`` (and any deployment that starts API replicas next to the indexer) runs ``upgrade`` in each process.
On a new SQLite file a deferred transaction that reads first and then creates tables cannot wait for a concurrent
writer: SQLite fails it at once with "database is locked" (this broke CI once). ``upgrade`` takes the write lock up
front instead, so the others wait and then find the schema already at head.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from pgscratch import scratch_database
from sqlalchemy import text

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
