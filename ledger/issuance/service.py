"""Issuing certificates and changing their status on chain, for an authenticated issuer.

Issue one document (a tree of one) or a batch (N documents -> salted, hashed, one Merkle tree -> one transaction,
with each document's leaf and fingerprint published by default). Every transaction is first *estimated*: a call the
contract would refuse (not an active issuer, already issued, not yours to revoke...) raises :class:`ContractRevert`
naming the custom error, and nothing is sent. A status change is refused before that, with nothing sent, when the
certificate is not the caller's own (:func:`certificate_issuer` asks the registry who issued it): the contract lets a
council member act on any issuer's certificate, but an issuing API key must not carry that power.

Every sent transaction is then *waited for*: wrapped documents are handed out only once their transaction is mined
(a transaction still in the mempool can be dropped, replaced or front-run, and documents of a root that never makes
it on chain would verify INVALID), and a transaction that reverts once mined raises :class:`ContractRevert` naming
the contract's error. A mined transaction is recorded in ``issuances`` so its status reads "pending" until the
indexer has applied it, then "indexed". One not mined within ``mined_timeout`` seconds raises
:class:`~ledger.chain.tx.TransactionTimeout` (its documents are withheld) and is recorded, since it may still be mined.
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
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call, Receipt, TransactionTimeout, TxSender
from ledger.db import schema as s
from ledger.deployments import Deployment
from ledger.documents import CertificateDocument, ChainBinding, Original, certificate_id, wrap_batch
from ledger.documents import Issuer as DocumentIssuer
from ledger.errors import LedgerError
from ledger.i18n import format_number
from ledger.i18n import gettext as _
from ledger.issuance.keys import Issuer

StatusAction = Literal["revoke", "suspend", "reinstate"]


ZERO_ADDRESS = "0x" + "00" * 20


class IssuanceError(LedgerError, ValueError):
    """A request that cannot become a transaction (empty batch, too many documents...)."""


class CertificateNotFound(LedgerError, LookupError):
    """No certificate has this id on chain."""


class NotCertificateIssuer(LedgerError, PermissionError):
    """The certificate was issued by another issuer: an issuing key acts only on its own issuer's certificates."""


@dataclass(frozen=True)
class Issued:
    """Documents whose issuing transaction is mined (in ``block_number``), not necessarily indexed yet."""

    tx_hash: str
    id: str
    root: str
    documents: list[dict[str, Any]]
    mode: Literal["single", "batch", "batch_public"]
    block_number: int


@dataclass(frozen=True)
class StatusChanged:
    """A status change whose transaction is mined (in ``block_number``), not necessarily indexed yet."""

    tx_hash: str
    block_number: int


def certificate_issuer(client: RpcClient, certificates: ContractBinding, certificate_id: str) -> str | None:
    """Who issued the certificate that ``certificate_id`` names, from the registry itself; None when none.

    The one place that knows how a certificate id maps to its on-chain record: the API's status routes take the id
    from the URL and ask this before sending anything (the index may not have the certificate yet, or lag behind).
    """
    ((issuer, _issued_at, _valid_until, _batch),) = certificates.view(
        client, "certificate", bytes.fromhex(certificate_id[2:])
    )
    return None if issuer == ZERO_ADDRESS else str(issuer)


class IssuanceService:
    """Builds, checks and sends the registries' write transactions for authenticated issuers."""

    def __init__(
        self,
        engine: Engine,
        client: RpcClient,
        deployment: Deployment,
        max_batch: int = 10_000,
        mined_timeout: float = 60.0,
    ) -> None:
        self.engine = engine
        self.client = client
        self.deployment = deployment
        self.max_batch = max_batch
        self.mined_timeout = mined_timeout
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

    def _transact(
        self,
        issuer: Issuer,
        data: str,
        action: str,
        certificate: str,
        root: str | None,
        documents: int,
        leaf: str | None = None,
        contract: ContractBinding | None = None,
    ) -> Receipt:
        """Estimate, send (gas with headroom, capped at the block gas limit) and wait until mined; record it.

        ``contract`` is the certificate registry unless given (the provenance registry's writes,
        :mod:`ledger.issuance.provenance`, share this path, the issuer's sender and its nonces); ``certificate`` is then
        the id of what the transaction is about (an original, a batch root).

        The transaction is recorded once mined, or when it is not mined in time (it may still be, and
        ``GET /transactions/{tx}`` then follows it); a revert is not recorded, there is nothing to follow.

        Raises:
            ContractRevert: the registry refused, at estimation (nothing sent) or once mined.
            TransactionTimeout: not mined within ``mined_timeout`` seconds.
        """
        sender = self._sender(issuer)
        target = contract or self.certificates
        call = sender.simulated(Call(target.address, data), target)
        try:
            receipt = sender.send_and_wait(call, self.mined_timeout, target)
        except TransactionTimeout as exc:
            self._record(exc.tx_hash, action, certificate, root, issuer.address, documents, leaf)
            raise
        self._record(receipt.tx_hash, action, certificate, root, issuer.address, documents, leaf)
        return receipt

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
            raise IssuanceError(_("a batch needs at least one document"))
        if len(originals) > self.max_batch:
            raise IssuanceError(
                _(
                    "a batch holds at most {limit} documents, got {count}",
                    limit=format_number(self.max_batch),
                    count=format_number(len(originals)),
                )
            )
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
        cid = certificate_id(issuer.address, root)
        receipt = self._transact(issuer, data, "issue", cid, root, len(wrapped))
        return Issued(receipt.tx_hash, cid, root, wrapped, mode, receipt.block_number)

    def set_status(
        self,
        issuer: Issuer,
        action: StatusAction,
        certificate: str,
        reason: int,
        leaf: str | None = None,
        proof: Sequence[str] = (),
    ) -> StatusChanged:
        """Revoke, suspend or reinstate certificate ``certificate`` (its id; ``leaf`` None) or one document in it,
        once mined.

        Raises:
            CertificateNotFound: no certificate has this id.
            NotCertificateIssuer: the certificate is another issuer's (nothing is sent, whatever the contract allows).
            ContractRevert: the registry refused, before sending or once mined.
        """
        owner = certificate_issuer(self.client, self.certificates, certificate)
        if owner is None:
            raise CertificateNotFound(_("no certificate {certificate} on chain", certificate=certificate.lower()))
        if owner != issuer.address:
            raise NotCertificateIssuer(
                _(
                    "certificate {certificate} was issued by {owner}, not by this key's issuer {address}",
                    certificate=certificate.lower(),
                    owner=owner,
                    address=issuer.address,
                )
            )
        id_b = bytes.fromhex(certificate[2:])
        if leaf is None:
            data = self.certificates.encode(action, id_b, reason)
        else:
            data = self.certificates.encode(
                f"{action}Document", id_b, bytes.fromhex(leaf[2:]), reason, [bytes.fromhex(p[2:]) for p in proof]
            )
        receipt = self._transact(issuer, data, action, certificate.lower(), None, 0, leaf.lower() if leaf else None)
        return StatusChanged(receipt.tx_hash, receipt.block_number)

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
