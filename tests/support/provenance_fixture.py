"""A hand-written provenance read model (the shape of ``GET /originals/{id}/provenance``, docs: prov-spec) of an
original with a rich history: derived from a fabric batch, registered, sold, lent to a museum, inspected, restored
with a partner's consent, stolen, recovered, recalled and the recall ended. Used by the EPCIS export's tests, which
need no chain."""

from __future__ import annotations

from typing import Any

ORIGINAL = "0x" + "a1" * 32
IDENTIFIER = "0x" + "1d" * 32
PARENT = "0x" + "b2" * 32
REGISTRAR = "0x" + "11" * 20
ARTIST = "0x" + "22" * 20
COLLECTOR = "0x" + "33" * 20
MUSEUM = "0x" + "44" * 20
RESTORER = "0x" + "55" * 20
REGISTRY = "0x" + "66" * 20
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def _tx(n: int) -> str:
    return "0x" + f"{n:064x}"


def entry(n: int, action: str, actor: str, **values: Any) -> dict[str, Any]:
    """One timeline entry of block ``100 + n``, every field of the spec's shape, the ones not given null."""
    return {
        "block_number": 100 + n,
        "log_index": values.pop("log_index", 0),
        "tx_hash": values.pop("tx_hash", _tx(n)),
        "at": values.pop("at", T0 + 86_400 * n),
        "action": action,
        "actor": actor,
        "party": None,
        "right": None,
        "disposition": None,
        "biz_step": None,
        "occurred_at": None,
        "deadline": None,
        "reference": None,
        "by_council": None,
    } | values


def step(code: int, name: str | None, uri: str | None) -> dict[str, Any]:
    return {"code": code, "name": name, "uri": uri}


def rich_provenance(evidence: str = "0x" + "e5" * 32) -> dict[str, Any]:
    """The read model; ``evidence`` is the restoration's anchored evidence hash (a report's, by default)."""
    timeline = [
        entry(0, "registered", REGISTRAR, party=ARTIST, reference=IDENTIFIER),
        entry(0, "held_at_registration", REGISTRAR, party=ARTIST, log_index=1),
        entry(0, "certificate_linked", REGISTRAR, reference="0x" + "c0" * 32, log_index=2),
        entry(0, "derived", REGISTRAR, reference=PARENT, log_index=3),
        entry(1, "offered", ARTIST, party=COLLECTOR, right="TITLE", deadline=T0 + 86_400 * 9),
        entry(2, "transferred", ARTIST, party=COLLECTOR, right="TITLE"),
        entry(3, "offered", COLLECTOR, party=MUSEUM, right="CUSTODY", deadline=T0 + 86_400 * 9),
        entry(4, "transferred", COLLECTOR, party=MUSEUM, right="CUSTODY"),
        entry(
            5,
            "event_recorded",
            MUSEUM,
            biz_step=step(17, "inspecting", "https://ref.gs1.org/cbv/BizStep-inspecting"),
            occurred_at=T0 + 86_400 * 5 - 3600,
            reference="0x" + "e1" * 32,
        ),
        entry(
            6,
            "event_consented",
            RESTORER,
            party=MUSEUM,
            biz_step=step(1003, "restoring", "https://originals.example/cbv/BizStep-restoring"),
            occurred_at=T0 + 86_400 * 6 - 7200,
            reference=evidence,
        ),
        entry(7, "transferred", MUSEUM, party=COLLECTOR, right="CUSTODY"),
        entry(8, "disposition_reported", COLLECTOR, disposition="STOLEN", reference="0x" + "e2" * 32),
        entry(9, "disposition_cleared", COLLECTOR, disposition="STOLEN", reference="0x" + "00" * 32, by_council=False),
        entry(10, "disposition_reported", REGISTRAR, disposition="RECALLED", reference="0x" + "e3" * 32),
        entry(
            11, "disposition_cleared", REGISTRAR, disposition="RECALLED", reference="0x" + "e4" * 32, by_council=False
        ),
        entry(12, "disposition_reported", COLLECTOR, disposition="LOST", reference="0x" + "e6" * 32),
        entry(13, "disposition_cleared", REGISTRY, disposition="LOST", reference="0x" + "e7" * 32, by_council=True),
        entry(14, "disposition_reported", COLLECTOR, disposition="DESTROYED", reference="0x" + "e8" * 32),
    ]
    return {
        "id": ORIGINAL,
        "identifier": IDENTIFIER,
        "registrar": REGISTRAR,
        "registrar_name": "Atelier",
        "registered_at": T0,
        "registered_block": 100,
        "owner": COLLECTOR,
        "holder": COLLECTOR,
        "soulbound": False,
        "disposition": "DESTROYED",
        "first_registration": True,
        "tx_hash": _tx(0),
        "third_party_holds": False,
        "first_registered": {
            "original": ORIGINAL,
            "registrar": REGISTRAR,
            "registrar_name": "Atelier",
            "registered_at": T0,
            "registered_block": 100,
        },
        "parents": [PARENT],
        "children": [],
        "certificates": ["0x" + "c0" * 32],
        "timeline": timeline,
        "next_cursor": None,
        "indexed_block": 120,
    }
