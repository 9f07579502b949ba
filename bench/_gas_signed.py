"""Gas of the EIP-712 signed actions (issue 13): each ``...BySig`` call beside its direct call, in the same state.

For each action the chain is snapshotted, the direct call is sent from the signer and its gas noted
(``direct_<action>``), the chain is reverted, and the signed form, signed with the signer's key, is sent by a relayer
that holds no standing (``signed_<action>``, recorded as a call of the ``...BySig`` function). The two therefore run
on the same state, one block apart in nothing but the sender.

"The signature check" is the overhead of the smallest signed action, ``Leave`` (a struct hash of three words, the
ECDSA recovery, the nonce and the signature's calldata), measured the same way, once for a signer's first signed
action (its nonce slot is created: ``signature_check_first``) and once for a later one (``signature_check_later``).
The target: every signed action costs at most 10% more than its direct call plus the signature check of the same
nonce state (``signed_<action>_limit``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from _gas_scenarios import SME, TX_GAS_LIMIT, BenchError, Consortium, batch, certificate_id, label_hash
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from ledger.chain.devkeys import devnet_key
from ledger.events import COUNCIL, ISSUER, ProposalKind
from ledger.signing.actions import ACTIONS, call_arguments, sign, typed_data

RELAYER_INDEX = 19
"""The relayer: anvil's last dev account, never part of the cast."""
ATELIER_INDEX, WORKSHOP_INDEX = 11, 12
"""Two organisations that join and act only through signed actions (the cast holds accounts 0-10)."""
OWNER_INDEX, RECIPIENT_INDEX = 18, 17
"""A private owner and a collector of the signed provenance actions (not partners; 17 is the provenance scenario's
courier, who signs nothing there)."""
CLAIM_KEY_ADDRESS = "0xC1C1c1c1C1C1C1c1c1C1C1C1c1C1C1C1c1C1c1c1"
"""The one-time key's address a signed claim offer names (never used to claim)."""
REVOKED = 2  # ICertificateRegistry.Status
OVERHEAD_MARGIN = 1.10


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class SignedPairs:
    """Measures (direct, signed) pairs and records both under the action's snake-case name."""

    def __init__(self, c: Consortium) -> None:
        self.c = c
        self.w3 = c.bench.w3
        accounts = self.w3.eth.accounts
        self.keys = {str(account): devnet_key(i) for i, account in enumerate(accounts)}
        self.relayer = str(accounts[RELAYER_INDEX])
        self.first_use: dict[str, bool] = {}

    def _contract(self, name: str) -> Contract:
        contracts = {
            "PartnerRegistry": self.c.partners,
            "CertificateRegistry": self.c.certificates,
            "ProvenanceRegistry": self.c.provenance,
        }
        return contracts[ACTIONS[name].contract]

    def pair(
        self,
        name: str,
        signer: str,
        fields: dict[str, Any],
        direct: Callable[[Contract], ContractFunction],
        scenario: str,
        proof: Sequence[bytes] = (),
        label: str | None = None,
    ) -> None:
        """Measure ``direct`` (from ``signer``) and the signed ``name`` (by the relayer) on the same state."""
        key = label or _snake(name)
        contract = self._contract(name)
        snapshot = self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        tx_hash = direct(contract).transact({"from": signer, "gas": TX_GAS_LIMIT})  # type: ignore[typeddict-item]
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise BenchError(f"direct {name} reverted: {scenario}")
        if not self.w3.provider.make_request("evm_revert", [snapshot])["result"]:  # type: ignore[arg-type]
            raise BenchError("anvil did not revert to the snapshot")
        nonce = int(contract.functions.nonces(signer).call())
        deadline = int(self.w3.eth.get_block("latest")["timestamp"]) + 3600
        message = {ACTIONS[name].signer_field: signer, **fields, "nonce": nonce, "deadline": deadline}
        typed = typed_data(name, message, int(self.w3.eth.chain_id), str(contract.address))
        function, arguments = call_arguments(typed, sign(typed, self.keys[signer]), ["0x" + p.hex() for p in proof])
        self.c.bench.send(getattr(contract.functions, function)(*arguments), self.relayer, scenario, f"signed_{key}")
        self.c.bench.note(f"direct_{key}", int(receipt["gasUsed"]))
        self.first_use[key] = nonce == 0


def signed_actions(c: Consortium) -> SignedPairs:
    """Every signed action of the partner and certificate registries beside its direct call; the provenance
    registry's follow in :func:`signed_provenance`, which then notes the overhead limits (see the module docstring)."""
    p = SignedPairs(c)
    accounts = [str(a) for a in c.bench.w3.eth.accounts]
    atelier, workshop = accounts[ATELIER_INDEX], accounts[WORKSHOP_INDEX]
    town, bank, university = c.cast.town, c.cast.bank, c.cast.university
    details = (SME, "Atelier of Originals", "atelier.example", label_hash("atelier"))
    apply_fields = {"orgType": SME, "displayName": details[1], "domain": details[2], "metadataHash": details[3]}

    # The signature check: Leave of a signer whose nonce is new (the workshop applied directly) ...
    c.bench.send(
        c.partners.functions.applyForMembership(*details[:1], "Workshop", "workshop.example", details[3]),
        workshop,
        "apply (the workshop, before leaving by signature)",
    )
    p.pair(
        "Leave", workshop, {}, lambda r: r.functions.leave(), "leave signed: first signed action", label="leave_first"
    )
    # ... and of a signer that signed before (the workshop applies again, by signature, then leaves).
    p.pair(
        "Apply",
        workshop,
        {**apply_fields, "displayName": "Workshop", "domain": "workshop.example"},
        lambda r: r.functions.applyForMembership(SME, "Workshop", "workshop.example", details[3]),
        "apply again signed (after leaving)",
        label="apply_again",
    )
    p.pair("Leave", workshop, {}, lambda r: r.functions.leave(), "leave signed: a later signed action")

    p.pair("Apply", atelier, apply_fields, lambda r: r.functions.applyForMembership(*details), "apply signed")
    admit = {"kind": int(ProposalKind.ADMIT), "subject": atelier, "rights": ISSUER | COUNCIL, "cutoff": 0}
    p.pair("Propose", town, admit, lambda r: r.functions.propose(*admit.values()), "propose an admission signed")
    proposal = c.proposal_count()
    vote = {"proposalId": proposal, "support": True}
    p.pair("Vote", bank, vote, lambda r: r.functions.vote(proposal, True), "yes vote signed")
    council = int(c.partners.functions.activeCouncilCount().call())
    for voter in [university, c.cast.institute][: max(0, council // 2 + 1 - 2)]:
        c.bench.send(c.partners.functions.vote(proposal, True), voter, "yes vote (to reach a majority)")
    p.pair("Execute", university, {"proposalId": proposal}, lambda r: r.functions.execute(proposal), "execute signed")

    root, fingerprint = label_hash("signed single"), label_hash("signed single original")
    p.pair(
        "Issue",
        atelier,
        {"root": root, "fingerprint": fingerprint, "validUntil": 0},
        lambda r: r.functions.issue(root, fingerprint, 0),
        "issue a single certificate signed",
    )
    anchor = batch("signed anchor", 1_024)
    p.pair(
        "IssueBatch",
        atelier,
        {"root": anchor.root, "validUntil": 0},
        lambda r: r.functions.issueBatch(anchor.root, 0),
        "anchor a batch of 1,024 signed",
    )
    public = batch("signed public", 16)
    leaves, fingerprints = list(public.leaves), [label_hash(f"signed public original {i}") for i in range(16)]
    p.pair(
        "IssueBatchPublic",
        atelier,
        {"root": public.root, "validUntil": 0, "leaves": leaves, "fingerprints": fingerprints},
        lambda r: r.functions.issueBatchPublic(public.root, 0, leaves, fingerprints),
        "issue a public batch of 16 signed",
    )
    anchor_id = certificate_id(atelier, anchor.root)
    leaf = anchor.leaves[5]
    proof = anchor.proof(leaf)
    p.pair(
        "SetStatus",
        atelier,
        {"id": anchor_id, "leaf": leaf, "status": REVOKED, "reason": 3},
        lambda r: r.functions.revokeDocument(anchor_id, leaf, 3, proof),
        "revoke one document of a 1,024 batch signed",
        proof,
    )
    new_details = {
        "orgType": SME,
        "displayName": "Atelier of Originals Dresden",
        "domain": "atelier.example",
        "metadataHash": label_hash("atelier 2"),
    }
    p.pair(
        "ProposeDetails",
        town,
        {"subject": atelier, **new_details},
        lambda r: r.functions.proposeDetails(atelier, tuple(new_details.values())),
        "propose new details signed",
    )
    single_id = certificate_id(atelier, root)
    decision = {
        "kind": int(ProposalKind.REVOKE_CERTIFICATE),
        "registry": str(c.certificates.address),
        "id": single_id,
        "leaf": b"\x00" * 32,
        "reason": 9,
    }
    p.pair(
        "ProposeCertificateDecision",
        town,
        decision,
        lambda r: r.functions.proposeCertificateDecision(*list(decision.values())[:4], [], 9),
        "propose a council decision signed",
    )
    return p


def signed_provenance(c: Consortium, p: SignedPairs) -> None:
    """After the provenance scenarios (which measure a registrar's first registration), the provenance registry's
    owner and holder actions, signed by private parties that hold no ether of their own (an owner sells to a
    collector, who records an event, reports a theft, recovers it, offers a claim and withdraws it, and whose offer
    back is rejected); then the overhead limits of every pair."""
    accounts = [str(a) for a in c.bench.w3.eth.accounts]
    owner, collector = accounts[OWNER_INDEX], accounts[RECIPIENT_INDEX]
    fns = c.provenance.functions
    label = label_hash("signed artwork")
    c.bench.send(fns.enrolOriginal(label, owner, "0x" + "00" * 20, False), c.cast.town, "register for signed actions")
    art = bytes(fns.originalId(c.cast.town, label).call())
    later = int(c.bench.w3.eth.get_block("latest")["timestamp"]) + 30 * 24 * 3600
    offer = {"original": art, "right": 0, "to": collector, "offerDeadline": later}
    p.pair("HandOver", owner, offer, lambda r: r.functions.handOver(art, 0, collector, later), "offer the title signed")
    taken = {"original": art, "right": 0}
    p.pair("TakeOver", collector, taken, lambda r: r.functions.takeOver(art, 0), "accept the title signed")
    evidence = label_hash("signed condition report")
    at = int(c.bench.w3.eth.get_block("latest")["timestamp"])
    event = {"original": art, "bizStep": 11, "evidenceHash": evidence, "occurredAt": at}
    p.pair("AddEvent", collector, event, lambda r: r.functions.addEvent(art, 11, evidence, at), "an event signed")
    report = label_hash("signed police report")
    stolen = {"original": art, "disposition": 2, "evidenceHash": report}
    p.pair("LogIncident", collector, stolen, lambda r: r.functions.logIncident(art, 2, report), "flag stolen signed")
    found = {"original": art, "evidenceHash": label_hash("signed found")}
    p.pair(
        "ClearDisposition",
        collector,
        found,
        lambda r: r.functions.clearDisposition(art, found["evidenceHash"]),
        "declare it recovered signed",
    )
    key = CLAIM_KEY_ADDRESS
    claim = {"original": art, "right": 0, "key": key, "offerDeadline": later}
    p.pair(
        "ProposeClaim", collector, claim, lambda r: r.functions.proposeClaim(art, 0, key, later), "claim offer signed"
    )
    p.pair("CancelOffer", collector, taken, lambda r: r.functions.cancel(art, 0), "withdraw an offer signed")
    c.bench.send(fns.handOver(art, 0, owner, later), collector, "offer the title back to the former owner")
    remark = {"original": art, "right": 0, "remarkHash": label_hash("no thanks")}
    p.pair(
        "RejectOffer",
        owner,
        remark,
        lambda r: r.functions.reject(art, 0, remark["remarkHash"]),
        "reject an offer signed",
    )
    _limits(c, p)


def _limits(c: Consortium, p: SignedPairs) -> None:
    """The signature check of each nonce state, and each action's limit: 110% of (direct + that check)."""
    named = c.bench.named
    first = named["signed_leave_first"] - named["direct_leave_first"]
    later = named["signed_leave"] - named["direct_leave"]
    c.bench.note("signature_check_first", first)
    c.bench.note("signature_check_later", later)
    for key, was_first in p.first_use.items():
        check = first if was_first else later
        c.bench.note(f"signed_{key}_limit", int((named[f"direct_{key}"] + check) * OVERHEAD_MARGIN))
