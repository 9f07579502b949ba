"""Whole-database snapshots for the indexer tests: "these two databases hold the same rows" in one assertion.

:func:`dump_tables` reads every table of :mod:`ledger.db.schema` into sorted lists of row tuples, so two dumps compare
equal exactly when the tables hold the same rows, whatever order they were written in and whichever database holds
them (the column types return the same Python values on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select

from ledger.db import schema
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import Projector

Dump = dict[str, list[tuple[Any, ...]]]

PROGRESS_TABLES = frozenset({"sync_state", "block_hashes", "indexer_lock"})
"""Tables the sync loop writes, not the projector (their rows carry wall-clock times)."""


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, value) for value in row)


def dump_table(conn: Connection, table: Table) -> list[tuple[Any, ...]]:
    """Every row of ``table`` as a tuple in column order, sorted (None first)."""
    return sorted((tuple(row) for row in conn.execute(select(table))), key=_sort_key)


def dump_tables(engine: Engine, tables: Iterable[Table] | None = None) -> Dump:
    """Every row of every table of the schema (or of ``tables``), by table name."""
    chosen = list(tables) if tables is not None else list(schema.metadata.sorted_tables)
    with engine.connect() as conn:
        return {table.name: dump_table(conn, table) for table in chosen}


def projected_tables() -> list[Table]:
    """``chain_events`` and the derived tables: everything the projector writes."""
    return [schema.chain_events, *schema.DERIVED_TABLES]


def dump_projection(engine: Engine) -> Dump:
    return dump_tables(engine, projected_tables())


def reset_tables(engine: Engine) -> None:
    """Delete every row of every table (the schema stays): a fresh start for the next example."""
    with engine.begin() as conn:
        for table in reversed(schema.metadata.sorted_tables):
            conn.execute(delete(table))


def project(engine: Engine, chain_id: int, batches: Iterable[list[DecodedLog]]) -> None:
    """Apply each batch in a transaction of its own, as the sync loop does."""
    projector = Projector(chain_id)
    for batch in batches:
        with engine.begin() as conn:
            projector.apply(conn, batch)


def rollback(engine: Engine, chain_id: int, ancestor: int) -> set[str]:
    with engine.begin() as conn:
        return Projector(chain_id).rollback(conn, ancestor)
