"""The projector on SQLite and PostgreSQL: the recorded scenario gives exactly the rows its story implies, applying a
batch again changes nothing, and a rollback followed by a replay restores exactly what was there.

The expected rows are written from the scenario (``support.indexer_recorded``): which step created or changed what, at
which block and time. The same expectations hold on both databases, which also shows the column types read back alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from eth_account import Account
from sqlalchemy import Engine, Table, select
from support.devchain import FOUNDERS, VOTING_PERIOD, h32
from support.indexer_recorded import (
    ANCHOR_LEAVES,
    ANCHOR_ROOT,
    ANCHOR_VALID_UNTIL,
    ART,
    ASSOCIATION,
    BUYER,
    CLAIM_KEY,
    CLEARING_REMARK,
    DIPLOMA,
    EVENT_TIME,
    EVENTS_ROOT,
    FOUNDER_DETAILS,
    FRAME,
    INSPECTING,
    INSPECTION,
    LOSS_REPORT,
    MILL,
    MILL_METADATA,
    MUSEUM,
    OFFER_DEADLINE,
    OUTSIDER,
    OWNER,
    PUBLIC_FINGERPRINTS,
    PUBLIC_LEAVES,
    PUBLIC_ROOT,
    PUBLISHED_FINGERPRINTS,
    PUBLISHED_LEAVES,
    RECOVERY,
    REJECT_REMARK,
    REPAIR,
    REPAIRING,
    SECOND_FINGERPRINT,
    SINGLE_FINGERPRINT,
    SINGLE_ROOT,
    THEFT_REPORT,
    TWIN_FINGERPRINT,
    WOOD,
    Recording,
    load,
)
from support.indexer_tables import dump_projection, dump_tables, project, reset_tables, rollback

from ledger.db import schema as s
from ledger.events import (
    COUNCIL,
    ISSUER,
    ZERO_HASH,
    CertificateIssued,
    CertificateStatus,
    DetailsProposed,
    DocumentPublished,
    OrganisationType,
    PartnerStatus,
    ProposalCreated,
    ProposalKind,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import (
    STATUS_COLUMNS,
    Projector,
    args_json,
    details_hash,
    entity_of,
    event_args,
    event_from_row,
)

REC: Recording = load()
LOGS: list[DecodedLog] = REC.decoded()
CHAIN = REC.chain_id
A = REC.account
MILL_ADDRESS, ASSOCIATION_ADDRESS = A(MILL), A(ASSOCIATION)
CUTOFF = REC.steps["mill issues single"].timestamp
IDS = REC.ids
PARTNER_REGISTRY = REC.contracts["PartnerRegistry"].lower()
CERTIFICATE_REGISTRY = REC.contracts["CertificateRegistry"].lower()
MILL_DETAILS = details_hash(OrganisationType.ENTERPRISE, "Textile Mill", "mill.example", MILL_METADATA)


def b(step: str) -> int:
    return REC.steps[step].block_number


def t(step: str) -> int:
    return REC.steps[step].timestamp


def tx(step: str) -> str:
    return REC.steps[step].tx_hash


def rows(engine: Engine, table: Table) -> list[dict[str, Any]]:
    """The table's rows as dicts, in primary-key order (sorted here: SQLite keeps uint256 values as text)."""
    with engine.connect() as conn:
        return by_key(table, [dict(row) for row in conn.execute(select(table)).mappings()])


def by_key(table: Table, expected: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = [c.name for c in table.primary_key.columns]
    return sorted(expected, key=lambda row: tuple(row[k] for k in keys))


def project_recording(engine: Engine, logs: Sequence[DecodedLog] = LOGS) -> None:
    project(engine, CHAIN, [list(logs)])


def logs_up_to(block: int) -> list[DecodedLog]:
    return [item for item in LOGS if item.block_number <= block]


def logs_above(block: int) -> list[DecodedLog]:
    return [item for item in LOGS if item.block_number > block]


def per_block(logs: Sequence[DecodedLog]) -> list[list[DecodedLog]]:
    batches: dict[int, list[DecodedLog]] = {}
    for item in logs:
        batches.setdefault(item.block_number, []).append(item)
    return list(batches.values())


# -- expected rows of the whole scenario -------------------------------------------------------------------------


def expected_partners() -> list[dict[str, Any]]:
    deployed = t("deploy PartnerRegistry")
    founders = [
        {
            "address": A(i),
            "org_type": int(org),
            "display_name": name,
            "domain": domain,
            "metadata_hash": ZERO_HASH,
            "details_hash": details_hash(org, name, domain, ZERO_HASH),
            "status": PartnerStatus.ACTIVE,
            "rights": ISSUER | COUNCIL,
            "joined_at": deployed,
            "compromised_after": None,
            "registered_block": b("deploy PartnerRegistry"),
            "updated_block": b("deploy PartnerRegistry"),
        }
        for i, (org, name, domain) in enumerate(FOUNDERS)
    ]
    # Founder 2's details were changed by council vote (proposal 9).
    org, name, domain, meta = FOUNDER_DETAILS
    founders[2] |= {
        "org_type": org,
        "display_name": name,
        "domain": domain,
        "metadata_hash": meta,
        "details_hash": details_hash(org, name, domain, meta),
        "updated_block": b("execute 9"),
    }
    mill = {
        "address": MILL_ADDRESS,
        "org_type": OrganisationType.ENTERPRISE,
        "display_name": "Textile Mill",
        "domain": "mill.example",
        "metadata_hash": MILL_METADATA,
        "details_hash": MILL_DETAILS,
        "status": PartnerStatus.EXPELLED,
        "rights": 0,
        "joined_at": t("execute 1"),
        "compromised_after": CUTOFF,
        "registered_block": b("mill applies"),
        "updated_block": b("execute 8"),
    }
    # Applied again after leaving: the new application's name and type; joined-at stays from the first admission,
    # as on chain (the contract keeps joinedAt when a partner re-applies).
    association = {
        "address": ASSOCIATION_ADDRESS,
        "org_type": OrganisationType.NGO,
        "display_name": "Heritage Foundation",
        "domain": "heritage.example",
        "metadata_hash": ZERO_HASH,
        "details_hash": details_hash(OrganisationType.NGO, "Heritage Foundation", "heritage.example", ZERO_HASH),
        "status": PartnerStatus.APPLIED,
        "rights": 0,
        "joined_at": t("execute 2"),
        "compromised_after": None,
        "registered_block": b("association applies again"),
        "updated_block": b("association applies again"),
    }
    return by_key(s.partners, [*founders, mill, association])


def _history(
    step: str, index: int, address: str, event: str, status: int, rights: int, proposal: int | None, at: int = 0
) -> dict[str, Any]:
    issuer = status == PartnerStatus.ACTIVE and bool(rights & ISSUER)
    return {
        "tx_hash": tx(step),
        "log_index": index,
        "address": address,
        "block_number": b(step),
        "at": at or t(step),
        "event": event,
        "status": status,
        "rights": rights,
        "active_issuer": issuer,
        "proposal_id": proposal,
    }


def expected_partner_history() -> list[dict[str, Any]]:
    status, rights, compromised = "PartnerStatusChanged", "PartnerRightsChanged", "PartnerCompromised"
    applied, active, suspended = PartnerStatus.APPLIED, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED
    expelled, left = PartnerStatus.EXPELLED, PartnerStatus.LEFT
    deploy = "deploy PartnerRegistry"
    history = []
    for i in range(3):
        history += [
            _history(deploy, 4 * i + 1, A(i), status, applied, 0, None),
            _history(deploy, 4 * i + 2, A(i), status, active, 0, None),
            _history(deploy, 4 * i + 3, A(i), rights, active, ISSUER | COUNCIL, None),
        ]
    mill, association = MILL_ADDRESS, ASSOCIATION_ADDRESS
    history += [
        _history("mill applies", 1, mill, status, applied, 0, None),
        _history("execute 1", 0, mill, status, active, 0, 1),
        _history("execute 1", 1, mill, rights, active, ISSUER, 1),
        _history("association applies", 1, association, status, applied, 0, None),
        _history("execute 2", 0, association, status, active, 0, 2),
        _history("execute 2", 1, association, rights, active, ISSUER, 2),
        _history("execute 3", 0, mill, rights, active, ISSUER | COUNCIL, 3),
        _history("execute 4", 0, mill, rights, active, ISSUER, 4),
        _history("execute 5", 0, association, status, suspended, ISSUER, 5),
        _history("execute 6", 0, association, status, active, ISSUER, 6),
        # The cut-off is the compromise event's time; the mill is still an active issuer at that log.
        _history("execute 8", 0, mill, compromised, active, ISSUER, 8, at=CUTOFF),
        _history("execute 8", 1, mill, status, expelled, ISSUER, 8),
        _history("execute 8", 2, mill, rights, expelled, 0, 8),
        _history("association leaves", 0, association, status, left, ISSUER, None),
        _history("association leaves", 1, association, rights, left, 0, None),
        _history("association applies again", 1, association, status, applied, 0, None),
    ]
    return by_key(s.partner_history, history)


def expected_applications() -> list[dict[str, Any]]:
    def application(step: str, index: int, address: str, org: int, name: str, domain: str, meta: str) -> dict[str, Any]:
        return {
            "tx_hash": tx(step),
            "log_index": index,
            "address": address,
            "block_number": b(step),
            "org_type": int(org),
            "display_name": name,
            "domain": domain,
            "metadata_hash": meta,
        }

    founders = [
        application("deploy PartnerRegistry", 4 * i, A(i), org, name, domain, ZERO_HASH)
        for i, (org, name, domain) in enumerate(FOUNDERS)
    ]
    return by_key(
        s.applications,
        [
            *founders,
            application(
                "mill applies",
                0,
                MILL_ADDRESS,
                OrganisationType.ENTERPRISE,
                "Textile Mill",
                "mill.example",
                MILL_METADATA,
            ),
            application(
                "association applies",
                0,
                ASSOCIATION_ADDRESS,
                OrganisationType.ASSOCIATION,
                "Heritage Association",
                "heritage.example",
                ZERO_HASH,
            ),
            application(
                "association applies again",
                0,
                ASSOCIATION_ADDRESS,
                OrganisationType.NGO,
                "Heritage Foundation",
                "heritage.example",
                ZERO_HASH,
            ),
        ],
    )


def expected_partner_details() -> list[dict[str, Any]]:
    def details(
        step: str, index: int, address: str, org: int, name: str, domain: str, meta: str, proposal: int | None = None
    ) -> dict[str, Any]:
        return {
            "tx_hash": tx(step),
            "log_index": index,
            "address": address,
            "block_number": b(step),
            "at": t(step) if proposal else None,  # PartnerRegistered carries no time
            "org_type": int(org),
            "display_name": name,
            "domain": domain,
            "metadata_hash": meta,
            "proposal_id": proposal,
            "source": "changed" if proposal else "registered",
        }

    mill, association = MILL_ADDRESS, ASSOCIATION_ADDRESS
    return by_key(
        s.partner_details,
        [
            *(
                details("deploy PartnerRegistry", 4 * i, A(i), org, name, domain, ZERO_HASH)
                for i, (org, name, domain) in enumerate(FOUNDERS)
            ),
            details(
                "mill applies", 0, mill, OrganisationType.ENTERPRISE, "Textile Mill", "mill.example", MILL_METADATA
            ),
            details(
                "association applies",
                0,
                association,
                OrganisationType.ASSOCIATION,
                "Heritage Association",
                "heritage.example",
                ZERO_HASH,
            ),
            details("execute 9", 0, A(2), *FOUNDER_DETAILS, proposal=9),
            details(
                "association applies again",
                0,
                association,
                OrganisationType.NGO,
                "Heritage Foundation",
                "heritage.example",
                ZERO_HASH,
            ),
        ],
    )


def _proposal(
    pid: int,
    kind: ProposalKind,
    subject: str,
    proposer: str,
    rights: int,
    created: str,
    votes: tuple[int, int],
    executed: tuple[str, str] | None,
    cutoff: int = 0,
    target: str = ZERO_HASH,
    council: int = 3,
) -> dict[str, Any]:
    """A proposal row; an executed one counted every yes vote against a majority of ``council``."""
    return {
        "proposal_id": pid,
        "kind": int(kind),
        "subject": subject,
        "proposer": proposer,
        "rights": rights,
        "compromised_after": cutoff,
        "deadline": t(created) + VOTING_PERIOD,
        "target": target,
        "leaf": ZERO_HASH,
        "reason": 0,
        "council_at_proposal": council,
        "yes_votes": votes[0],
        "no_votes": votes[1],
        "executed": executed is not None,
        "executed_by": executed[1] if executed else None,
        "executed_block": b(executed[0]) if executed else None,
        "counted_votes": votes[0] if executed else None,
        "required": council // 2 + 1 if executed else None,
        "proposed_org_type": None,
        "proposed_display_name": None,
        "proposed_domain": None,
        "proposed_metadata_hash": None,
        "created_block": b(created),
        "tx_hash": tx(created),
    }


def expected_proposals() -> list[dict[str, Any]]:
    mill, association = MILL_ADDRESS, ASSOCIATION_ADDRESS
    org, name, domain, meta = FOUNDER_DETAILS
    proposals = [
        _proposal(
            1,
            ProposalKind.ADMIT,
            mill,
            A(0),
            ISSUER,
            "propose admit mill",
            (2, 0),
            ("execute 1", A(2)),
            target=MILL_DETAILS,
        ),
        _proposal(
            2,
            ProposalKind.ADMIT,
            association,
            A(1),
            ISSUER,
            "propose admit association",
            (2, 1),
            ("execute 2", A(OUTSIDER)),
            target=details_hash(OrganisationType.ASSOCIATION, "Heritage Association", "heritage.example", ZERO_HASH),
        ),
        _proposal(
            3,
            ProposalKind.GRANT_RIGHTS,
            mill,
            A(0),
            COUNCIL,
            "propose grant council to mill",
            (2, 0),
            ("execute 3", A(0)),
        ),
        _proposal(
            4,
            ProposalKind.WITHDRAW_RIGHTS,
            mill,
            mill,
            COUNCIL,
            "propose withdraw council from mill",
            (3, 0),
            ("execute 4", A(1)),
            council=4,
        ),
        _proposal(
            5, ProposalKind.SUSPEND, association, A(0), 0, "propose suspend association", (2, 0), ("execute 5", A(0))
        ),
        _proposal(
            6,
            ProposalKind.REINSTATE,
            association,
            A(1),
            0,
            "propose reinstate association",
            (2, 0),
            ("execute 6", A(2)),
        ),
        _proposal(
            7,
            ProposalKind.REVOKE_CERTIFICATE,
            CERTIFICATE_REGISTRY,
            A(0),
            0,
            "propose revoke public leaf 2",
            (2, 0),
            ("execute 7", A(1)),
            target=IDS.public,
        )
        | {"leaf": PUBLIC_LEAVES[2], "reason": 23},
        _proposal(
            8, ProposalKind.EXPEL, mill, A(0), 0, "propose expel mill", (2, 0), ("execute 8", A(2)), cutoff=CUTOFF
        ),
        _proposal(
            9,
            ProposalKind.CHANGE_DETAILS,
            A(2),
            A(0),
            0,
            "propose details of founder 2",
            (2, 0),
            ("execute 9", A(OUTSIDER)),
            target=details_hash(org, name, domain, meta),
        )
        | {
            "proposed_org_type": org,
            "proposed_display_name": name,
            "proposed_domain": domain,
            "proposed_metadata_hash": meta,
        },
        _proposal(10, ProposalKind.SUSPEND, A(1), A(2), 0, "propose suspend founder 1", (1, 0), None),
    ]
    return by_key(s.proposals, proposals)


def expected_votes() -> list[dict[str, Any]]:
    def vote(pid: int, voter: str, support: bool, step: str) -> dict[str, Any]:
        return {"proposal_id": pid, "voter": voter, "support": support, "block_number": b(step), "tx_hash": tx(step)}

    return by_key(
        s.votes,
        [
            vote(1, A(0), True, "propose admit mill"),
            vote(1, A(1), True, "vote yes on 1"),
            vote(2, A(1), True, "propose admit association"),
            vote(2, A(2), False, "vote no on 2"),
            vote(2, A(0), True, "vote yes on 2"),
            vote(3, A(0), True, "propose grant council to mill"),
            vote(3, A(1), True, "vote yes on 3"),
            vote(4, MILL_ADDRESS, True, "propose withdraw council from mill"),
            vote(4, A(0), True, "vote yes on 4 by 0"),
            vote(4, A(1), True, "vote yes on 4 by 1"),
            vote(5, A(0), True, "propose suspend association"),
            vote(5, A(2), True, "vote yes on 5"),
            vote(6, A(1), True, "propose reinstate association"),
            vote(6, A(2), True, "vote yes on 6"),
            vote(7, A(0), True, "propose revoke public leaf 2"),
            vote(7, A(2), True, "vote yes on 7"),
            vote(8, A(0), True, "propose expel mill"),
            vote(8, A(1), True, "vote yes on 8"),
            vote(9, A(0), True, "propose details of founder 2"),
            vote(9, A(1), True, "vote yes on 9"),
            vote(10, A(2), True, "propose suspend founder 1"),
        ],
    )


def _status(
    status: CertificateStatus, reason: int | None, step: str | None, by: str | None, council: bool | None = None
) -> dict[str, Any]:
    return {
        "status": int(status),
        "status_reason": reason,
        "status_at": t(step) if step else None,
        "status_by": by,
        "status_by_council": council if by is None else bool(council),
    }


UNCHANGED = _status(CertificateStatus.VALID, None, None, None)


def expected_certificates() -> list[dict[str, Any]]:
    def certificate(
        certificate_id: str, root: str, issuer: str, fingerprint: str | None, mode: str, step: str, until: int
    ) -> dict[str, Any]:
        return {
            "id": certificate_id,
            "root": root,
            "issuer": issuer,
            "fingerprint": fingerprint,
            "mode": mode,
            "issued_at": t(step),
            "valid_until": until,
            "block_number": b(step),
            "log_index": 0,
            "tx_hash": tx(step),
        }

    return by_key(
        s.certificates,
        [
            certificate(IDS.single, SINGLE_ROOT, MILL_ADDRESS, SINGLE_FINGERPRINT, "single", "mill issues single", 0)
            | _status(CertificateStatus.VALID, 12, "mill reinstates single", MILL_ADDRESS),
            # The same root, certified by another issuer: another certificate.
            certificate(IDS.twin, SINGLE_ROOT, A(2), TWIN_FINGERPRINT, "single", "founder 2 issues the same root", 0)
            | UNCHANGED,
            certificate(IDS.anchor, ANCHOR_ROOT, A(0), None, "batch", "founder 0 issues batch", ANCHOR_VALID_UNTIL)
            | _status(CertificateStatus.REVOKED, 24, "revoke anchor root", A(0)),
            certificate(IDS.public, PUBLIC_ROOT, A(1), None, "batch_public", "founder 1 issues public batch", 0)
            | _status(CertificateStatus.SUSPENDED, 26, "council suspends public root", A(2), council=True),
        ],
    )


def expected_documents() -> list[dict[str, Any]]:
    def document(certificate_id: str, leaf: str, fingerprint: str, step: str) -> dict[str, Any]:
        return {"certificate_id": certificate_id, "leaf": leaf, "fingerprint": fingerprint, "block_number": b(step)}

    public = "founder 1 issues public batch"
    return by_key(
        s.documents,
        [
            # A single certificate is a tree of one: its root is its only document.
            document(IDS.single, SINGLE_ROOT, SINGLE_FINGERPRINT, "mill issues single"),
            document(IDS.twin, SINGLE_ROOT, TWIN_FINGERPRINT, "founder 2 issues the same root"),
            *(
                document(IDS.public, leaf, fingerprint, public)
                for leaf, fingerprint in zip(PUBLISHED_LEAVES, PUBLISHED_FINGERPRINTS, strict=True)
            ),
        ],
    )


def expected_document_status() -> list[dict[str, Any]]:
    def leaf_status(certificate_id: str, leaf: str, first: str) -> dict[str, Any]:
        return {"certificate_id": certificate_id, "leaf": leaf, "block_number": b(first)}

    return by_key(
        s.document_status,
        [
            leaf_status(IDS.public, PUBLIC_LEAVES[1], "suspend public leaf 1")
            | _status(CertificateStatus.VALID, 22, "reinstate public leaf 1", A(1)),
            # Revoked by council decision: the partner registry carried it out.
            leaf_status(IDS.public, PUBLIC_LEAVES[2], "execute 7")
            | _status(CertificateStatus.REVOKED, 23, "execute 7", PARTNER_REGISTRY, council=True),
            # A leaf of an anchor-only batch is known from its first status change (no fingerprint on chain).
            leaf_status(IDS.anchor, ANCHOR_LEAVES[0], "suspend anchor leaf 0")
            | _status(CertificateStatus.SUSPENDED, 25, "suspend anchor leaf 0", A(0)),
            # A single certificate's document is its root.
            leaf_status(IDS.twin, SINGLE_ROOT, "founder 2 suspends its twin's document")
            | _status(CertificateStatus.SUSPENDED, 27, "founder 2 suspends its twin's document", A(2)),
        ],
    )


def expected_certificate_history() -> list[dict[str, Any]]:
    def entry(
        step: str,
        certificate_id: str,
        leaf: str | None,
        action: str,
        actor: str,
        reason: int | None,
        council: bool | None = False,
    ) -> dict[str, Any]:
        return {
            "tx_hash": tx(step),
            "log_index": 0,
            "certificate_id": certificate_id,
            "leaf": leaf,
            "action": action,
            "actor": actor,
            "reason": reason,
            "by_council": council,
            "at": t(step),
            "block_number": b(step),
        }

    return by_key(
        s.certificate_history,
        [
            entry("mill issues single", IDS.single, None, "issued", MILL_ADDRESS, None, None),
            entry("founder 2 issues the same root", IDS.twin, None, "issued", A(2), None, None),
            entry("founder 0 issues batch", IDS.anchor, None, "issued", A(0), None, None),
            entry("founder 1 issues public batch", IDS.public, None, "issued", A(1), None, None),
            entry("mill suspends single", IDS.single, None, "suspended", MILL_ADDRESS, 11),
            entry("mill reinstates single", IDS.single, None, "reinstated", MILL_ADDRESS, 12),
            entry("suspend public leaf 1", IDS.public, PUBLIC_LEAVES[1], "suspended", A(1), 21),
            entry("reinstate public leaf 1", IDS.public, PUBLIC_LEAVES[1], "reinstated", A(1), 22),
            entry("suspend anchor leaf 0", IDS.anchor, ANCHOR_LEAVES[0], "suspended", A(0), 25),
            entry("revoke anchor root", IDS.anchor, None, "revoked", A(0), 24),
            entry("council suspends public root", IDS.public, None, "suspended", A(2), 26, True),
            entry("founder 2 suspends its twin's document", IDS.twin, SINGLE_ROOT, "suspended", A(2), 27),
            entry("execute 7", IDS.public, PUBLIC_LEAVES[2], "revoked", PARTNER_REGISTRY, 23, True),
        ],
    )


# -- provenance ----------------------------------------------------------------------------------------------------

ORIGINALS = REC.originals
PROVENANCE_REGISTRY = REC.contracts["ProvenanceRegistry"].lower()
OWNER_ADDRESS, MUSEUM_ADDRESS, BUYER_ADDRESS = A(OWNER), A(MUSEUM), A(BUYER)
TITLE, CUSTODY = 0, 1
LOST, STOLEN = 1, 2


def _original(original: str, identifier: str, registrar: str, owner: str, step: str, **changed: Any) -> dict[str, Any]:
    """An original as registered at ``step`` (held by its owner, no disposition), with ``changed`` values."""
    return {
        "id": original,
        "identifier": identifier,
        "registrar": registrar,
        "owner": owner,
        "holder": owner,
        "third_party_holds": False,
        "disposition": 0,
        "soulbound": False,
        "parent": None,
        "registered_block": b(step),
        "registered_log_index": 0,
        "registered_at": t(step),
        "tx_hash": tx(step),
        "updated_block": b(step),
    } | changed


def expected_originals() -> list[dict[str, Any]]:
    return by_key(
        s.originals,
        [
            # Sold to the buyer while the museum held it (the museum kept it), then handed to the buyer, and claimed
            # by its former owner with a one-time key: a third party (not the owner) holds it now.
            _original(
                ORIGINALS.art,
                ART,
                A(0),
                BUYER_ADDRESS,
                "founder 0 registers art held by the museum",
                holder=OWNER_ADDRESS,
                third_party_holds=True,
                updated_block=b("buyer recovers the art"),
            ),
            _original(
                ORIGINALS.diploma,
                DIPLOMA,
                A(1),
                BUYER_ADDRESS,
                "founder 1 registers a soulbound diploma",
                soulbound=True,
                updated_block=b("an outsider executes clearing 1"),
            ),
            _original(ORIGINALS.wood, WOOD, A(0), A(0), "founder 0 registers wood"),
            _original(
                ORIGINALS.frame,
                FRAME,
                A(0),
                OWNER_ADDRESS,
                "founder 0 registers a certified frame made of the wood",
                parent=ORIGINALS.wood,
            ),
        ],
    )


def _timeline(step: str, log_index: int, original: str, action: str, actor: str, **values: Any) -> dict[str, Any]:
    nulls = ("party", "transfer_right", "disposition", "biz_step", "occurred_at", "deadline", "reference", "by_council")
    return {"tx_hash": tx(step), "log_index": log_index, "original": original, "block_number": b(step)} | {
        "at": t(step),
        "action": action,
        "actor": actor,
        **dict.fromkeys(nulls),
        **values,
    }


def expected_provenance_events() -> list[dict[str, Any]]:
    art, diploma, wood, frame = ORIGINALS.art, ORIGINALS.diploma, ORIGINALS.wood, ORIGINALS.frame
    owner, museum, buyer = OWNER_ADDRESS, MUSEUM_ADDRESS, BUYER_ADDRESS
    key = Account.from_key(CLAIM_KEY).address.lower()
    offer = {"transfer_right": TITLE, "party": buyer, "deadline": OFFER_DEADLINE}
    return by_key(
        s.provenance_events,
        [
            _timeline("founder 0 registers art held by the museum", 0, art, "registered", A(0), party=owner,
                      reference=ART),
            _timeline("founder 0 registers art held by the museum", 1, art, "held_at_registration", A(0),
                      party=museum),
            _timeline("founder 1 registers a soulbound diploma", 0, diploma, "registered", A(1), party=buyer,
                      reference=DIPLOMA),
            _timeline("founder 1 registers a soulbound diploma", 1, diploma, "soulbound", A(1)),
            _timeline("founder 0 registers wood", 0, wood, "registered", A(0), party=A(0), reference=WOOD),
            _timeline("founder 0 registers a certified frame made of the wood", 0, frame, "registered", A(0),
                      party=owner, reference=FRAME),
            _timeline("founder 0 registers a certified frame made of the wood", 1, frame, "certificate_linked", A(0),
                      reference=IDS.single),
            _timeline("founder 0 registers a certified frame made of the wood", 2, frame, "derived", A(0),
                      reference=wood),
            _timeline("owner offers the art's title", 0, art, "offered", owner, **offer),
            _timeline("buyer rejects", 0, art, "rejected", buyer, transfer_right=TITLE, reference=REJECT_REMARK),
            _timeline("owner offers the art's title again", 0, art, "offered", owner, **offer),
            _timeline("owner cancels", 0, art, "cancelled", owner, transfer_right=TITLE),
            _timeline("owner offers the art's title a third time", 0, art, "offered", owner, **offer),
            _timeline("buyer takes the title", 0, art, "transferred", owner, party=buyer, transfer_right=TITLE),
            _timeline("museum offers custody", 0, art, "offered", museum, **offer | {"transfer_right": CUSTODY}),
            _timeline("buyer takes custody", 0, art, "transferred", museum, party=buyer, transfer_right=CUSTODY),
            _timeline("buyer offers custody to a key", 0, art, "claim_offered", buyer, party=key,
                      transfer_right=CUSTODY, deadline=OFFER_DEADLINE),
            _timeline("an outsider relays the owner's claim", 0, art, "transferred", buyer, party=owner,
                      transfer_right=CUSTODY),
            _timeline("an outsider relays the owner's claim", 1, art, "claimed", owner, party=key,
                      transfer_right=CUSTODY),
            _timeline("owner records an inspection", 0, art, "event_recorded", owner, biz_step=INSPECTING,
                      occurred_at=EVENT_TIME, reference=INSPECTION),
            _timeline("founder 2 records a repair with the owner's consent", 0, art, "event_consented", A(2),
                      party=owner, biz_step=REPAIRING, occurred_at=EVENT_TIME, reference=REPAIR),
            _timeline("buyer reports the art stolen", 0, art, "disposition_reported", buyer, disposition=STOLEN,
                      reference=THEFT_REPORT),
            _timeline("buyer recovers the art", 0, art, "disposition_cleared", buyer, disposition=STOLEN,
                      reference=RECOVERY, by_council=False),
            _timeline("buyer reports the diploma lost", 0, diploma, "disposition_reported", buyer, disposition=LOST,
                      reference=LOSS_REPORT),
            _timeline("an outsider executes clearing 1", 0, diploma, "disposition_cleared", PROVENANCE_REGISTRY,
                      disposition=LOST, reference=CLEARING_REMARK, by_council=True),
        ],
    )  # fmt: skip


def expected_provenance_batches() -> list[dict[str, Any]]:
    step = "founder 1 anchors events"
    return [
        {"tx_hash": tx(step), "log_index": 0, "recorder": A(1), "root": EVENTS_ROOT, "event_count": 3}
        | {"block_number": b(step)}
    ]


def expected_provenance_clearings() -> list[dict[str, Any]]:
    proposed, executed = "founder 0 proposes clearing 1", "an outsider executes clearing 1"
    return [
        {
            "clearing_id": 1,
            "original": ORIGINALS.diploma,
            "proposer": A(0),
            "disposition": LOST,
            "remark_hash": CLEARING_REMARK,
            "deadline": t(proposed) + VOTING_PERIOD,
            "council_at_proposal": 3,
            "yes_votes": 2,
            "executed": True,
            "executed_by": A(OUTSIDER),
            "executed_block": b(executed),
            "counted": 2,
            "required": 2,
            "created_block": b(proposed),
            "tx_hash": tx(proposed),
        }
    ]


def expected_provenance_clearing_votes() -> list[dict[str, Any]]:
    proposed, voted = "founder 0 proposes clearing 1", "founder 1 votes for clearing 1"
    return by_key(
        s.provenance_clearing_votes,
        [
            {"clearing_id": 1, "voter": A(0), "yes_votes": 1, "block_number": b(proposed), "tx_hash": tx(proposed)},
            {"clearing_id": 1, "voter": A(1), "yes_votes": 2, "block_number": b(voted), "tx_hash": tx(voted)},
        ],
    )


EXPECTED_TABLES = {
    "partners": expected_partners,
    "partner_history": expected_partner_history,
    "applications": expected_applications,
    "partner_details": expected_partner_details,
    "proposals": expected_proposals,
    "votes": expected_votes,
    "certificates": expected_certificates,
    "documents": expected_documents,
    "document_status": expected_document_status,
    "certificate_history": expected_certificate_history,
    "originals": expected_originals,
    "provenance_events": expected_provenance_events,
    "provenance_batches": expected_provenance_batches,
    "provenance_clearings": expected_provenance_clearings,
    "provenance_clearing_votes": expected_provenance_clearing_votes,
}


# -- the recorded scenario ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(EXPECTED_TABLES))
def test_the_recorded_scenario_projects_to_the_rows_its_story_implies(db_engine: Engine, table: str) -> None:
    project_recording(db_engine)
    assert rows(db_engine, s.metadata.tables[table]) == EXPECTED_TABLES[table]()


def test_every_derived_table_has_its_expectation() -> None:
    assert set(EXPECTED_TABLES) == {table.name for table in s.DERIVED_TABLES}


def test_chain_events_mirror_every_log_with_its_entity_and_arguments(db_engine: Engine) -> None:
    project_recording(db_engine)
    expected = [
        {
            "chain_id": CHAIN,
            "tx_hash": item.tx_hash,
            "log_index": item.log_index,
            "block_number": item.block_number,
            "block_hash": item.block_hash,
            "contract": item.address,
            "event": item.name,
            "entity": entity_of(item.event),
            "args": event_args(item.event),
            "block_timestamp": REC.step_of(item.tx_hash).timestamp,
        }
        for item in LOGS
    ]
    stored = rows(db_engine, s.chain_events)
    for row in stored:
        row["args"] = orjson.loads(row["args"])
    assert stored == by_key(s.chain_events, expected)
    # Rows turn back into the very events they were made from (rollback replays rely on it).
    assert [event_from_row(row["event"], orjson.dumps(row["args"])) for row in by_key(s.chain_events, expected)] == [
        item.event for item in sorted(LOGS, key=lambda i: (i.tx_hash, i.log_index))
    ]


def test_entities_name_the_partner_proposal_certificate_original_clearing_or_anchor_an_event_belongs_to() -> None:
    entities = {entity_of(item.event) for item in LOGS}
    partners = {f"partner:{A(i)}" for i in (0, 1, 2, MILL, ASSOCIATION)}
    proposals = {f"proposal:{i}" for i in range(1, 11)}
    certificates = {f"certificate:{i}" for i in (IDS.single, IDS.twin, IDS.anchor, IDS.public)}
    originals = {f"original:{i}" for i in (ORIGINALS.art, ORIGINALS.diploma, ORIGINALS.wood, ORIGINALS.frame)}
    provenance = originals | {"clearing:1", f"anchor:{EVENTS_ROOT}"}
    assert entities == partners | proposals | certificates | provenance


def test_projecting_block_by_block_gives_the_same_tables_as_one_batch(db_engine: Engine) -> None:
    project_recording(db_engine)
    once = dump_tables(db_engine)
    reset_tables(db_engine)
    project(db_engine, CHAIN, per_block(LOGS))
    assert dump_tables(db_engine) == once


def test_public_fingerprints_in_a_later_batch_than_their_issuance_still_mark_the_batch_public(
    db_engine: Engine,
) -> None:
    """A batch may end between CertificateIssued and its DocumentPublished logs (same block, split mid-way)."""
    issued = LOGS.index(next(i for i in LOGS if i.tx_hash == tx("founder 1 issues public batch")))
    project(db_engine, CHAIN, [LOGS[: issued + 1], LOGS[issued + 1 :]])
    assert rows(db_engine, s.certificates) == expected_certificates()
    assert rows(db_engine, s.documents) == expected_documents()
    assert rows(db_engine, s.document_status) == expected_document_status()


# -- idempotence -------------------------------------------------------------------------------------------------


def test_applying_the_same_batch_twice_changes_nothing(db_engine: Engine) -> None:
    project_recording(db_engine)
    once = dump_tables(db_engine)
    project_recording(db_engine)
    assert dump_tables(db_engine) == once
    assert len(once["chain_events"]) == len(LOGS)


def test_applying_every_block_twice_in_a_row_changes_nothing(db_engine: Engine) -> None:
    """Re-applying the batch just committed (a retried commit) must be a no-op at every point of the history."""
    project_recording(db_engine)
    expected = dump_tables(db_engine)
    reset_tables(db_engine)
    for batch in per_block(LOGS):
        project(db_engine, CHAIN, [batch, batch])
    assert dump_tables(db_engine) == expected


def test_replaying_stored_events_without_recording_them_again_changes_nothing(db_engine: Engine) -> None:
    project_recording(db_engine)
    once = dump_tables(db_engine)
    with db_engine.begin() as conn:
        Projector(CHAIN).apply(conn, LOGS, record=False)
    assert dump_tables(db_engine) == once


# -- rollback ----------------------------------------------------------------------------------------------------

ANCESTORS = [
    0,
    1,
    b("execute 1"),
    b("execute 2"),
    b("founder 1 issues public batch"),
    b("execute 7") - 1,
    b("execute 8") - 1,
    b("execute 9") - 1,
    b("association leaves"),
    b("propose suspend founder 1") - 1,
    b("founder 0 registers a certified frame made of the wood") - 1,
    b("buyer takes the title") - 1,
    b("an outsider relays the owner's claim") - 1,
    b("buyer recovers the art") - 1,
    b("founder 1 votes for clearing 1") - 1,
    b("an outsider executes clearing 1") - 1,
]


@pytest.mark.parametrize("ancestor", ANCESTORS)
def test_rollback_leaves_exactly_the_tables_of_the_events_up_to_the_ancestor(db_engine: Engine, ancestor: int) -> None:
    project_recording(db_engine, logs_up_to(ancestor))
    prefix = dump_projection(db_engine)
    reset_tables(db_engine)
    project_recording(db_engine)
    rollback(db_engine, CHAIN, ancestor)
    assert dump_projection(db_engine) == prefix


@pytest.mark.parametrize("ancestor", ANCESTORS)
def test_rollback_then_reapplying_the_same_events_gives_the_same_tables(db_engine: Engine, ancestor: int) -> None:
    project_recording(db_engine)
    before = dump_tables(db_engine)
    rollback(db_engine, CHAIN, ancestor)
    project(db_engine, CHAIN, per_block(logs_above(ancestor)))
    assert dump_tables(db_engine) == before


def test_rollback_returns_the_entities_touched_above_the_ancestor(db_engine: Engine) -> None:
    project_recording(db_engine)
    touched = rollback(db_engine, CHAIN, b("execute 8") - 1)
    assert touched == {
        "proposal:8",
        f"partner:{MILL_ADDRESS}",
        "proposal:9",
        f"partner:{A(2)}",
        f"partner:{ASSOCIATION_ADDRESS}",
        "proposal:10",
        *(f"original:{i}" for i in (ORIGINALS.art, ORIGINALS.diploma, ORIGINALS.wood, ORIGINALS.frame)),
        "clearing:1",
        f"anchor:{EVENTS_ROOT}",
    }


def test_rollback_at_the_head_touches_nothing(db_engine: Engine) -> None:
    project_recording(db_engine)
    before = dump_tables(db_engine)
    assert rollback(db_engine, CHAIN, b("an outsider executes clearing 1")) == set()
    assert dump_tables(db_engine) == before


def test_rollback_of_an_expulsion_restores_the_active_issuer_without_cut_off(db_engine: Engine) -> None:
    project_recording(db_engine, logs_up_to(b("execute 8")))
    rollback(db_engine, CHAIN, b("execute 8") - 1)
    mill = next(row for row in rows(db_engine, s.partners) if row["address"] == MILL_ADDRESS)
    assert (mill["status"], mill["rights"], mill["compromised_after"]) == (PartnerStatus.ACTIVE, ISSUER, None)
    assert mill["updated_block"] == b("execute 4")
    proposal = next(row for row in rows(db_engine, s.proposals) if row["proposal_id"] == 8)
    assert (proposal["yes_votes"], proposal["executed"], proposal["executed_by"]) == (2, False, None)
    assert (proposal["counted_votes"], proposal["required"]) == (None, None)
    history = [row for row in rows(db_engine, s.partner_history) if row["address"] == MILL_ADDRESS]
    assert max(row["block_number"] for row in history) == b("execute 4")


def test_rollback_of_a_root_suspension_restores_the_previous_status(db_engine: Engine) -> None:
    project_recording(db_engine, logs_up_to(b("council suspends public root")))
    rollback(db_engine, CHAIN, b("council suspends public root") - 1)
    public = next(row for row in rows(db_engine, s.certificates) if row["id"] == IDS.public)
    assert {k: public[k] for k in STATUS_COLUMNS} == UNCHANGED
    actions = [row["action"] for row in rows(db_engine, s.certificate_history) if row["certificate_id"] == IDS.public]
    assert sorted(actions) == ["issued", "reinstated", "suspended"]


def test_rollback_of_a_reinstatement_restores_the_suspension_it_undid(db_engine: Engine) -> None:
    project_recording(db_engine, logs_up_to(b("reinstate public leaf 1")))
    rollback(db_engine, CHAIN, b("reinstate public leaf 1") - 1)
    leaf = next(row for row in rows(db_engine, s.document_status) if row["leaf"] == PUBLIC_LEAVES[1])
    assert {k: leaf[k] for k in STATUS_COLUMNS} == _status(
        CertificateStatus.SUSPENDED, 21, "suspend public leaf 1", A(1)
    )


def test_rollback_of_the_first_change_of_an_anchor_leaf_removes_its_row(db_engine: Engine) -> None:
    project_recording(db_engine, logs_up_to(b("suspend anchor leaf 0")))
    rollback(db_engine, CHAIN, b("suspend anchor leaf 0") - 1)
    assert [row for row in rows(db_engine, s.document_status) if row["certificate_id"] == IDS.anchor] == []


def test_rollback_of_a_re_application_restores_the_partner_who_left(db_engine: Engine) -> None:
    project_recording(db_engine)
    rollback(db_engine, CHAIN, b("association leaves"))
    association = next(row for row in rows(db_engine, s.partners) if row["address"] == ASSOCIATION_ADDRESS)
    assert (association["status"], association["display_name"], association["org_type"]) == (
        PartnerStatus.LEFT,
        "Heritage Association",
        OrganisationType.ASSOCIATION,
    )
    applications = [row for row in rows(db_engine, s.applications) if row["address"] == ASSOCIATION_ADDRESS]
    assert [row["tx_hash"] for row in applications] == [tx("association applies")]


def test_the_args_text_is_the_json_of_the_event_fields_in_order_and_reads_back_as_the_event() -> None:
    """``args_json`` (orjson on the dataclass, what the projector writes) gives the bytes ``asdict`` + orjson gave."""
    for item in LOGS:
        text = args_json(item.event)
        assert text == orjson.dumps(event_args(item.event)).decode()
        assert list(orjson.loads(text)) == list(event_args(item.event))
        assert event_from_row(item.name, text) == item.event


def test_rollback_of_a_details_change_restores_the_previous_details(db_engine: Engine) -> None:
    project_recording(db_engine)
    rollback(db_engine, CHAIN, b("execute 9") - 1)
    founder = next(row for row in rows(db_engine, s.partners) if row["address"] == A(2))
    org, name, domain = FOUNDERS[2]
    assert {k: founder[k] for k in ("org_type", "display_name", "domain", "metadata_hash", "details_hash")} == {
        "org_type": org,
        "display_name": name,
        "domain": domain,
        "metadata_hash": ZERO_HASH,
        "details_hash": details_hash(org, name, domain, ZERO_HASH),
    }
    assert founder["updated_block"] == b("deploy PartnerRegistry")
    history = [row["source"] for row in rows(db_engine, s.partner_details) if row["address"] == A(2)]
    assert history == ["registered"]
    proposal = next(row for row in rows(db_engine, s.proposals) if row["proposal_id"] == 9)
    assert (proposal["executed"], proposal["proposed_display_name"]) == (False, FOUNDER_DETAILS[1])


# -- v2 specifics ------------------------------------------------------------------------------------------------


def _published(certificate_id: str, leaves_and_fingerprints: Sequence[tuple[str, str]]) -> list[DecodedLog]:
    """DocumentPublished logs of one transaction in block 1 (what a public batch emits after its issuance)."""
    return [
        DecodedLog(
            DocumentPublished(leaf, fingerprint, certificate_id),
            CERTIFICATE_REGISTRY,
            1,
            "0x" + "b1" * 32,
            "0x" + "a1" * 32,
            i,
        )
        for i, (leaf, fingerprint) in enumerate(leaves_and_fingerprints)
    ]


def _fingerprints_of(engine: Engine, certificate_id: str, leaf: str) -> list[str]:
    return sorted(
        row["fingerprint"]
        for row in rows(engine, s.documents)
        if (row["certificate_id"], row["leaf"]) == (certificate_id, leaf)
    )


def test_leaf_published_twice_keeps_both_fingerprints(db_engine: Engine) -> None:
    """Finding 19 of issue 11: a leaf published twice in one batch with two fingerprints is indexed with both, as
    the chain answers both (the recorded public batch publishes its first leaf a second time)."""
    project_recording(db_engine)
    assert _fingerprints_of(db_engine, IDS.public, PUBLIC_LEAVES[0]) == sorted(
        [PUBLIC_FINGERPRINTS[0], SECOND_FINGERPRINT]
    )


@pytest.mark.parametrize("documents", [4, 1200], ids=["small", "bulk"])
def test_leaf_published_twice_keeps_both_fingerprints_in_small_and_bulk_batches(
    db_engine: Engine, documents: int
) -> None:
    """Both write paths (PostgreSQL's COPY from 500 rows, executemany below; SQLite's multi-row INSERT) keep the
    two fingerprints of one leaf and store an exact repeat of a document once."""
    certificate_id = "0x" + "c1" * 32
    leaf = "0x" + "11" * 32
    pairs = [(f"0x{i:064x}", f"0x{i + 10**6:064x}") for i in range(documents - 3)]
    pairs += [(leaf, SECOND_FINGERPRINT), (leaf, PUBLIC_FINGERPRINTS[0]), (leaf, SECOND_FINGERPRINT)]
    project(db_engine, CHAIN, [_published(certificate_id, pairs)])
    assert _fingerprints_of(db_engine, certificate_id, leaf) == sorted([PUBLIC_FINGERPRINTS[0], SECOND_FINGERPRINT])
    assert len(rows(db_engine, s.documents)) == documents - 1


def test_the_details_hash_is_the_one_the_registry_binds() -> None:
    """Every Admit and ChangeDetails proposal of the recording carries the registry's own detailsHash of the details
    it binds; ``details_hash`` gives the same, and agrees with eth-abi's encoding for names beyond ASCII."""
    from eth_abi.abi import encode
    from eth_hash.auto import keccak

    created = {item.event.proposal_id: item.event for item in LOGS if isinstance(item.event, ProposalCreated)}
    assert created[1].target == MILL_DETAILS
    assert created[9].target == details_hash(*FOUNDER_DETAILS)
    for org, name, domain, meta in [
        (7, "Minist\u00e8re de l\u2019\u00c9conomie \u2713", "", h32(1)),
        (0, "x" * 33, "d" * 64, ZERO_HASH),
    ]:
        encoded = encode(["uint8", "string", "string", "bytes32"], [org, name, domain, bytes.fromhex(meta[2:])])
        assert details_hash(org, name, domain, meta) == "0x" + keccak(encoded).hex()


def test_two_issuers_of_one_root_have_two_certificates() -> None:
    issued = [item.event for item in LOGS if isinstance(item.event, CertificateIssued)]
    assert [(e.id, e.issuer) for e in issued if e.root == SINGLE_ROOT] == [
        (IDS.single, MILL_ADDRESS),
        (IDS.twin, A(2)),
    ]
    assert entity_of(issued[0]) != entity_of(issued[1])


def test_proposed_details_in_a_later_batch_than_their_proposal_still_fill_the_proposal(db_engine: Engine) -> None:
    """A batch may end inside a transaction: DetailsProposed then updates the proposal stored by the batch before."""
    details = next(i for i, item in enumerate(LOGS) if isinstance(item.event, DetailsProposed))
    project(db_engine, CHAIN, [LOGS[:details], LOGS[details : details + 1], LOGS[details + 1 :]])
    assert rows(db_engine, s.proposals) == expected_proposals()
    assert rows(db_engine, s.partners) == expected_partners()
