"""The GS1 EPCIS event hash (CBV 2.0, "EPCIS Event Hash ID"): ``ni:///sha-256;{hex}?ver=CBV2.0`` of an event.

The hash names an event by its content, whatever its serialisation: the event's fields are written into a *pre-hash
string* in a canonical order (``eventType=ObjectEventeventTime=…Z…``), with bare CBV words expanded to their GS1 web
URIs, times in UTC with milliseconds, list members sorted and extension fields named ``{namespace}local``; the
SHA-256 of that string is the hash. ``recordTime``, ``eventID``, ``errorDeclaration`` and comments are left out, so an
event's ``eventID`` can be its own hash.

Why our own implementation, and not the reference one (PyPI ``epcis-event-hash-generator``, MIT, "prototypical ...
not meant for production"): it expands every document with PyLD, whose loader it sets process-wide on import and
which fetches any context it does not bundle from the internet; it keeps module-global state between documents
(namespace prefixes leak from one document into the next, and the separator is a global), so it is not safe in a
threaded server; it logs and drops an event it cannot hash, which shifts the hashes of the following events; and it
brings Flask. This module is the algorithm for the JSON-LD events this project writes (:mod:`ledger.epcis`): pure,
no I/O, no global state. It refuses, rather than guesses, what it does not implement (quantities, sensor data, ILMD,
persistent dispositions, EPC URNs that need converting to GS1 Digital Link); of GS1 Digital Link URIs it puts only
GTIN + serial ones into canonical form (others are taken as written: canonical). The tests hash every exported event
with both and require the same answer, and check both against GS1's published example.

Where the reference implementation and the algorithm's text disagree, this follows the reference, whose hashes are
the ones others compute: ``bizTransactionList``, ``sourceList`` and ``destinationList`` are sorted with the extension
fields at the end (the text puts them after ``bizLocation``), and each of their members is written type first
(``type=…SDT-owning_partysource=…``; the reference follows the JSON key order there, and GS1's examples, like ours,
put ``type`` first).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.errors import LedgerError

CBV_VERSION = "CBV2.0"
"""The version of the algorithm, carried in the hash (``?ver=CBV2.0``)."""

CBV = "https://ref.gs1.org/cbv/"

_VOCABULARY = {"bizStep": "BizStep-", "disposition": "Disp-"}
"""Event fields whose bare words (``inspecting``) stand for CBV web URIs (``https://ref.gs1.org/cbv/BizStep-…``)."""

_TYPED_LISTS = {
    "bizTransactionList": ("bizTransaction", "BTT-"),
    "sourceList": ("source", "SDT-"),
    "destinationList": ("destination", "SDT-"),
}
"""Lists of ``{type, value}`` members: the member's key, and the CBV vocabulary of its bare ``type`` words."""

_EPC_LISTS = ("epcList", "inputEPCList", "childEPCs", "outputEPCList")
_ORDER = (
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "parentID",
    "epcList",
    "inputEPCList",
    "childEPCs",
    "outputEPCList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "readPoint",
    "bizLocation",
)
"""The canonical order of the standard fields this module writes (CBV 2.0's table, without what it refuses)."""

_IGNORED = frozenset({"type", "@context", "eventID", "recordTime", "errorDeclaration", "rdfs:comment", "comment"})
"""Not part of the hash: the type is written first as ``eventType``, the rest by the algorithm's rule."""

_UNSUPPORTED = frozenset(
    {
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "persistentDisposition",
        "sensorElementList",
        "ilmd",
    }
)

_URN_VOCABULARY = {
    "urn:epcglobal:cbv:bizstep:": CBV + "BizStep-",
    "urn:epcglobal:cbv:disp:": CBV + "Disp-",
    "urn:epcglobal:cbv:btt:": CBV + "BTT-",
    "urn:epcglobal:cbv:sdt:": CBV + "SDT-",
    "urn:epcglobal:cbv:er:": CBV + "ER-",
}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DIGITAL_LINK = re.compile(r"^https?://[^/]+(?:/[^/]*)*?/01/\d{8,14}/21/[^/?#]+(?:[?#].*)?$")


class UnsupportedEpcisEvent(LedgerError, ValueError):
    """An event with a field or a value this implementation does not hash (rather than a wrong hash)."""


def event_hash(event: Mapping[str, Any], context: Any = None) -> str:
    """The event's GS1 event hash, ``ni:///sha-256;{64 hex}?ver=CBV2.0``.

    Args:
        event: one EPCIS 2.0 event in its JSON-LD form (as in ``epcisBody.eventList``).
        context: the ``@context`` of the document that holds it (the event's own ``@context`` is read too); it
            defines the prefixes of extension fields (``originals:actor``).
    """
    digest = hashlib.sha256(pre_hash(event, context).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={CBV_VERSION}"


def digest_of(hash_uri: str) -> str:
    """The SHA-256 digest inside an event hash, ``0x`` + 64 hex digits (what a bytes32 on chain holds)."""
    found = re.fullmatch(r"ni:///sha-256;([0-9a-f]{64})\?ver=CBV2\.0", hash_uri)
    if found is None:
        raise UnsupportedEpcisEvent(f"not a CBV 2.0 SHA-256 event hash: {hash_uri[:100]!r}")
    return "0x" + found.group(1)


def pre_hash(event: Mapping[str, Any], context: Any = None) -> str:
    """The canonical pre-hash string of ``event`` (what :func:`event_hash` hashes)."""
    prefixes = _prefixes(context) | _prefixes(event.get("@context"))
    kind = event.get("type")
    if not isinstance(kind, str) or not kind:
        raise UnsupportedEpcisEvent("an EPCIS event needs a type")
    unsupported = sorted(_UNSUPPORTED & event.keys())
    if unsupported:
        raise UnsupportedEpcisEvent(f"hashing {', '.join(unsupported)} is not implemented")
    parts = [f"eventType={kind}"]
    for key in _ORDER:
        if key in event:
            parts.append(_standard(key, event[key]))
    rest = []
    for key, value in event.items():
        if key in _IGNORED or key in _ORDER:
            continue
        if key in _TYPED_LISTS:
            rest.append(_typed_list(key, value))
        elif ":" in key:
            rest.append(_extension(_expand_key(key, prefixes), value, prefixes))
        else:
            raise UnsupportedEpcisEvent(f"unknown EPCIS event field {key!r}")
    return "".join(parts) + "".join(sorted(rest))


def _standard(key: str, value: Any) -> str:
    if key in _EPC_LISTS:
        if not isinstance(value, list):
            raise UnsupportedEpcisEvent(f"{key} must be a list")
        return key + "".join(sorted("epc=" + _value(item) for item in value)) if value else ""
    if key in ("readPoint", "bizLocation"):
        if not isinstance(value, Mapping) or set(value) != {"id"}:
            raise UnsupportedEpcisEvent(f"{key} is hashed with its id only")
        return f"{key}id={_value(value['id'])}"
    if key == "eventTime":
        return f"eventTime={_time(value)}"
    if key in _VOCABULARY:
        return f"{key}={_vocabulary(value, _VOCABULARY[key])}"
    return f"{key}={_value(value)}"


def _typed_list(key: str, members: Any) -> str:
    name, vocabulary = _TYPED_LISTS[key]
    if not isinstance(members, list):
        raise UnsupportedEpcisEvent(f"{key} must be a list")
    written = []
    for member in members:
        if not isinstance(member, Mapping) or name not in member or not set(member) <= {"type", name}:
            raise UnsupportedEpcisEvent(f"a member of {key} has a {name} and may have a type")
        kind = f"type={_vocabulary(member['type'], vocabulary)}" if "type" in member else ""
        written.append(f"{kind}{name}={_value(member[name])}")
    return key + "".join(sorted(written)) if written else ""


def _extension(name: str, value: Any, prefixes: Mapping[str, str]) -> str:
    if "time" in name.lower() and "offset" not in name.lower():
        # The reference implementation rewrites the value of any field whose name holds "time" as a timestamp, with
        # a lenient parser ("2" becomes a date): not reproducible, so not hashed.
        raise UnsupportedEpcisEvent(f"hashing the extension field {name!r} (a name with 'time') is not implemented")
    if isinstance(value, Mapping):
        inner = [_extension(_expand_key(k, prefixes), v, prefixes) for k, v in value.items() if k != "#text"]
        text = f"={_value(value['#text'])}" if "#text" in value else ""
        return name + text + "".join(sorted(inner))
    if isinstance(value, list):
        return "".join(sorted(_extension(name, item, prefixes) for item in value))
    text = _value(value)
    return f"{name}={text}" if text else name


def _expand_key(key: str, prefixes: Mapping[str, str]) -> str:
    prefix, _, local = key.partition(":")
    if prefix not in prefixes:
        raise UnsupportedEpcisEvent(f"the extension field {key!r} has a prefix the context does not define")
    return "{" + prefixes[prefix] + "}" + local


def _prefixes(context: Any) -> dict[str, str]:
    """Prefix -> namespace of the context's inline objects (the GS1 context's own prefixes are never extensions)."""
    found: dict[str, str] = {}
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, Mapping):
            found.update({k: v for k, v in item.items() if isinstance(v, str) and not k.startswith("@")})
    return found


def _vocabulary(value: Any, kind: str) -> str:
    if isinstance(value, str) and value and ":" not in value:
        return CBV + kind + value
    return _value(value)


def _time(value: Any) -> str:
    if not isinstance(value, str):
        raise UnsupportedEpcisEvent("eventTime must be a date-time string")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnsupportedEpcisEvent(f"eventTime {value[:40]!r} is not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        raise UnsupportedEpcisEvent(f"eventTime {value[:40]!r} has no time zone")
    moment = moment.astimezone(UTC)
    # Milliseconds, rounded as the reference implementation rounds them (half to even), carrying into the second.
    moment = moment.replace(microsecond=0) + timedelta(microseconds=round(moment.microsecond, -3))
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def _value(value: Any) -> str:
    """A value as the pre-hash string writes it: trimmed, CBV URNs as web URIs, numbers without trailing zeros."""
    if isinstance(value, bool) or value is None or isinstance(value, Mapping | list):
        raise UnsupportedEpcisEvent(f"hashing the value {value!r} is not implemented")
    text = str(value).strip()
    for urn, uri in _URN_VOCABULARY.items():
        text = text.replace(urn, uri)
    if text.startswith(("urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:")):
        raise UnsupportedEpcisEvent(f"converting the EPC URN {text[:60]!r} to GS1 Digital Link is not implemented")
    if _NUMBER.match(text):
        number = float(text)
        return str(int(number)) if number.is_integer() else str(number)
    if _DIGITAL_LINK.match(text):
        from ledger.digital_link import parse

        return parse(text.split("?")[0].split("#")[0]).uri
    return text
