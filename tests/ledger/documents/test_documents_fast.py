"""The fast batch path (``ledger.documents.fast``) writes exactly the bytes of the spec (``ledger.documents.spec``).

Issuance wraps with :func:`ledger.documents.wrap_batch`, the fast path: compiled readers and writers, one orjson call
and C-level hashing per batch. These tests compare its output, serialised with key order, with the plain
:func:`ledger.documents.spec.wrap_batch` given the same salts: Hypothesis over random documents and batches, then the
shapes the fast path treats apart (several shapes in one batch, values holding commas, keys differing after the first
document, document classes its readers do not cover). The golden vectors (``test_documents.py``) pin both to the bytes
of certificates already on chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, computed_field

from ledger.documents import (
    CertificateDocument,
    DocumentError,
    fingerprint_serial,
    parse_document,
    spec,
    wrap,
    wrap_batch,
)
from ledger.documents.fast import _read_batch as attribute_reader  # the fast path's reader, to know which one ran

GOLDEN_PATH = Path(__file__).parent / "data" / "golden_documents.json"


@cache
def _golden_documents() -> str:
    return json.dumps(json.loads(GOLDEN_PATH.read_text(encoding="utf-8"))["documents"])


def _plain(name: str = "fabric") -> dict[str, Any]:
    """A fresh copy of a golden document (tests change what they get)."""
    document: dict[str, Any] = json.loads(_golden_documents())[name]
    return document


ATTRIBUTE_NAMES = st.text(alphabet="aAbz09 -_!~é日", min_size=1, max_size=4)
"""Names around '.' in byte order ('-' and ' ' sort before it, letters after), so nesting order is exercised."""
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(max_size=12),
    st.sampled_from([",", '"a,b"', "\\,"]),
)


@st.composite
def certificate_documents(draw: st.DrawFn) -> CertificateDocument:
    """A golden document with drawn attributes (names and values around the bytes the fast path splits and sorts on:
    ',', '.', quotes, non-ASCII), name, issuer name, serial and expiry."""
    document = _plain(draw(st.sampled_from(["fabric", "diploma", "artwork", "permit"])))
    original = document["original"]
    original["attributes"] = draw(st.dictionaries(ATTRIBUTE_NAMES, SCALARS, max_size=6))
    original["name"] = draw(st.text(min_size=1, max_size=12))
    if draw(st.booleans()):
        original["serial"] = draw(st.text(max_size=12))
        original["fingerprint"] = fingerprint_serial(original["serial"])
    document["issuer"]["name"] = draw(st.text(min_size=1, max_size=12))
    document["validUntil"] = draw(st.one_of(st.none(), st.integers(1, 2**48 - 1)))
    return parse_document(document)


def counter_salts(label: str) -> Callable[[], bytes]:
    """Deterministic 32-byte salts, a new one each call: a wrapping and its reference given the same label get the
    same salts in the same order."""
    counter = iter(range(1_000_000))
    return lambda: hashlib.sha256(f"{label}/{next(counter)}".encode()).digest()


def assert_wraps_as_the_spec(documents: Sequence[CertificateDocument], label: str) -> None:
    wrapped = wrap_batch(documents, salt=counter_salts(label))
    expected = spec.wrap_batch(documents, counter_salts(label))
    # json.dumps keeps insertion order, so this also compares the order of every object's keys.
    assert json.dumps(wrapped, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert wrapped == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(certificate_documents(), min_size=1, max_size=12), st.text(max_size=8))
def test_wrap_batch_writes_exactly_what_the_spec_writes(documents: list[CertificateDocument], label: str) -> None:
    assert attribute_reader(documents) is not None  # the fast path's compiled reader, not the to_json fallback
    assert_wraps_as_the_spec(documents, label)


def mixed_shape(n: int) -> dict[str, Any]:
    """Document ``n`` of a batch that cycles through the golden documents (with and without a serial or a
    validUntil) and seven variations of their fields, so that a batch holds several shapes at once."""
    document = _plain(["fabric", "diploma", "artwork", "permit"][n % 4])
    original = document["original"]
    original["name"] = f"{original['name']} #{n}"
    attributes = original["attributes"]
    match n % 7:
        case 0:
            attributes.clear()  # no attributes: the object vanishes from data
        case 1:
            original["attributes"] = dict(reversed(attributes.items()))  # same keys, another insertion order
        case 2:
            attributes.update({"note": "a, b, and c", "comma,key": "x,y", "quote": 'say "hi", then \\'})
        case 3:
            attributes.update({"écru": "日本語 ✓", "emoji": "🧵", "zz-é": "naïve"})
        case 4:
            document["validUntil"] = 4_102_444_800 + n
        case 5:
            original["serial"] = f"SER-{n}"
            original["fingerprint"] = fingerprint_serial(original["serial"])
        case 6:
            attributes.update({"flag": n % 2 == 0, "empty": None, "count": -n, "big": 2**63 - 1, " a": "sorts first"})
    return document


@pytest.mark.parametrize("count", [1, 2, 7, 28, 61])
def test_a_batch_of_mixed_shapes_is_wrapped_exactly_as_the_spec_wraps_them(count: int) -> None:
    documents = [parse_document(mixed_shape(n)) for n in range(count)]
    assert attribute_reader(documents) is not None  # the fast path, not the to_json fallback
    assert_wraps_as_the_spec(documents, f"mixed-{count}")


@pytest.mark.parametrize("commas", [0, 1, 5])
def test_a_batch_of_one_shape_is_wrapped_exactly_as_the_spec_wraps_them(commas: int) -> None:
    """The benchmark's case: every document has the same fields (cut per document by counting), with no value, one
    value or a few values holding a comma (those documents are then encoded apart)."""
    documents = []
    for n in range(40):
        document = _plain("fabric")
        document["original"]["name"] = f"Twill, lot {n}" if n < commas else f"Twill lot {n}"
        document["original"]["attributes"]["weightGsm"] = 180 + n
        documents.append(parse_document(document))
    assert attribute_reader(documents) is not None
    assert_wraps_as_the_spec(documents, f"uniform-{commas}")


def _fabric_with_attributes(n: int, attributes: dict[str, Any]) -> CertificateDocument:
    document = _plain("fabric")
    document["original"]["name"] = f"Twill lot {n}"
    document["original"]["attributes"] = attributes
    return parse_document(document)


_ATTRIBUTES = {"colour": "écru", "dyeLot": None, "organic": True, "weightGsm": 180}


@pytest.mark.parametrize(
    "later",
    [
        pytest.param(dict(reversed(_ATTRIBUTES.items())), id="same-keys-other-order"),
        pytest.param({"colour": "écru", "dyeLot": None, "organic": True, "weight": 180}, id="same-count-other-key"),
        pytest.param(_ATTRIBUTES | {"zone": "EU"}, id="one-key-more"),
        pytest.param({"colour": "écru"}, id="keys-fewer"),
        pytest.param({}, id="no-keys"),
    ],
)
def test_documents_after_the_first_with_other_keys_are_wrapped_exactly_as_the_spec_wraps_them(
    later: dict[str, Any],
) -> None:
    """The reader first tries the first document's keys for the whole batch; any other keys must be noticed."""
    documents = [_fabric_with_attributes(n, dict(_ATTRIBUTES) if n % 3 else dict(later)) for n in range(1, 10)]
    assert attribute_reader(documents) is not None
    assert_wraps_as_the_spec(documents, "other-keys")


class Kind(StrEnum):
    FABRIC = "fabric-batch"


class StampedDocument(CertificateDocument):
    """A document class with a computed field: to_json writes it, reading the declared fields would miss it."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stamp(self) -> str:
        return f"issued at {self.issued_at}"


class ExtendedDocument(CertificateDocument):
    """A document class with one more declared field, written by to_json like the others."""

    batch_note: str = Field("none", alias="batchNote")


def _constructed_with_enum_kind() -> list[CertificateDocument]:
    """model_construct skips validation: a str subclass where a str is declared, which only to_json writes right."""
    document = parse_document(_plain("fabric"))
    original = document.original.model_copy(update={"kind": Kind.FABRIC})
    return [document.model_copy(update={"original": original}), parse_document(_plain("diploma"))]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: [StampedDocument.model_validate(mixed_shape(n)) for n in range(5)], id="computed-field"),
        pytest.param(_constructed_with_enum_kind, id="str-subclass-value"),
        pytest.param(
            lambda: [parse_document(_plain("fabric")), ExtendedDocument.model_validate(_plain("permit"))],
            id="two-document-classes",
        ),
    ],
)
def test_documents_the_attribute_reader_does_not_cover_are_wrapped_by_the_definition(
    build: Callable[[], list[CertificateDocument]],
) -> None:
    documents = build()
    assert attribute_reader(documents) is None
    assert_wraps_as_the_spec(documents, "fallback")


def test_a_document_subclass_with_a_declared_field_is_read_with_it() -> None:
    documents = [ExtendedDocument.model_validate(mixed_shape(n) | {"batchNote": f"note {n}"}) for n in range(9)]
    assert attribute_reader(documents) is not None
    assert '"batchNote"' in json.dumps(wrap_batch(documents)[0]["data"])
    assert_wraps_as_the_spec(documents, "extended")


def test_wrap_batch_asks_for_one_salt_per_field_and_refuses_a_short_one() -> None:
    with pytest.raises(DocumentError, match=r"^field chain\.chainId: a salt must be 32 bytes$"):
        wrap(parse_document(_plain()), salt=lambda: b"\x01" * 31)


def test_a_batch_of_identical_salts_and_documents_is_refused() -> None:
    document = parse_document(_plain("fabric"))
    with pytest.raises(DocumentError, match="two documents of the batch have the same target hash"):
        wrap_batch([document, document], salt=lambda: b"\x07" * 32)
