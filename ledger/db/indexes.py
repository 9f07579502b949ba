"""Secondary indexes that the initial backfill may leave out while it writes, and put back before anything reads.

A dense chain's first backfill inserts about two rows per event into tables whose read-path indexes have random keys
(hashes): every row then costs a few B-tree page misses per index. Measured on SQLite with 1M events: 49 µs of
database CPU per event with the indexes kept up to date, 14 µs without them, plus ~6 s to build them afterwards
from sorted data (``CREATE INDEX``). So the indexer drops them when it starts on an empty database and builds them
again when the backfill has caught up (see :class:`ledger.indexer.sync.Indexer`).

Only non-unique indexes are ever dropped: primary keys and unique indexes stay, because every write relies on them
(``ON CONFLICT``). The indexes are built again from the same SQLAlchemy definitions the migrations were generated
from, so the schema afterwards is the one a migrated database has. Every step is a transaction of its own and
idempotent: a crash leaves each index either present or missing, and :func:`missing` tells which, so the next start
knows what is left to build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Index, Table, inspect


def secondary(tables: Iterable[Table]) -> list[Index]:
    """The non-unique indexes of ``tables``, in a fixed order (what only reads need)."""
    return [index for table in tables for index in sorted(table.indexes, key=_name) if not index.unique]


def missing(conn: Connection, indexes: Sequence[Index]) -> list[Index]:
    """Those of ``indexes`` the database does not have."""
    inspector = inspect(conn)
    present: dict[str, set[str]] = {}
    for index in indexes:
        table = index.table
        assert table is not None
        if table.name not in present:
            present[table.name] = {str(found["name"]) for found in inspector.get_indexes(table.name)}
    return [index for index in indexes if _name(index) not in present[index.table.name]]  # type: ignore[union-attr]


def drop(conn: Connection, indexes: Iterable[Index]) -> None:
    """Drop ``indexes`` (those present) inside the caller's transaction."""
    for index in indexes:
        index.drop(conn, checkfirst=True)


def create(conn: Connection, indexes: Iterable[Index]) -> None:
    """Create ``indexes`` (those missing) inside the caller's transaction."""
    for index in indexes:
        index.create(conn, checkfirst=True)


def _name(index: Index) -> str:
    return str(index.name)
