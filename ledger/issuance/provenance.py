"""A partner's provenance writes through its API key: register an original, record an event with the holder's
consent, anchor a batch of consented events, recall.

These are the partner's own acts (the registrar's, the recording laboratory's), sent with the key its API key unlocks,
exactly as certificates are issued (:class:`~ledger.issuance.service.IssuanceService`, whose sender, nonces, estimation
and "answer once mined" this shares). The owners' and holders' acts (transfers, reports) are theirs alone: they sign
them and the relayer carries them (``api/routes/provenance_actions.py``); no API key can make them.

Nothing is sent that the registry would refuse (every call is estimated first, naming the contract's error), and
nothing is anchored without consent: the registry never sees a batch's events, so this service checks each one's
``RecordEvent`` signature against its holder, and that holder against the registry's current holder, before the root
goes on chain (:mod:`ledger.anchored_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_hash.auto import keccak

from ledger.abi import load_abi
from ledger.anchored_events import Consent, EventBatch, LifecycleEvent, consent_signer, event_batch
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.deployments import Deployment
from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.issuance.keys import Issuer
from ledger.issuance.service import ZERO_ADDRESS, IssuanceService

PROVENANCE = "ProvenanceRegistry"
EVENTS_ANCHORED = "0x" + keccak(b"EventsAnchored(address,bytes32,uint32)").hex()
"""The topic of ``EventsAnchored(address indexed recorder, bytes32 indexed root, uint32 count)``."""


class OriginalNotFound(LedgerError, LookupError):
    """No original has this id on chain."""


class ConsentRefused(LedgerError, PermissionError):
    """An event's consent is missing, not its holder's, or names a holder who does not hold the original."""


@dataclass(frozen=True)
class Sent:
    """A provenance transaction once mined (not necessarily indexed)."""

    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Registered(Sent):
    original: str
    identifier: str


@dataclass(frozen=True)
class Anchored(Sent):
    batch: EventBatch


def _b32(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def provenance_binding(deployment: Deployment) -> ContractBinding:
    """The provenance registry of ``deployment``."""
    return ContractBinding(load_abi(PROVENANCE), deployment.contract(PROVENANCE).address)


def anchoring(client: RpcClient, registry: ContractBinding, start_block: int, root: str) -> tuple[str, int, int] | None:
    """(recorder, block number, block time) of the first ``EventsAnchored`` log of ``root``, from the chain; None
    when no partner anchored it."""
    logs = client.call(
        "eth_getLogs",
        [{"address": registry.address, "topics": [EVENTS_ANCHORED, None, root.lower()], "fromBlock": hex(start_block)}],
    )
    if not logs:
        return None
    first = logs[0]
    block = int(first["blockNumber"], 16)
    header = client.call("eth_getBlockByNumber", [hex(block), False])
    return "0x" + str(first["topics"][1])[-40:].lower(), block, int(header["timestamp"], 16)


def holder_at(client: RpcClient, registry: ContractBinding, original: str, block: int) -> str | None:
    """Who held ``original`` in ``block``, from the registry's state then; None when it was not registered yet."""
    ((owner, holder, *_rest),) = registry.view(client, "originalOf", _b32(original), block=hex(block))
    return None if owner == ZERO_ADDRESS else str(holder).lower()


class ProvenanceIssuance:
    """The provenance registry's partner writes, on the issuance service's senders."""

    def __init__(self, issuance: IssuanceService, max_events: int = 10_000) -> None:
        self.issuance = issuance
        self.max_events = max_events
        self.registry = provenance_binding(issuance.deployment)

    @property
    def chain_id(self) -> int:
        return self.issuance.deployment.chain_id

    def original_id(self, registrar: str, identifier: str) -> str:
        """The id ``registrar``'s original of ``identifier`` has (the registry's own ``originalId``)."""
        (original,) = self.registry.view(self.issuance.client, "originalId", registrar, _b32(identifier))
        return str(original)

    def holder_of(self, original: str) -> str:
        """Who holds ``original`` now, from the registry (:class:`OriginalNotFound` when it was never registered)."""
        ((owner, holder, *_rest),) = self.registry.view(self.issuance.client, "originalOf", _b32(original))
        if owner == ZERO_ADDRESS:
            raise OriginalNotFound(_("no original {original} on chain", original=original))
        return str(holder).lower()

    def register(
        self,
        issuer: Issuer,
        identifier: str,
        owner: str,
        holder: str | None = None,
        soulbound: bool = False,
        certificates: Sequence[str] = (),
        parents: Sequence[str] = (),
    ) -> Registered:
        """Register ``issuer``'s original of ``identifier`` for ``owner`` (held by ``holder``, the owner when None),
        linked to certificates and made from ``parents``; answered once mined.

        Raises:
            ContractRevert: the registry would refuse (not an active issuer, registered already, a parent the issuer
                neither owns nor holds...); nothing is sent.
        """
        held = holder or ZERO_ADDRESS
        args = (_b32(identifier), owner, held, soulbound)
        if certificates or parents:
            data = self.registry.encode(
                "enrolLinked", *args, [_b32(c) for c in certificates], [_b32(p) for p in parents]
            )
        else:
            data = self.registry.encode("enrolOriginal", *args)
        original = self.original_id(issuer.address, identifier)
        receipt = self.issuance._transact(issuer, data, "register", original, None, 0, contract=self.registry)
        return Registered(receipt.tx_hash, receipt.block_number, original, identifier.lower())

    def _check_consent(self, issuer: Issuer, event: LifecycleEvent, consent: Consent | None) -> None:
        if consent is None:
            raise ConsentRefused(_("the event of {original} has no consent of its holder", original=event.original))
        registry = str(self.registry.address)
        signer = consent_signer(event, issuer.address, consent, self.chain_id, registry)
        if signer != event.holder.lower():
            raise ConsentRefused(
                _(
                    "the consent to the event of {original} is not signed by its holder {holder}",
                    original=event.original,
                    holder=event.holder.lower(),
                )
            )
        holder = self.holder_of(event.original)
        if holder != event.holder.lower():
            raise ConsentRefused(
                _(
                    "{holder} does not hold {original} (its holder is {current})",
                    holder=event.holder.lower(),
                    original=event.original,
                    current=holder,
                )
            )

    def record_consented(self, issuer: Issuer, event: LifecycleEvent, consent: Consent) -> Sent:
        """Record one event with its holder's consent (``addEventWithConsent``; the registry checks the signature and
        uses up its nonce), once mined."""
        self.holder_of(event.original)
        signed = (event.holder, consent.nonce, consent.deadline, bytes.fromhex(consent.signature.removeprefix("0x")))
        data = self.registry.encode(
            "addEventWithConsent",
            _b32(event.original),
            event.biz_step,
            _b32(event.evidence_hash),
            event.occurred_at,
            signed,
        )
        receipt = self.issuance._transact(issuer, data, "event", event.original, None, 1, contract=self.registry)
        return Sent(receipt.tx_hash, receipt.block_number)

    def anchor(self, issuer: Issuer, events: Sequence[LifecycleEvent], consents: Sequence[Consent | None]) -> Anchored:
        """Anchor ``events`` as one Merkle root once each has its holder's consent; the root and every event's proof,
        once mined.

        Raises:
            EventBatchError: no event, too many, or one twice.
            ConsentRefused: an event without its holder's consent, or whose holder does not hold the original.
        """
        batch = event_batch(events, self.max_events)
        for event, consent in zip(events, consents, strict=True):
            self._check_consent(issuer, event, consent)
        data = self.registry.encode("anchorEvents", _b32(batch.root), len(events))
        receipt = self.issuance._transact(
            issuer, data, "anchor", batch.root, batch.root, len(events), contract=self.registry
        )
        return Anchored(receipt.tx_hash, receipt.block_number, batch)
