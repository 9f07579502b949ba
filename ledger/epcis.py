"""An original's provenance as a GS1 EPCIS 2.0 JSON-LD document, each event named by its GS1 event hash.

This turns the provenance read model (the answer of ``GET /originals/{id}/provenance``: the original's summary and
its whole timeline, oldest first) into the standard vocabulary supply chains, museums and the EU digital product
passport exchange: what happened to which object, when, and between which parties. :func:`epcis_document` is pure (a
read model in, a document out); :func:`export` reads the whole timeline through :mod:`ledger.provenance_reads` for
the API route. Nothing here writes. See ``docs/decisions/0011-epcis-export.md``.

The mapping (CBV 2.0 words where CBV has one, this consortium's URIs where it has none):

- registration -> ObjectEvent ADD, ``commissioning``, disposition ``active``, destinations the first owner
  (``owning_party``) and holder (``possessing_party``);
- derivation -> TransformationEvent, the parents in ``inputEPCList``, the original in ``outputEPCList``;
- an accepted or claimed transfer -> ObjectEvent OBSERVE, ``accepting`` ("an object changes possession and/or
  ownership"), from source to destination ``owning_party`` (title) or ``possessing_party`` (custody; a sale moves
  custody too when the owner held the original);
- a lifecycle event -> ObjectEvent OBSERVE with its business step (:mod:`ledger.cbv`) at the time it occurred;
- a reported disposition -> ObjectEvent OBSERVE with disposition ``stolen``, ``destroyed``, ``recalled`` or
  ``lost`` (ours: CBV has no "lost"); a cleared one -> disposition ``active``.

Offers, rejections, cancellations, certificate links and the soulbound flag are left out: EPCIS records what happened
to an object, not proposals about it. ``recordTime`` is the block's time; ``eventID`` is the event's GS1 event hash
(:mod:`ledger.epcis_hash`), which the hash leaves ``recordTime`` and ``eventID`` out of, so anyone can recompute it.

Anchoring a lifecycle event's EPCIS form: a partner records an event with ``evidenceHash =
evidence_hash_of(lifecycle_event(...))``, the SHA-256 digest inside the event's hash as a ``bytes32``. The export
rebuilds the same event from the chain's facts (the original, the step, the time, the recorder and the consenting
holder): when its digest is the anchored evidence hash, the exported event *is* the anchored one, and its ``eventID``
shows the hash the chain holds. When a partner anchored other evidence (a report's hash), the export adds it as
``originals:evidence``, so the event says what was anchored, and its ``eventID`` is the hash of that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from ledger import provenance_reads
from ledger.cbv import EXTENSION_BIZSTEP_URI, step_of
from ledger.digital_link import DigitalLink, parse
from ledger.epcis_hash import digest_of, event_hash
from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.reads import MAX_PAGE

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
"""GS1's EPCIS 2.0 JSON-LD context (the one the standard publishes for 2.0.0)."""

NAMESPACE = "https://originals.example/epcis/"
"""This consortium's namespace for extension fields (``originals:actor``) and values (``Disp-lost``)."""

CONTEXT: list[Any] = [GS1_CONTEXT, {"originals": NAMESPACE}]
"""The ``@context`` of every exported document."""

MEDIA_TYPE = "application/ld+json"

PARTY_URI = "urn:originals:party:"
"""A party (an owner, a holder, a partner): ``urn:originals:party:0x…`` + its lower-case address."""

ORIGINAL_URI = "urn:originals:original:"
"""The EPC of an original whose GS1 Digital Link is not known: ``urn:originals:original:0x…`` + its id."""

CBV_DISPOSITION_URI = "https://ref.gs1.org/cbv/Disp-"
"""The GS1 web URI of a CBV 2.0 disposition, what a bare word in ``disposition`` stands for."""

EXTENSION_DISPOSITION_URI = "https://originals.example/cbv/Disp-"
"""Dispositions CBV does not define (``lost``), beside :data:`ledger.cbv.EXTENSION_BIZSTEP_URI`."""

DISPOSITIONS = {
    "LOST": EXTENSION_DISPOSITION_URI + "lost",
    "STOLEN": "stolen",
    "DESTROYED": "destroyed",
    "RECALLED": "recalled",
}
"""The registry's dispositions as EPCIS dispositions (CBV 2.0 words, ours as URIs)."""

_DISPOSITION_NAMES = ("NONE", "LOST", "STOLEN", "DESTROYED", "RECALLED")
"""The contract's enum order, for a read model that gives a disposition by number."""

_ZERO = "0x" + "00" * 32


class ExportError(LedgerError, ValueError):
    """A read model this module cannot export: a Digital Link of another original, or an event without a time."""


def party(address: str) -> str:
    """The URI of a party: ``urn:originals:party:`` + its lower-case address."""
    return PARTY_URI + address.lower()


def epc_of(original: str, link: DigitalLink | None = None) -> str:
    """The EPC of an original: its canonical GS1 Digital Link URI when known, else ``urn:originals:original:0x…``."""
    return link.uri if link is not None else ORIGINAL_URI + original.lower()


def lifecycle_event(
    epc: str, biz_step: int, occurred_at: int, recorder: str, consented_by: str | None = None
) -> dict[str, Any]:
    """The EPCIS event of a lifecycle event, built from exactly what the chain keeps of it (without ``eventID``).

    A partner computes ``evidence_hash_of`` of this before recording the event, the export builds it again from the
    chain's log, and both arrive at the same hash.

    Args:
        epc: the original's EPC (:func:`epc_of`).
        biz_step: the registry's business step code (:mod:`ledger.cbv`).
        occurred_at: when it happened, unix seconds.
        recorder: who records it: the holder, or a partner with the holder's consent.
        consented_by: the consenting holder, when a partner records it.
    """
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _time(occurred_at),
        "eventTimeZoneOffset": "+00:00",
        "epcList": [epc],
        "action": "OBSERVE",
        "bizStep": _biz_step(biz_step),
        "originals:actor": party(recorder),
    }
    if consented_by is not None:
        event["originals:consentedBy"] = party(consented_by)
    return event


def evidence_hash_of(epcis_event: Mapping[str, Any], context: Any = None) -> str:
    """What a partner anchors as a lifecycle event's ``evidenceHash``: the SHA-256 digest inside the event's GS1
    event hash, ``0x`` + 64 hex digits, so the chain's bytes32 and the ``eventID`` show the same 64 digits.

    ``eventID`` and ``recordTime`` do not count (the hash leaves them out); ``context`` defaults to :data:`CONTEXT`.
    """
    return digest_of(event_hash(epcis_event, CONTEXT if context is None else context))


def epcis_document(
    provenance: Mapping[str, Any], *, link: DigitalLink | None = None, created_at: int | None = None
) -> dict[str, Any]:
    """The EPCIS 2.0 document of an original's provenance.

    Args:
        provenance: the read model of ``GET /originals/{id}/provenance`` with the *whole* timeline (every page).
        link: the original's GS1 Digital Link, when known: its URI is then the EPC; it must be the one the original
            was registered under (:class:`ExportError` otherwise).
        created_at: the document's ``creationDate``, unix seconds; by default the time of its newest event (when it
            was recorded), so the same history always gives the same document.
    """
    original = str(provenance["id"])
    if link is not None and link.identifier != str(provenance["identifier"]).lower():
        raise ExportError(_("the Digital Link {uri} is not the identifier of original {id}", uri=link.uri, id=original))
    epc = epc_of(original, link)
    events = [_with_id(event) for event in _events(provenance, epc)]
    # The newest event's time, not the clock's: one state of the index gives the same bytes (as the PDF certificate's
    # date is the moment its shown status took effect). Both are UTC in one format, so the later string is later.
    newest = max((e.get("recordTime", e["eventTime"]) for e in events), default=None)
    created = _time(created_at) if created_at is not None else newest or _time(int(datetime.now(UTC).timestamp()))
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }


def export(conn: Connection, original: str, link: str | None = None, created_at: int | None = None) -> dict[str, Any]:
    """The EPCIS 2.0 document of an original in the index: its provenance with every page of its timeline.

    Args:
        conn: a connection to the index (the pages are read on it one after the other).
        original: the original's id.
        link: its GS1 Digital Link URI on any resolver, when the caller knows it (then the EPC).

    Raises:
        NotFound: no original with this id (a 404).
        InvalidDigitalLink, ExportError: a link that is no Digital Link, or another original's (a 422).
    """
    provenance = provenance_reads.original_provenance(conn, original, MAX_PAGE)  # an unknown id first: a 404
    parsed = None if link is None else parse(link)
    timeline = list(provenance["timeline"])
    cursor = provenance["next_cursor"]
    while cursor is not None:
        page = provenance_reads.original_provenance(conn, original, MAX_PAGE, cursor)
        timeline.extend(page["timeline"])
        cursor = page["next_cursor"]
    return epcis_document(provenance | {"timeline": timeline}, link=parsed, created_at=created_at)


def _with_id(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its GS1 event hash as ``eventID`` (placed after ``type``, where readers look for it)."""
    kind, rest = event["type"], {k: v for k, v in event.items() if k != "type"}
    return {"type": kind, "eventID": event_hash(event, CONTEXT), **rest}


def _events(provenance: Mapping[str, Any], epc: str) -> list[dict[str, Any]]:
    timeline: Sequence[Mapping[str, Any]] = provenance["timeline"]
    held = {e["tx_hash"]: e["party"] for e in timeline if e["action"] == "held_at_registration"}
    parents: dict[str, list[str]] = {}
    for entry in timeline:
        if entry["action"] == "derived" and entry.get("reference"):
            parents.setdefault(entry["tx_hash"], []).append(str(entry["reference"]))
    owner = holder = ""
    out: list[dict[str, Any]] = []
    derived_done: set[str] = set()
    for entry in timeline:
        action = entry["action"]
        if action == "registered":
            owner = str(entry["party"])
            holder = str(held.get(entry["tx_hash"], owner))
            out.append(_registration(entry, epc, owner, holder))
        elif action == "derived" and entry["tx_hash"] in parents and entry["tx_hash"] not in derived_done:
            derived_done.add(entry["tx_hash"])  # one transformation per transaction, whatever its number of parents
            out.append(_derivation(entry, epc, parents[entry["tx_hash"]]))
        elif action == "transferred":
            event, owner, holder = _transfer(entry, epc, owner, holder)
            out.append(event)
        elif action in ("event_recorded", "event_consented"):
            out.append(_lifecycle(entry, epc))
        elif action in ("disposition_reported", "disposition_cleared"):
            out.append(_disposition(entry, epc))
    return out


def _registration(entry: Mapping[str, Any], epc: str, owner: str, holder: str) -> dict[str, Any]:
    return _observed(entry, epc, action="ADD") | {
        "bizStep": "commissioning",
        "disposition": "active",
        "destinationList": [
            {"type": "owning_party", "destination": party(owner)},
            {"type": "possessing_party", "destination": party(holder)},
        ],
        "originals:actor": party(entry["actor"]),
        "originals:identifier": str(entry["reference"]).lower(),
    }


def _derivation(entry: Mapping[str, Any], epc: str, parents: list[str]) -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "eventTime": _time(_at(entry)),
        "eventTimeZoneOffset": "+00:00",
        **_recorded(entry),
        "inputEPCList": [epc_of(parent) for parent in parents],
        "outputEPCList": [epc],
        "originals:actor": party(entry["actor"]),
    }


def _transfer(entry: Mapping[str, Any], epc: str, owner: str, holder: str) -> tuple[dict[str, Any], str, str]:
    """The transfer's event, and the owner and holder after it (the registry's rule: a sale moves custody when the
    owner held the original)."""
    source, destination = str(entry["actor"]), str(entry["party"])
    kinds = []
    if entry["right"] == "TITLE":
        kinds.append("owning_party")
        if holder == owner:
            kinds.append("possessing_party")
            holder = destination
        owner = destination
    else:
        kinds.append("possessing_party")
        holder = destination
    event = _observed(entry, epc) | {
        "bizStep": "accepting",
        "sourceList": [{"type": kind, "source": party(source)} for kind in kinds],
        "destinationList": [{"type": kind, "destination": party(destination)} for kind in kinds],
    }
    return event, owner, holder


def _lifecycle(entry: Mapping[str, Any], epc: str) -> dict[str, Any]:
    consented = entry["party"] if entry["action"] == "event_consented" else None
    step = entry["biz_step"]
    code = int(step["code"] if isinstance(step, Mapping) else step)
    event = lifecycle_event(epc, code, int(entry["occurred_at"]), str(entry["actor"]), consented)
    evidence = str(entry.get("reference") or _ZERO).lower()
    if evidence not in (_ZERO, evidence_hash_of(event)):
        event["originals:evidence"] = evidence
    if entry.get("at") is not None:
        event["recordTime"] = _time(int(entry["at"]))
    return event


def _disposition(entry: Mapping[str, Any], epc: str) -> dict[str, Any]:
    named = _disposition_name(entry["disposition"])
    event = _observed(entry, epc)
    if entry["action"] == "disposition_reported":
        event["disposition"] = DISPOSITIONS[named]
    else:
        event["disposition"] = "active"
        # A full URI: JSON-LD gives bare words their CBV meaning only in the standard fields.
        cleared = DISPOSITIONS[named]
        event["originals:cleared"] = cleared if ":" in cleared else CBV_DISPOSITION_URI + cleared
    event["originals:actor"] = party(entry["actor"])
    evidence = str(entry.get("reference") or _ZERO).lower()
    if evidence != _ZERO:
        event["originals:evidence"] = evidence
    return event


def _observed(entry: Mapping[str, Any], epc: str, action: str = "OBSERVE") -> dict[str, Any]:
    """The fields every ObjectEvent of a chain event has: it happened at the block's time."""
    return {
        "type": "ObjectEvent",
        "eventTime": _time(_at(entry)),
        "eventTimeZoneOffset": "+00:00",
        **_recorded(entry),
        "epcList": [epc],
        "action": action,
    }


def _recorded(entry: Mapping[str, Any]) -> dict[str, str]:
    return {} if entry.get("at") is None else {"recordTime": _time(int(entry["at"]))}


def _at(entry: Mapping[str, Any]) -> int:
    if entry.get("at") is None:
        raise ExportError(
            _("the time of block {block} is not known yet; try again later", block=entry.get("block_number"))
        )
    return int(entry["at"])


def _biz_step(code: int) -> str:
    step = step_of(code)
    if step is None:
        return f"{EXTENSION_BIZSTEP_URI}{code}"  # a code this table does not know yet: still a distinct URI
    return step.name if step.standard else step.uri


def _disposition_name(value: Any) -> str:
    known = isinstance(value, int) and 0 <= value < len(_DISPOSITION_NAMES)
    name = _DISPOSITION_NAMES[value] if known else str(value).upper()
    if name not in DISPOSITIONS:
        raise ExportError(_("unknown disposition {value!r}", value=value))
    return name


def _time(seconds: int) -> str:
    """Unix seconds as an EPCIS time in UTC with milliseconds (``2026-05-01T10:00:00.000Z``)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"
