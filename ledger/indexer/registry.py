"""The projection registry: which handler projects each event type, the entity it belongs to, and what it writes.

Each contract's projection is a :class:`Contract` (one module per contract under :mod:`ledger.indexer.handlers`): the
kinds of :class:`Entity` its events belong to, each with the derived tables its rows live in (dropped and replayed
together after a reorg); a buffer class gathering one batch's rows in memory before any SQL runs (:class:`Writes`);
and one handler per event type, registered with ``@contract.on(EventType, entity)`` as Ponder's
``ponder.on("Contract:Event", fn)``. A :class:`Registry` assembles the contracts and is what the projector asks.

There is no default: an event type without a handler, a stored event name without one, or an entity kind no contract
declares raises :class:`UnhandledEventError`, so an event of a new contract can never land in another contract's
tables by falling through. This module holds no table, no event and no SQL of any contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import orjson
from sqlalchemy import Connection, Table, delete

from ledger.errors import LedgerError
from ledger.events import Event
from ledger.indexer.decode import DecodedLog

CHUNK = 500
"""Keys per ``IN (...)`` list: well under SQLite's variable limit."""

E = TypeVar("E")
W = TypeVar("W", bound="Writes")


class UnhandledEventError(LedgerError, LookupError):
    """An event type, a stored event name or an entity kind that no registered contract projection handles."""


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size``: one ``IN (...)`` list each."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Entity:
    """A kind of entity: a thing whose derived rows are a function of its own events in chain order.

    Its key is ``<kind>:<value of the event field>``, stored with every event in ``chain_events.entity``; a rollback
    deletes the rows of the touched entities from ``tables`` and replays their events.
    """

    kind: str
    """The key's prefix, e.g. ``certificate``."""
    field: str
    """The event field whose value names the entity (every event of this entity has it)."""
    tables: tuple[tuple[Table, str], ...]
    """The derived tables holding this entity's rows, each with its column holding the value, in deletion order."""
    value: Callable[[str], Any] = str
    """The column value of a key's text (``int`` for integer keys)."""

    def key(self, event: Any) -> str:
        return f"{self.kind}:{getattr(event, self.field)}"

    def drop(self, conn: Connection, keys: Sequence[str]) -> None:
        """Delete the derived rows of the entities ``keys`` (the text after ``kind:``)."""
        values = [self.value(key) for key in keys]
        for table, column in self.tables:
            conn.execute(delete(table).where(table.c[column].in_(values)))


class Writes(Protocol):
    """The rows one batch writes into one contract's tables, gathered in event order before any SQL runs."""

    def load(self, conn: Connection, keys: Mapping[Entity, set[Any]]) -> None:
        """Read the current rows of the entities ``keys`` (by entity, the field values of events registered with
        ``loads=True``): rows an earlier batch wrote that this batch's events change."""

    def flush(self, conn: Connection) -> None:
        """Write the gathered rows (idempotently: on conflict do nothing, or upsert absolute values)."""


Project = Callable[[DecodedLog, E, W], None]
"""A handler's body: gather what one event writes into the batch's buffer (no SQL)."""


@dataclass(frozen=True)
class Handler(Generic[E, W]):
    """How one event type is projected: the entity it belongs to and the rows it gathers."""

    contract: Contract[W]
    event: type[E]
    entity: Entity
    project: Project[E, W]
    loads: bool
    """The event changes its entity's rows, which an earlier batch may have written: load them first."""

    @property
    def name(self) -> str:
        """``Contract:Event``, as Ponder names its handlers."""
        return f"{self.contract.name}:{self.event.__name__}"


class Contract(Generic[W]):
    """The projection of one contract's events: its entity kinds, its batch buffer and one handler per event type.

    Args:
        name: the contract's name (for messages and ``Contract:Event`` names).
        writes: builds an empty buffer for one batch.
        entities: the entity kinds its events belong to; their tables are this contract's alone.
    """

    def __init__(self, name: str, writes: Callable[[], W], entities: Sequence[Entity]) -> None:
        self.name = name
        self.writes = writes
        self.entities = tuple(entities)
        self.handlers: dict[type[Any], Handler[Any, W]] = {}

    def on(self, event: type[E], entity: Entity, *, loads: bool = False) -> Callable[[Project[E, W]], Project[E, W]]:
        """Register the decorated function as the handler of ``event``, whose events belong to ``entity``."""
        if entity not in self.entities:
            raise ValueError(f"{self.name}:{event.__name__}: entity {entity.kind!r} is not one of {self.name}'s")
        if event in self.handlers:
            raise ValueError(f"{self.name}:{event.__name__} has a handler already")

        def register(project: Project[E, W]) -> Project[E, W]:
            self.handlers[event] = Handler(self, event, entity, project, loads)
            return project

        return register

    def __repr__(self) -> str:
        return f"Contract({self.name!r})"


class Registry:
    """Every contract's handlers, by event type; contracts flush their writes in the order given here."""

    def __init__(self, contracts: Sequence[Contract[Any]]) -> None:
        self.contracts = tuple(contracts)
        self.handlers: dict[type[Any], Handler[Any, Any]] = {}
        self._by_name: dict[str, Handler[Any, Any]] = {}
        self._entities: dict[str, Entity] = {}
        for contract in self.contracts:
            for entity in contract.entities:
                if entity.kind in self._entities:
                    raise ValueError(f"entity kind {entity.kind!r} is declared by two contracts")
                self._entities[entity.kind] = entity
            for event, handler in contract.handlers.items():
                other = self._by_name.get(event.__name__)
                if other is not None:
                    raise ValueError(f"{handler.name} and {other.name}: two handlers of one event name")
                self.handlers[event] = self._by_name[event.__name__] = handler

    def handler(self, event_type: type[Any]) -> Handler[Any, Any]:
        """The handler of ``event_type``.

        Raises:
            UnhandledEventError: no contract registered one.
        """
        handler = self.handlers.get(event_type)
        if handler is None:
            raise UnhandledEventError(f"no projection handler for event {event_type.__name__}")
        return handler

    def entity_of(self, event: Event) -> str:
        """The entity an event belongs to, e.g. ``certificate:<id>``."""
        return self.handler(type(event)).entity.key(event)

    def entity(self, kind: str) -> Entity:
        """The entity kind named ``kind``.

        Raises:
            UnhandledEventError: no contract declares it.
        """
        entity = self._entities.get(kind)
        if entity is None:
            raise UnhandledEventError(f"no projection handles entities of kind {kind!r}")
        return entity

    def event_from_row(self, name: str, args: str | bytes) -> Event:
        """Rebuild an event from its ``chain_events`` row (for replays).

        Raises:
            UnhandledEventError: no handler for an event named ``name``.
        """
        handler = self._by_name.get(name)
        if handler is None:
            raise UnhandledEventError(f"no projection handler for stored event {name}")
        event: Event = handler.event(**orjson.loads(args))
        return event
