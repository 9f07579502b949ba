"""The demo's relayer: signed actions carried out for their signers from one paying account, nonces counted locally
across a run, and a refused action reported with the contract's error by name (never passed over)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from support import devchain

from devtools.devnet import Anvil, devnet_key
from devtools.relay import Relayer, RelayError
from ledger.chain.contracts import ContractRevert
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import TxSender
from ledger.events import ISSUER, ZERO_HASH, OrganisationType, PartnerStatus, ProposalKind

APPLICANT = Account.from_key("0x" + "11" * 32)
OUTSIDER = Account.from_key("0x" + "22" * 32)


@pytest.fixture
def world() -> Iterator[tuple[devchain.Consortium, Relayer]]:
    with Anvil() as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client)
        sender = TxSender(client, Account.from_key(devnet_key(9)), consortium.chain_id)
        registries = {"PartnerRegistry": consortium.partners, "CertificateRegistry": consortium.certificates}
        yield consortium, Relayer(client, sender, registries)


def view(consortium: devchain.Consortium, fn: str, *args: object) -> object:
    return consortium.partners.view(consortium.client, fn, *args)[0]


def test_a_run_of_dependent_signed_actions_is_carried_out_in_order_for_their_signers(
    world: tuple[devchain.Consortium, Relayer],
) -> None:
    consortium, relay = world
    town, bank = (Account.from_key(devnet_key(i)) for i in (0, 1))
    details = {"orgType": int(OrganisationType.SME), "displayName": "Mill", "domain": "mill.example"}
    relay.add("Apply", APPLICANT, {**details, "metadataHash": ZERO_HASH})
    fields = {"kind": int(ProposalKind.ADMIT), "subject": APPLICANT.address, "rights": ISSUER, "cutoff": 0}
    relay.add("Propose", town, fields)
    relay.add("Vote", bank, {"proposalId": 1, "support": True})
    relay.add("Execute", town, {"proposalId": 1})  # the town's second action: its nonce 1, counted here
    receipts = relay.flush()
    assert [r.status for r in receipts] == [1, 1, 1, 1]
    assert view(consortium, "partner", APPLICANT.address)[1] == PartnerStatus.ACTIVE  # type: ignore[index]
    nonces = {who.address: view(consortium, "nonces", who.address) for who in (APPLICANT, town, bank)}
    assert nonces == {APPLICANT.address: 1, town.address: 2, bank.address: 1}
    assert relay.flush() == []  # nothing queued, nothing sent


def test_a_refused_action_stops_the_run_with_the_contracts_error(world: tuple[devchain.Consortium, Relayer]) -> None:
    _, relay = world
    fields = {"kind": int(ProposalKind.ADMIT), "subject": APPLICANT.address, "rights": 0, "cutoff": 0}
    relay.add("Propose", OUTSIDER, fields)
    with pytest.raises(RelayError, match="PartnerRegistryNotCouncil") as caught:
        relay.flush()
    cause = caught.value.__cause__
    assert isinstance(cause, ContractRevert)
    assert (cause.error, cause.error_args) == ("PartnerRegistryNotCouncil", (OUTSIDER.address.lower(),))
