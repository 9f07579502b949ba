"""Gas of the provenance registry (issue 16): every state-changing function, in the states that change its cost.

The town (a founder, active issuer) registers an artwork owned by a collector; it is sold to a buyer (title offer and
acceptance), lent to a museum (custody offer and acceptance), restored and exhibited (lifecycle events by the holder,
and by a partner with the holder's consent), returned, reported stolen and recovered; a fabric batch gives a garment
(lineage, certificate link); a diploma is soulbound; a parcel is claimed with a one-time key; events are anchored in a
Merkle batch; a product is recalled and the recall ended; and a false "destroyed" report is cleared by a council
majority. The registrar's first registration learns its standing from the partner registry (a cache miss,
``provenance_register_first``); the targeted figures are a partner's later operations.
"""

from __future__ import annotations

from _gas_scenarios import BenchError, Consortium, label_hash
from eth_account import Account
from eth_account.messages import encode_typed_data

from ledger.chain.devkeys import devnet_key
from ledger.signing.provenance import claim_typed_data, record_event_typed_data

COLLECTOR_INDEX, BUYER_INDEX, MUSEUM_INDEX, RESTORER_INDEX, COURIER_INDEX = 13, 14, 15, 16, 17
"""Private owners and holders: none of them is a partner (the cast holds 0-10, the signed actions 11, 12 and 19)."""
TITLE, CUSTODY = 0, 1
LOST, STOLEN, DESTROYED = 1, 2, 3
INSPECTING, REPAIRING, EXHIBITING = 11, 21, 31  # CBV business step codes (docs/decisions/0010-provenance.md)
DAY = 24 * 3600
CLAIM_KEY = label_hash("bench one-time claim key")
"""The one-time key of the claim scenario (a fixed key, so every run sends the same bytes)."""


def _signature(typed: dict, key: bytes | str) -> bytes:
    return bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature)


def provenance(c: Consortium) -> None:
    """Every provenance scenario (see the module docstring)."""
    bench, fns, w3 = c.bench, c.provenance.functions, c.bench.w3
    accounts = [str(a) for a in w3.eth.accounts]
    collector, buyer, museum, restorer, courier = (
        accounts[i] for i in (COLLECTOR_INDEX, BUYER_INDEX, MUSEUM_INDEX, RESTORER_INDEX, COURIER_INDEX)
    )
    town, bank, university = c.cast.town, c.cast.bank, c.cast.university
    chain_id, registry = int(w3.eth.chain_id), str(c.provenance.address)
    zero = "0x" + "00" * 20

    def now() -> int:
        return int(w3.eth.get_block("latest")["timestamp"])

    def original(registrar: str, label: str) -> bytes:
        return bytes(fns.originalId(registrar, label_hash(label)).call())

    # Registration: the town's first (its standing is learnt from the partner registry), then the regular cost.
    bench.send(
        fns.enrolOriginal(label_hash("fabric batch 7"), town, zero, False),
        town,
        "register a fabric batch, the registrar's first registration (standing learnt and cached)",
        "provenance_register_first",
    )
    bench.send(
        fns.enrolOriginal(label_hash("artwork"), collector, zero, False),
        town,
        "register an artwork for a collector, who holds it",
        "provenance_register",
    )
    bench.send(
        fns.enrolOriginal(label_hash("loaned artwork"), collector, museum, False),
        town,
        "register an artwork for a collector, held by a museum (a second slot)",
        "provenance_register_held",
    )
    bench.send(
        fns.enrolOriginal(label_hash("diploma"), collector, zero, True),
        town,
        "register a soulbound diploma",
        "provenance_register_soulbound",
    )
    fabric = original(town, "fabric batch 7")
    bench.send(
        fns.enrolLinked(label_hash("garment"), town, zero, False, [label_hash("certificate")], [fabric]),
        town,
        "register a garment made from the fabric batch, linked to its certificate",
        "provenance_register_linked",
    )
    bench.send(
        fns.enrolOriginal(label_hash("artwork"), collector, zero, False),
        bank,
        "the bank registers the same identifier again (another original; the bank's standing learnt)",
        "provenance_register_duplicate_first",
    )

    art = original(town, "artwork")
    # A sale: the title offered to the buyer and accepted; custody follows (the collector held it).
    bench.send(
        fns.handOver(art, TITLE, buyer, now() + 30 * DAY),
        collector,
        "offer the title to a buyer",
        "provenance_propose_title",
    )
    bench.send(fns.takeOver(art, TITLE), buyer, "the buyer accepts the title", "provenance_accept_title")
    bench.send(
        fns.addEvent(art, INSPECTING, label_hash("condition report"), now()),
        buyer,
        "a lifecycle event recorded by the owner, who holds it",
        "provenance_event",
    )
    # A loan: custody offered to the museum and accepted; an exhibition recorded by the museum.
    bench.send(
        fns.handOver(art, CUSTODY, museum, now() + 30 * DAY),
        buyer,
        "offer custody to a museum (a loan)",
        "provenance_propose_custody",
    )
    bench.send(fns.takeOver(art, CUSTODY), museum, "the museum accepts custody", "provenance_accept_custody")
    bench.send(
        fns.addEvent(art, EXHIBITING, label_hash("exhibition"), now()),
        museum,
        "a lifecycle event recorded by a third-party holder",
        "provenance_event_third_party_holder",
    )
    # A restoration recorded by a partner (the university's lab) with the museum's consent.
    nonce = int(c.provenance.functions.nonces(museum).call())
    occurred, deadline = now(), now() + DAY
    typed = record_event_typed_data(
        museum, art, REPAIRING, label_hash("restoration"), occurred, university, nonce, deadline, chain_id, registry
    )
    bench.send(
        fns.addEventWithConsent(
            art,
            REPAIRING,
            label_hash("restoration"),
            occurred,
            (museum, nonce, deadline, _signature(typed, devnet_key(MUSEUM_INDEX))),
        ),
        university,
        "a restoration recorded by a partner with the holder's consent (its first signed action)",
        "provenance_event_with_consent",
    )
    # Custody passed on: museum -> restorer, then back to the owner.
    bench.send(
        fns.handOver(art, CUSTODY, restorer, now() + DAY),
        museum,
        "the museum offers custody to a restorer",
    )
    bench.send(
        fns.takeOver(art, CUSTODY),
        restorer,
        "the restorer accepts custody from the museum",
        "provenance_accept_custody_next",
    )
    bench.send(fns.handOver(art, CUSTODY, buyer, now() + DAY), restorer, "the restorer returns it to the owner")
    bench.send(fns.takeOver(art, CUSTODY), buyer, "the owner accepts custody back", "provenance_accept_custody_return")
    # Stolen and recovered.
    bench.send(
        fns.logIncident(art, STOLEN, label_hash("police report")),
        buyer,
        "the owner reports it stolen",
        "provenance_flag_stolen",
    )
    bench.send(
        fns.clearDisposition(art, label_hash("found")), buyer, "the owner declares it recovered", "provenance_recovered"
    )
    bench.send(fns.logIncident(art, LOST, label_hash("lost")), buyer, "the owner reports it lost")
    bench.send(fns.clearDisposition(art, label_hash("found again")), buyer, "the owner declares it found")
    # Offers rejected and cancelled.
    bench.send(fns.handOver(art, TITLE, museum, now() + DAY), buyer, "offer the title to the museum")
    bench.send(
        fns.reject(art, TITLE, label_hash("no budget")), museum, "the museum rejects the offer", "provenance_reject"
    )
    bench.send(fns.handOver(art, CUSTODY, courier, now() + DAY), buyer, "offer custody to a courier")
    bench.send(fns.cancel(art, CUSTODY), buyer, "the owner withdraws the custody offer", "provenance_cancel")
    # A claim with a one-time key, relayed by the courier for the collector.
    key = Account.from_key(CLAIM_KEY)
    bench.send(
        fns.proposeClaim(art, TITLE, key.address, now() + 30 * DAY),
        buyer,
        "offer the title to whoever holds a one-time key",
        "provenance_propose_claim",
    )
    deadline = now() + DAY
    signature = _signature(claim_typed_data(art, TITLE, collector, deadline, chain_id, registry), CLAIM_KEY)
    bench.send(
        fns.claim(art, TITLE, collector, deadline, signature),
        courier,
        "the collector claims the title with the key, relayed by a courier",
        "provenance_claim",
    )
    # A Merkle batch of events, a recall and its end.
    bench.send(
        fns.anchorEvents(label_hash("events root"), 1024),
        town,
        "anchor a Merkle root of 1,024 lifecycle events",
        "provenance_anchor_events",
    )
    bench.send(
        fns.recall(label_hash("garment"), label_hash("recall notice")), town, "recall the garment", "provenance_recall"
    )
    bench.send(
        fns.endRecall(label_hash("garment"), label_hash("recall ended")),
        town,
        "end the recall",
        "provenance_end_recall",
    )
    # A false report cleared by a council majority (2 of 3).
    bench.send(fns.logIncident(art, DESTROYED, label_hash("false report")), collector, "the owner reports it destroyed")
    bench.send(
        fns.proposeClearing(art, label_hash("it was not destroyed")),
        town,
        "a council member proposes clearing the false report",
        "provenance_propose_clearing",
    )
    clearing_id = int(fns.clearingCount().call())
    council = [a for a in accounts if a != town and c.partners.functions.isActiveCouncil(a).call()]
    required = (len(council) + 1) // 2 + 1
    for i, member in enumerate(council[: required - 1]):
        key = "provenance_vote_clearing" if i == 0 else None
        bench.send(fns.voteClearing(clearing_id), member, f"council member {i + 2} votes for it", key)
    bench.send(
        fns.executeClearing(clearing_id),
        courier,
        f"executed by anyone once {required} of {len(council) + 1} members voted for it",
        "provenance_execute_clearing",
    )
    if int(fns.originalOf(art).call()[3]) != 0:
        raise BenchError("the council clearing did not clear the disposition")
