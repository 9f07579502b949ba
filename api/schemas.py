"""Request and response models, named by role (``CertificatePublic``, ``VerificationResult``...).

Every route declares one of these as its response model, so the OpenAPI document describes every answer (and
schemathesis checks every body against it); routes that send prebuilt bytes for speed still declare the model of what
they send. Lists are a :class:`Page` of items, built by :func:`page_answer`. Every read answer carries
``indexed_block``: the last block the index has applied (null when answered straight from the chain), so a client can
tell how fresh it is. Ids, addresses and enum names are the shared types of :mod:`api.vocabulary`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, field_validator, model_validator

from api.vocabulary import (
    FINGERPRINT_PATTERN,
    HEX32_DOC,
    HEX32_PATTERN,
    Address,
    CertificateStatusName,
    CheckStatusName,
    DispositionName,
    Hex32,
    OrgTypeName,
    PartnerStatusName,
    ProposalKindName,
    ProposalStatusName,
    ProvenanceActionName,
    RightName,
    VerdictName,
)
from ledger import cbv, reads
from ledger.documents import (
    MAX_ATTRIBUTE_NAME,
    MAX_ATTRIBUTES,
    MAX_DOCUMENT_FIELDS,
    MAX_PROOF_STEPS,
    check_attributes,
)
from ledger.i18n import gettext as _
from ledger.signing.actions import ACTIONS, ENUM_LIMITS, Action
from ledger.signing.relayer import MAX_LIST, MAX_STRING

T = TypeVar("T")


class CheckPublic(BaseModel):
    name: Literal["DOCUMENT_INTEGRITY", "ISSUANCE_STATUS", "ISSUER_IDENTITY", "ISSUER_STANDING_AT_ISSUANCE"]
    status: CheckStatusName
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class CertificateRef(BaseModel):
    id: Hex32
    root: Hex32
    leaf: Hex32
    issuer: Address | None = None
    issued_at: int | None = None
    valid_until: int | None = None
    fingerprint: Hex32 | None = None


class OriginalSummaryPublic(BaseModel):
    """An original registered in the provenance registry: who registered it, owns and holds it, its disposition."""

    id: Hex32 = Field(description="keccak256(abi.encode(registrar, identifier))")
    identifier: Hex32 = Field(description="the fingerprint of a certified original, or a hashed serial / Digital Link")
    registrar: Address
    registrar_name: str | None = Field(description="the registrar's display name in the partner directory")
    registered_at: int | None = Field(description="the registration block's time (null when the index lacks it)")
    registered_block: int
    owner: Address
    holder: Address
    soulbound: bool
    disposition: DispositionName
    first_registration: bool = Field(description="whether this is its identifier's first registration")


PROVENANCE_DOC = (
    "every original whose identifier is the verified fingerprint or that is linked to the verified certificate, "
    "the first registration first"
)


class VerificationResult(BaseModel):
    verdict: VerdictName
    checks: list[CheckPublic]
    certificate: CertificateRef | None = None
    source: Literal["index", "chain"]
    indexed_block: int | None


class VerificationAnswer(VerificationResult):
    """Verifying a certificate (by id, or a presented document): its result, and the originals it concerns."""

    provenance: list[OriginalSummaryPublic] = Field(description=PROVENANCE_DOC)


class VerificationsResult(BaseModel):
    """Verifying an original by fingerprint: one result per certificate that names it, newest first."""

    fingerprint: Hex32
    verdict: VerdictName
    results: list[VerificationResult]
    source: Literal["index", "chain"]
    indexed_block: int | None
    provenance: list[OriginalSummaryPublic] = Field(description=PROVENANCE_DOC)


class Page(BaseModel, Generic[T]):
    """A page of a list, newest or smallest first: pass ``next_cursor`` as ``cursor`` for the next (null: the last)."""

    data: list[T]
    next_cursor: str | None
    indexed_block: int | None


def page_answer(page: reads.Page, indexed_block: int | None) -> dict[str, Any]:
    """The answer of a list route (see :class:`Page`): one page of ``reads`` and the block it was read at."""
    return {"data": page.items, "next_cursor": page.next_cursor, "indexed_block": indexed_block}


class HistoryEntryPublic(BaseModel):
    event: str
    status: PartnerStatusName
    rights: list[Literal["ISSUER", "COUNCIL"]]
    active_issuer: bool
    at: int
    block_number: int
    tx_hash: Hex32
    proposal_id: int | None


class PartnerDetailsEntryPublic(BaseModel):
    """A partner's details as registered, or as a council decision changed them."""

    source: Literal["registered", "changed"]
    display_name: str
    org_type: OrgTypeName
    domain: str
    metadata_hash: Hex32
    at: int | None
    block_number: int
    tx_hash: Hex32
    proposal_id: int | None


class PartnerPublic(BaseModel):
    address: Address
    display_name: str
    org_type: OrgTypeName
    domain: str
    metadata_hash: Hex32
    status: PartnerStatusName
    rights: list[Literal["ISSUER", "COUNCIL"]]
    joined_at: int | None
    compromised_after: int | None


class PartnerDetailPublic(PartnerPublic):
    history: list[HistoryEntryPublic]
    details_history: list[PartnerDetailsEntryPublic]
    certificates_issued: int
    indexed_block: int | None


class PartnersPublic(Page[PartnerPublic]):
    """Partners, by address."""


class VotePublic(BaseModel):
    voter: Address
    voter_name: str | None = Field(description="the voter's display name")
    support: bool
    counted_now: bool = Field(description="whether the voter is active council now (only such votes count)")
    block_number: int
    at: int | None = Field(description="the block's time, when the index still holds it (recent blocks)")
    tx_hash: Hex32


class ProposedDetailsPublic(BaseModel):
    display_name: str
    org_type: OrgTypeName
    domain: str
    metadata_hash: Hex32


class ProposalPublic(BaseModel):
    """A council proposal as it stands at the indexed block's chain time (``status``, ``seconds_left`` and the
    ``*_now`` fields change with time and with the council, without an event)."""

    proposal_id: int
    kind: ProposalKindName
    status: ProposalStatusName = Field(
        description="open: not executed, deadline not passed; passed: executed; failed: deadline passed and the no "
        "votes were a majority of the council at proposal time; expired: deadline passed, otherwise"
    )
    summary: str = Field(description="what it does, in plain words")
    subject: Address
    subject_name: str | None = Field(description="the subject partner's display name (null for a certificate decision)")
    proposer: Address
    proposer_name: str | None
    rights: int
    rights_names: list[Literal["ISSUER", "COUNCIL"]]
    compromised_after: int | None
    created_at: int | None = Field(description="deadline - the deployment's voting period (null if unknown)")
    deadline: int
    seconds_left: int | None = Field(description="until the deadline, while open (else null)")
    target: Hex32 | None
    leaf: Hex32 | None
    reason: int
    council_at_proposal: int
    majority_at_proposal: int = Field(description="council_at_proposal // 2 + 1")
    active_council_now: int
    required_now: int = Field(description="max(council_at_proposal, active_council_now) // 2 + 1, as execute has it")
    counted_yes_now: int = Field(description="yes votes of members who are active council now")
    executable_now: bool = Field(description="open and counted_yes_now >= required_now")
    yes_votes: int
    no_votes: int
    executed: bool
    executed_by: Address | None
    executed_block: int | None
    executed_at: int | None
    counted_votes: int | None = Field(description="the counted yes votes at execution (null until executed)")
    required: int | None = Field(description="the majority required at execution (null until executed)")
    proposed_details: ProposedDetailsPublic | None
    created_block: int
    tx_hash: Hex32


class ProposalVotesPublic(ProposalPublic):
    votes: list[VotePublic]


class ProposalDetailPublic(ProposalVotesPublic):
    indexed_block: int | None
    indexed_block_time: int | None = Field(description="the indexed block's timestamp: the time status is judged at")


class ProposalsPublic(Page[ProposalPublic]):
    """Council proposals, newest first."""

    indexed_block_time: int | None


class ApplicationPublic(BaseModel):
    display_name: str
    org_type: OrgTypeName
    domain: str
    metadata_hash: Hex32
    block_number: int
    tx_hash: Hex32


class VoteCastPublic(BaseModel):
    support: bool
    block_number: int
    at: int | None
    tx_hash: Hex32
    proposal: ProposalPublic


class PartnerGovernancePublic(BaseModel):
    """A partner's governance history: what it asked for, what the council was asked about it and decided, what it
    proposed and how it voted, newest first (applications and details in chain order)."""

    address: Address
    display_name: str
    status: PartnerStatusName
    rights: list[Literal["ISSUER", "COUNCIL"]]
    applications: list[ApplicationPublic]
    proposals_about: list[ProposalVotesPublic]
    proposals_made: list[ProposalPublic]
    votes_cast: list[VoteCastPublic]
    details_history: list[PartnerDetailsEntryPublic]
    indexed_block: int | None
    indexed_block_time: int | None


class CertificateHistoryPublic(BaseModel):
    action: Literal["issued", "revoked", "suspended", "reinstated"]
    leaf: Hex32 | None
    actor: Address
    by_council: bool
    reason: int | None
    at: int
    block_number: int
    tx_hash: Hex32


class CertificatePublic(BaseModel):
    id: Hex32
    root: Hex32
    issuer: Address
    fingerprint: Hex32 | None
    mode: Literal["single", "batch", "batch_public"]
    issued_at: int
    valid_until: int | None
    status: CertificateStatusName
    status_reason: int | None
    status_at: int | None
    block_number: int
    tx_hash: Hex32


class CertificateDetailPublic(CertificatePublic):
    documents: int
    history: list[CertificateHistoryPublic]
    indexed_block: int | None


class CertificatesPublic(Page[CertificatePublic]):
    """Certificates, newest first by (issued_at, id)."""


class OriginalCertificatePublic(CertificatePublic):
    leaf: Hex32
    document_status: CertificateStatusName


class OriginalCertificatesPublic(BaseModel):
    fingerprint: Hex32
    data: list[OriginalCertificatePublic]
    indexed_block: int | None


class BizStepPublic(BaseModel):
    """A CBV business step: the code on chain, and its word and URI when this server knows the code."""

    code: int
    name: str | None
    uri: str | None


class TimelineEntryPublic(BaseModel):
    """One event of an original, in chain order."""

    block_number: int
    log_index: int
    tx_hash: Hex32
    at: int | None = Field(description="the block's time (null when the index lacks it)")
    action: ProvenanceActionName
    actor: Address = Field(description="who acted (the registrar, the offering, reporting or recording party...)")
    party: Address | None = Field(description="the other address: owner, holder, recipient, one-time key, claimant")
    right: RightName | None
    disposition: DispositionName | None
    biz_step: BizStepPublic | None
    occurred_at: int | None
    deadline: int | None
    reference: Hex32 | None = Field(description="identifier, certificate id, parent, evidence or remark hash")
    by_council: bool | None


class FirstRegisteredPublic(BaseModel):
    """The first registration of an original's identifier (the original itself when it is the first)."""

    original: Hex32
    registrar: Address
    registrar_name: str | None
    registered_at: int | None
    registered_block: int


class OriginalProvenancePublic(OriginalSummaryPublic):
    """An original's provenance: its state, lineage, certificates and one page of its timeline, oldest first."""

    tx_hash: Hex32
    third_party_holds: bool
    first_registered: FirstRegisteredPublic
    parents: list[Hex32]
    children: list[Hex32]
    certificates: list[Hex32]
    timeline: list[TimelineEntryPublic]
    next_cursor: str | None = Field(description="pass as cursor for the timeline's next page (null: the last)")
    indexed_block: int | None


class OriginalsPublic(BaseModel):
    """Originals by owner or holder (by id), or an identifier's registrations (the first registration first)."""

    items: list[OriginalSummaryPublic]
    next_cursor: str | None
    indexed_block: int | None


class RelayerPublic(BaseModel):
    """The account that relays signed actions and pays their gas."""

    address: Address
    balance_wei: int
    low: bool = Field(description="the balance is below the operator's threshold: top it up")


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    node: bool
    head_block: int | None
    indexed_block: int | None
    lag_blocks: int | None = Field(
        description="head_block - indexed_block; negative when the index is ahead of the node (status degraded)"
    )
    relayer: RelayerPublic | None = Field(None, description="only when a relayer is configured and its node answers")


class DigitalLinkPublic(BaseModel):
    """A GTIN and a serial as a GS1 Digital Link: the canonical URI, this server's URI of it, and the provenance
    registry's identifier of originals registered under it."""

    gtin: str = Field(pattern=r"^[0-9]{14}$", description="the GTIN as 14 digits (shorter ones padded with zeros)")
    serial: str
    uri: str = Field(description="the canonical URI, on GS1's resolver (id.gs1.org): what the identifier hashes")
    link: str = Field(description="the same path on this server (the page of its originals; what its QR code holds)")
    identifier: Hex32 = Field(description="keccak256 of the canonical URI: GET /originals?identifier= lists them")
    qr: str = Field(description="this server's path of the link's QR code (SVG)")


class IssuerPublic(BaseModel):
    """Who an issuer API key speaks for (``GET /issuer``): its account, the key's label and the partner as the index
    knows it (null fields: the account is no partner), and whether it may issue now."""

    address: Address
    key_label: str = Field(description="the label the key was registered with (never the key itself)")
    display_name: str | None
    org_type: OrgTypeName | None
    domain: str | None
    status: PartnerStatusName | None
    rights: list[Literal["ISSUER", "COUNCIL"]]
    active_issuer: bool = Field(description="an ACTIVE partner with the ISSUER right: the registry lets it issue")
    indexed_block: int | None


class OriginalIn(BaseModel):
    """The original to certify: a file's SHA-256 (hash it yourself, or use `originals issue FILE`) or a serial's."""

    # The zero hash is no fingerprint: the registry refuses it for a single certificate (InvalidFingerprint), and a
    # document certifying "nothing" would verify from any empty lookup. Python's re: the pattern needs a lookahead.
    model_config = ConfigDict(regex_engine="python-re")

    name: str = Field(min_length=1, max_length=500)
    kind: str = Field(min_length=1, max_length=100)
    fingerprint: str = Field(
        pattern=FINGERPRINT_PATTERN, description=f"{HEX32_DOC}, not all zero (SHA-256 of the file)"
    )
    serial: str | None = Field(None, max_length=500)
    attributes: dict[str, str | int | bool | None] = Field(
        default_factory=dict,
        max_length=MAX_ATTRIBUTES,
        description=f"at most {MAX_ATTRIBUTES}; names non-empty, without '.', at most {MAX_ATTRIBUTE_NAME} characters",
    )

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        """The document's own rules, here so that a bad attribute is a 422 before anything else happens."""
        return check_attributes(value)


class IssueRequest(BaseModel):
    original: OriginalIn
    valid_until: int | None = Field(None, ge=1, lt=2**48, description="Unix time of expiry; omit for none")


class BatchIssueRequest(BaseModel):
    originals: list[OriginalIn] = Field(min_length=1)
    valid_until: int | None = Field(None, ge=1, lt=2**48)
    publish_fingerprints: bool = Field(
        True, description="publish each document's fingerprint on chain (verifiable from the file alone)"
    )


class IssuedPublic(BaseModel):
    """Certificates whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    tx_hash: str
    id: str
    root: str
    mode: Literal["single", "batch", "batch_public"]
    status: Literal["pending"]
    block_number: int
    documents: list[dict[str, Any]]


class StatusChangeRequest(BaseModel):
    reason: int = Field(ge=0, le=65535, description="reason code (see the API docs for the list)")
    leaf: str | None = Field(None, pattern=HEX32_PATTERN, description="one document's target hash")
    proof: list[Hex32] = Field(default_factory=list, max_length=MAX_PROOF_STEPS)


class StatusChangePublic(BaseModel):
    """A status change whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    tx_hash: str
    action: Literal["revoke", "suspend", "reinstate"]
    id: str
    leaf: str | None
    status: Literal["pending"]
    block_number: int


SIGNATURE_PATTERN = r"^0x[0-9a-fA-F]{130}$"
UINT_API_BOUND = 2**53
"""Integers of signed actions over the API stay below this, JavaScript's exact integer range (the page hands the
typed data to a wallet as JSON): the uint256 ones are nonces, proposal ids and chain ids, which never come near it."""


def _json_integer(value: Any) -> Any:
    """JSON's integers: ``2176`` and ``2176.0`` (the same number in JSON), not ``true`` nor ``"2176"``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json_integer_below(bound: int) -> Any:
    """A JSON integer from 0 to ``bound`` - 1."""
    return Annotated[int, Field(strict=True, ge=0, lt=bound), BeforeValidator(_json_integer)]


def _business_step(value: Any) -> Any:
    """A business step given by its CBV word (``inspecting``) or URI, as its code; a code as a JSON integer."""
    if isinstance(value, str):
        return cbv.code_of(value)
    return _json_integer(value)


BusinessStepIn = Annotated[
    int,
    Field(strict=True, ge=1, le=65535, description="a CBV 2.0 business step: its code, or its word (`inspecting`)"),
    BeforeValidator(_business_step),
]
Time48 = Annotated[int, Field(strict=True, ge=1, lt=2**48, description="unix time"), BeforeValidator(_json_integer)]
StrictBool = Annotated[bool, Field(strict=True)]
SignatureHex = Annotated[str, Field(pattern=SIGNATURE_PATTERN, description="a 65-byte signature, 0x + hex")]


class RegisterOriginalRequest(BaseModel):
    """An original to register: its identifier (a certified original's fingerprint, or any 32-byte hash of a serial)
    or a GTIN and serial (then the identifier is the hash of its GS1 Digital Link, ``ledger/digital_link.py``)."""

    identifier: Hex32 | None = None
    gtin: str | None = Field(None, pattern=r"^[0-9]{8,14}$")
    serial: str | None = Field(None, min_length=1, max_length=20)
    owner: Address
    holder: Address | None = Field(None, description="who holds it, if not the owner")
    soulbound: StrictBool = Field(False, description="its title can never move (a diploma)")
    certificates: list[Hex32] = Field(default_factory=list, max_length=100, description="certificates that certify it")
    parents: list[Hex32] = Field(default_factory=list, max_length=100, description="originals it was made from")

    @model_validator(mode="after")
    def _one_identifier(self) -> RegisterOriginalRequest:
        by_link = self.gtin is not None or self.serial is not None
        if (self.identifier is None) == (not by_link) or (by_link and (self.gtin is None or self.serial is None)):
            raise ValueError(_("give either an identifier, or a GTIN and a serial number"))
        return self


class RegisteredOriginalPublic(BaseModel):
    """A registration whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    tx_hash: str
    original: str
    identifier: str
    digital_link: str | None
    status: Literal["pending"]
    block_number: int


class ConsentIn(BaseModel):
    """The holder's ``RecordEvent`` signature naming the recording partner (ledger/signing/provenance.py)."""

    nonce: _json_integer_below(UINT_API_BOUND)  # type: ignore[valid-type]
    deadline: Time48
    signature: SignatureHex


class ConsentedEventRequest(BaseModel):
    biz_step: BusinessStepIn
    evidence_hash: Hex32
    occurred_at: Time48 = Field(description="unix time it happened, at or before now")
    holder: Address
    consent: ConsentIn


class BatchEventIn(ConsentedEventRequest):
    original: Hex32


class EventBatchRequest(BaseModel):
    events: list[BatchEventIn] = Field(min_length=1, description="at most 10,000 (the body limit comes first)")


class ProvenanceSentPublic(BaseModel):
    """A provenance transaction once mined; ``status`` stays pending until indexed."""

    tx_hash: str
    status: Literal["pending"]
    block_number: int


class ProvedEventPublic(BaseModel):
    leaf: str
    proof: list[str]


class EventBatchPublic(ProvenanceSentPublic):
    root: str
    count: int
    events: list[ProvedEventPublic]


class AnchoredEventIn(BaseModel):
    original: Hex32
    biz_step: BusinessStepIn
    evidence_hash: Hex32
    occurred_at: Time48
    holder: Address


class AnchoredEventCheckRequest(BaseModel):
    event: AnchoredEventIn
    root: Hex32
    proof: list[Hex32] = Field(default_factory=list, max_length=MAX_PROOF_STEPS)
    consent: ConsentIn | None = None


class AnchoredEventCheckPublic(BaseModel):
    """Each part of an anchored event's proof on its own (``valid`` only when all hold); null: not known."""

    valid: bool
    leaf: str
    root: str
    anchored: bool
    recorder: str | None
    recorder_name: str | None
    block_number: int | None
    proof_valid: bool
    consented: bool | None
    holder_at_anchoring: bool | None


class TransactionStatusPublic(BaseModel):
    tx_hash: str
    status: Literal["pending", "indexed", "unknown"]
    action: str | None = None
    certificate_id: str | None = None
    root: str | None = None
    leaf: str | None = None
    documents: int | None = None
    block_number: int | None = None


# -- signed actions (EIP-712), generated from ledger.signing.actions.ACTIONS, where each action is defined once ----


def _value_type(kind: str) -> Any:
    """The annotated type of an EIP-712 message field of ABI type ``kind``."""
    if kind == "address":
        return Address
    if kind == "bytes32":
        return Hex32
    if kind == "bytes32[]":
        return Annotated[list[Hex32], Field(max_length=MAX_LIST)]
    if kind.startswith("uint"):
        return _json_integer_below(min(2 ** int(kind[4:]), UINT_API_BOUND))
    if kind == "bool":
        return Annotated[bool, Field(strict=True)]
    if kind == "string":
        return Annotated[str, Field(max_length=MAX_STRING)]
    raise ValueError(f"no API type for {kind}")  # pragma: no cover - ACTIONS uses only the types above


def _field_type(act: Action, name: str, kind: str) -> Any:
    """The annotated type of field ``name`` of action ``act``: its ABI type's, bounded for an enum (ENUM_LIMITS)."""
    largest = ENUM_LIMITS.get(act.contract, {}).get(name)
    return _json_integer_below(largest + 1) if largest is not None else _value_type(kind)


class TypeMemberPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=64)
    type: str = Field(max_length=64)


_FORBID = ConfigDict(extra="forbid")


def _model(name: str, doc: str, fields: dict[str, Any]) -> Any:
    """A model built at run time (fields as ``create_model`` takes them); extra fields are refused."""
    return create_model(name, __config__=_FORBID, __doc__=doc, **fields)


Domain = _model(
    "Domain",
    "The EIP-712 domain: the registry (verifyingContract) on its chain (chainId).",
    {
        "name": (Annotated[str, Field(max_length=100)], ...),
        "version": (Annotated[str, Field(max_length=20)], ...),
        "chainId": (_json_integer_below(UINT_API_BOUND), ...),
        "verifyingContract": (Address, ...),
    },
)


def _typed_data_model(act: Action) -> Any:
    message = _model(
        f"{act.name}Message",
        f"The message of a {act.name} action.",
        {m["name"]: (_field_type(act, m["name"], m["type"]), ...) for m in act.message_types},
    )
    return _model(
        f"{act.name}TypedData",
        f"The EIP-712 typed data of a {act.name} action (eth_signTypedData_v4 signs it as JSON).",
        {
            "types": (dict[str, list[TypeMemberPublic]] | None, None),
            "primaryType": (Literal[act.name], ...),
            "domain": (Domain, ...),
            "message": (message, ...),
        },
    )


def _prepare_model(act: Action) -> Any:
    fields: dict[str, Any] = {
        "action": (Literal[act.name], ...),
        "signer": (Address, Field(description=f"the {act.signer_field}")),
    }
    fields.update({name: (_field_type(act, name, kind), ...) for name, kind in act.fields})
    if act.name == "ProposeCertificateDecision":
        fields["registry"] = (Address | None, Field(None, description="default: this deployment's registry"))
    return _model(
        f"Prepare{act.name}",
        f"A {act.name} action to prepare: the {act.signer_field} who signs it and its fields.",
        fields,
    )


TYPED_DATA = {name: _typed_data_model(act) for name, act in ACTIONS.items()}
"""The typed data model of each action, by name."""


def _union(models: list[Any], discriminator: str) -> Any:
    if len(models) == 1:
        return models[0]
    from typing import Union

    return Annotated[Union[tuple(models)], Field(discriminator=discriminator)]  # noqa: UP007 - built at run time


def _signed_request(name: str, actions: tuple[str, ...]) -> Any:
    signature = Annotated[str, Field(pattern=SIGNATURE_PATTERN, description="65 bytes: 0x + 130 hex digits")]
    return _model(
        name,
        f"A signed {' / '.join(actions)} action: the typed data as signed, the signature and, for a certificate "
        "decision on one document, the document's Merkle proof.",
        {
            "typed_data": (_union([TYPED_DATA[a] for a in actions], "primaryType"), ...),
            "signature": (signature, ...),
            "proof": (Annotated[list[Hex32], Field(max_length=MAX_PROOF_STEPS)], []),
        },
    )


if TYPE_CHECKING:  # models built at run time are opaque to mypy: the checker sees plain models

    class SignedActionRequest(BaseModel):
        typed_data: Any
        signature: str
        proof: list[str]

    class PrepareActionRequest(BaseModel):
        action: str
        signer: str

    ApplyRequest = SignedActionRequest
    ProposeRequest = SignedActionRequest
    VoteRequest = SignedActionRequest
    ExecuteRequest = SignedActionRequest
    LeaveRequest = SignedActionRequest
    IssueSignedRequest = SignedActionRequest
    StatusSignedRequest = SignedActionRequest
    OfferRequest = SignedActionRequest
    AcceptRequest = SignedActionRequest
    RejectRequest = SignedActionRequest
    CancelRequest = SignedActionRequest
    EventSignedRequest = SignedActionRequest
    IncidentRequest = SignedActionRequest
    ClearRequest = SignedActionRequest
    PrepareRequest = PrepareActionRequest

    class ClaimTypedData(BaseModel):
        primaryType: str
        message: Any

    class ClaimRequest(BaseModel):
        typed_data: ClaimTypedData
        signature: str
else:
    ApplyRequest = _signed_request("ApplyRequest", ("Apply",))
    ProposeRequest = _signed_request("ProposeRequest", ("Propose", "ProposeDetails", "ProposeCertificateDecision"))
    VoteRequest = _signed_request("VoteRequest", ("Vote",))
    ExecuteRequest = _signed_request("ExecuteRequest", ("Execute",))
    LeaveRequest = _signed_request("LeaveRequest", ("Leave",))
    IssueSignedRequest = _signed_request("IssueSignedRequest", ("Issue", "IssueBatch", "IssueBatchPublic"))
    StatusSignedRequest = _signed_request("StatusSignedRequest", ("SetStatus",))
    PrepareRequest = _union([_prepare_model(act) for act in ACTIONS.values()], "action")
    OfferRequest = _signed_request("OfferRequest", ("HandOver", "ProposeClaim"))
    AcceptRequest = _signed_request("AcceptRequest", ("TakeOver",))
    RejectRequest = _signed_request("RejectRequest", ("RejectOffer",))
    CancelRequest = _signed_request("CancelRequest", ("CancelOffer",))
    EventSignedRequest = _signed_request("EventSignedRequest", ("AddEvent",))
    IncidentRequest = _signed_request("IncidentRequest", ("LogIncident",))
    ClearRequest = _signed_request("ClearRequest", ("ClearDisposition",))
    ClaimTypedData = _model(
        "ClaimTypedData",
        "The EIP-712 typed data a one-time key signs to hand an original's title or custody to a claimant "
        "(ledger.signing.provenance.claim_typed_data): no nonce, the claim offer is used up by it.",
        {
            "types": (dict[str, list[TypeMemberPublic]] | None, None),
            "primaryType": (Literal["Claim"], ...),
            "domain": (Domain, ...),
            "message": (
                _model(
                    "ClaimMessage",
                    "The message of a Claim.",
                    {
                        "original": (Hex32, ...),
                        "right": (_json_integer_below(2), Field(description="0 the title, 1 custody")),
                        "claimant": (Address, ...),
                        "deadline": (_json_integer_below(2**48), ...),
                    },
                ),
                ...,
            ),
        },
    )
    ClaimRequest = _model(
        "ClaimRequest",
        "A one-time key's signed Claim: the typed data as signed and the key's signature.",
        {
            "typed_data": (ClaimTypedData, ...),
            "signature": (
                Annotated[str, Field(pattern=SIGNATURE_PATTERN, description="65 bytes: 0x + 130 hex digits")],
                ...,
            ),
        },
    )


class PreparedActionPublic(BaseModel):
    """What the signer signs (``eth_signTypedData_v4`` takes ``typed_data`` as JSON; ``originals`` signs it with a
    keystore), with the registry's nonce for the signer and a deadline; then POST it with the signature."""

    action: str
    signer: Address
    typed_data: _union(list(TYPED_DATA.values()), "primaryType")  # type: ignore[valid-type]


class RelayedPublic(BaseModel):
    """A signed action whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    action: str
    signer: Address
    relayer: Address
    tx_hash: Hex32
    block_number: int
    proposal_id: int | None = Field(description="the proposal a Propose action created")
    status: Literal["pending"]


class ProblemPublic(BaseModel):
    """An error answer (RFC 9457): ``title`` and ``detail`` for people, ``status`` (and ``errors``) for programs."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


def _problems(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ProblemPublic.model_json_schema()}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": _problems("Bad input, no key, not allowed or not found: a problem document"),
    "5XX": _problems("The node or the database is unavailable: a problem document"),
}
"""Declared on every operation (in place of FastAPI's default 422 schema, which these answers do not follow)."""


_SALTED = {
    "type": "string",
    "description": "<64 hex digits of salt>:<canonical JSON scalar>",
    "pattern": r'^[0-9a-f]{64}:(null|true|false|-?(0|[1-9][0-9]{0,17})|"([^"\\\x00-\x1f]|\\["\\/bfnrt])*")$',
}
OPENAPI_COMPONENTS: dict[str, Any] = {
    "WrappedFields": {
        "type": "object",
        "description": "salted fields by name; objects nest",
        "additionalProperties": {"anyOf": [_SALTED, {"$ref": "#/components/schemas/WrappedFields"}]},
    }
}
"""Schemas the OpenAPI document needs beyond the models (a recursive one, which FastAPI cannot derive here)."""
WRAPPED_DOCUMENT_SCHEMA: dict[str, Any] = {
    "title": "WrappedDocument",
    "type": "object",
    "required": ["version", "data", "proof"],
    "properties": {
        "version": {"const": "originals/wrapped/2"},
        "data": {"$ref": "#/components/schemas/WrappedFields"},
        "privacy": {
            "type": "object",
            "properties": {
                "obfuscated": {
                    "type": "array",
                    "items": {"type": "string", "pattern": HEX32_PATTERN},
                    "maxItems": MAX_DOCUMENT_FIELDS,
                }
            },
        },
        "proof": {
            "type": "object",
            "required": ["type", "targetHash", "merkleRoot", "proof"],
            "properties": {
                "type": {"const": "OriginalsMerkleProof/1"},
                "targetHash": {"type": "string", "pattern": HEX32_PATTERN},
                "merkleRoot": {"type": "string", "pattern": HEX32_PATTERN},
                "proof": {
                    "type": "array",
                    "items": {"type": "string", "pattern": HEX32_PATTERN},
                    "maxItems": MAX_PROOF_STEPS,
                },
            },
        },
    },
}
"""The request body of ``POST /verify/document`` as the OpenAPI document shows it (the route parses it itself)."""
