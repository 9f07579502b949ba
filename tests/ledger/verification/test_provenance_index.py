"""The index's provenance lookup (:meth:`ledger.verification.sources.index.IndexFacts.provenance`): one query that
searches indexes only (it runs beside every verify lookup, on the fast path too), answers in registration order,
and is cached by the reader only as long as the database does not change. Over the recorded world's fixed index
(:mod:`support.recorded_world`: the diploma registered by the university and again by the mill)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from support.recorded_world import MILL, TOWN, UNI, World, build, fingerprint

from ledger.db import schema as s
from ledger.db.engine import make_engine
from ledger.events import Disposition
from ledger.verification.sources.index import IndexFacts


@pytest.fixture
def indexed(tmp_path: Path) -> Iterator[tuple[Engine, World]]:
    settings, world = build(tmp_path)
    engine = make_engine(settings.database_url)
    yield engine, world
    engine.dispose()


def test_the_provenance_query_searches_indexes_and_scans_no_table(indexed: tuple[Engine, World]) -> None:
    engine, _world = indexed
    compiled = IndexFacts(engine)._compiled["provenance"]
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute(
            "EXPLAIN QUERY PLAN " + compiled.sql, compiled.params({"identifier": "0x1", "certificate": "0x2"})
        )
        steps = [row[3] for row in cursor.fetchall()]
    finally:
        conn.close()
    assert not [step for step in steps if step.startswith("SCAN")], steps
    assert any("ix_originals_identifier" in step for step in steps)
    assert any("ix_provenance_events_reference" in step for step in steps)


def test_originals_come_first_registration_first_whether_found_by_identifier_or_by_certificate(
    indexed: tuple[Engine, World],
) -> None:
    engine, world = indexed
    facts = IndexFacts(engine)
    diploma, second = world.ids["original:diploma"], world.ids["original:second"]
    by_identifier = facts.provenance([fingerprint("diploma 1")], [])
    assert [(o.id, o.registrar, o.first_registration) for o in by_identifier] == [
        (diploma, UNI, True),
        (second, MILL, False),
    ]
    assert (by_identifier[0].disposition, by_identifier[1].holder) == (Disposition.STOLEN, TOWN)
    assert [o.id for o in facts.provenance([], [world.ids["diploma-1"]])] == [diploma]
    assert [o.id for o in facts.provenance([fingerprint("diploma 1")], [world.ids["diploma-1"]])] == [diploma, second]
    assert facts.provenance([], []) == []
    assert facts.provenance([fingerprint("nothing")], [world.ids["diploma-2"]]) == []


def test_the_readers_cache_forgets_the_provenance_once_the_index_changes(indexed: tuple[Engine, World]) -> None:
    engine, _world = indexed
    facts = IndexFacts(engine)
    assert facts.open_reader()
    try:
        identifier = fingerprint("diploma 1")
        with facts.session() as session:
            assert len(session.provenance([identifier], [])) == 2
        with engine.begin() as conn:  # a third registration, as the indexer would commit it
            conn.execute(
                insert(s.originals).values(
                    id="0x" + "3d" * 32, identifier=identifier, registrar=TOWN, owner=TOWN, holder=TOWN,
                    third_party_holds=False, disposition=0, soulbound=False, parent=None, registered_block=10**6,
                    registered_log_index=0, registered_at=None, tx_hash="0x" + "3e" * 32, updated_block=10**6,
                )
            )  # fmt: skip
        with facts.session() as session:
            found = session.provenance([identifier], [])
        assert [o.id for o in found][-1] == "0x" + "3d" * 32
        assert (found[-1].registered_at, found[-1].first_registration) == (None, False)
    finally:
        facts.close_reader()
