"""Where verification facts come from: the SQL index (fast) or the chain itself (trustless, no index).

Both sources answer the same three questions — which (root, leaf) pairs certify a fingerprint, which one an id names,
and the :class:`~ledger.verify.CertificateFacts` of a (root, leaf) — so :mod:`ledger.verify` applies the same rules to
either, and a test holds them to the same answers.

Standing at issuance: the contract lets only an active issuer issue, so on chain an issued certificate's issuer *was*
an active issuer at that moment; what can still void it is a compromise cut-off at or before its issuance, which both
sources read. The index additionally checks its partner history (by block and log order) as a consistency check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, and_, or_, select

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.db import schema as s
from ledger.deployments import Deployment
from ledger.events import ZERO_HASH, CertificateStatus, OrganisationType, PartnerStatus
from ledger.verify import CertificateFacts, PartnerFact, StatusFact

Ref = tuple[str, str]
"""(root, leaf) of one certified document; leaf == root for a single certificate."""


class FactSource(Protocol):
    def indexed_block(self) -> int | None: ...

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]: ...

    def ref_by_id(self, certificate_id: str) -> Ref | None: ...

    def facts(self, root: str, leaf: str) -> CertificateFacts: ...


def _status(row: Any, prefix: str = "status") -> StatusFact:
    if row is None or row[prefix] is None:
        return StatusFact()
    return StatusFact(CertificateStatus(row[prefix]), row[f"{prefix}_reason"], row[f"{prefix}_at"], row[f"{prefix}_by"])


class IndexFacts:
    """Facts from the indexed tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def indexed_block(self) -> int | None:
        with self.engine.connect() as conn:
            block: int | None = conn.execute(select(s.sync_state.c.checkpoint_block)).scalar()
        return block

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]:
        d = s.documents
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(d.c.root, d.c.leaf)
                .where(d.c.fingerprint == fingerprint.lower())
                .order_by(d.c.block_number.desc(), d.c.root)
            ).all()
        return [(row.root, row.leaf) for row in rows]

    def ref_by_id(self, certificate_id: str) -> Ref | None:
        key = certificate_id.lower()
        with self.engine.connect() as conn:
            root = conn.execute(select(s.certificates.c.root).where(s.certificates.c.root == key)).scalar()
            if root is not None:
                return (root, root)
            row = conn.execute(select(s.documents.c.root, s.documents.c.leaf).where(s.documents.c.leaf == key)).first()
        return None if row is None else (row.root, row.leaf)

    def facts(self, root: str, leaf: str) -> CertificateFacts:
        root, leaf = root.lower(), leaf.lower()
        with self.engine.connect() as conn:
            cert = conn.execute(select(s.certificates).where(s.certificates.c.root == root)).mappings().first()
            if cert is None:
                return CertificateFacts(root=root, leaf=leaf, issued=False)
            doc = (
                conn.execute(select(s.documents).where(and_(s.documents.c.root == root, s.documents.c.leaf == leaf)))
                .mappings()
                .first()
            )
            partner = conn.execute(select(s.partners).where(s.partners.c.address == cert["issuer"])).mappings().first()
            issued = conn.execute(
                select(s.certificate_history.c.block_number, s.certificate_history.c.log_index).where(
                    and_(s.certificate_history.c.root == root, s.certificate_history.c.action == "issued")
                )
            ).first()
            standing = None
            if issued is not None:
                h = s.partner_history
                standing = conn.execute(
                    select(h.c.active_issuer)
                    .where(
                        and_(
                            h.c.address == cert["issuer"],
                            or_(
                                h.c.block_number < issued.block_number,
                                and_(h.c.block_number == issued.block_number, h.c.log_index < issued.log_index),
                            ),
                        )
                    )
                    .order_by(h.c.block_number.desc(), h.c.log_index.desc())
                    .limit(1)
                ).scalar()
        return CertificateFacts(
            root=root,
            leaf=leaf,
            issued=True,
            issuer=cert["issuer"],
            issued_at=cert["issued_at"],
            valid_until=cert["valid_until"] or None,
            fingerprint=(doc["fingerprint"] if doc is not None else None) or cert["fingerprint"],
            root_status=_status(cert),
            leaf_status=_status(doc),
            partner=None if partner is None else _partner_fact(partner),
            active_issuer_at_issuance=None if standing is None else bool(standing),
        )


def _partner_fact(row: Any) -> PartnerFact:
    return PartnerFact(
        address=row["address"],
        display_name=row["display_name"],
        org_type=OrganisationType(row["org_type"]),
        domain=row["domain"],
        status=PartnerStatus(row["status"]),
        rights=row["rights"],
        compromised_after=row["compromised_after"] or None,
    )


class ChainFacts:
    """Facts read straight from the contracts over JSON-RPC: no index, no API in between."""

    def __init__(self, client: RpcClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        self.partners = ContractBinding(load_abi("PartnerRegistry"), deployment.contract("PartnerRegistry").address)
        self.certificates = ContractBinding(
            load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address
        )
        issued = next(e for e in load_abi("CertificateRegistry") if e.get("name") == "CertificateIssued")
        published = next(e for e in load_abi("CertificateRegistry") if e.get("name") == "DocumentPublished")
        self._issued_topic = _topic(issued)
        self._published_topic = _topic(published)
        self._status_topics = [
            _topic(next(e for e in load_abi("CertificateRegistry") if e.get("name") == name))
            for name in ("CertificateRevoked", "CertificateSuspended", "CertificateReinstated")
        ]

    def indexed_block(self) -> int | None:
        return None  # nothing is indexed: every answer is the chain's latest state

    def _call(self, binding: ContractBinding, fn: str, *args: Any) -> tuple[Any, ...]:
        data = self.client.call("eth_call", [{"to": binding.address, "data": binding.encode(fn, *args)}, "latest"])
        return binding.decode_result(fn, data)

    def _logs(self, topics: Sequence[str | Sequence[str] | None]) -> list[dict[str, Any]]:
        params = {
            "address": self.certificates.address,
            "fromBlock": hex(self.deployment.start_block),
            "toBlock": "latest",
            "topics": list(topics),
        }
        result: list[dict[str, Any]] = self.client.call("eth_getLogs", [params])
        return result

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]:
        fp = fingerprint.lower()
        refs = [
            (log["topics"][1].lower(), log["topics"][1].lower())
            for log in self._logs([self._issued_topic, None, None, fp])
        ]
        refs += [
            (log["topics"][1].lower(), "0x" + log["data"][2:66].lower())
            for log in self._logs([self._published_topic, None, fp])
        ]
        return list(reversed(refs))

    def ref_by_id(self, certificate_id: str) -> Ref | None:
        key = certificate_id.lower()
        (cert,) = self._call(self.certificates, "certificate", bytes.fromhex(key[2:]))
        if int(cert[0], 16) != 0:
            return (key, key)
        logs = self.client.call(
            "eth_getLogs",
            [
                {
                    "address": self.certificates.address,
                    "fromBlock": hex(self.deployment.start_block),
                    "toBlock": "latest",
                    "topics": [self._published_topic],
                }
            ],
        )
        for log in logs:
            if "0x" + log["data"][2:66].lower() == key:
                return (log["topics"][1].lower(), key)
        # A document of an anchor batch is not published, but acting on it alone names its leaf (indexed topic 2).
        acted = self._logs([self._status_topics, None, key])
        if acted:
            return (acted[0]["topics"][1].lower(), key)
        return None

    def facts(self, root: str, leaf: str) -> CertificateFacts:
        root_b, leaf_b = bytes.fromhex(root[2:]), bytes.fromhex(leaf[2:])
        ((issuer, issued_at, valid_until),) = self._call(self.certificates, "certificate", root_b)
        if int(issuer, 16) == 0:
            return CertificateFacts(root=root.lower(), leaf=leaf.lower(), issued=False)
        (root_status,) = self._call(self.certificates, "statusOf", root_b, b"\0" * 32)
        leaf_status = (0, False, 0, 0)
        if leaf.lower() != ZERO_HASH:
            (leaf_status,) = self._call(self.certificates, "statusOf", root_b, leaf_b)
        (partner,) = self._call(self.partners, "partner", issuer)
        org_type, status, rights, _joined, compromised, _meta, name, domain = partner
        fingerprint = None
        if root.lower() == leaf.lower():
            logs = self._logs([self._issued_topic, root.lower()])
            if logs and logs[0]["topics"][3] != ZERO_HASH:
                fingerprint = logs[0]["topics"][3].lower()
        else:
            logs = self._logs([self._published_topic, root.lower()])
            fingerprint = next(
                (log["topics"][2].lower() for log in logs if "0x" + log["data"][2:66].lower() == leaf.lower()), None
            )
        return CertificateFacts(
            root=root.lower(),
            leaf=leaf.lower(),
            issued=True,
            issuer=issuer,
            issued_at=issued_at,
            valid_until=valid_until or None,
            fingerprint=fingerprint,
            root_status=_chain_status(root_status),
            leaf_status=_chain_status(leaf_status),
            partner=PartnerFact(
                issuer, name, OrganisationType(org_type), domain, PartnerStatus(status), rights, compromised or None
            )
            if status != PartnerStatus.NONE
            else None,
            active_issuer_at_issuance=True,
        )


def _chain_status(record: tuple[Any, ...]) -> StatusFact:
    status, _by_council, reason, at = record
    if status == CertificateStatus.VALID and at == 0:
        return StatusFact()
    return StatusFact(CertificateStatus(status), reason, at, None)


def _topic(entry: dict[str, Any]) -> str:
    from eth_hash.auto import keccak

    types = ",".join(i["type"] for i in entry["inputs"])
    return "0x" + keccak(f"{entry['name']}({types})".encode()).hex()
