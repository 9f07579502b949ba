"""The EPCIS 2.0 export (ledger/epcis.py) against GS1's EPCIS 2.0 JSON schema, and the GS1 event hash
(ledger/epcis_hash.py) against the reference implementation and GS1's published example (see support/epcis_schema.py
for where the schema and the reference implementation come from)."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from support.epcis_schema import epcis_validator, reference_hashes, schema_errors
from support.provenance_fixture import (
    ARTIST,
    COLLECTOR,
    IDENTIFIER,
    MUSEUM,
    ORIGINAL,
    PARENT,
    REGISTRAR,
    REGISTRY,
    RESTORER,
    T0,
    rich_provenance,
)

from ledger.digital_link import digital_link
from ledger.epcis import (
    CONTEXT,
    ExportError,
    epc_of,
    epcis_document,
    evidence_hash_of,
    lifecycle_event,
    party,
)
from ledger.epcis_hash import UnsupportedEpcisEvent, digest_of, event_hash, pre_hash

# The reference implementation reads its bundled GS1 context with a deprecated importlib call.
pytestmark = pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def validator() -> Any:
    return epcis_validator()


# -- the schema -----------------------------------------------------------------------------------------------------


def test_the_export_of_a_rich_original_validates_against_gs1s_epcis_2_schema(validator: Any) -> None:
    document = epcis_document(rich_provenance(), created_at=T0 + 86_400 * 20)
    assert schema_errors(validator, document) == []
    kinds = [(e["type"], e.get("bizStep"), e.get("disposition")) for e in document["epcisBody"]["eventList"]]
    assert kinds == [
        ("ObjectEvent", "commissioning", "active"),
        ("TransformationEvent", None, None),
        ("ObjectEvent", "accepting", None),  # sold
        ("ObjectEvent", "accepting", None),  # lent to the museum
        ("ObjectEvent", "inspecting", None),
        ("ObjectEvent", "https://originals.example/cbv/BizStep-restoring", None),
        ("ObjectEvent", "accepting", None),  # back from the museum
        ("ObjectEvent", None, "stolen"),
        ("ObjectEvent", None, "active"),  # recovered
        ("ObjectEvent", None, "recalled"),
        ("ObjectEvent", None, "active"),
        ("ObjectEvent", None, "https://originals.example/cbv/Disp-lost"),
        ("ObjectEvent", None, "active"),
        ("ObjectEvent", None, "destroyed"),
    ]


def test_the_export_with_a_digital_link_validates_and_names_the_original_by_it(validator: Any) -> None:
    link = digital_link("9506000134352", "AB/12")
    provenance = rich_provenance() | {"identifier": link.identifier}
    provenance["timeline"][0]["reference"] = link.identifier
    document = epcis_document(provenance, link=link, created_at=T0)
    assert schema_errors(validator, document) == []
    events = document["epcisBody"]["eventList"]
    assert events[0]["epcList"] == ["https://id.gs1.org/01/09506000134352/21/AB%2F12"]
    assert events[1]["outputEPCList"] == ["https://id.gs1.org/01/09506000134352/21/AB%2F12"]
    assert events[1]["inputEPCList"] == [f"urn:originals:original:{PARENT}"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("epcisBody", "eventList", 0, "action"), "MOVE"),
        (("epcisBody", "eventList", 0, "eventTimeZoneOffset"), "UTC"),
        (("epcisBody", "eventList", 0, "eventTime"), "yesterday"),
        (("epcisBody", "eventList", 0, "eventID"), "not a URI"),
        (("epcisBody", "eventList", 0, "bizStep"), "urn:epcglobal:cbv:bizstep:commissioning"),
        (("epcisBody", "eventList", 0, "disposition"), "gone"),
        (("epcisBody", "eventList", 0, "destinationList", 0, "type"), "owner"),
        (("epcisBody", "eventList", 2, "sourceList", 0), {"type": "owning_party"}),
        (("epcisBody", "eventList", 0, "epcList"), "urn:originals:original:x"),
        (("epcisBody", "eventList", 0, "colour"), "red"),
        (("schemaVersion",), "two"),
        (("type",), "ObjectEvent"),
    ],
)
def test_a_broken_document_fails_the_schema(validator: Any, path: tuple[Any, ...], value: Any) -> None:
    document = epcis_document(rich_provenance(), created_at=T0)
    assert schema_errors(validator, document) == []
    broken = copy.deepcopy(document)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert schema_errors(validator, broken) != []


def test_a_document_without_its_required_parts_fails_the_schema(validator: Any) -> None:
    document = epcis_document(rich_provenance(), created_at=T0)
    for key in ("@context", "creationDate", "epcisBody"):
        assert schema_errors(validator, {k: v for k, v in document.items() if k != key}) != [], key
    without_time = copy.deepcopy(document)
    del without_time["epcisBody"]["eventList"][4]["eventTime"]
    assert schema_errors(validator, without_time) != []


# -- the mapping ----------------------------------------------------------------------------------------------------


def test_registration_commissions_the_original_to_its_first_owner_and_holder() -> None:
    event = epcis_document(rich_provenance(), created_at=T0)["epcisBody"]["eventList"][0]
    assert event == {
        "type": "ObjectEvent",
        "eventID": event["eventID"],
        "eventTime": "2026-01-01T00:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "recordTime": "2026-01-01T00:00:00.000Z",
        "epcList": [f"urn:originals:original:{ORIGINAL}"],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "destinationList": [
            {"type": "owning_party", "destination": f"urn:originals:party:{ARTIST}"},
            {"type": "possessing_party", "destination": f"urn:originals:party:{ARTIST}"},
        ],
        "originals:actor": f"urn:originals:party:{REGISTRAR}",
        "originals:identifier": IDENTIFIER,
    }


def test_a_sale_moves_title_and_custody_when_the_owner_held_it_and_a_loan_moves_custody_only() -> None:
    events = epcis_document(rich_provenance(), created_at=T0)["epcisBody"]["eventList"]
    sale, loan, back = events[2], events[3], events[6]
    assert sale["sourceList"] == [
        {"type": "owning_party", "source": party(ARTIST)},
        {"type": "possessing_party", "source": party(ARTIST)},
    ]
    assert sale["destinationList"] == [
        {"type": "owning_party", "destination": party(COLLECTOR)},
        {"type": "possessing_party", "destination": party(COLLECTOR)},
    ]
    assert loan["sourceList"] == [{"type": "possessing_party", "source": party(COLLECTOR)}]
    assert loan["destinationList"] == [{"type": "possessing_party", "destination": party(MUSEUM)}]
    assert back["sourceList"] == [{"type": "possessing_party", "source": party(MUSEUM)}]


def test_a_sale_while_a_museum_holds_it_moves_the_title_only() -> None:
    provenance = rich_provenance()
    timeline = provenance["timeline"]
    sale = next(e for e in timeline if e["action"] == "transferred" and e["right"] == "TITLE")
    timeline.remove(sale)
    loan_index = next(i for i, e in enumerate(timeline) if e["action"] == "transferred")
    timeline.insert(loan_index + 1, sale | {"block_number": 104, "log_index": 5})
    loan, sale_event = epcis_document(provenance, created_at=T0)["epcisBody"]["eventList"][2:4]
    assert loan["destinationList"] == [{"type": "possessing_party", "destination": party(MUSEUM)}]
    assert sale_event["destinationList"] == [{"type": "owning_party", "destination": party(COLLECTOR)}]


def test_lifecycle_events_happen_when_they_occurred_and_name_recorder_consent_and_other_evidence() -> None:
    events = epcis_document(rich_provenance(), created_at=T0)["epcisBody"]["eventList"]
    inspection, restoration = events[4], events[5]
    assert inspection["eventTime"] == "2026-01-05T23:00:00.000Z"
    assert inspection["recordTime"] == "2026-01-06T00:00:00.000Z"
    assert inspection["originals:actor"] == party(MUSEUM)
    assert inspection["originals:evidence"] == "0x" + "e1" * 32
    assert "originals:consentedBy" not in inspection
    assert restoration["originals:actor"] == party(RESTORER)
    assert restoration["originals:consentedBy"] == party(MUSEUM)


def test_dispositions_and_their_clearing_say_who_what_and_the_evidence() -> None:
    events = epcis_document(rich_provenance(), created_at=T0)["epcisBody"]["eventList"]
    stolen, recovered, council = events[7], events[8], events[12]
    assert (stolen["disposition"], stolen["originals:actor"], stolen["originals:evidence"]) == (
        "stolen",
        party(COLLECTOR),
        "0x" + "e2" * 32,
    )
    assert recovered["originals:cleared"] == "https://ref.gs1.org/cbv/Disp-stolen"
    assert "originals:evidence" not in recovered  # a zero evidence hash is no evidence
    assert council["originals:cleared"] == "https://originals.example/cbv/Disp-lost"
    assert council["originals:actor"] == party(REGISTRY)


def test_offers_links_and_claims_are_not_events_of_the_object() -> None:
    provenance = rich_provenance()
    extra = {"action": "claimed", "actor": COLLECTOR, "party": "0x" + "77" * 20, "right": "TITLE"}
    provenance["timeline"].append(provenance["timeline"][-1] | extra | {"log_index": 1})
    assert len(epcis_document(provenance, created_at=T0)["epcisBody"]["eventList"]) == 14


def test_a_digital_link_of_another_identifier_is_refused() -> None:
    with pytest.raises(ExportError, match="is not the identifier"):
        epcis_document(rich_provenance(), link=digital_link("9506000134352", "X1"))


def test_an_event_of_a_block_without_a_time_is_refused_rather_than_dated_wrongly() -> None:
    provenance = rich_provenance()
    provenance["timeline"][5]["at"] = None
    with pytest.raises(ExportError, match="not known yet"):
        epcis_document(provenance)


# -- the event hash -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_link", [False, True])
def test_every_event_id_is_the_reference_implementations_gs1_event_hash(with_link: bool) -> None:
    provenance = rich_provenance()
    link = None
    if with_link:
        link = digital_link("09506000134352", "AB/12")
        provenance["identifier"] = link.identifier
    document = epcis_document(provenance, link=link, created_at=T0)
    events = document["epcisBody"]["eventList"]
    assert [e["eventID"] for e in events] == reference_hashes(document)
    assert len(set(e["eventID"] for e in events)) == len(events)


# GS1's published Example 1 of the event hash algorithm (epcis-event-hash-generator, tests/examples/
# ReferenceEventHashAlgorithm.jsonld, MIT): its pre-hash string and hash.
EXAMPLE_1 = {
    "@context": [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"gs1": "https://gs1.org/voc/"},
        {"example": "https://ns.example.com/epcis/"},
    ],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2022-02-17T11:30:47.0Z",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": "2020-03-04T11:00:30.000+01:00",
                "eventTimeZoneOffset": "+01:00",
                "recordTime": "2020-03-04T11:00:30.999+01:00",
                "epcList": [
                    "urn:epc:id:sscc:4012345.0000000333",
                    "urn:epc:id:sscc:4012345.0000000111",
                    "urn:epc:id:sscc:4012345.0000000222",
                ],
                "action": "OBSERVE",
                "bizStep": "departing",
                "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
                "example:myField1": {"example:mySubField1": "2", "example:mySubField2": "5"},
                "example:myField2": "0",
                "example:myField3": {"example:mySubField3": ["3", "1"]},
            }
        ]
    },
}
EXAMPLE_1_PRE_HASH = (
    "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00"
    "epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/00/040123450000002225"
    "epc=https://id.gs1.org/00/040123450000003338action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departing"
    "readPointid=https://id.gs1.org/414/4012345000115/254/987"
    "{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2"
    "{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0"
    "{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1"
    "{https://ns.example.com/epcis/}mySubField3=3"
)
EXAMPLE_1_HASH = "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0"


def test_the_reference_implementation_gives_gs1s_published_example_hash() -> None:
    assert reference_hashes(EXAMPLE_1) == [EXAMPLE_1_HASH]


def test_our_hash_gives_gs1s_published_example_pre_hash_and_hash() -> None:
    # Converting EPC URNs to Digital Link is not implemented here (we never write URNs): the EPCs are given in the
    # Digital Link form the published pre-hash shows.
    event = copy.deepcopy(EXAMPLE_1["epcisBody"]["eventList"][0])  # type: ignore[index]
    event["epcList"] = [
        "https://id.gs1.org/00/040123450000003338",
        "https://id.gs1.org/00/040123450000001112",
        "https://id.gs1.org/00/040123450000002225",
    ]
    event["readPoint"] = {"id": "https://id.gs1.org/414/4012345000115/254/987"}
    assert pre_hash(event, EXAMPLE_1["@context"]) == EXAMPLE_1_PRE_HASH
    assert event_hash(event, EXAMPLE_1["@context"]) == EXAMPLE_1_HASH


def test_the_hash_does_not_depend_on_key_order_list_order_time_zone_record_time_or_event_id() -> None:
    event = lifecycle_event(epc_of(ORIGINAL), 17, T0, MUSEUM)
    reordered = dict(reversed(list(event.items())))
    elsewhere = event | {"eventTime": "2026-01-01T01:00:00+01:00", "recordTime": "2027-01-01T00:00:00Z"}
    named = event | {"eventID": "ni:///sha-256;00?ver=CBV2.0"}
    hashes = {event_hash(e, CONTEXT) for e in (event, reordered, elsewhere, named)}
    assert len(hashes) == 1
    two = {"type": "ObjectEvent", "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00"}
    assert event_hash(two | {"epcList": ["urn:a:1", "urn:a:2"]}) == event_hash(
        two | {"epcList": ["urn:a:2", "urn:a:1"]}
    )


@pytest.mark.parametrize(
    "change",
    [
        {"eventTime": "2026-01-01T00:00:00.001Z"},
        {"epcList": [epc_of(PARENT)]},
        {"bizStep": "repairing"},
        {"action": "ADD"},
        {"originals:actor": party(RESTORER)},
        {"originals:evidence": "0x" + "e1" * 32},
        {"disposition": "active"},
    ],
)
def test_any_change_of_an_event_changes_its_hash(change: dict[str, Any]) -> None:
    event = lifecycle_event(epc_of(ORIGINAL), 17, T0, MUSEUM)
    assert event_hash(event | change, CONTEXT) != event_hash(event, CONTEXT)


@pytest.mark.parametrize(
    "event",
    [
        {"type": "ObjectEvent", "quantityList": [{"epcClass": "urn:x", "quantity": 1}]},
        {"type": "ObjectEvent", "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"]},
        {"type": "ObjectEvent", "unknown:field": "1"},
        {"type": "ObjectEvent", "colour": "red"},
        {"type": "ObjectEvent", "originals:flag": True},
        {"type": "ObjectEvent", "originals:restoredTime": "2026-01-01T00:00:00Z"},
        {"eventTime": "2026-01-01T00:00:00Z"},
    ],
)
def test_what_the_hash_does_not_implement_is_refused_not_guessed(event: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedEpcisEvent):
        event_hash(event, CONTEXT)


# -- the round trip: what a partner anchors is what the export names --------------------------------------------------


def test_the_anchored_evidence_hash_of_a_lifecycle_event_is_the_exported_event_id() -> None:
    # A restorer builds the EPCIS event of a restoration, with the museum's consent, and anchors its evidence hash.
    epc = epc_of(ORIGINAL)
    occurred = T0 + 86_400 * 6 - 7200
    event = lifecycle_event(epc, 1003, occurred, RESTORER, consented_by=MUSEUM)
    evidence = evidence_hash_of(event)
    anchored = bytes.fromhex(evidence.removeprefix("0x"))
    assert len(anchored) == 32
    assert anchored == hashlib.sha256(pre_hash(event, CONTEXT).encode()).digest()
    assert evidence == digest_of(event_hash(event, CONTEXT))

    # The chain logs it (the read model's `reference`); the export names the event by the same 64 digits.
    first = epcis_document(rich_provenance(evidence=evidence), created_at=T0 + 100)
    again = epcis_document(rich_provenance(evidence=evidence), created_at=T0 + 200)
    restoration = first["epcisBody"]["eventList"][5]
    assert restoration["eventID"] == f"ni:///sha-256;{anchored.hex()}?ver=CBV2.0"
    assert "originals:evidence" not in restoration
    assert evidence_hash_of(restoration) == evidence  # the eventID and recordTime do not count
    assert [e["eventID"] for e in again["epcisBody"]["eventList"]] == [
        e["eventID"] for e in first["epcisBody"]["eventList"]
    ]
    assert reference_hashes(first)[5] == restoration["eventID"]


def test_other_anchored_evidence_is_exported_beside_the_event_and_is_not_its_id() -> None:
    restoration = epcis_document(rich_provenance(), created_at=T0)["epcisBody"]["eventList"][5]
    assert restoration["originals:evidence"] == "0x" + "e5" * 32
    assert digest_of(restoration["eventID"]) != "0x" + "e5" * 32
    assert restoration["eventID"] == event_hash(restoration, CONTEXT)


def test_one_transformation_takes_every_parent_of_its_transaction() -> None:
    provenance = rich_provenance()
    derived = next(e for e in provenance["timeline"] if e["action"] == "derived")
    other = "0x" + "b3" * 32
    provenance["timeline"].insert(4, derived | {"log_index": 4, "reference": other})
    events = epcis_document(provenance, created_at=T0)["epcisBody"]["eventList"]
    transformations = [e for e in events if e["type"] == "TransformationEvent"]
    assert [t["inputEPCList"] for t in transformations] == [[epc_of(PARENT), epc_of(other)]]


def test_the_same_history_gives_the_same_document_dated_by_its_newest_event() -> None:
    first, again = epcis_document(rich_provenance()), epcis_document(rich_provenance())
    assert first == again
    assert first["creationDate"] == "2026-01-15T00:00:00.000Z"  # the destruction's block, the newest event


def test_an_event_anchored_under_a_digital_link_is_matched_when_the_export_is_given_the_link() -> None:
    link = digital_link("9506000134352", "AB12")
    event = lifecycle_event(epc_of(ORIGINAL, link), 1003, T0 + 86_400 * 6 - 7200, RESTORER, consented_by=MUSEUM)
    evidence = evidence_hash_of(event)
    provenance = rich_provenance(evidence=evidence) | {"identifier": link.identifier}
    with_link = epcis_document(provenance, link=link)["epcisBody"]["eventList"][5]
    without = epcis_document(provenance)["epcisBody"]["eventList"][5]
    assert digest_of(with_link["eventID"]) == evidence
    assert "originals:evidence" not in with_link
    assert without["originals:evidence"] == evidence  # the export cannot know the link: it shows what was anchored
