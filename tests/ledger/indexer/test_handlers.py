"""The projection registry: one handler per event type, no default, and a new contract's events kept to its own tables.

The recorded scenario (``data/raw_logs.json``) provides the registries' real events. ``Provenance`` below is a
contract this project does not have (not the ProvenanceRegistry: a sculpture registry, say): its event
``OriginalAnchored`` carries an ``id`` and a ``root`` like a
certificate's (here those of the scenario's public batch), which is exactly what a catch-all entity would have filed
under ``certificate:<id>`` and replayed into the certificate tables after a reorg.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, insert, select
from support.indexer_recorded import PUBLIC_ROOT, Recording, load
from support.indexer_tables import dump_projection, dump_tables, project, reset_tables

from ledger import abi
from ledger.db import schema as s
from ledger.errors import LedgerError
from ledger.events import EVENT_TYPES, NOT_INDEXED, CertificateIssued
from ledger.indexer.decode import DecodedLog
from ledger.indexer.handlers import CONTRACTS, REGISTRY
from ledger.indexer.handlers.certificates import CERTIFICATE, CERTIFICATE_REGISTRY, CertificateWrites
from ledger.indexer.handlers.partners import PARTNER_REGISTRY
from ledger.indexer.project import Projector, entity_of
from ledger.indexer.registry import Contract, Entity, Registry, UnhandledEventError

REC: Recording = load()
LOGS: list[DecodedLog] = REC.decoded()
CHAIN = REC.chain_id
PUBLIC_ID = REC.ids.public
ISSUED_PUBLIC = REC.steps["founder 1 issues public batch"]
SUSPENDED_PUBLIC = REC.steps["council suspends public root"]
ANCESTOR = SUSPENDED_PUBLIC.block_number - 1
"""A rollback target between the two anchors below."""
PROVENANCE_ADDRESS = "0x" + "0e" * 20

CERTIFICATE_TABLES = (s.certificates, s.documents, s.document_status, s.certificate_history)


# -- a contract this project does not have ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OriginalAnchored:
    id: str
    root: str
    at: int


ANCHORS = Table(
    "test_original_anchors",
    MetaData(),
    Column("tx_hash", String, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("root", String, nullable=False),
    Column("id", String, nullable=False),
    Column("block_number", Integer, nullable=False),
)
ORIGINAL = Entity("sculpture", "root", ((ANCHORS, "root"),))


@dataclass
class ProvenanceWrites:
    anchors: list[dict[str, Any]] = field(default_factory=list)

    def load(self, conn: Connection, keys: Mapping[Entity, set[Any]]) -> None:
        pass

    def flush(self, conn: Connection) -> None:
        if self.anchors:
            conn.execute(insert(ANCHORS), self.anchors)


PROVENANCE = Contract("Sculptures", ProvenanceWrites, [ORIGINAL])


@PROVENANCE.on(OriginalAnchored, ORIGINAL)
def anchored(item: DecodedLog, event: OriginalAnchored, w: ProvenanceWrites) -> None:
    w.anchors.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "root": event.root, "id": event.id}
        | {"block_number": item.block_number}
    )


WITH_PROVENANCE = Registry([*CONTRACTS, PROVENANCE])


def _anchor(step_block: int, block_hash: str, n: int) -> DecodedLog:
    event = OriginalAnchored(PUBLIC_ID, PUBLIC_ROOT, 1_000 + n)
    return DecodedLog(event, PROVENANCE_ADDRESS, step_block, block_hash, "0x" + f"{n:02x}" * 32, 1_000 + n)


FIRST_ANCHOR = _anchor(ISSUED_PUBLIC.block_number, ISSUED_PUBLIC.block_hash, 1)
"""In the public batch's block, below :data:`ANCESTOR`."""
SECOND_ANCHOR = _anchor(SUSPENDED_PUBLIC.block_number, SUSPENDED_PUBLIC.block_hash, 2)
"""In the block of the public root's suspension, above :data:`ANCESTOR`."""
LOGS_WITH_ANCHORS = sorted([*LOGS, FIRST_ANCHOR, SECOND_ANCHOR], key=lambda item: (item.block_number, item.log_index))


@pytest.fixture
def anchors_engine(db_engine: Engine) -> Iterator[Engine]:
    """``db_engine`` with the provenance contract's table (dropped afterwards: the PostgreSQL database is shared)."""
    ANCHORS.create(db_engine)
    try:
        yield db_engine
    finally:
        ANCHORS.drop(db_engine)


def anchor_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(ANCHORS).order_by(ANCHORS.c.block_number))]


def projected_by_registry_alone(engine: Engine, logs: list[DecodedLog]) -> dict[str, list[tuple[Any, ...]]]:
    """The tables the registries' own ``logs`` give on their own (the database is emptied before and after)."""
    reset_tables(engine)
    project(engine, CHAIN, [logs])
    tables = dump_tables(engine, s.DERIVED_TABLES)
    reset_tables(engine)
    return tables


def project_with_provenance(engine: Engine, logs: list[DecodedLog]) -> None:
    with engine.begin() as conn:
        Projector(CHAIN, WITH_PROVENANCE).apply(conn, logs)


# -- the registry -----------------------------------------------------------------------------------------------------


def test_every_event_of_each_committed_abi_has_exactly_one_handler_in_that_contracts_module() -> None:
    assert [contract.name for contract in CONTRACTS] == list(abi.CONTRACTS)
    for contract in CONTRACTS:
        declared = sorted(
            entry["name"]
            for entry in abi.load_abi(contract.name)
            if entry["type"] == "event" and entry["name"] not in NOT_INDEXED
        )
        assert sorted(event.__name__ for event in contract.handlers) == declared
    assert set(REGISTRY.handlers) == set(EVENT_TYPES.values())
    assert REGISTRY.handler(CertificateIssued).name == "CertificateRegistry:CertificateIssued"


def test_each_contract_owns_its_entity_kinds_and_the_derived_tables_are_split_between_them() -> None:
    kinds = {contract.name: [entity.kind for entity in contract.entities] for contract in CONTRACTS}
    assert kinds == {
        "PartnerRegistry": ["partner", "proposal"],
        "CertificateRegistry": ["certificate"],
        "ProvenanceRegistry": ["original", "clearing", "anchor"],
    }
    owned = [table for contract in CONTRACTS for entity in contract.entities for table, _ in entity.tables]
    assert sorted(table.name for table in owned) == sorted(table.name for table in s.DERIVED_TABLES)


def test_every_recorded_event_belongs_to_an_entity_of_its_own_contract() -> None:
    contract_of = {address: name for name, address in REC.contracts.items()}
    for item in LOGS:
        handler = REGISTRY.handler(type(item.event))
        assert handler.contract.name == contract_of[item.address]
        assert entity_of(item.event).partition(":")[0] in [entity.kind for entity in handler.contract.entities]


def test_a_second_handler_for_one_event_type_is_refused() -> None:
    contract = Contract("Twice", CertificateWrites, [CERTIFICATE])
    contract.on(CertificateIssued, CERTIFICATE)(lambda item, event, w: None)
    with pytest.raises(ValueError, match=r"^Twice:CertificateIssued has a handler already$"):
        contract.on(CertificateIssued, CERTIFICATE)


def test_a_handler_for_an_entity_its_contract_does_not_declare_is_refused() -> None:
    refused = r"^Sculptures:CertificateIssued: entity 'certificate' is not one of Sculptures's"
    with pytest.raises(ValueError, match=refused):
        PROVENANCE.on(CertificateIssued, CERTIFICATE)


def test_two_contracts_handling_one_event_name_are_refused() -> None:
    other = Contract("Copy", CertificateWrites, [Entity("copy", "id", ())])
    other.on(CertificateIssued, other.entities[0])(lambda item, event, w: None)
    with pytest.raises(ValueError, match=r"^Copy:CertificateIssued and CertificateRegistry:CertificateIssued: two"):
        Registry([CERTIFICATE_REGISTRY, other])


def test_two_contracts_declaring_one_entity_kind_are_refused() -> None:
    other = Contract("Copy", CertificateWrites, [Entity("certificate", "root", ())])
    with pytest.raises(ValueError, match=r"^entity kind 'certificate' is declared by two contracts$"):
        Registry([PARTNER_REGISTRY, CERTIFICATE_REGISTRY, other])


# -- no default -------------------------------------------------------------------------------------------------------


def test_an_event_without_a_handler_has_no_entity() -> None:
    with pytest.raises(UnhandledEventError, match=r"^no projection handler for event OriginalAnchored$") as error:
        entity_of(OriginalAnchored(PUBLIC_ID, PUBLIC_ROOT, 1))
    assert isinstance(error.value, LedgerError)
    assert isinstance(error.value, LookupError)


def test_a_batch_with_an_event_without_a_handler_is_refused_before_anything_is_written(db_engine: Engine) -> None:
    refused = pytest.raises(UnhandledEventError, match=r"^no projection handler for event OriginalAnchored$")
    with db_engine.begin() as conn, refused:  # committed: whatever apply wrote before raising would stay
        Projector(CHAIN).apply(conn, LOGS_WITH_ANCHORS)
    assert not any(dump_projection(db_engine).values())


def test_a_new_contracts_event_with_a_root_belongs_to_its_own_entity() -> None:
    assert WITH_PROVENANCE.entity_of(FIRST_ANCHOR.event) == f"sculpture:{PUBLIC_ROOT}"


def test_a_new_contracts_events_fill_its_own_tables_and_leave_the_certificate_tables_alone(
    anchors_engine: Engine,
) -> None:
    expected = projected_by_registry_alone(anchors_engine, LOGS)
    project_with_provenance(anchors_engine, LOGS_WITH_ANCHORS)
    assert dump_tables(anchors_engine, s.DERIVED_TABLES) == expected
    assert anchor_rows(anchors_engine) == [
        (FIRST_ANCHOR.tx_hash, 1_001, PUBLIC_ROOT, PUBLIC_ID, ISSUED_PUBLIC.block_number),
        (SECOND_ANCHOR.tx_hash, 1_002, PUBLIC_ROOT, PUBLIC_ID, SUSPENDED_PUBLIC.block_number),
    ]
    with anchors_engine.connect() as conn:
        ev = s.chain_events
        stored = conn.execute(select(ev.c.event, ev.c.entity).where(ev.c.contract == PROVENANCE_ADDRESS)).all()
    assert sorted(stored) == [("OriginalAnchored", f"sculpture:{PUBLIC_ROOT}")] * 2


def test_a_rollback_replays_a_new_contracts_events_into_its_own_tables_only(anchors_engine: Engine) -> None:
    expected = projected_by_registry_alone(anchors_engine, [item for item in LOGS if item.block_number <= ANCESTOR])
    project_with_provenance(anchors_engine, LOGS_WITH_ANCHORS)
    with anchors_engine.begin() as conn:
        touched = Projector(CHAIN, WITH_PROVENANCE).rollback(conn, ANCESTOR)
    assert f"sculpture:{PUBLIC_ROOT}" in touched
    assert f"certificate:{PUBLIC_ID}" in touched
    assert dump_tables(anchors_engine, s.DERIVED_TABLES) == expected
    assert anchor_rows(anchors_engine) == [
        (FIRST_ANCHOR.tx_hash, 1_001, PUBLIC_ROOT, PUBLIC_ID, ISSUED_PUBLIC.block_number),
    ]


def test_a_rollback_refuses_stored_events_of_an_entity_kind_without_a_handler(anchors_engine: Engine) -> None:
    project_with_provenance(anchors_engine, LOGS_WITH_ANCHORS)
    before = dump_projection(anchors_engine)
    refused = pytest.raises(UnhandledEventError, match=r"^no projection handles entities of kind 'sculpture'$")
    with refused, anchors_engine.begin() as conn:  # rolled back
        Projector(CHAIN).rollback(conn, ISSUED_PUBLIC.block_number - 1)
    assert dump_projection(anchors_engine) == before


def test_a_rollback_never_replays_an_event_without_a_handler_into_the_certificate_tables(db_engine: Engine) -> None:
    """An ``OriginalAnchored`` row filed under its certificate id's entity, as a catch-all entity would have filed it:
    the replay of that certificate refuses it instead of projecting it into the certificate tables."""
    project(db_engine, CHAIN, [LOGS])
    with db_engine.begin() as conn:
        conn.execute(
            insert(s.chain_events),
            {
                "chain_id": CHAIN,
                "tx_hash": SECOND_ANCHOR.tx_hash,
                "log_index": SECOND_ANCHOR.log_index,
                "block_number": ISSUED_PUBLIC.block_number,
                "block_hash": ISSUED_PUBLIC.block_hash,
                "contract": PROVENANCE_ADDRESS,
                "event": "OriginalAnchored",
                "entity": f"certificate:{PUBLIC_ID}",
                "args": orjson.dumps(SECOND_ANCHOR.event).decode(),
            },
        )
    before = dump_projection(db_engine)
    refused = pytest.raises(UnhandledEventError, match=r"^no projection handler for stored event OriginalAnchored$")
    with refused, db_engine.begin() as conn:  # rolled back
        Projector(CHAIN).rollback(conn, ANCESTOR)
    assert dump_projection(db_engine) == before
    assert all(before[table.name] for table in CERTIFICATE_TABLES)
