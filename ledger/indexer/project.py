"""Project decoded events into the SQL tables: the indexer's last stage. Idempotent, batch-oriented, reversible.

What each event writes is its contract's business (:mod:`ledger.indexer.handlers`, one module per contract, looked
up by exact event type in :data:`~ledger.indexer.handlers.REGISTRY`); this module keeps what is common to every
contract: the append-only ``chain_events`` table, batches, rollback and replay. An event type without a handler is
refused (:class:`~ledger.indexer.registry.UnhandledEventError`) before anything is written: there is no default.

Every event belongs to one *entity* (its handler declares which, e.g. ``certificate:<id>``) and the derived rows of
an entity are a function of its events in chain order. Events carry absolute values (statuses, vote totals,
timestamps), so applying an event again changes nothing, and history rows are keyed by (tx_hash, log_index) and
inserted with "on conflict do nothing". A batch is gathered in memory by the handlers, then written with a handful
of executemany statements per contract (in :data:`~ledger.indexer.handlers.CONTRACTS` order), never one round trip
per event.

Rollback after a reorg (:meth:`Projector.rollback`) deletes the events above the common ancestor, drops the derived
rows of every entity they touched, and replays the remaining events of just those entities.

The caller owns the transaction: :meth:`apply` and :meth:`rollback` run inside the one the sync loop commits together
with its checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from ledger.db import schema as s
from ledger.db.bulk import insert_ignore_rows
from ledger.events import Event
from ledger.indexer.decode import DecodedLog
from ledger.indexer.handlers import REGISTRY
from ledger.indexer.handlers.certificates import STATUS_COLUMNS
from ledger.indexer.handlers.partners import details_hash
from ledger.indexer.registry import Entity, Registry, UnhandledEventError, chunks

__all__ = [
    "EVENT_COLUMNS",
    "STATUS_COLUMNS",
    "ProjectionStats",
    "Projector",
    "args_json",
    "details_hash",
    "entity_of",
    "event_args",
    "event_from_row",
]

EVENT_COLUMNS = (
    "chain_id",
    "tx_hash",
    "log_index",
    "block_number",
    "block_hash",
    "contract",
    "event",
    "entity",
    "args",
    "block_timestamp",
)


def entity_of(event: Event) -> str:
    """The entity an event belongs to, as its handler declares: e.g. ``partner:<address>``, ``proposal:<id>`` or
    ``certificate:<id>``.

    Raises:
        UnhandledEventError: no handler is registered for the event's type.
    """
    return REGISTRY.entity_of(event)


def event_args(event: Event) -> dict[str, Any]:
    return asdict(event)


def args_json(event: Event) -> str:
    """The ``chain_events.args`` text of an event: the same bytes as ``orjson.dumps(event_args(event))``.

    orjson serialises a dataclass natively, field by field in definition order, which is what ``asdict`` gives,
    without ``asdict``'s recursive deep copy (measured: that copy was the largest single cost of a dense backfill).
    """
    return orjson.dumps(event).decode()


def event_from_row(name: str, args: str | bytes) -> Event:
    """Rebuild an event from its ``chain_events`` row (for replays).

    Raises:
        UnhandledEventError: no handler is registered for an event of that name.
    """
    return REGISTRY.event_from_row(name, args)


@dataclass(frozen=True)
class ProjectionStats:
    events: int
    entities: int


class Projector:
    """Writes batches of decoded events for one chain into the tables of :mod:`ledger.db.schema`.

    Args:
        registry: the handlers (every contract's, by default).
    """

    def __init__(self, chain_id: int, registry: Registry = REGISTRY) -> None:
        self.chain_id = chain_id
        self.registry = registry

    # -- applying -------------------------------------------------------------------------------------------------

    def apply(self, conn: Connection, logs: Sequence[DecodedLog], record: bool = True) -> ProjectionStats:
        """Apply ``logs`` (in chain order) inside the caller's transaction.

        Args:
            record: also append them to ``chain_events`` (False when replaying events already stored there).

        Raises:
            UnhandledEventError: an event has no handler (nothing has been written then).
        """
        buffers = {contract: contract.writes() for contract in self.registry.contracts}
        # Per event type, for this batch: its entity, its handler's body and its contract's buffer (one lookup each).
        steps = {
            event_type: (handler.entity, handler.project, buffers[handler.contract], handler.loads)
            for event_type, handler in self.registry.handlers.items()
        }
        loads: dict[Entity, set[Any]] = {}
        for item in logs:  # every event has a handler before any SQL runs; note the rows to read first
            event = item.event
            step = steps.get(type(event))
            if step is None:
                raise UnhandledEventError(f"no projection handler for event {type(event).__name__}")
            if step[3]:
                entity = step[0]
                loads.setdefault(entity, set()).add(getattr(event, entity.field))
        for buffer in buffers.values():
            buffer.load(conn, loads)
        entities: set[str] = set()
        chain_id = self.chain_id
        events: list[tuple[Any, ...]] = []
        for item in logs:
            event = item.event
            entity, project, buffer, _ = steps[type(event)]
            key = entity.key(event)
            project(item, event, buffer)
            entities.add(key)
            if record:  # in EVENT_COLUMNS order; args = args_json(event), without a call per event
                events.append(
                    (
                        chain_id,
                        item.tx_hash,
                        item.log_index,
                        item.block_number,
                        item.block_hash,
                        item.address,
                        type(event).__name__,
                        key,
                        orjson.dumps(event).decode(),
                        item.block_timestamp,
                    )
                )
        insert_ignore_rows(conn, s.chain_events, EVENT_COLUMNS, events)
        for buffer in buffers.values():
            buffer.flush(conn)
        return ProjectionStats(len(logs), len(entities))

    # -- rolling back ---------------------------------------------------------------------------------------------

    def rollback(self, conn: Connection, ancestor: int) -> set[str]:
        """Undo everything above block ``ancestor``; returns the entities rebuilt."""
        ev = s.chain_events
        above = (ev.c.chain_id == self.chain_id) & (ev.c.block_number > ancestor)
        entities = set(conn.execute(select(ev.c.entity).where(above).distinct()).scalars())
        conn.execute(delete(ev).where(above))
        self.rebuild(conn, entities)
        return entities

    def rebuild(self, conn: Connection, entities: Iterable[str]) -> None:
        """Drop the derived rows of ``entities`` and replay their stored events.

        Raises:
            UnhandledEventError: an entity's kind or one of its stored events has no handler (the caller's
                transaction must then be rolled back: rows may have been dropped).
        """
        keys = sorted(entities)
        for chunk in chunks(keys):
            self._drop(conn, chunk)
            ev = s.chain_events
            rows = conn.execute(
                select(ev)
                .where((ev.c.chain_id == self.chain_id) & ev.c.entity.in_(chunk))
                .order_by(ev.c.block_number, ev.c.log_index)
            ).mappings()
            replay = [
                DecodedLog(
                    self.registry.event_from_row(row["event"], row["args"]),
                    row["contract"],
                    row["block_number"],
                    row["block_hash"],
                    row["tx_hash"],
                    row["log_index"],
                    row["block_timestamp"],
                )
                for row in rows
            ]
            self.apply(conn, replay, record=False)

    def _drop(self, conn: Connection, entities: Sequence[str]) -> None:
        """Delete the derived rows of ``entities``, kind by kind in the registry's order."""
        by_kind: dict[Entity, list[str]] = {}
        for entity in entities:
            kind, _, key = entity.partition(":")
            by_kind.setdefault(self.registry.entity(kind), []).append(key)
        for contract in self.registry.contracts:
            for declared in contract.entities:
                if keys := by_kind.get(declared):
                    declared.drop(conn, keys)
