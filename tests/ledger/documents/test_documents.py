"""Certificate documents: golden vectors of the hashing scheme, then the behaviour of wrapping, verifying and hiding.

The golden vectors (``data/golden_documents.json``, written by ``data/make_golden.py``) pin the scheme byte for byte.
Any change to it must fail here loudly, because every certificate already anchored on chain was hashed this way.
These are the exact bytes being pinned (``‖`` is concatenation):

- canonical JSON of a value: ``orjson.dumps(value, OPT_SORT_KEYS)``, i.e. no whitespace, UTF-8 with non-ASCII
  characters written raw (``"écru"`` is the bytes ``22 c3 a9 63 72 75 22``, never ``\\u00e9``), integers in decimal,
  ``true``/``false``/``null``; floats never occur.
- field path: the dotted path of a scalar in the document (``original.attributes.colour``) in UTF-8. Every scalar is a
  field, ``null`` included (``validUntil``, ``original.serial``); an empty ``attributes`` object contributes nothing.
- field hash = ``keccak256(salt ‖ uint32_be(len(path)) ‖ path ‖ canonical(value))`` with a 32-byte salt and the
  length in bytes of the UTF-8 path.
- digest = ``keccak256(h_1 ‖ h_2 ‖ ... ‖ h_n)``, the 32-byte field hashes (revealed and obfuscated alike) in
  ascending unsigned byte order; target hash (the Merkle leaf) = ``keccak256(digest)``. The second hash is the
  leaf/node domain separation: a leaf has a 32-byte preimage, an internal node a 64-byte one.
- Merkle root: OpenZeppelin ``SimpleMerkleTree`` over the target hashes with
  ``H(a, b) = keccak256(min(a, b) ‖ max(a, b))``. A single certificate is a tree of one: root = target hash, proof
  ``[]``. For three leaves sorted ``s0 < s1 < s2``: ``root = H(H(s0, s1), s2)``; proofs ``s0: [s1, s2]``,
  ``s1: [s0, s2]``, ``s2: [H(s0, s1)]``.
- wrapped document (``version`` ``originals/wrapped/2``; version 1, without the second hash, is refused): every
  scalar of ``data`` is the string ``"<64 lowercase hex salt>:<canonical JSON value>"``;
  ``privacy.obfuscated`` is the sorted list of hidden field hashes; ``proof`` holds ``type``
  (``OriginalsMerkleProof/1``), ``targetHash``, ``merkleRoot`` and ``proof`` as ``0x`` + 64 lowercase hex digits.
- salts are asked for once per field, in ascending path order, document by document (golden salts are
  deterministic; see the generator).

The test recomputes each of these from the bytes above (not only through ``ledger.documents``), and compares the
wrapping of the golden documents with their golden salts with the stored wrapped documents.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.documents import (
    DocumentError,
    WrappedDocument,
    field_hash,
    fingerprint_serial,
    fingerprint_stream,
    flatten,
    json_schema,
    parse_document,
    process_proof,
    spec,
    target_hash,
    wrap,
    wrap_batch,
)

GOLDEN_PATH = Path(__file__).parent / "data" / "golden_documents.json"
SCHEMA_PATH = Path(__file__).parents[3] / "ledger" / "schemas" / "certificate.schema.json"

INTACT = (True, "the fields hash to the target hash, and the proof leads to the Merkle root")
FIELDS_CHANGED = (False, "the fields do not hash to the document's target hash (a field was changed)")
PROOF_BROKEN = (False, "the Merkle proof does not lead from the target hash to the stated root")

Entry = dict[str, Any]
Mutation = Callable[[dict[str, Any]], None]


@cache
def _golden_text() -> str:
    return GOLDEN_PATH.read_text(encoding="utf-8")


def golden() -> dict[str, Any]:
    """A fresh copy of the golden file (tests mutate what they get)."""
    return json.loads(_golden_text())


def singles() -> list[Entry]:
    return list(golden()["singles"])


def batch_members() -> list[Entry]:
    return list(golden()["batch"]["documents"])


def every_entry() -> list[Entry]:
    return singles() + batch_members()


def entry_id(entry: Entry) -> str:
    return f"{entry['name']}-{'batch' if entry['proof'] else 'single'}"


def single(name: str) -> Entry:
    return next(e for e in singles() if e["name"] == name)


def member(name: str) -> Entry:
    return next(e for e in batch_members() if e["name"] == name)


def replay(salts: list[str]) -> Iterator[bytes]:
    """The recorded salts, in the order a wrapping asks for them."""
    return iter(bytes.fromhex(s) for s in salts)


def keccak_pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def h32(text: str) -> bytes:
    assert re.fullmatch(r"0x[0-9a-f]{64}", text), f"not 0x + 64 lowercase hex digits: {text!r}"
    return bytes.fromhex(text[2:])


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def salted(salt: str, value: Any) -> str:
    return f"{salt}:{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"


def get_raw(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def set_raw(data: dict[str, Any], path: str, raw: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = raw


def delete_raw(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    del get_raw(data, ".".join(parents))[last]


def unflatten(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in fields.items():
        set_raw(out, path, value)
    return out


# -- golden vectors --------------------------------------------------------------------------------------------------


def test_golden_file_holds_four_singles_and_a_batch_of_three_of_the_golden_documents() -> None:
    """Guards the golden file's own shape, so a truncated regeneration cannot make the loops below vacuous."""
    data = golden()
    assert sorted(data["documents"]) == ["artwork", "diploma", "fabric", "permit"]
    assert [e["name"] for e in data["singles"]] == ["fabric", "diploma", "artwork", "permit"]
    assert data["batch"]["members"] == ["fabric", "artwork", "permit"]
    assert [e["name"] for e in data["batch"]["documents"]] == data["batch"]["members"]
    targets = [e["targetHash"] for e in every_entry()]
    assert len(set(targets)) == 7, "every wrapping has its own salts, so every target hash differs"


def test_golden_documents_are_in_canonical_parsed_form() -> None:
    for name, document in golden()["documents"].items():
        assert parse_document(document).to_json() == document, name


def test_golden_fingerprints_are_the_sha256_of_the_file_or_of_the_serial() -> None:
    data = golden()
    for name, content in data["files"].items():
        expected = "0x" + hashlib.sha256(content.encode("utf-8")).hexdigest()
        assert data["documents"][name]["original"]["fingerprint"] == expected, name
    artwork = data["documents"]["artwork"]["original"]
    assert artwork["serial"] == data["artworkSerial"]
    assert artwork["fingerprint"] == "0x" + hashlib.sha256(data["artworkSerial"].encode("utf-8")).hexdigest()


@pytest.mark.parametrize("entry", every_entry(), ids=entry_id)
def test_golden_fields_are_every_scalar_of_the_document_in_path_order(entry: Entry) -> None:
    document = golden()["documents"][entry["name"]]
    assert [f["path"] for f in entry["fields"]] == sorted(flatten(document))
    assert {f["path"]: f["value"] for f in entry["fields"]} == flatten(document)


@pytest.mark.parametrize("entry", every_entry(), ids=entry_id)
def test_golden_field_hashes_follow_the_pinned_byte_layout(entry: Entry) -> None:
    for field in entry["fields"]:
        salt, path = bytes.fromhex(field["salt"]), field["path"].encode("utf-8")
        value = json.dumps(field["value"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        preimage = salt + len(path).to_bytes(4, "big") + path + value
        assert len(salt) == 32
        assert preimage.hex() == field["preimage"], field["path"]
        assert "0x" + keccak(preimage).hex() == field["fieldHash"], field["path"]
        assert "0x" + field_hash(salt, field["path"], field["value"]).hex() == field["fieldHash"], field["path"]


def test_golden_preimage_writes_non_ascii_values_as_raw_utf8() -> None:
    """Pins the one canonical-JSON choice that differs between JSON libraries: no ``\\u`` escapes."""
    colour = next(f for f in single("fabric")["fields"] if f["path"] == "original.attributes.colour")
    path = b"original.attributes.colour"
    assert colour["preimage"] == (bytes.fromhex(colour["salt"]) + b"\x00\x00\x00\x1a" + path).hex() + "22c3a963727522"


@pytest.mark.parametrize("entry", every_entry(), ids=entry_id)
def test_golden_target_hash_is_keccak_of_the_digest_of_the_sorted_field_hashes(entry: Entry) -> None:
    hashes = sorted(h32(f["fieldHash"]) for f in entry["fields"])
    digest = keccak(b"".join(hashes))
    assert "0x" + digest.hex() == entry["digest"]
    assert "0x" + keccak(digest).hex() == entry["targetHash"]
    assert target_hash(hashes) == h32(entry["targetHash"])


@pytest.mark.parametrize("entry", singles(), ids=entry_id)
def test_golden_single_certificate_is_a_tree_of_one(entry: Entry) -> None:
    assert entry["merkleRoot"] == entry["targetHash"]
    assert entry["proof"] == []


def test_golden_batch_root_and_proofs_follow_the_sorted_pair_layout() -> None:
    batch = golden()["batch"]
    by_leaf = {h32(e["targetHash"]): e for e in batch["documents"]}
    s0, s1, s2 = sorted(by_leaf)
    inner = keccak_pair(s0, s1)
    assert "0x" + keccak_pair(inner, s2).hex() == batch["merkleRoot"]
    expected = {s0: [s1, s2], s1: [s0, s2], s2: [inner]}
    for leaf, entry in by_leaf.items():
        assert entry["merkleRoot"] == batch["merkleRoot"]
        assert [h32(p) for p in entry["proof"]] == expected[leaf], entry["name"]


@pytest.mark.parametrize("entry", every_entry(), ids=entry_id)
def test_golden_wrapped_document_carries_the_golden_fields_and_proof(entry: Entry) -> None:
    wrapped = entry["wrapped"]
    assert wrapped["version"] == "originals/wrapped/2"
    assert wrapped["privacy"] == {"obfuscated": []}
    assert wrapped["proof"] == {
        "type": "OriginalsMerkleProof/1",
        "targetHash": entry["targetHash"],
        "merkleRoot": entry["merkleRoot"],
        "proof": entry["proof"],
    }
    expected = unflatten({f["path"]: salted(f["salt"], f["value"]) for f in entry["fields"]})
    assert dumps(wrapped["data"]) == dumps(expected)


WRAPPINGS = [pytest.param(wrap_batch, id="fast"), pytest.param(spec.wrap_batch, id="spec")]
"""The batch path issuance uses and the definition: the golden vectors pin both."""


@pytest.mark.parametrize("wrapping", WRAPPINGS)
@pytest.mark.parametrize("entry", singles(), ids=entry_id)
def test_wrapping_a_golden_document_with_its_golden_salts_reproduces_it_byte_for_byte(
    entry: Entry, wrapping: Callable[..., list[dict[str, Any]]]
) -> None:
    document = parse_document(golden()["documents"][entry["name"]])
    salts = replay([f["salt"] for f in entry["fields"]])
    [wrapped] = wrapping([document], salt=lambda: next(salts))
    assert next(salts, None) is None, "the wrapping asked for fewer salts than there are fields"
    assert dumps(wrapped) == dumps(entry["wrapped"])


@pytest.mark.parametrize("wrapping", WRAPPINGS)
def test_wrapping_the_golden_batch_with_its_golden_salts_reproduces_it_byte_for_byte(
    wrapping: Callable[..., list[dict[str, Any]]],
) -> None:
    data = golden()
    members = data["batch"]["documents"]
    salts = replay([f["salt"] for e in members for f in e["fields"]])
    documents = [parse_document(data["documents"][e["name"]]) for e in members]
    wrapped = wrapping(documents, salt=lambda: next(salts))
    assert next(salts, None) is None, "the wrapping asked for fewer salts than there are fields"
    assert [dumps(w) for w in wrapped] == [dumps(e["wrapped"]) for e in members]


def test_wrap_of_one_golden_document_reproduces_its_golden_wrapping() -> None:
    entry = single("permit")
    document = parse_document(golden()["documents"]["permit"])
    salts = replay([f["salt"] for f in entry["fields"]])
    assert dumps(wrap(document, salt=lambda: next(salts))) == dumps(entry["wrapped"])


# -- wrap, unwrap, integrity -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", every_entry(), ids=entry_id)
def test_golden_wrapped_documents_are_intact(entry: Entry) -> None:
    assert WrappedDocument(entry["wrapped"]).integrity() == INTACT


@pytest.mark.parametrize("name", ["fabric", "diploma", "artwork", "permit"])
def test_wrap_then_unwrap_through_json_gives_back_the_document_and_its_salts(name: str) -> None:
    document = parse_document(golden()["documents"][name])
    issued_salts: list[bytes] = []

    def salt() -> bytes:
        issued_salts.append(hashlib.sha256(f"round-trip/{len(issued_salts)}".encode()).digest())
        return issued_salts[-1]

    text = json.dumps(wrap(document, salt=salt), ensure_ascii=False)
    unwrapped = WrappedDocument(json.loads(text))
    assert parse_document(unflatten({p: v for p, (_, v) in unwrapped.fields.items()})) == document
    assert [s for _, (s, _) in sorted(unwrapped.fields.items())] == issued_salts
    assert unwrapped.obfuscated == []
    assert unwrapped.integrity() == INTACT


def test_wrapping_with_random_salts_gives_a_new_target_hash_each_time() -> None:
    """Without fresh salts a hidden field with a guessable value (a birth date) could be brute-forced."""
    document = parse_document(golden()["documents"]["diploma"])
    first, second = wrap(document), wrap(document)
    assert first["proof"]["targetHash"] != second["proof"]["targetHash"]
    assert WrappedDocument(first).integrity() == WrappedDocument(second).integrity() == INTACT


def _change_value(data: dict[str, Any]) -> None:
    salt, _ = get_raw(data, "original.attributes.colour").split(":", 1)
    set_raw(data, "original.attributes.colour", salted(salt, "ecru"))


def _change_salt(data: dict[str, Any]) -> None:
    raw: str = get_raw(data, "original.fingerprint")
    set_raw(data, "original.fingerprint", ("0" if raw[0] != "0" else "1") + raw[1:])


def _remove_field(data: dict[str, Any]) -> None:
    delete_raw(data, "issuer.name")


def _add_field(data: dict[str, Any]) -> None:
    set_raw(data, "original.attributes.certifiedBy", salted("ab" * 32, "Town of Originals"))


def _null_becomes_false(data: dict[str, Any]) -> None:
    salt, _ = get_raw(data, "validUntil").split(":", 1)
    set_raw(data, "validUntil", salted(salt, False))


@pytest.mark.parametrize("entry", [single("fabric"), member("fabric")], ids=entry_id)
@pytest.mark.parametrize(
    "tamper",
    [_change_value, _change_salt, _remove_field, _add_field, _null_becomes_false],
    ids=["value", "salt", "removed-field", "added-field", "null-to-false"],
)
def test_a_tampered_field_breaks_integrity_with_the_fields_reason(entry: Entry, tamper: Mutation) -> None:
    wrapped = entry["wrapped"]
    tamper(wrapped["data"])
    assert WrappedDocument(wrapped).integrity() == FIELDS_CHANGED


def test_a_stated_target_hash_of_another_document_breaks_integrity_with_the_fields_reason() -> None:
    wrapped = single("fabric")["wrapped"]
    wrapped["proof"]["targetHash"] = wrapped["proof"]["merkleRoot"] = single("diploma")["targetHash"]
    assert WrappedDocument(wrapped).integrity() == FIELDS_CHANGED


def other_batch() -> list[dict[str, Any]]:
    """The golden batch's documents again, with other (deterministic) salts: same shape, other leaves and root."""
    data = golden()
    counter = iter(range(1000))
    documents = [parse_document(data["documents"][name]) for name in data["batch"]["members"]]
    return wrap_batch(documents, salt=lambda: hashlib.sha256(f"other-batch/{next(counter)}".encode()).digest())


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_proof_from_another_batch_breaks_integrity_with_the_proof_reason(position: int) -> None:
    wrapped = batch_members()[position]["wrapped"]
    wrapped["proof"]["proof"] = other_batch()[position]["proof"]["proof"]
    assert WrappedDocument(wrapped).integrity() == PROOF_BROKEN


def test_another_batchs_root_and_proof_break_integrity_with_the_proof_reason() -> None:
    wrapped = member("artwork")["wrapped"]
    other = other_batch()[1]["proof"]
    wrapped["proof"]["merkleRoot"], wrapped["proof"]["proof"] = other["merkleRoot"], other["proof"]
    assert WrappedDocument(wrapped).integrity() == PROOF_BROKEN


@pytest.mark.parametrize("entry", [single("permit"), member("permit")], ids=entry_id)
def test_a_wrong_root_breaks_integrity_with_the_proof_reason(entry: Entry) -> None:
    wrapped = entry["wrapped"]
    wrapped["proof"]["merkleRoot"] = golden()["batch"]["merkleRoot"] if not entry["proof"] else entry["targetHash"]
    assert WrappedDocument(wrapped).integrity() == PROOF_BROKEN


def test_an_extra_proof_step_on_a_single_certificate_breaks_integrity_with_the_proof_reason() -> None:
    wrapped = single("artwork")["wrapped"]
    wrapped["proof"]["proof"] = [single("permit")["targetHash"]]
    assert WrappedDocument(wrapped).integrity() == PROOF_BROKEN


# -- leaf/node domain separation -------------------------------------------------------------------------------------


def forged_node_document(children: list[bytes], stated_target: bytes, proof: list[bytes]) -> dict[str, Any]:
    """A "document" with no revealed field whose two hidden field hashes are ``children``: under version 1 (target
    hash = keccak256 of the sorted field hashes) it hashed to the node above them."""
    return {
        "version": "originals/wrapped/2",
        "data": {},
        "privacy": {"obfuscated": ["0x" + c.hex() for c in sorted(children)]},
        "proof": {
            "type": "OriginalsMerkleProof/1",
            "targetHash": "0x" + stated_target.hex(),
            "merkleRoot": golden()["batch"]["merkleRoot"],
            "proof": ["0x" + p.hex() for p in proof],
        },
    }


def golden_batch_nodes() -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """The golden batch's sorted leaves s0 < s1 < s2, its internal node H(s0, s1) and its root H(H(s0, s1), s2)."""
    s0, s1, s2 = sorted(h32(e["targetHash"]) for e in batch_members())
    inner = keccak_pair(s0, s1)
    root = keccak_pair(inner, s2)
    assert "0x" + root.hex() == golden()["batch"]["merkleRoot"]
    return s0, s1, s2, inner, root


@pytest.mark.parametrize("node", ["internal-node", "root"])
def test_a_document_made_of_a_nodes_two_children_does_not_verify_as_that_node(node: str) -> None:
    """The attack version 1 allowed: two hidden field hashes = the children of a node, target hash = the node, and the
    rest of the batch's proof (none for the root: a batch root as a leaf of itself). Each preimage below is exactly
    what version 1 accepted, so the test fails if the leaf loses its second hash."""
    s0, s1, s2, inner, root = golden_batch_nodes()
    children, target, proof = ([s0, s1], inner, [s2]) if node == "internal-node" else ([inner, s2], root, [])
    assert keccak(b"".join(sorted(children))) == target, "premise: version 1 hashed these fields to the node"
    assert process_proof(target, proof) == root, "premise: the proof leads from the node to the batch root"

    forged = WrappedDocument(forged_node_document(children, target, proof))
    assert forged.integrity() == FIELDS_CHANGED
    leaf = forged.computed_target()
    assert leaf == keccak(keccak(b"".join(sorted(children))))
    assert leaf not in (s0, s1, s2, inner, root)

    honest = WrappedDocument(forged_node_document(children, leaf, proof))
    assert honest.integrity() == PROOF_BROKEN


def test_no_target_hash_of_a_batch_equals_a_node_or_the_root_of_its_tree() -> None:
    s0, s1, s2, inner, root = golden_batch_nodes()
    for entry in batch_members():
        wrapped = WrappedDocument(entry["wrapped"])
        assert wrapped.computed_target() in (s0, s1, s2)
        assert wrapped.computed_target() not in (inner, root)


def test_a_version_1_wrapped_document_is_refused_with_the_reason() -> None:
    """Never verified with the old rule: that would keep the forgery above open to whoever writes version 1."""
    wrapped = member("fabric")["wrapped"]
    wrapped["version"] = "originals/wrapped/1"
    expected = (
        "originals/wrapped/1 documents are no longer accepted: its target hash was keccak256 of the sorted field "
        "hashes with no leaf/node domain separation, so a forged document could pass for a node of a Merkle batch "
        "(see docs/security.md); ask the issuer to issue the certificate again (current version "
        "'originals/wrapped/2')"
    )
    with pytest.raises(DocumentError, match="^" + re.escape(expected) + "$"):
        WrappedDocument(wrapped)


# -- selective disclosure and erasure --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(every_entry()), st.data())
def test_hiding_any_subset_of_fields_still_verifies_and_leaves_no_value_or_salt(
    entry: Entry, data: st.DataObject
) -> None:
    fields = {f["path"]: f for f in entry["fields"]}
    hidden = data.draw(st.sets(st.sampled_from(sorted(fields))), label="hidden")
    disclosed = WrappedDocument(entry["wrapped"]).hide(sorted(hidden))

    text = json.dumps(disclosed, ensure_ascii=False)
    parsed = WrappedDocument(json.loads(text))
    assert parsed.integrity() == INTACT
    assert sorted(parsed.fields) == sorted(set(fields) - hidden)
    assert parsed.obfuscated == sorted(h32(fields[p]["fieldHash"]) for p in hidden)
    assert disclosed["proof"] == entry["wrapped"]["proof"]
    kept_values = [json.dumps(fields[p]["value"], ensure_ascii=False) for p in parsed.fields]
    for path in hidden:
        assert fields[path]["salt"] not in text, f"the salt of hidden {path} is still in the document"
        value = fields[path]["value"]
        if isinstance(value, str) and not any(value in kept for kept in kept_values):
            assert value not in text, f"the value of hidden {path} is still in the document"


def test_hiding_in_two_steps_equals_hiding_at_once() -> None:
    wrapped = single("diploma")["wrapped"]
    at_once = WrappedDocument(wrapped).hide(["original.attributes.dateOfBirth", "original.attributes.holder"])
    first = WrappedDocument(wrapped).hide(["original.attributes.holder"])
    in_steps = WrappedDocument(first).hide(["original.attributes.dateOfBirth"])
    assert dumps(in_steps) == dumps(at_once)


def test_hiding_nothing_reproduces_the_wrapped_document() -> None:
    entry = member("permit")
    assert dumps(WrappedDocument(entry["wrapped"]).hide([])) == dumps(entry["wrapped"])


def test_hiding_a_field_twice_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"field original\.attributes\.holder is not revealed"):
        WrappedDocument(single("diploma")["wrapped"]).hide(["original.attributes.holder"] * 2)


def test_hiding_an_already_hidden_field_is_refused() -> None:
    disclosed = WrappedDocument(single("diploma")["wrapped"]).hide(["original.attributes.holder"])
    with pytest.raises(DocumentError, match=r"field original\.attributes\.holder is not revealed"):
        WrappedDocument(disclosed).hide(["original.attributes.holder"])


def test_hiding_an_unknown_field_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"field original\.attributes\.nationality is not revealed"):
        WrappedDocument(single("diploma")["wrapped"]).hide(["original.attributes.nationality"])


def test_a_tampered_hidden_field_hash_breaks_integrity_with_the_fields_reason() -> None:
    disclosed = WrappedDocument(single("diploma")["wrapped"]).hide(["original.attributes.holder"])
    disclosed["privacy"]["obfuscated"] = ["0x" + "00" * 32]
    assert WrappedDocument(disclosed).integrity() == FIELDS_CHANGED


ERASED = ("original.attributes.dateOfBirth", "original.attributes.holder")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ERASED), st.binary(min_size=32, max_size=32))
def test_an_erased_value_cannot_be_linked_to_its_hash_with_any_other_salt(path: str, guess: bytes) -> None:
    entry = single("diploma")
    field = next(f for f in entry["fields"] if f["path"] == path)
    assume(guess != bytes.fromhex(field["salt"]))
    erased = WrappedDocument(WrappedDocument(entry["wrapped"]).hide(ERASED))
    assert field_hash(guess, path, field["value"]) not in erased.obfuscated


def test_an_erased_value_cannot_be_linked_with_the_salts_still_in_the_document() -> None:
    """Salts are per field, so the salts a holder still shows say nothing about the erased ones."""
    entry = single("diploma")
    erased = WrappedDocument(WrappedDocument(entry["wrapped"]).hide(ERASED))
    assert len(erased.obfuscated) == len(ERASED)
    for field in (f for f in entry["fields"] if f["path"] in ERASED):
        for salt, _ in erased.fields.values():
            assert field_hash(salt, field["path"], field["value"]) not in erased.obfuscated


# -- parsing documents -----------------------------------------------------------------------------------------------


def _plain(name: str = "fabric") -> dict[str, Any]:
    return copy.deepcopy(golden()["documents"][name])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["original"].pop("name"), r"original\.name: Field required"),
        (lambda d: d["original"].update(fingerprint="0x1234"), r"original\.fingerprint: .*64 hex digits"),
        (lambda d: d["original"]["attributes"].update(weightGsm=180.5), r"original\.attributes\b.*\bweightGsm\b"),
        (lambda d: d["original"]["attributes"].update({"weight.gsm": 180}), r"original\.attributes: .*'weight\.gsm'"),
        (lambda d: d["original"]["attributes"].update({"": 1}), r"original\.attributes: .*must be non-empty"),
        (lambda d: d.update(colour="red"), r"colour: Extra inputs are not permitted"),
        (lambda d: d["original"].update(colour="red"), r"original\.colour: Extra inputs are not permitted"),
        (lambda d: d["issuer"].update(address="0x1234"), r"issuer\.address: .*40 hex digits"),
        (lambda d: d["chain"].update(chainId=0), r"chain\.chainId: .*greater than or equal to 1"),
        (lambda d: d.update(version="originals/certificate/2"), r"version: "),
    ],
    ids=[
        "missing-name",
        "bad-fingerprint",
        "float-attribute",
        "dotted-attribute-name",
        "empty-attribute-name",
        "extra-field",
        "extra-nested-field",
        "bad-issuer-address",
        "chain-id-zero",
        "unknown-version",
    ],
)
def test_parse_document_errors_name_the_field(mutate: Mutation, message: str) -> None:
    document = _plain()
    mutate(document)
    with pytest.raises(DocumentError, match=r"^invalid certificate document: " + message):
        parse_document(document)


def test_parse_document_normalises_addresses_and_fingerprints_to_lowercase() -> None:
    document = _plain("diploma")
    document["issuer"]["address"] = document["issuer"]["address"].upper().replace("0X", "0x")
    document["original"]["fingerprint"] = document["original"]["fingerprint"].upper().replace("0X", "0x")
    assert parse_document(document).to_json() == _plain("diploma")


def test_an_integral_float_attribute_is_refused_not_turned_into_an_integer() -> None:
    document = _plain()
    document["original"]["attributes"]["weightGsm"] = 180.0
    try:
        parsed = parse_document(document)
    except DocumentError as error:
        assert "original.attributes" in str(error)
    else:
        raise AssertionError(f"accepted and changed to {parsed.original.attributes['weightGsm']!r}")


@pytest.mark.parametrize("value", [2**64, "\ud800"], ids=["int-over-64-bits", "lone-surrogate"])
def test_an_attribute_canonical_json_cannot_encode_raises_document_error(value: object) -> None:
    document = _plain()
    document["original"]["attributes"]["weightGsm"] = value
    with pytest.raises(DocumentError, match=r"original\.attributes\.weightGsm"):
        wrap(parse_document(document))


# -- reading wrapped documents ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda w: w.update(version="originals/wrapped/3"), r"not a wrapped certificate document"),
        (lambda w: w.pop("data"), r"needs the objects data, privacy and proof"),
        (lambda w: w.update(proof=[]), r"needs the objects data, privacy and proof"),
        (
            lambda w: set_raw(w["data"], "original.name", "zz" * 32 + ':"x"'),
            r"field original\.name: expected '<64 hex salt>:<JSON value>'",
        ),
        (
            lambda w: set_raw(w["data"], "original.name", "ab" * 31 + ':"x"'),
            r"field original\.name: expected '<64 hex salt>:<JSON value>'",
        ),
        (
            lambda w: set_raw(w["data"], "original.name", "AB" * 32 + ':"x"'),
            r"field original\.name: expected '<64 hex salt>:<JSON value>'",
        ),
        (lambda w: set_raw(w["data"], "issuedAt", 1717200000), r"field issuedAt: expected '<64 hex salt>"),
        (lambda w: set_raw(w["data"], "original.name", "ab" * 32 + ":x"), r"field original\.name: .*is not JSON"),
        (
            lambda w: set_raw(w["data"], "original.name", "ab" * 32 + ':{"a":1}'),
            r"field original\.name: only strings, integers, booleans and null",
        ),
        (
            lambda w: set_raw(w["data"], "original.name", "ab" * 32 + ":[1]"),
            r"field original\.name: only strings, integers, booleans and null",
        ),
        (
            lambda w: set_raw(w["data"], "original.name", "ab" * 32 + ":1.5"),
            r"field original\.name: only strings, integers, booleans and null",
        ),
        (lambda w: w["proof"].update(type="MerkleProof"), r"proof\.type must be 'OriginalsMerkleProof/1'"),
        (lambda w: w["proof"].update(targetHash="0x12"), r"proof\.targetHash: expected 0x followed by 64 hex"),
        (lambda w: w["proof"].update(merkleRoot=None), r"proof\.merkleRoot: expected 0x followed by 64 hex"),
        (lambda w: w["proof"].update(proof="0x" + "00" * 32), r"proof\.proof must be a list"),
        (lambda w: w["proof"].update(proof=["0x00"]), r"proof\.proof: expected 0x followed by 64 hex"),
        (lambda w: w["privacy"].update(obfuscated=["nope"]), r"privacy\.obfuscated: expected 0x followed by 64"),
    ],
    ids=[
        "wrong-version",
        "no-data",
        "proof-not-object",
        "non-hex-salt",
        "short-salt",
        "uppercase-salt",
        "value-without-salt",
        "value-not-json",
        "nested-object-value",
        "list-value",
        "float-value",
        "wrong-proof-type",
        "short-target-hash",
        "missing-root",
        "proof-not-list",
        "short-proof-step",
        "bad-obfuscated-hash",
    ],
)
def test_wrapped_document_rejects_malformed_input(mutate: Mutation, message: str) -> None:
    wrapped = member("fabric")["wrapped"]
    mutate(wrapped)
    with pytest.raises(DocumentError, match=message):
        WrappedDocument(wrapped)


@pytest.mark.parametrize("obj", [None, [], "originals/wrapped/2", {}], ids=["none", "list", "string", "empty"])
def test_wrapped_document_rejects_what_is_not_an_object_with_a_version(obj: Any) -> None:
    with pytest.raises(DocumentError, match="not a wrapped certificate document"):
        WrappedDocument(obj)


def test_wrapped_document_value_reads_revealed_fields_and_none_for_hidden_ones() -> None:
    entry = single("diploma")
    disclosed = WrappedDocument(WrappedDocument(entry["wrapped"]).hide(["original.attributes.holder"]))
    assert disclosed.value("original.attributes.ects") == 120
    assert disclosed.value("original.attributes.holder") is None
    assert disclosed.value("issuer.address") == golden()["documents"]["diploma"]["issuer"]["address"]


# -- fingerprints ----------------------------------------------------------------------------------------------------

STREAM_SIZE = 5 * (1 << 20) + 12_345  # several chunks of 1 MiB and a partial one


def _stream_bytes() -> bytes:
    return b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(STREAM_SIZE // 32 + 1))[:STREAM_SIZE]


def test_fingerprint_stream_of_a_multi_megabyte_stream_equals_hashlib() -> None:
    content = _stream_bytes()
    expected = "0x" + hashlib.sha256(content).hexdigest()
    assert fingerprint_stream(io.BytesIO(content)) == expected
    assert fingerprint_stream(io.BytesIO(content), chunk=4096, limit=STREAM_SIZE) == expected


def test_fingerprint_stream_refuses_a_stream_over_the_limit() -> None:
    with pytest.raises(DocumentError, match=f"larger than the {STREAM_SIZE - 1:,}-byte limit"):
        fingerprint_stream(io.BytesIO(_stream_bytes()), limit=STREAM_SIZE - 1)


def test_fingerprint_stream_of_an_empty_stream_is_the_sha256_of_nothing() -> None:
    assert fingerprint_stream(io.BytesIO(b"")) == "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_fingerprint_serial_is_the_sha256_of_the_utf8_serial() -> None:
    # FIPS 180-2's test vector for "abc", and a non-ASCII serial that must be hashed as UTF-8.
    assert fingerprint_serial("abc") == "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert fingerprint_serial("Nº 42-ü") == "0x" + hashlib.sha256("Nº 42-ü".encode()).hexdigest()


# -- the shipped JSON Schema -----------------------------------------------------------------------------------------


def test_shipped_json_schema_equals_json_schema() -> None:
    """The file is what external tools validate against; it must not drift from the model."""
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == json_schema()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref") or next((n["$ref"] for n in node.get("anyOf", []) if "$ref" in n), None)
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def _check_object(schema: dict[str, Any], node: dict[str, Any], obj: dict[str, Any], where: str) -> None:
    assert set(node.get("required", [])) <= set(obj), f"{where}: missing {set(node['required']) - set(obj)}"
    if node.get("additionalProperties") is False:
        assert set(obj) <= set(node["properties"]), f"{where}: not in the schema: {set(obj) - set(node['properties'])}"
    for key, value in obj.items():
        child = _resolve(schema, node.get("properties", {}).get(key, {}))
        if isinstance(value, dict) and "properties" in child:
            _check_object(schema, child, value, f"{where}.{key}")


@pytest.mark.parametrize("name", ["fabric", "diploma", "artwork", "permit"])
def test_golden_documents_have_exactly_the_shipped_schemas_properties(name: str) -> None:
    """The property names (aliases such as ``issuedAt``), required fields and closed objects of the shipped schema
    fit the golden documents, without depending on a JSON Schema validator."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    _check_object(schema, schema, golden()["documents"][name], name)
