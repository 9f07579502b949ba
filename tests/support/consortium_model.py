"""A pure-Python model of PartnerRegistry and CertificateRegistry (trust model v2), the oracle of the stateful test.

The model restates the contracts' rules from their interfaces: partner statuses and the rights bit set, details bound
by hash (an admission binds the details voted on; details change only by a ChangeDetails proposal), council proposals
with a deadline, votes that count at execution only if the voter is active council THEN, against a majority of the
larger of the council at proposal time and now, the re-check of a proposal's applicability when it is executed, the
last-council-member guard, leaving, compromise cut-offs that only move earlier (at expulsion or by SetCompromised),
the issuer-standing history, the three issue modes with certificates namespaced by issuer (id = keccak256(issuer,
root)), status records with ``byCouncil``, who may set them (the issuer while an active issuer without a cut-off; a
council member's hold; a council decision), and ``verify``'s verdicts in their order of precedence. Where a call
breaks several rules, the contract reports the first one it checks, so the model checks in the same order and
predicts the same custom error with the same arguments.

Every operation takes the caller and the block timestamp ``at`` it runs at, and either raises :class:`Reverted`
without touching the model, or applies the whole change and returns the events the contract must emit, in order.
State is kept in frozen records that are replaced, never mutated, and a change is committed only after every check
passed, so a predicted revert cannot leave half a change behind.

Pure Python on purpose: no chain, no ape, nothing derived from the contracts' storage. The imports from the project are
the Merkle proof check, which is the OpenZeppelin-compatible reference the contracts must agree with, and the enums and
rights bits of ``ledger.events`` (the values the indexer decodes, which these tests thereby pin to the contracts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from enum import IntEnum
from functools import cache
from typing import Any

from eth_abi import encode
from eth_hash.auto import keccak

from ledger.documents import process_proof
from ledger.events import COUNCIL, ISSUER, PartnerStatus, ProposalKind
from ledger.events import CertificateStatus as Status

ALL_RIGHTS = ISSUER | COUNCIL
ZERO32 = bytes(32)
ZERO_ADDRESS = "0x" + "00" * 20

PARTNERS = "PartnerRegistry"
CERTIFICATES = "CertificateRegistry"

CERTIFICATE_DECISIONS = {
    ProposalKind.REVOKE_CERTIFICATE: Status.REVOKED,
    ProposalKind.LIFT_CERTIFICATE_SUSPENSION: Status.VALID,
}


def certificate_id(issuer: str, root: bytes) -> bytes:
    """``certificateId(issuer, root)``: keccak256(abi.encode(issuer, root))."""
    return keccak(bytes(12) + bytes.fromhex(issuer[2:]) + root)


def details_hash(org_type: int, display_name: str, domain: str, metadata_hash: bytes) -> bytes:
    """``detailsHash(details)``: keccak256(abi.encode(orgType, displayName, domain, metadataHash))."""
    return keccak(encode(["uint8", "string", "string", "bytes32"], [org_type, display_name, domain, metadata_hash]))


@cache
def _leads_to(leaf: bytes, proof: tuple[bytes, ...]) -> bytes:
    """The root ``proof`` leads to from ``leaf`` (cached: the same documents are verified after every step)."""
    return process_proof(leaf, proof)


def _abi(record: Any) -> tuple[object, ...]:
    """A record's fields in order, nested records as tuples: how eth_abi decodes the struct."""
    values = (getattr(record, f.name) for f in fields(record))
    return tuple(_abi(v) if hasattr(v, "__dataclass_fields__") else v for v in values)


class Verdict(IntEnum):
    """``ICertificateRegistry.Verdict``, in precedence order after ``VALID``."""

    VALID = 0
    NOT_ISSUED = 1
    INVALID_PROOF = 2
    REVOKED = 3
    SUSPENDED = 4
    EXPIRED = 5
    ISSUER_COMPROMISED = 6


# Which statuses a proposal kind may be applied to, and the status an executed proposal leaves its subject in.
MEMBERS = frozenset({PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED})
APPLICABLE_FROM: dict[ProposalKind, frozenset[PartnerStatus]] = {
    ProposalKind.ADMIT: frozenset({PartnerStatus.APPLIED}),
    ProposalKind.SUSPEND: frozenset({PartnerStatus.ACTIVE}),
    ProposalKind.REINSTATE: frozenset({PartnerStatus.SUSPENDED}),
    ProposalKind.EXPEL: MEMBERS,
    ProposalKind.GRANT_RIGHTS: MEMBERS,
    ProposalKind.WITHDRAW_RIGHTS: MEMBERS,
    ProposalKind.CHANGE_DETAILS: MEMBERS,
    ProposalKind.SET_COMPROMISED: frozenset(PartnerStatus) - {PartnerStatus.NONE, PartnerStatus.APPLIED},
}
STATUS_AFTER: dict[ProposalKind, PartnerStatus] = {
    ProposalKind.ADMIT: PartnerStatus.ACTIVE,
    ProposalKind.SUSPEND: PartnerStatus.SUSPENDED,
    ProposalKind.REINSTATE: PartnerStatus.ACTIVE,
    ProposalKind.EXPEL: PartnerStatus.EXPELLED,
}
MAY_LEAVE = frozenset({PartnerStatus.APPLIED, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED})
MAY_APPLY = frozenset({PartnerStatus.NONE, PartnerStatus.LEFT})
# The kinds ``propose`` takes; the others have their own propose function.
PLAIN_KINDS = frozenset(APPLICABLE_FROM) - {ProposalKind.CHANGE_DETAILS}


class Authority(IntEnum):
    """Who changes a certificate status: its issuer, a council member's hold, or a council decision."""

    ISSUER = 0
    COUNCIL_MEMBER = 1
    COUNCIL_DECISION = 2


class Reverted(Exception):
    """The model's prediction that a call reverts with the custom error ``error`` and these named arguments."""

    def __init__(self, error: str, **arguments: object) -> None:
        self.error = error
        self.arguments = arguments
        super().__init__(f"{error}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})")


@dataclass(frozen=True)
class Event:
    """One log the contract must emit: which contract, the event's name and ALL its arguments by ABI name."""

    contract: str
    name: str
    args: dict[str, object]


@dataclass(frozen=True)
class Details:
    """``IPartnerRegistry.Details``."""

    org_type: int
    display_name: str
    domain: str
    metadata_hash: bytes

    @property
    def hash(self) -> bytes:
        return details_hash(self.org_type, self.display_name, self.domain, self.metadata_hash)

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class Partner:
    """``IPartnerRegistry.Partner``, fields in the struct's order (the default is the record of a stranger)."""

    org_type: int = 0
    status: PartnerStatus = PartnerStatus.NONE
    rights: int = 0
    joined_at: int = 0
    compromised_after: int = 0
    council_seat: int = 0
    details_hash: bytes = ZERO32
    metadata_hash: bytes = ZERO32
    display_name: str = ""
    domain: str = ""

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)

    def with_details(self, details: Details) -> Partner:
        return replace(
            self,
            org_type=details.org_type,
            display_name=details.display_name,
            domain=details.domain,
            metadata_hash=details.metadata_hash,
            details_hash=details.hash,
        )


@dataclass(frozen=True)
class Proposal:
    """``IPartnerRegistry.Proposal``, fields in the struct's order (the default is an unknown id)."""

    subject: str = ZERO_ADDRESS
    kind: ProposalKind = ProposalKind.ADMIT
    rights: int = 0
    executed: bool = False
    deadline: int = 0
    council_at_proposal: int = 0
    compromised_after: int = 0
    reason: int = 0
    yes_votes: int = 0
    no_votes: int = 0
    target: bytes = ZERO32
    leaf: bytes = ZERO32

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class Certificate:
    """``ICertificateRegistry.Certificate`` (the default is an id never issued)."""

    issuer: str = ZERO_ADDRESS
    issued_at: int = 0
    valid_until: int = 0
    batch: bool = False

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class StatusRecord:
    """``ICertificateRegistry.StatusRecord`` (the default is a certificate or leaf never acted on)."""

    status: Status = Status.VALID
    by_council: bool = False
    reason: int = 0
    at: int = 0

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class CertificateState:
    """``ICertificateRegistry.CertificateState``: the answer of ``verify``."""

    verdict: Verdict
    certificate: Certificate
    proof_valid: bool
    expired: bool
    root_status: StatusRecord
    leaf_status: StatusRecord
    issuer_compromised_after: int

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


def _status_changed(account: str, previous: PartnerStatus, status: PartnerStatus, proposal_id: int, at: int) -> Event:
    return Event(
        PARTNERS,
        "PartnerStatusChanged",
        {"account": account, "previous": previous, "status": status, "proposalId": proposal_id, "at": at},
    )


def _rights_changed(account: str, previous: int, rights: int, proposal_id: int, at: int) -> Event:
    return Event(
        PARTNERS,
        "PartnerRightsChanged",
        {"account": account, "previous": previous, "rights": rights, "proposalId": proposal_id, "at": at},
    )


def _compromised(account: str, cutoff: int, proposal_id: int) -> Event:
    return Event(
        PARTNERS, "PartnerCompromised", {"account": account, "compromisedAfter": cutoff, "proposalId": proposal_id}
    )


@dataclass
class ConsortiumModel:
    """The partner registry: partners, proposals, votes and each partner's issuer standing over time.

    ``address`` is the registry's own address: the ``by`` of a certificate status changed by a council decision.
    """

    voting_period: int
    address: str = ZERO_ADDRESS
    partners: dict[str, Partner] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    # (proposal id, voter) -> support. A seat is never reused and belongs to one address, so keying by address is
    # keying by seat.
    votes: dict[tuple[int, str], bool] = field(default_factory=dict)
    proposed_details: dict[int, Details] = field(default_factory=dict)
    seats_given: int = 0
    # Per account: (timestamp, is active issuer) at every change of standing; the last write at a timestamp wins.
    standing: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    # The certificate registry that council decisions act on (set by CertificateModel).
    certificates: CertificateModel | None = None

    @classmethod
    def founded(
        cls,
        founders: Sequence[tuple[str, int, int, str, str, bytes]],
        voting_period: int,
        deployed_at: int,
        address: str = ZERO_ADDRESS,
    ) -> ConsortiumModel:
        """The registry right after deployment with ``(account, orgType, rights, name, domain, metadataHash)``."""
        model = cls(voting_period, address)
        for account, org_type, rights, name, domain, metadata_hash in founders:
            record = Partner(status=PartnerStatus.ACTIVE, rights=rights, joined_at=deployed_at)
            model._commit(account, record.with_details(Details(org_type, name, domain, metadata_hash)), deployed_at)
        return model

    # --- views -----------------------------------------------------------------------------------------------------

    def partner(self, account: str) -> Partner:
        return self.partners.get(account, Partner())

    def proposal(self, proposal_id: int) -> Proposal:
        if 1 <= proposal_id <= len(self.proposals):
            return self.proposals[proposal_id - 1]
        return Proposal()

    def proposal_count(self) -> int:
        return len(self.proposals)

    def has_voted(self, proposal_id: int, voter: str) -> bool:
        return (proposal_id, voter) in self.votes

    def is_active_issuer(self, account: str) -> bool:
        p = self.partner(account)
        return p.status == PartnerStatus.ACTIVE and bool(p.rights & ISSUER)

    def is_active_council(self, account: str) -> bool:
        p = self.partner(account)
        return p.status == PartnerStatus.ACTIVE and bool(p.rights & COUNCIL)

    def active_council_count(self) -> int:
        """Counted from the records, not kept as a counter: the contract's bitmap is checked against this."""
        return sum(1 for account in self.partners if self.is_active_council(account))

    def compromised_after(self, account: str) -> int:
        return self.partner(account).compromised_after

    def was_active_issuer_at(self, account: str, timestamp: int) -> bool:
        """Active issuer at the end of the last block at or before ``timestamp``, and before any compromise cut-off."""
        cutoff = self.compromised_after(account)
        if cutoff != 0 and timestamp >= cutoff:
            return False
        earlier = [active for at, active in self.standing.get(account, []) if at <= timestamp]
        return earlier[-1] if earlier else False

    def counted_votes(self, proposal_id: int) -> int:
        """The yes votes that count if the proposal were executed now: those of members who are active council."""
        return sum(
            1
            for (number, voter), support in self.votes.items()
            if number == proposal_id and support and self.is_active_council(voter)
        )

    def required_votes(self, proposal_id: int) -> int:
        """More than half of the larger of the council at proposal time and the council now."""
        return max(self.active_council_count(), self.proposal(proposal_id).council_at_proposal) // 2 + 1

    # --- operations ------------------------------------------------------------------------------------------------

    def apply_for_membership(
        self, sender: str, at: int, org_type: int, display_name: str, domain: str, metadata_hash: bytes
    ) -> list[Event]:
        before = self.partner(sender)
        if before.status not in MAY_APPLY:
            raise Reverted("PartnerRegistryAlreadyRegistered", account=sender, status=before.status)
        if not display_name:
            raise Reverted("PartnerRegistryEmptyDisplayName")
        details = Details(org_type, display_name, domain, metadata_hash)
        self._commit(sender, replace(before.with_details(details), status=PartnerStatus.APPLIED), at)
        return [
            Event(
                PARTNERS,
                "PartnerRegistered",
                {
                    "account": sender,
                    "orgType": org_type,
                    "displayName": display_name,
                    "domain": domain,
                    "metadataHash": metadata_hash,
                },
            ),
            _status_changed(sender, before.status, PartnerStatus.APPLIED, 0, at),
        ]

    def propose(
        self, sender: str, at: int, kind: ProposalKind, subject: str, rights: int, compromised_after: int
    ) -> list[Event]:
        self._only_council(sender)
        if kind not in PLAIN_KINDS:
            raise Reverted("PartnerRegistryWrongProposeFunction", kind=kind)
        self.check_applicable(kind, subject, rights, compromised_after, at)
        target = self.partner(subject).details_hash if kind == ProposalKind.ADMIT else ZERO32
        created = self._create(sender, at, kind, subject, rights, compromised_after, target, ZERO32, 0)
        return [created, self._vote_cast(len(self.proposals), sender, True, 1, 0)]

    def propose_details(self, sender: str, at: int, subject: str, details: Details) -> list[Event]:
        self._only_council(sender)
        self.check_applicable(ProposalKind.CHANGE_DETAILS, subject, 0, 0, at)
        if not details.display_name:
            raise Reverted("PartnerRegistryEmptyDisplayName")
        created = self._create(sender, at, ProposalKind.CHANGE_DETAILS, subject, 0, 0, details.hash, ZERO32, 0)
        proposal_id = len(self.proposals)
        self.proposed_details[proposal_id] = details
        return [
            created,
            Event(
                PARTNERS,
                "DetailsProposed",
                {
                    "proposalId": proposal_id,
                    "orgType": details.org_type,
                    "displayName": details.display_name,
                    "domain": details.domain,
                    "metadataHash": details.metadata_hash,
                },
            ),
            self._vote_cast(proposal_id, sender, True, 1, 0),
        ]

    def propose_certificate_decision(
        self,
        sender: str,
        at: int,
        kind: ProposalKind,
        id_: bytes,
        leaf: bytes,
        proof: Sequence[bytes],
        reason: int,
    ) -> list[Event]:
        """The decision is checked against the certificate registry now (its proof too) and again at execution."""
        self._only_council(sender)
        if kind not in CERTIFICATE_DECISIONS:
            raise Reverted("PartnerRegistryWrongProposeFunction", kind=kind)
        assert self.certificates is not None
        self.certificates.check_council_decision(id_, leaf, proof, CERTIFICATE_DECISIONS[kind])
        created = self._create(sender, at, kind, self.certificates.address, 0, 0, id_, leaf, reason)
        return [created, self._vote_cast(len(self.proposals), sender, True, 1, 0)]

    def vote(self, sender: str, at: int, proposal_id: int, support: bool) -> list[Event]:
        self._only_council(sender)
        p = self._open_proposal(proposal_id, at)
        if (proposal_id, sender) in self.votes:
            raise Reverted("PartnerRegistryAlreadyVoted", proposalId=proposal_id, voter=sender)
        p = replace(p, yes_votes=p.yes_votes + support, no_votes=p.no_votes + (not support))
        self.proposals[proposal_id - 1] = p
        self.votes[proposal_id, sender] = support
        return [self._vote_cast(proposal_id, sender, support, p.yes_votes, p.no_votes)]

    def execute(self, sender: str, at: int, proposal_id: int) -> list[Event]:
        """Anyone may execute. Only yes votes of members active on the council NOW count, against a majority of the
        larger of the council at proposal time and now; applicability (and an admission's details) is checked again."""
        p = self._open_proposal(proposal_id, at)
        counted, required = self.counted_votes(proposal_id), self.required_votes(proposal_id)
        if counted < required:
            raise Reverted(
                "PartnerRegistryQuorumNotReached", proposalId=proposal_id, yesVotes=counted, required=required
            )
        executed = Event(
            PARTNERS,
            "ProposalExecuted",
            {"proposalId": proposal_id, "executor": sender, "countedVotes": counted, "required": required},
        )
        if p.kind in CERTIFICATE_DECISIONS:
            assert self.certificates is not None
            events = self.certificates.apply_council_decision(
                at, p.target, p.leaf, CERTIFICATE_DECISIONS[p.kind], p.reason
            )
            self.proposals[proposal_id - 1] = replace(p, executed=True)
            return [*events, executed]
        self.check_applicable(p.kind, p.subject, p.rights, p.compromised_after, at)
        before = self.partner(p.subject)
        if p.kind == ProposalKind.ADMIT and before.details_hash != p.target:
            raise Reverted(
                "PartnerRegistryDetailsChanged", account=p.subject, expected=p.target, actual=before.details_hash
            )
        after = before
        events: list[Event] = []
        if p.kind in STATUS_AFTER:
            status = STATUS_AFTER[p.kind]
            if p.kind == ProposalKind.EXPEL and p.compromised_after != 0:
                after = replace(after, compromised_after=p.compromised_after)
                events.append(_compromised(p.subject, p.compromised_after, proposal_id))
            after = replace(after, status=status)
            if before.status == PartnerStatus.APPLIED and status == PartnerStatus.ACTIVE:
                after = replace(after, joined_at=at)
            events.append(_status_changed(p.subject, before.status, status, proposal_id, at))
            rights = {ProposalKind.ADMIT: p.rights, ProposalKind.EXPEL: 0}.get(p.kind, before.rights)
        elif p.kind == ProposalKind.GRANT_RIGHTS:
            rights = before.rights | p.rights
        elif p.kind == ProposalKind.WITHDRAW_RIGHTS:
            rights = before.rights & ~p.rights
        elif p.kind == ProposalKind.CHANGE_DETAILS:
            details = self.proposed_details[proposal_id]
            after = after.with_details(details)
            rights = before.rights
            events.append(
                Event(
                    PARTNERS,
                    "PartnerDetailsChanged",
                    {
                        "account": p.subject,
                        "orgType": details.org_type,
                        "displayName": details.display_name,
                        "domain": details.domain,
                        "metadataHash": details.metadata_hash,
                        "proposalId": proposal_id,
                        "at": at,
                    },
                )
            )
        else:  # SetCompromised
            after = replace(after, compromised_after=p.compromised_after)
            events.append(_compromised(p.subject, p.compromised_after, proposal_id))
            rights = before.rights
        if rights != before.rights:
            after = replace(after, rights=rights)
            events.append(_rights_changed(p.subject, before.rights, rights, proposal_id, at))
        self._commit(p.subject, after, at)
        self.proposals[proposal_id - 1] = replace(p, executed=True)
        return [*events, executed]

    def leave(self, sender: str, at: int) -> list[Event]:
        before = self.partner(sender)
        if before.status not in MAY_LEAVE:
            raise Reverted("PartnerRegistryInvalidStatus", account=sender, status=before.status)
        self._commit(sender, replace(before, status=PartnerStatus.LEFT, rights=0), at)
        events = [_status_changed(sender, before.status, PartnerStatus.LEFT, 0, at)]
        if before.rights != 0:
            events.append(_rights_changed(sender, before.rights, 0, 0, at))
        return events

    # --- rules -----------------------------------------------------------------------------------------------------

    def check_applicable(self, kind: ProposalKind, subject: str, rights: int, cutoff: int, at: int) -> None:
        """Whether ``kind`` can be applied to ``subject`` now: at proposal time and again at execution."""
        p = self.partner(subject)
        if kind in (ProposalKind.EXPEL, ProposalKind.SET_COMPROMISED):
            # A cut-off only ever moves earlier: a later one would bring back certificates already declared invalid.
            if cutoff > at or (p.compromised_after != 0 and cutoff >= p.compromised_after):
                raise Reverted("PartnerRegistryInvalidCutoff", compromisedAfter=cutoff)
            if kind == ProposalKind.SET_COMPROMISED and cutoff == 0:
                raise Reverted("PartnerRegistryInvalidCutoff", compromisedAfter=cutoff)
        elif cutoff != 0:
            raise Reverted("PartnerRegistryInvalidCutoff", compromisedAfter=cutoff)
        applicable = p.status in APPLICABLE_FROM[kind]
        # Admission checks its rights even for a subject in the wrong status; the rights proposals only check theirs
        # against a subject that could hold rights at all.
        if kind == ProposalKind.ADMIT and rights & ~ALL_RIGHTS:
            raise Reverted("PartnerRegistryInvalidRights", rights=rights)
        if applicable and kind in (ProposalKind.GRANT_RIGHTS, ProposalKind.WITHDRAW_RIGHTS):
            if rights == 0 or rights & ~ALL_RIGHTS:
                raise Reverted("PartnerRegistryInvalidRights", rights=rights)
            held = p.rights & rights
            if (held == rights) if kind == ProposalKind.GRANT_RIGHTS else (held == 0):
                raise Reverted("PartnerRegistryRightsUnchanged", account=subject, rights=rights)
        if not applicable:
            raise Reverted("PartnerRegistryInvalidStatus", account=subject, status=p.status)

    def _only_council(self, sender: str) -> None:
        if not self.is_active_council(sender):
            raise Reverted("PartnerRegistryNotCouncil", account=sender)

    def _create(
        self,
        sender: str,
        at: int,
        kind: ProposalKind,
        subject: str,
        rights: int,
        cutoff: int,
        target: bytes,
        leaf: bytes,
        reason: int,
    ) -> Event:
        proposal_id = len(self.proposals) + 1
        deadline = at + self.voting_period
        council = self.active_council_count()
        self.proposals.append(
            Proposal(subject, kind, rights, False, deadline, council, cutoff, reason, 1, 0, target, leaf)
        )
        self.votes[proposal_id, sender] = True
        return Event(
            PARTNERS,
            "ProposalCreated",
            {
                "proposalId": proposal_id,
                "kind": kind,
                "subject": subject,
                "proposer": sender,
                "rights": rights,
                "compromisedAfter": cutoff,
                "deadline": deadline,
                "target": target,
                "leaf": leaf,
                "reason": reason,
                "councilAtProposal": council,
            },
        )

    def _open_proposal(self, proposal_id: int, at: int) -> Proposal:
        if not 1 <= proposal_id <= len(self.proposals):
            raise Reverted("PartnerRegistryUnknownProposal", proposalId=proposal_id)
        p = self.proposals[proposal_id - 1]
        if p.executed:
            raise Reverted("PartnerRegistryProposalAlreadyExecuted", proposalId=proposal_id)
        if at > p.deadline:
            raise Reverted("PartnerRegistryProposalExpired", proposalId=proposal_id, deadline=p.deadline)
        return p

    def _commit(self, account: str, after: Partner, at: int) -> None:
        """Store ``account``'s new record, unless it would leave no active council member at all; a partner gets a
        council seat (never reused) the first time it is active council."""
        before = self.partner(account)
        self.partners[account] = after
        if self.active_council_count() == 0:
            self.partners[account] = before
            raise Reverted("PartnerRegistryLastCouncilMember", account=account)
        if after.council_seat == 0 and self.is_active_council(account):
            self.seats_given += 1
            self.partners[account] = replace(after, council_seat=self.seats_given)
        self._record_standing(account, at)

    def _record_standing(self, account: str, at: int) -> None:
        history = self.standing.setdefault(account, [])
        active = self.is_active_issuer(account)
        if active == (history[-1][1] if history else False):
            return
        if history and history[-1][0] == at:
            history[-1] = (at, active)
        else:
            history.append((at, active))

    @staticmethod
    def _vote_cast(proposal_id: int, voter: str, support: bool, yes: int, no: int) -> Event:
        return Event(
            PARTNERS,
            "VoteCast",
            {"proposalId": proposal_id, "voter": voter, "support": support, "yesVotes": yes, "noVotes": no},
        )


STATUS_EVENT = {
    Status.REVOKED: "CertificateRevoked",
    Status.SUSPENDED: "CertificateSuspended",
    Status.VALID: "CertificateReinstated",
}


@dataclass
class CertificateModel:
    """The certificate registry: one record per certificate id, one status record per acted-on certificate (leaf 0)
    or leaf. ``roots`` keeps each issued id's root (the contract does not store it: the id commits to it)."""

    consortium: ConsortiumModel
    address: str = ZERO_ADDRESS
    certificates: dict[bytes, Certificate] = field(default_factory=dict)
    roots: dict[bytes, bytes] = field(default_factory=dict)
    statuses: dict[tuple[bytes, bytes], StatusRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.consortium.certificates = self

    # --- views -----------------------------------------------------------------------------------------------------

    def certificate(self, id_: bytes) -> Certificate:
        return self.certificates.get(id_, Certificate())

    def status_of(self, id_: bytes, leaf: bytes) -> StatusRecord:
        return self.statuses.get((id_, leaf), StatusRecord())

    def proves(self, id_: bytes, leaf: bytes, proof: Sequence[bytes]) -> bool:
        """A single certificate's document is its root (empty proof); a batch's documents need a non-empty proof."""
        cert = self.certificate(id_)
        if cert.issuer == ZERO_ADDRESS or leaf == ZERO32 or cert.batch == (len(proof) == 0):
            return False
        return _leads_to(leaf, tuple(proof)) == self.roots[id_]

    def verify(self, id_: bytes, leaf: bytes, proof: Sequence[bytes], now: int) -> CertificateState:
        """The verdict is the first failing rule in the order of the ``Verdict`` enum."""
        cert = self.certificate(id_)
        issued = cert.issuer != ZERO_ADDRESS
        proof_valid = self.proves(id_, leaf, proof)
        root_status = self.status_of(id_, ZERO32)
        leaf_status = self.status_of(id_, leaf) if leaf != ZERO32 else StatusRecord()
        expired = cert.valid_until != 0 and now >= cert.valid_until
        cutoff = self.consortium.compromised_after(cert.issuer) if issued else 0
        statuses = {root_status.status, leaf_status.status}
        if not issued:
            verdict = Verdict.NOT_ISSUED
        elif not proof_valid:
            verdict = Verdict.INVALID_PROOF
        elif Status.REVOKED in statuses:
            verdict = Verdict.REVOKED
        elif Status.SUSPENDED in statuses:
            verdict = Verdict.SUSPENDED
        elif expired:
            verdict = Verdict.EXPIRED
        elif cutoff != 0 and cert.issued_at >= cutoff:
            verdict = Verdict.ISSUER_COMPROMISED
        else:
            verdict = Verdict.VALID
        return CertificateState(verdict, cert, proof_valid, expired, root_status, leaf_status, cutoff)

    # --- operations ------------------------------------------------------------------------------------------------

    def issue(self, sender: str, at: int, root: bytes, fingerprint: bytes, valid_until: int) -> list[Event]:
        if fingerprint == ZERO32:
            raise Reverted("CertificateRegistryInvalidFingerprint", fingerprint=fingerprint)
        return [self._issue(sender, at, root, fingerprint, valid_until, False)]

    def issue_batch(self, sender: str, at: int, root: bytes, valid_until: int) -> list[Event]:
        return [self._issue(sender, at, root, ZERO32, valid_until, True)]

    def issue_batch_public(
        self,
        sender: str,
        at: int,
        root: bytes,
        valid_until: int,
        leaves: Sequence[bytes],
        fingerprints: Sequence[bytes],
    ) -> list[Event]:
        """The leaves are published as given, not checked against the root (that is the verifier's job)."""
        if len(leaves) < 2 or len(leaves) != len(fingerprints):
            raise Reverted("CertificateRegistryInvalidBatch", leaves=len(leaves), fingerprints=len(fingerprints))
        issued = self._issue(sender, at, root, ZERO32, valid_until, True)
        id_ = certificate_id(sender, root)
        return [issued] + [
            Event(CERTIFICATES, "DocumentPublished", {"leaf": leaf, "fingerprint": fingerprint, "id": id_})
            for leaf, fingerprint in zip(leaves, fingerprints, strict=True)
        ]

    def set_status(
        self,
        sender: str,
        at: int,
        id_: bytes,
        document: tuple[bytes, Sequence[bytes]] | None,
        status: Status,
        reason: int,
    ) -> list[Event]:
        """revoke/suspend/reinstate a whole certificate (``document`` None) or ``revoke/suspend/reinstateDocument``:
        who the caller acts as first, then the proof, then the transition."""
        authority = self._authority(sender, id_)
        leaf = ZERO32
        if document is not None:
            leaf, proof = document
            self._check_proof(id_, leaf, proof)
        return self._set(sender, at, id_, leaf, status, reason, authority)

    def check_council_decision(self, id_: bytes, leaf: bytes, proof: Sequence[bytes], status: Status) -> None:
        """``checkCouncilDecision``: called when a decision is proposed."""
        if self.certificate(id_).issuer == ZERO_ADDRESS:
            raise Reverted("CertificateRegistryUnknownCertificate", id=id_)
        if leaf != ZERO32:
            self._check_proof(id_, leaf, proof)
        self._check_transition(self.consortium.address, id_, leaf, status, Authority.COUNCIL_DECISION)

    def apply_council_decision(self, at: int, id_: bytes, leaf: bytes, status: Status, reason: int) -> list[Event]:
        """``applyCouncilDecision``, called by the partner registry when a decision is executed."""
        if self.certificate(id_).issuer == ZERO_ADDRESS:
            raise Reverted("CertificateRegistryUnknownCertificate", id=id_)
        return self._set(self.consortium.address, at, id_, leaf, status, reason, Authority.COUNCIL_DECISION)

    def may(self, sender: str, id_: bytes, leaf: bytes, status: Status) -> bool:
        """Whether ``sender`` could move (``id_``, ``leaf``) to ``status`` now (the proof taken as valid)."""
        try:
            self._check_transition(sender, id_, leaf, status, self._authority(sender, id_))
        except Reverted:
            return False
        return True

    def may_decide(self, id_: bytes, leaf: bytes, status: Status) -> bool:
        """Whether a council decision could move (``id_``, ``leaf``) to ``status`` now (the proof taken as valid)."""
        try:
            self._check_transition(self.consortium.address, id_, leaf, status, Authority.COUNCIL_DECISION)
        except Reverted:
            return False
        return True

    # --- rules -----------------------------------------------------------------------------------------------------

    def _issue(self, sender: str, at: int, root: bytes, fingerprint: bytes, valid_until: int, batch: bool) -> Event:
        if not self.consortium.is_active_issuer(sender):
            raise Reverted("CertificateRegistryUnauthorizedIssuer", account=sender)
        if root == ZERO32:
            raise Reverted("CertificateRegistryInvalidRoot", root=root)
        id_ = certificate_id(sender, root)
        if id_ in self.certificates:
            raise Reverted("CertificateRegistryAlreadyIssued", id=id_)
        if valid_until != 0 and valid_until <= at:
            raise Reverted("CertificateRegistryInvalidExpiry", validUntil=valid_until, now_=at)
        self.certificates[id_] = Certificate(sender, at, valid_until, batch)
        self.roots[id_] = root
        return Event(
            CERTIFICATES,
            "CertificateIssued",
            {
                "id": id_,
                "issuer": sender,
                "fingerprint": fingerprint,
                "root": root,
                "issuedAt": at,
                "validUntil": valid_until,
            },
        )

    def _authority(self, sender: str, id_: bytes) -> Authority:
        """The issuer acts as the issuer only while an active issuer whose key was never declared compromised (a
        council suspension freezes the key at once); any other active council member may only put a hold."""
        cert = self.certificate(id_)
        if cert.issuer == ZERO_ADDRESS:
            raise Reverted("CertificateRegistryUnknownCertificate", id=id_)
        c = self.consortium
        if sender == cert.issuer and c.is_active_issuer(sender) and c.compromised_after(sender) == 0:
            return Authority.ISSUER
        if c.is_active_council(sender):
            return Authority.COUNCIL_MEMBER
        raise Reverted("CertificateRegistryUnauthorized", account=sender, id=id_)

    def _check_proof(self, id_: bytes, leaf: bytes, proof: Sequence[bytes]) -> None:
        if not self.proves(id_, leaf, proof):
            raise Reverted("CertificateRegistryInvalidProof", id=id_, leaf=leaf)

    def _check_transition(self, sender: str, id_: bytes, leaf: bytes, status: Status, authority: Authority) -> None:
        record = self.status_of(id_, leaf)
        if record.status == Status.REVOKED:
            raise Reverted("CertificateRegistryAlreadyRevoked", id=id_, leaf=leaf)
        if authority == Authority.COUNCIL_MEMBER and status != Status.SUSPENDED:
            raise Reverted("CertificateRegistryCouncilDecisionRequired", account=sender, id=id_)
        if authority == Authority.COUNCIL_DECISION and status == Status.SUSPENDED:
            raise Reverted("CertificateRegistryInvalidDecision", status=status)
        if status == Status.SUSPENDED:
            # A council hold replaces an issuer's own suspension, so the issuer cannot pre-empt it.
            if record.status == Status.SUSPENDED and (record.by_council or authority == Authority.ISSUER):
                raise Reverted("CertificateRegistryAlreadySuspended", id=id_, leaf=leaf)
        elif status == Status.VALID:
            if record.status != Status.SUSPENDED:
                raise Reverted("CertificateRegistryNotSuspended", id=id_, leaf=leaf)
            if record.by_council and authority == Authority.ISSUER:
                raise Reverted("CertificateRegistryCouncilSuspension", id=id_, leaf=leaf)

    def _set(
        self, sender: str, at: int, id_: bytes, leaf: bytes, status: Status, reason: int, authority: Authority
    ) -> list[Event]:
        self._check_transition(sender, id_, leaf, status, authority)
        by_council = authority != Authority.ISSUER
        self.statuses[(id_, leaf)] = StatusRecord(status, by_council, reason, at)
        return [
            Event(
                CERTIFICATES,
                STATUS_EVENT[status],
                {"id": id_, "leaf": leaf, "by": sender, "reason": reason, "at": at, "byCouncil": by_council},
            )
        ]
