"""Issuing certificates and changing their status on chain, for an authenticated issuer.

Issue one document (a tree of one) or a batch (N documents -> salted, hashed, one Merkle tree -> one transaction,
with each document's leaf and fingerprint published by default). Every transaction is first *estimated*: a call the
contract would refuse (not an active issuer, already issued, not yours to revoke...) raises :class:`ContractRevert`
naming the custom error, and nothing is sent. A sent transaction is recorded in ``issuances`` so its status reads
"pending" until the indexer has applied it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, insert, select

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient, RpcError
from ledger.chain.tx import Call, TxSender, revert_from_rpc, with_headroom
from ledger.db import schema as s
from ledger.deployments import Deployment
from ledger.documents import CertificateDocument, ChainBinding, Original, wrap_batch
from ledger.documents import Issuer as DocumentIssuer
from ledger.errors import LedgerError
from ledger.keys import Issuer
from ledger.merkle import certificate_id

StatusAction = Literal["revoke", "suspend", "reinstate"]


class IssuanceError(LedgerError, ValueError):
    """A request that cannot become a transaction (empty batch, too many documents...)."""


@dataclass(frozen=True)
class Issued:
    tx_hash: str
    id: str
    root: str
    documents: list[dict[str, Any]]
    mode: Literal["single", "batch", "batch_public"]


class IssuanceService:
    """Builds, checks and sends the registries' write transactions for authenticated issuers."""

    def __init__(self, engine: Engine, client: RpcClient, deployment: Deployment, max_batch: int = 10_000) -> None:
        self.engine = engine
        self.client = client
        self.deployment = deployment
        self.max_batch = max_batch
        self.certificates = ContractBinding(
            load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address
        )
        self._senders: dict[str, TxSender] = {}
        self._lock = threading.Lock()

    def _sender(self, issuer: Issuer) -> TxSender:
        with self._lock:
            sender = self._senders.get(issuer.address)
            if sender is None:
                sender = TxSender(self.client, issuer.account, self.deployment.chain_id)
                self._senders[issuer.address] = sender
            return sender

    def _issuer_name(self, issuer: Issuer) -> str:
        with self.engine.connect() as conn:
            name = conn.execute(
                select(s.partners.c.display_name).where(s.partners.c.address == issuer.address)
            ).scalar()
        return str(name) if name else issuer.label

    def _send(self, issuer: Issuer, data: str) -> str:
        """Estimate (reverts raise before anything is sent), then send with headroom, capped at the block gas limit."""
        sender = self._sender(issuer)
        call = Call(self.certificates.address, data)
        try:
            estimate = sender.estimate(call)
        except RpcError as exc:
            raise revert_from_rpc(exc, self.certificates) from None
        limit = int(self.client.call("eth_getBlockByNumber", ["latest", False])["gasLimit"], 16)
        return sender.send(Call(call.to, call.data, min(limit, with_headroom(estimate))))

    def _record(
        self,
        tx_hash: str,
        action: str,
        certificate: str,
        root: str | None,
        issuer: str,
        documents: int,
        leaf: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(s.issuances).values(
                    tx_hash=tx_hash,
                    action=action,
                    certificate_id=certificate,
                    root=root,
                    leaf=leaf,
                    issuer=issuer,
                    documents=documents,
                    submitted_at=int(time.time()),
                )
            )

    def issue(
        self,
        issuer: Issuer,
        originals: Sequence[Original],
        valid_until: int | None = None,
        publish_fingerprints: bool = True,
        issued_at: int | None = None,
    ) -> Issued:
        """Wrap ``originals`` into certificate documents and issue them in one transaction.

        Raises:
            IssuanceError: no documents, or more than the batch limit.
            ContractRevert: the registry would refuse (e.g. the issuer is not an active issuer).
        """
        if not originals:
            raise IssuanceError("a batch needs at least one document")
        if len(originals) > self.max_batch:
            raise IssuanceError(f"a batch holds at most {self.max_batch:,} documents, got {len(originals):,}")
        binding = ChainBinding(chain_id=self.deployment.chain_id, registry=self.certificates.address or "")
        stated = DocumentIssuer(address=issuer.address, name=self._issuer_name(issuer))
        when = issued_at if issued_at is not None else int(time.time())
        documents = [
            CertificateDocument(original=o, issuer=stated, issued_at=when, valid_until=valid_until, chain=binding)
            for o in originals
        ]
        wrapped = wrap_batch(documents)
        root = str(wrapped[0]["proof"]["merkleRoot"])
        root_b = bytes.fromhex(root[2:])
        expiry = valid_until or 0
        mode: Literal["single", "batch", "batch_public"]
        if len(originals) == 1:
            data = self.certificates.encode("issue", root_b, bytes.fromhex(originals[0].fingerprint[2:]), expiry)
            mode = "single"
        elif publish_fingerprints:
            leaves = [bytes.fromhex(str(w["proof"]["targetHash"])[2:]) for w in wrapped]
            fingerprints = [bytes.fromhex(o.fingerprint[2:]) for o in originals]
            data = self.certificates.encode("issueBatchPublic", root_b, expiry, leaves, fingerprints)
            mode = "batch_public"
        else:
            data = self.certificates.encode("issueBatch", root_b, expiry)
            mode = "batch"
        tx_hash = self._send(issuer, data)
        cid = certificate_id(issuer.address, root)
        self._record(tx_hash, "issue", cid, root, issuer.address, len(wrapped))
        return Issued(tx_hash, cid, root, wrapped, mode)

    def set_status(
        self,
        issuer: Issuer,
        action: StatusAction,
        certificate: str,
        reason: int,
        leaf: str | None = None,
        proof: Sequence[str] = (),
    ) -> str:
        """Revoke, suspend or reinstate certificate ``certificate`` (its id; ``leaf`` None) or one document in it;
        returns the tx hash."""
        id_b = bytes.fromhex(certificate[2:])
        if leaf is None:
            data = self.certificates.encode(action, id_b, reason)
        else:
            data = self.certificates.encode(
                f"{action}Document", id_b, bytes.fromhex(leaf[2:]), [bytes.fromhex(p[2:]) for p in proof], reason
            )
        tx_hash = self._send(issuer, data)
        self._record(tx_hash, action, certificate.lower(), None, issuer.address, 0, leaf.lower() if leaf else None)
        return tx_hash

    def status(self, tx_hash: str) -> dict[str, Any]:
        """pending (sent, not yet indexed) / indexed (the indexer applied it) / unknown (not sent by this API)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(s.issuances).where(s.issuances.c.tx_hash == tx_hash.lower())).mappings().first()
            if row is None:
                return {"tx_hash": tx_hash.lower(), "status": "unknown"}
            seen = conn.execute(
                select(s.chain_events.c.block_number).where(s.chain_events.c.tx_hash == tx_hash.lower()).limit(1)
            ).scalar()
        return {
            "tx_hash": row["tx_hash"],
            "status": "pending" if seen is None else "indexed",
            "action": row["action"],
            "certificate_id": row["certificate_id"],
            "root": row["root"],
            "leaf": row["leaf"],
            "documents": row["documents"],
            "block_number": seen,
        }
