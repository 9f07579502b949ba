"""Every action the registries accept signed (EIP-712), defined once: its typed message, and its ``...BySig`` call.

The contracts hash the same type strings (``contracts/partners/PartnerRegistry.sol``,
``contracts/certificates/CertificateRegistry.sol``, ``contracts/provenance/ProvenanceRegistry.sol``); a test signs
each action here and has the contract accept it, so the two cannot drift apart. The CLI signs with a keystore, the
page asks a browser wallet (``eth_signTypedData_v4``) to sign :func:`typed_data`'s JSON, and the relayer sends
:func:`encode_call`'s transaction: nobody hands a private key to the server, and the signer needs no ether.

Every message names its signer first and ends with ``nonce`` (the registry's ``nonces(signer)``, used once, in order)
and ``deadline`` (the last block timestamp at which it can be carried out). The domain binds the chain id and the
registry's address, so a signature is refused on any other chain or registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import LedgerError
from ledger.i18n import gettext as _

DOMAIN_VERSION = "1"
"""The EIP-712 domain version of every registry (``SignedActions``' constructor)."""

DOMAIN_NAMES = {
    "PartnerRegistry": "Originals PartnerRegistry",
    "CertificateRegistry": "Originals CertificateRegistry",
    "ProvenanceRegistry": "Originals ProvenanceRegistry",
}
"""The EIP-712 domain name of each registry, as its wallet prompt shows it."""

_TAIL = (("nonce", "uint256"), ("deadline", "uint48"))


@dataclass(frozen=True)
class Action:
    """One signed action: its EIP-712 type, the registry that takes it and the function that carries it out.

    ``fields`` are the typed message's fields between the signer and the nonce; ``call`` lists the ``...BySig``
    function's arguments before the signature, each a message field, or ``details`` (the details tuple) / ``proof``
    (the unsigned Merkle proof).
    """

    name: str
    contract: str
    signer_field: str
    fields: tuple[tuple[str, str], ...]
    function: str
    call: tuple[str, ...]

    @property
    def message_types(self) -> list[dict[str, str]]:
        """The EIP-712 type's members, in order."""
        members = ((self.signer_field, "address"), *self.fields, *_TAIL)
        return [{"name": name, "type": kind} for name, kind in members]


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "Apply",
            "PartnerRegistry",
            "applicant",
            (("orgType", "uint8"), ("displayName", "string"), ("domain", "string"), ("metadataHash", "bytes32")),
            "applyForMembershipBySig",
            ("orgType", "displayName", "domain", "metadataHash"),
        ),
        Action("Leave", "PartnerRegistry", "partner", (), "leaveBySig", ()),
        Action(
            "Propose",
            "PartnerRegistry",
            "proposer",
            (("kind", "uint8"), ("subject", "address"), ("rights", "uint8"), ("cutoff", "uint48")),
            "proposeBySig",
            ("kind", "subject", "rights", "cutoff"),
        ),
        Action(
            "ProposeDetails",
            "PartnerRegistry",
            "proposer",
            (
                ("subject", "address"),
                ("orgType", "uint8"),
                ("displayName", "string"),
                ("domain", "string"),
                ("metadataHash", "bytes32"),
            ),
            "proposeDetailsBySig",
            ("subject", "details"),
        ),
        Action(
            "ProposeCertificateDecision",
            "PartnerRegistry",
            "proposer",
            (
                ("kind", "uint8"),
                ("registry", "address"),
                ("id", "bytes32"),
                ("leaf", "bytes32"),
                ("reason", "uint16"),
            ),
            "proposeCertificateDecisionBySig",
            ("kind", "registry", "id", "leaf", "proof", "reason"),
        ),
        Action(
            "Vote",
            "PartnerRegistry",
            "voter",
            (("proposalId", "uint256"), ("support", "bool")),
            "voteBySig",
            ("proposalId", "support"),
        ),
        Action("Execute", "PartnerRegistry", "executor", (("proposalId", "uint256"),), "executeBySig", ("proposalId",)),
        Action(
            "Issue",
            "CertificateRegistry",
            "issuer",
            (("root", "bytes32"), ("fingerprint", "bytes32"), ("validUntil", "uint48")),
            "issueBySig",
            ("root", "fingerprint", "validUntil"),
        ),
        Action(
            "IssueBatch",
            "CertificateRegistry",
            "issuer",
            (("root", "bytes32"), ("validUntil", "uint48")),
            "issueBatchBySig",
            ("root", "validUntil"),
        ),
        Action(
            "IssueBatchPublic",
            "CertificateRegistry",
            "issuer",
            (("root", "bytes32"), ("validUntil", "uint48"), ("leaves", "bytes32[]"), ("fingerprints", "bytes32[]")),
            "issueBatchPublicBySig",
            ("root", "validUntil", "leaves", "fingerprints"),
        ),
        Action(
            "SetStatus",
            "CertificateRegistry",
            "signer",
            (("id", "bytes32"), ("leaf", "bytes32"), ("status", "uint8"), ("reason", "uint16")),
            "setStatusBySig",
            ("id", "leaf", "proof", "status", "reason"),
        ),
        # The provenance registry: an owner's or holder's actions on an original. ``offerDeadline`` is when an offer
        # lapses, ``deadline`` (as in every action) when the signature can no longer be used.
        Action(
            "HandOver",
            "ProvenanceRegistry",
            "party",
            (("original", "bytes32"), ("right", "uint8"), ("to", "address"), ("offerDeadline", "uint48")),
            "handOverBySig",
            ("original", "right", "to", "offerDeadline"),
        ),
        Action(
            "ProposeClaim",
            "ProvenanceRegistry",
            "party",
            (("original", "bytes32"), ("right", "uint8"), ("key", "address"), ("offerDeadline", "uint48")),
            "proposeClaimBySig",
            ("original", "right", "key", "offerDeadline"),
        ),
        Action(
            "TakeOver",
            "ProvenanceRegistry",
            "recipient",
            (("original", "bytes32"), ("right", "uint8")),
            "takeOverBySig",
            ("original", "right"),
        ),
        Action(
            "RejectOffer",
            "ProvenanceRegistry",
            "recipient",
            (("original", "bytes32"), ("right", "uint8"), ("remarkHash", "bytes32")),
            "rejectBySig",
            ("original", "right", "remarkHash"),
        ),
        Action(
            "CancelOffer",
            "ProvenanceRegistry",
            "party",
            (("original", "bytes32"), ("right", "uint8")),
            "cancelBySig",
            ("original", "right"),
        ),
        Action(
            "AddEvent",
            "ProvenanceRegistry",
            "holder",
            (("original", "bytes32"), ("bizStep", "uint16"), ("evidenceHash", "bytes32"), ("occurredAt", "uint48")),
            "addEventBySig",
            ("original", "bizStep", "evidenceHash", "occurredAt"),
        ),
        Action(
            "LogIncident",
            "ProvenanceRegistry",
            "reporter",
            (("original", "bytes32"), ("disposition", "uint8"), ("evidenceHash", "bytes32")),
            "logIncidentBySig",
            ("original", "disposition", "evidenceHash"),
        ),
        Action(
            "ClearDisposition",
            "ProvenanceRegistry",
            "owner",
            (("original", "bytes32"), ("evidenceHash", "bytes32")),
            "clearDispositionBySig",
            ("original", "evidenceHash"),
        ),
    )
}


ENUM_LIMITS: dict[str, dict[str, int]] = {"ProvenanceRegistry": {"right": 1, "disposition": 4}}
"""The largest value of each enum field of a registry's actions (the provenance registry's ``Right``: title, custody;
``Disposition``: none to recalled), typed ``uint8`` as EIP-712 encodes them: a larger value would make the contract's
ABI decoder revert without an error to name, so the API's schema and the relayer refuse it as malformed."""


class SignedActionError(LedgerError, ValueError):
    """A signed action that cannot be built or checked: unknown action, missing or malformed fields, bad signature."""


def action(name: str) -> Action:
    """The action called ``name`` (e.g. ``"Vote"``)."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise SignedActionError(
            _("unknown action {name!r}; known: {known}", name=name, known=", ".join(ACTIONS))
        ) from None


def typed_data(name: str, message: Mapping[str, Any], chain_id: int, registry: str) -> dict[str, Any]:
    """The full EIP-712 typed data of action ``name`` for ``registry`` on ``chain_id``: what ``eth_signTypedData_v4``
    takes as JSON (hex strings for bytes, integers for numbers, addresses as given).

    Raises:
        SignedActionError: the action is unknown, or the message lacks a field or has one the action does not take.
    """
    act = action(name)
    expected = [m["name"] for m in act.message_types]
    missing = [f for f in expected if f not in message]
    extra = [f for f in message if f not in expected]
    if missing or extra:
        raise SignedActionError(f"{name}: " + fields_listed(missing, extra))
    return eip712_typed_data(
        name, act.message_types, DOMAIN_NAMES[act.contract], {f: message[f] for f in expected}, chain_id, registry
    )


def eip712_typed_data(
    primary: str,
    types: Sequence[Mapping[str, str]],
    domain_name: str,
    message: Mapping[str, Any],
    chain_id: int,
    contract: str,
) -> dict[str, Any]:
    """EIP-712 typed data of one ``primary`` message in a registry's domain (``domain_name``, version 1, bound to
    ``chain_id`` and ``contract``): the JSON ``eth_signTypedData_v4`` takes."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            primary: list(types),
        },
        "primaryType": primary,
        "domain": {"name": domain_name, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": contract},
        "message": dict(message),
    }


def fields_listed(missing: Sequence[str], extra: Sequence[str]) -> str:
    """The fields a message lacks and those it should not have, in words (the current language)."""
    parts = (
        _("missing field(s) {fields}", fields=", ".join(missing)) if missing else "",
        _("unexpected field(s) {fields}", fields=", ".join(extra)) if extra else "",
    )
    return "; ".join(p for p in parts if p)


def signer_of(typed: Mapping[str, Any]) -> str:
    """The signer a typed action names (its first field), lower-case."""
    act = action(str(typed["primaryType"]))
    return str(typed["message"][act.signer_field]).lower()


def sign(typed: Mapping[str, Any], private_key: bytes | str) -> str:
    """Sign typed data with a private key (the CLI's keystore account, tests); the 65-byte signature as hex."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    signed = Account.sign_message(encode_typed_data(full_message=dict(typed)), private_key)
    return "0x" + bytes(signed.signature).hex()


def recover(typed: Mapping[str, Any], signature: str) -> str:
    """The address that made ``signature`` over ``typed`` (lower-case); an ECDSA check before anything is sent.

    Raises:
        SignedActionError: the signature is malformed.
    """
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    try:
        address = Account.recover_message(encode_typed_data(full_message=dict(typed)), signature=_bytes(signature))
    except Exception as exc:  # eth-account raises several types for a malformed signature
        raise SignedActionError(_("the signature cannot be read: {exc}", exc=exc)) from None
    return str(address).lower()


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    text = str(value)
    try:
        return bytes.fromhex(text[2:] if text.startswith("0x") else text)
    except ValueError:
        raise SignedActionError(_("not hex: {text!r}", text=text[:20])) from None


def _argument(kind: str, value: Any) -> Any:
    """A message value as eth-abi encodes it for a parameter of ABI type ``kind``."""
    if kind == "bytes32":
        return _bytes(value)
    if kind == "bytes32[]":
        return [_bytes(v) for v in value]
    if kind.startswith("uint"):
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def call_arguments(typed: Mapping[str, Any], signature: str, proof: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """The ``...BySig`` function and its arguments that carry out a signed action.

    Raises:
        SignedActionError: the action is unknown or its signature is not hex.
    """
    act = action(str(typed["primaryType"]))
    message = typed["message"]
    kinds = dict(act.fields)
    arguments: list[Any] = []
    for name in act.call:
        if name == "proof":
            arguments.append([_bytes(p) for p in proof])
        elif name == "details":
            arguments.append(
                (
                    int(message["orgType"]),
                    message["displayName"],
                    message["domain"],
                    _bytes(message["metadataHash"]),
                )
            )
        else:
            arguments.append(_argument(kinds[name], message[name]))
    by = (message[act.signer_field], int(message["nonce"]), int(message["deadline"]), _bytes(signature))
    arguments.append(by)
    return act.function, arguments
