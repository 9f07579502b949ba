"""Verification facts read straight from the contracts over JSON-RPC: no index, no API in between (``source=chain``).

Standing at issuance: the contract lets only an active issuer issue, so on chain an issued certificate's issuer *was*
an active issuer at that moment; what can still void it is a compromise cut-off at or before its issuance.

Provenance (:meth:`ChainFacts.provenance`) comes from the provenance registry alone: its ``OriginalRegistered`` logs
by identifier (topic 2) and by original (topic 1), its ``CertificateLinked`` logs by certificate id (topic 2), and
``originalOf`` for each original's state now; the registrar's name is the partner registry's.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.deployments import Deployment
from ledger.events import ZERO_HASH, CertificateStatus, Disposition, OrganisationType, PartnerStatus
from ledger.verification.facts import (
    CertificateFacts,
    IssuerDetails,
    OriginalFact,
    PartnerFact,
    StatusFact,
    in_registration_order,
    newest_first,
)


class ChainFacts:
    """Facts read straight from the contracts over JSON-RPC: no index, no API in between.

    Every lookup costs O(answer): logs are asked for by an indexed topic (the certificate id, the fingerprint, the
    leaf, the issuer's account), never scanned.
    """

    local = False  # every answer is a JSON-RPC round trip

    def __init__(self, client: RpcClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        partner_abi, certificate_abi = load_abi("PartnerRegistry"), load_abi("CertificateRegistry")
        self.partners = ContractBinding(partner_abi, deployment.contract("PartnerRegistry").address)
        self.certificates = ContractBinding(certificate_abi, deployment.contract("CertificateRegistry").address)
        self._issued_topic = _topic(_entry(certificate_abi, "CertificateIssued"))
        self._published_topic = _topic(_entry(certificate_abi, "DocumentPublished"))
        # A manifest without the provenance registry (made for an older layout, or by a test) has no provenance.
        provenance = deployment.contracts.get("ProvenanceRegistry")
        provenance_abi = load_abi("ProvenanceRegistry")
        self.provenance_registry = None if provenance is None else ContractBinding(provenance_abi, provenance.address)
        self._registered_topic = _topic(_entry(provenance_abi, "OriginalRegistered"))
        self._linked_topic = _topic(_entry(provenance_abi, "CertificateLinked"))
        self._details_events = {
            _topic(_entry(partner_abi, name)): _data_types(_entry(partner_abi, name))
            for name in ("PartnerRegistered", "PartnerDetailsChanged")
        }

    def indexed_block(self) -> int | None:
        return None  # nothing is indexed: every answer is the chain's latest state

    def session(self) -> AbstractContextManager[ChainFacts]:
        return nullcontext(self)  # every call reads the node's latest state; there is no snapshot to hold

    def _call(self, binding: ContractBinding, fn: str, *args: Any) -> tuple[Any, ...]:
        return binding.view(self.client, fn, *args)

    def _logs(
        self, topics: Sequence[str | Sequence[str] | None], address: str | None = None, to_block: str = "latest"
    ) -> list[dict[str, Any]]:
        params = {
            "address": address or self.certificates.address,
            "fromBlock": hex(self.deployment.start_block),
            "toBlock": to_block,
            "topics": list(topics),
        }
        result: list[dict[str, Any]] = self.client.call("eth_getLogs", [params])
        return result

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        fp = fingerprint.lower()
        # A single certificate's issuance log is the answer to the first query: its facts need not ask for it again.
        singles = {log["topics"][1].lower(): log for log in self._logs([self._issued_topic, None, None, fp])}
        found = [self.facts(cid, None, fingerprint=fp, issuance=log) for cid, log in singles.items()]
        published = dict.fromkeys(
            ("0x" + log["data"][2:66].lower(), log["topics"][1].lower())
            for log in self._logs([self._published_topic, None, fp])
        )
        found += [self.facts(cid, leaf, fingerprint=fp) for cid, leaf in published]
        return newest_first(found)

    def facts_by_id(self, key: str) -> list[CertificateFacts]:
        key = key.lower()
        issued = self._logs([self._issued_topic, key])
        if issued:
            return [self.facts(key, None, issuance=issued[0])]
        ids = dict.fromkeys("0x" + log["data"][2:66].lower() for log in self._logs([self._published_topic, key]))
        return newest_first([self.facts(cid, key) for cid in ids])

    def facts(
        self,
        certificate_id: str,
        leaf: str | None,
        root: str | None = None,
        fingerprint: str | None = None,
        issuance: dict[str, Any] | None = None,
    ) -> CertificateFacts:
        """The facts of document ``leaf`` (None: the certificate's root, the certificate as a whole)."""
        cid = certificate_id.lower()
        id_b = bytes.fromhex(cid[2:])
        ((issuer, issued_at, valid_until, _batch),) = self._call(self.certificates, "certificate", id_b)
        if int(issuer, 16) == 0:
            return CertificateFacts(id=cid, root=root, leaf=(leaf or root or cid).lower(), issued=False)
        if issuance is None:
            issuance = self._logs([self._issued_topic, cid])[0]
        cert_root = "0x" + issuance["data"][2:66].lower()
        leaf = (leaf or cert_root).lower()
        issued_fp = issuance["topics"][3].lower()
        (root_status,) = self._call(self.certificates, "statusOf", id_b, b"\0" * 32)
        (leaf_status,) = self._call(self.certificates, "statusOf", id_b, bytes.fromhex(leaf[2:]))
        if fingerprint is None:
            if leaf == cert_root and issued_fp != ZERO_HASH:
                fingerprint = issued_fp
            else:  # the smallest fingerprint this certificate publishes for the leaf: the index's rule too
                published = [
                    log["topics"][2].lower()
                    for log in self._logs([self._published_topic, leaf])
                    if "0x" + log["data"][2:66].lower() == cid
                ]
                fingerprint = min(published, default=None)
        (partner,) = self._call(self.partners, "partner", issuer)
        org_type, status, rights, _joined, compromised, _seat, _details, _meta, name, domain = partner
        block, log_index = int(issuance["blockNumber"], 16), int(issuance["logIndex"], 16)
        return CertificateFacts(
            id=cid,
            root=cert_root,
            leaf=leaf,
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
            issued_as=self._details_at(issuer, block, log_index),
            active_issuer_at_issuance=True,
            block_number=block,
            log_index=log_index,
        )

    def provenance(self, identifiers: Sequence[str], certificate_ids: Sequence[str]) -> list[OriginalFact]:
        registry = self.provenance_registry
        names = sorted({i.lower() for i in identifiers if i})
        linked_to = sorted({c.lower() for c in certificate_ids if c})
        if registry is None or not (names or linked_to):
            return []
        address = registry.address
        linked: set[str] = set()
        if linked_to:
            linked = {log["topics"][1].lower() for log in self._logs([self._linked_topic, None, linked_to], address)}
        wanted = set(names)
        if linked:  # the identifiers of the linked originals, whose other registrations say who was first
            registered = self._logs([self._registered_topic, sorted(linked)], address)
            wanted |= {log["topics"][2].lower() for log in registered}
        if not wanted:
            return []
        registrations = self._logs([self._registered_topic, None, sorted(wanted)], address)
        first: dict[str, tuple[int, int]] = {}
        for log in registrations:
            position = (int(log["blockNumber"], 16), int(log["logIndex"], 16))
            identifier = log["topics"][2].lower()
            first[identifier] = min(first.get(identifier, position), position)
        found = []
        for log in registrations:
            original, identifier = log["topics"][1].lower(), log["topics"][2].lower()
            if identifier not in names and original not in linked:
                continue
            registrar = "0x" + log["topics"][3][-40:].lower()
            ((owner, holder, registered_at, disposition, soulbound, _epoch),) = self._call(
                registry, "originalOf", bytes.fromhex(original[2:])
            )
            (partner,) = self._call(self.partners, "partner", registrar)
            position = (int(log["blockNumber"], 16), int(log["logIndex"], 16))
            found.append(
                OriginalFact(
                    id=original,
                    identifier=identifier,
                    registrar=registrar,
                    registrar_name=partner[8] if partner[1] != PartnerStatus.NONE else None,
                    registered_at=registered_at,
                    registered_block=position[0],
                    registered_log_index=position[1],
                    owner=owner.lower(),
                    holder=holder.lower(),
                    soulbound=bool(soulbound),
                    disposition=Disposition(disposition),
                    first_registration=first[identifier] == position,
                )
            )
        return in_registration_order(found)

    def _details_at(self, issuer: str, block: int, log_index: int) -> IssuerDetails | None:
        """The issuer's details as they stood at (block, log index): its last registration or council-voted change
        at or before it, from the logs with the issuer's account as topic 1 (O(its changes))."""
        account = "0x" + "00" * 12 + issuer.lower().removeprefix("0x")
        logs = self._logs([list(self._details_events), account], self.partners.address, hex(block))
        before = [log for log in logs if (int(log["blockNumber"], 16), int(log["logIndex"], 16)) <= (block, log_index)]
        if not before:
            return None
        from eth_abi.abi import decode as abi_decode  # lazily: eth_abi costs the CLI and the API ~0.1 s at import

        last = max(before, key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
        values = abi_decode(self._details_events[last["topics"][0].lower()], bytes.fromhex(last["data"][2:]))
        org_type, name, domain = values[0], values[1], values[2]
        return IssuerDetails(name, OrganisationType(org_type), domain)


def _entry(abi: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(e for e in abi if e.get("type") == "event" and e.get("name") == name)


def _data_types(entry: dict[str, Any]) -> list[str]:
    """The ABI types of an event's data (its non-indexed inputs), in order."""
    return [i["type"] if i["type"] != "enum" else "uint8" for i in entry["inputs"] if not i.get("indexed")]


def _chain_status(record: tuple[Any, ...]) -> StatusFact:
    status, _by_council, reason, at = record
    if status == CertificateStatus.VALID and at == 0:
        return StatusFact()
    return StatusFact(CertificateStatus(status), reason, at, None)


def _topic(entry: dict[str, Any]) -> str:
    from eth_hash.auto import keccak

    types = ",".join(i["type"] for i in entry["inputs"])
    return "0x" + keccak(f"{entry['name']}({types})".encode()).hex()
