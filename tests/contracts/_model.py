"""A pure-Python model of PartnerRegistry and CertificateRegistry, the oracle of the stateful contract test.

The model restates the contracts' rules from their interfaces: partner statuses and the rights bit set, council
proposals with a deadline and a majority of the active council, the re-check of a proposal's applicability when it is
executed, the last-council-member guard, leaving, the issuer-standing history with its compromise cut-off, the three
issue modes, root and leaf status records with ``byCouncil`` and who may set them, and ``verify``'s verdicts in their
order of precedence. Where a call breaks several rules, the contract reports the first one it checks, so the model
checks in the same order and predicts the same custom error with the same arguments.

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

from ledger.events import COUNCIL, ISSUER, PartnerStatus, ProposalKind
from ledger.events import CertificateStatus as Status
from ledger.merkle import verify_proof

ALL_RIGHTS = ISSUER | COUNCIL
ZERO32 = bytes(32)
ZERO_ADDRESS = "0x" + "00" * 20

PARTNERS = "PartnerRegistry"
CERTIFICATES = "CertificateRegistry"


@cache
def _proves(root: bytes, leaf: bytes, proof: tuple[bytes, ...]) -> bool:
    """Whether ``proof`` shows ``leaf`` inside ``root`` (cached: the same documents are verified after every step)."""
    return leaf != ZERO32 and verify_proof(root, leaf, proof)


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
APPLICABLE_FROM: dict[ProposalKind, frozenset[PartnerStatus]] = {
    ProposalKind.ADMIT: frozenset({PartnerStatus.APPLIED}),
    ProposalKind.SUSPEND: frozenset({PartnerStatus.ACTIVE}),
    ProposalKind.REINSTATE: frozenset({PartnerStatus.SUSPENDED}),
    ProposalKind.EXPEL: frozenset({PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED}),
    ProposalKind.GRANT_RIGHTS: frozenset({PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED}),
    ProposalKind.WITHDRAW_RIGHTS: frozenset({PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED}),
}
STATUS_AFTER: dict[ProposalKind, PartnerStatus] = {
    ProposalKind.ADMIT: PartnerStatus.ACTIVE,
    ProposalKind.SUSPEND: PartnerStatus.SUSPENDED,
    ProposalKind.REINSTATE: PartnerStatus.ACTIVE,
    ProposalKind.EXPEL: PartnerStatus.EXPELLED,
}
MAY_LEAVE = frozenset({PartnerStatus.APPLIED, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED})
MAY_APPLY = frozenset({PartnerStatus.NONE, PartnerStatus.LEFT})


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
class Partner:
    """``IPartnerRegistry.Partner``, fields in the struct's order (the default is the record of a stranger)."""

    org_type: int = 0
    status: PartnerStatus = PartnerStatus.NONE
    rights: int = 0
    joined_at: int = 0
    compromised_after: int = 0
    metadata_hash: bytes = ZERO32
    display_name: str = ""
    domain: str = ""

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class Proposal:
    """``IPartnerRegistry.Proposal``, fields in the struct's order (the default is an unknown id)."""

    subject: str = ZERO_ADDRESS
    kind: ProposalKind = ProposalKind.ADMIT
    rights: int = 0
    executed: bool = False
    deadline: int = 0
    compromised_after: int = 0
    yes_votes: int = 0
    no_votes: int = 0

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class Certificate:
    """``ICertificateRegistry.Certificate`` (the default is a root never issued)."""

    issuer: str = ZERO_ADDRESS
    issued_at: int = 0
    valid_until: int = 0

    def as_abi(self) -> tuple[object, ...]:
        return _abi(self)


@dataclass(frozen=True)
class StatusRecord:
    """``ICertificateRegistry.StatusRecord`` (the default is a root or leaf never acted on)."""

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


@dataclass
class ConsortiumModel:
    """The partner registry: partners, proposals, votes and each partner's issuer standing over time."""

    voting_period: int
    partners: dict[str, Partner] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    votes: set[tuple[int, str]] = field(default_factory=set)
    # Per account: (timestamp, is active issuer) at every change of standing; the last write at a timestamp wins.
    standing: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)

    @classmethod
    def founded(
        cls, founders: Sequence[tuple[str, int, int, str, str, bytes]], voting_period: int, deployed_at: int
    ) -> ConsortiumModel:
        """The registry right after deployment with ``(account, orgType, rights, name, domain, metadataHash)``."""
        model = cls(voting_period)
        for account, org_type, rights, name, domain, metadata_hash in founders:
            model.partners[account] = Partner(
                org_type, PartnerStatus.ACTIVE, rights, deployed_at, 0, metadata_hash, name, domain
            )
            model._record_standing(account, deployed_at)
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
        """Counted from the records, not kept as a counter: the contract's counter is checked against this."""
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

    # --- operations ------------------------------------------------------------------------------------------------

    def apply_for_membership(
        self, sender: str, at: int, org_type: int, display_name: str, domain: str, metadata_hash: bytes
    ) -> list[Event]:
        before = self.partner(sender)
        if before.status not in MAY_APPLY:
            raise Reverted("PartnerRegistryAlreadyRegistered", account=sender, status=before.status)
        if not display_name:
            raise Reverted("PartnerRegistryEmptyDisplayName")
        after = replace(
            before,
            org_type=org_type,
            display_name=display_name,
            domain=domain,
            metadata_hash=metadata_hash,
            status=PartnerStatus.APPLIED,
        )
        self._commit(sender, after, at)
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
        if not self.is_active_council(sender):
            raise Reverted("PartnerRegistryNotCouncil", account=sender)
        self.check_applicable(kind, subject, rights, compromised_after, at)
        proposal_id = len(self.proposals) + 1
        deadline = at + self.voting_period
        self.proposals.append(Proposal(subject, kind, rights, False, deadline, compromised_after, 1, 0))
        self.votes.add((proposal_id, sender))
        return [
            Event(
                PARTNERS,
                "ProposalCreated",
                {
                    "proposalId": proposal_id,
                    "kind": kind,
                    "subject": subject,
                    "proposer": sender,
                    "rights": rights,
                    "compromisedAfter": compromised_after,
                    "deadline": deadline,
                },
            ),
            self._vote_cast(proposal_id, sender, True, 1, 0),
        ]

    def vote(self, sender: str, at: int, proposal_id: int, support: bool) -> list[Event]:
        if not self.is_active_council(sender):
            raise Reverted("PartnerRegistryNotCouncil", account=sender)
        p = self._open_proposal(proposal_id, at)
        if (proposal_id, sender) in self.votes:
            raise Reverted("PartnerRegistryAlreadyVoted", proposalId=proposal_id, voter=sender)
        p = replace(p, yes_votes=p.yes_votes + support, no_votes=p.no_votes + (not support))
        self.proposals[proposal_id - 1] = p
        self.votes.add((proposal_id, sender))
        return [self._vote_cast(proposal_id, sender, support, p.yes_votes, p.no_votes)]

    def execute(self, sender: str, at: int, proposal_id: int) -> list[Event]:
        """Anyone may execute; the majority is of the council active NOW, and applicability is checked again."""
        p = self._open_proposal(proposal_id, at)
        required = self.active_council_count() // 2 + 1
        if p.yes_votes < required:
            raise Reverted(
                "PartnerRegistryQuorumNotReached", proposalId=proposal_id, yesVotes=p.yes_votes, required=required
            )
        self.check_applicable(p.kind, p.subject, p.rights, p.compromised_after, at)
        before = self.partner(p.subject)
        after = before
        events: list[Event] = []
        if p.kind in STATUS_AFTER:
            status = STATUS_AFTER[p.kind]
            if p.kind == ProposalKind.EXPEL and p.compromised_after != 0:
                after = replace(after, compromised_after=p.compromised_after)
                events.append(
                    Event(
                        PARTNERS,
                        "PartnerCompromised",
                        {"account": p.subject, "compromisedAfter": p.compromised_after, "proposalId": proposal_id},
                    )
                )
            after = replace(after, status=status)
            if before.status == PartnerStatus.APPLIED and status == PartnerStatus.ACTIVE:
                after = replace(after, joined_at=at)
            events.append(_status_changed(p.subject, before.status, status, proposal_id, at))
            rights = {ProposalKind.ADMIT: p.rights, ProposalKind.EXPEL: 0}.get(p.kind, before.rights)
        elif p.kind == ProposalKind.GRANT_RIGHTS:
            rights = before.rights | p.rights
        else:
            rights = before.rights & ~p.rights
        if rights != before.rights:
            after = replace(after, rights=rights)
            events.append(_rights_changed(p.subject, before.rights, rights, proposal_id, at))
        self._commit(p.subject, after, at)
        self.proposals[proposal_id - 1] = replace(p, executed=True)
        events.append(Event(PARTNERS, "ProposalExecuted", {"proposalId": proposal_id, "executor": sender}))
        return events

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
        if kind == ProposalKind.EXPEL:
            if cutoff > at:
                raise Reverted("PartnerRegistryInvalidCutoff", compromisedAfter=cutoff)
        elif cutoff != 0:
            raise Reverted("PartnerRegistryInvalidCutoff", compromisedAfter=cutoff)
        p = self.partner(subject)
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
        """Store ``account``'s new record, unless it would leave no active council member at all."""
        before = self.partner(account)
        self.partners[account] = after
        if self.active_council_count() == 0:
            self.partners[account] = before
            raise Reverted("PartnerRegistryLastCouncilMember", account=account)
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
    """The certificate registry: one record per root, one status record per acted-on root (leaf 0) or leaf."""

    consortium: ConsortiumModel
    certificates: dict[bytes, Certificate] = field(default_factory=dict)
    statuses: dict[tuple[bytes, bytes], StatusRecord] = field(default_factory=dict)

    # --- views -----------------------------------------------------------------------------------------------------

    def certificate(self, root: bytes) -> Certificate:
        return self.certificates.get(root, Certificate())

    def status_of(self, root: bytes, leaf: bytes) -> StatusRecord:
        return self.statuses.get((root, leaf), StatusRecord())

    def verify(self, root: bytes, leaf: bytes, proof: Sequence[bytes], now: int) -> CertificateState:
        """The verdict is the first failing rule in the order of the ``Verdict`` enum."""
        cert = self.certificate(root)
        issued = cert.issuer != ZERO_ADDRESS
        proof_valid = _proves(root, leaf, tuple(proof))
        root_status = self.status_of(root, ZERO32)
        leaf_status = self.status_of(root, leaf) if leaf != ZERO32 else StatusRecord()
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
        return [self._issue(sender, at, root, fingerprint, valid_until)]

    def issue_batch(self, sender: str, at: int, root: bytes, valid_until: int) -> list[Event]:
        return [self._issue(sender, at, root, ZERO32, valid_until)]

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
        if not leaves or len(leaves) != len(fingerprints):
            raise Reverted("CertificateRegistryInvalidBatch", leaves=len(leaves), fingerprints=len(fingerprints))
        issued = self._issue(sender, at, root, ZERO32, valid_until)
        return [issued] + [
            Event(CERTIFICATES, "DocumentPublished", {"root": root, "fingerprint": fingerprint, "leaf": leaf})
            for leaf, fingerprint in zip(leaves, fingerprints, strict=True)
        ]

    def set_status(
        self,
        sender: str,
        at: int,
        root: bytes,
        document: tuple[bytes, Sequence[bytes]] | None,
        status: Status,
        reason: int,
    ) -> list[Event]:
        """revoke/suspend/reinstate a whole root (``document`` None) or ``revoke/suspend/reinstateDocument``."""
        leaf = ZERO32
        if document is not None:
            leaf, proof = document
            if not _proves(root, leaf, tuple(proof)):
                raise Reverted("CertificateRegistryInvalidProof", root=root, leaf=leaf)
        cert = self.certificate(root)
        if cert.issuer == ZERO_ADDRESS:
            raise Reverted("CertificateRegistryUnknownCertificate", root=root)
        record = self.status_of(root, leaf)
        if record.status == Status.REVOKED:
            raise Reverted("CertificateRegistryAlreadyRevoked", root=root, leaf=leaf)
        by_council = self._authority(sender, cert.issuer, root, status)
        if status == Status.SUSPENDED and record.status == Status.SUSPENDED:
            raise Reverted("CertificateRegistryAlreadySuspended", root=root, leaf=leaf)
        if status == Status.VALID:
            if record.status != Status.SUSPENDED:
                raise Reverted("CertificateRegistryNotSuspended", root=root, leaf=leaf)
            if record.by_council and not by_council:
                raise Reverted("CertificateRegistryCouncilSuspension", root=root, leaf=leaf)
        self.statuses[(root, leaf)] = StatusRecord(status, by_council, reason, at)
        return [
            Event(
                CERTIFICATES,
                STATUS_EVENT[status],
                {"root": root, "leaf": leaf, "by": sender, "reason": reason, "at": at},
            )
        ]

    # --- rules -----------------------------------------------------------------------------------------------------

    def _issue(self, sender: str, at: int, root: bytes, fingerprint: bytes, valid_until: int) -> Event:
        if not self.consortium.is_active_issuer(sender):
            raise Reverted("CertificateRegistryUnauthorizedIssuer", account=sender)
        if root == ZERO32:
            raise Reverted("CertificateRegistryInvalidRoot", root=root)
        if root in self.certificates:
            raise Reverted("CertificateRegistryAlreadyIssued", root=root)
        if valid_until != 0 and valid_until <= at:
            raise Reverted("CertificateRegistryInvalidExpiry", validUntil=valid_until, now_=at)
        self.certificates[root] = Certificate(sender, at, valid_until)
        return Event(
            CERTIFICATES,
            "CertificateIssued",
            {"root": root, "issuer": sender, "fingerprint": fingerprint, "issuedAt": at, "validUntil": valid_until},
        )

    def _authority(self, sender: str, issuer: str, root: bytes, status: Status) -> bool:
        """Whether ``sender`` acts as the council. Towards invalid the issuer may act (as the issuer) unless its key
        was declared compromised; back to valid needs the council, or the issuer while it is still an active issuer."""
        if sender == issuer and status != Status.VALID and self.consortium.compromised_after(issuer) == 0:
            return False
        if self.consortium.is_active_council(sender):
            return True
        if sender == issuer and self.consortium.is_active_issuer(sender):
            return False
        raise Reverted("CertificateRegistryUnauthorized", account=sender, root=root)
