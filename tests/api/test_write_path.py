"""The issuing write path through the API, against anvil: issue, verify, change status, follow the transaction.

Documents come back only once their transaction is mined (issue 11, finding 1): a root still in the mempool can be
dropped or beaten to the chain, and documents of a root that never lands verify INVALID. A transaction that reverts
once mined is reported by the contract's error name, with no documents. The issuer's nonce is read from the node
for every transaction (finding 20): a transaction the issuer's account sends elsewhere, or another API replica
holding the same key, does not make the next write fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address
from fastapi.testclient import TestClient
from support import devchain
from support.write_world import WriteWorld, original, write_world

from api.main import create_app
from devtools.devnet import devnet_key
from ledger.events import ProposalKind

pytestmark = pytest.mark.usefixtures("anvil_bytecode")


@pytest.fixture(scope="module")
def anvil_bytecode() -> None:
    if not devchain.BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(tmp_path_factory.mktemp("write-path")) as built:
        yield built


@pytest.fixture(scope="module")
def api(world: WriteWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings)) as client:
        yield client


def _auth(world: WriteWorld, name: str = "issuer") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[name]}"}


def _verify(api: TestClient, document: dict[str, Any]) -> str:
    response = api.post("/verify/document", json=document)
    assert response.status_code == 200, response.text
    verdict: str = response.json()["verdict"]
    return verdict


def _issue(world: WriteWorld, api: TestClient, name: str) -> dict[str, Any]:
    response = api.post("/certificates", json={"original": original(name)}, headers=_auth(world))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _change(world: WriteWorld, api: TestClient, action: str, certificate: str, **body: Any) -> dict[str, Any]:
    """``action`` on the certificate with id ``certificate``, with the issuer's key; the 202 answer."""
    response = api.post(f"/certificates/{certificate}/{action}", json={"reason": 4, **body}, headers=_auth(world))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_an_issued_certificate_is_mined_when_answered_pending_until_indexed_then_valid(
    world: WriteWorld, api: TestClient
) -> None:
    item = original("certificate-of-origin.pdf")
    response = api.post("/certificates", json={"original": item, "valid_until": None}, headers=_auth(world))

    assert response.status_code == 202, response.text
    answer = response.json()
    receipt = world.receipt(answer["tx_hash"])
    assert (receipt["status"], int(receipt["blockNumber"], 16)) == ("0x1", answer["block_number"])
    (document,) = answer["documents"]
    root = document["proof"]["merkleRoot"]
    assert answer == {
        "tx_hash": answer["tx_hash"],
        "id": devchain.certificate_id(world.address("issuer"), root),
        "root": root,
        "mode": "single",
        "status": "pending",
        "block_number": world.head(),
        "documents": [document],
    }
    assert document["proof"]["targetHash"] == answer["root"]
    pending = {
        "tx_hash": answer["tx_hash"],
        "status": "pending",
        "action": "issue",
        "certificate_id": answer["id"],
        "root": answer["root"],
        "leaf": None,
        "documents": 1,
        "block_number": None,
    }
    assert api.get(f"/transactions/{answer['tx_hash']}").json() == pending
    assert _verify(api, document) == "NOT_FOUND"

    world.index()
    indexed = {**pending, "status": "indexed", "block_number": answer["block_number"]}
    assert api.get(f"/transactions/{answer['tx_hash']}").json() == indexed
    assert _verify(api, document) == "VALID"
    by_fingerprint = api.get(f"/verify/fingerprint/{item['fingerprint']}").json()
    found = by_fingerprint["results"][0]["certificate"]
    assert (by_fingerprint["verdict"], found["id"], found["root"]) == ("VALID", answer["id"], answer["root"])


def test_a_transaction_this_api_did_not_send_is_unknown(api: TestClient) -> None:
    tx_hash = devchain.h32(1, "not-sent")
    assert api.get(f"/transactions/{tx_hash}").json() == {
        "tx_hash": tx_hash,
        "status": "unknown",
        "action": None,
        "certificate_id": None,
        "root": None,
        "leaf": None,
        "documents": None,
        "block_number": None,
    }


def test_every_document_of_an_issued_batch_verifies_valid_once_indexed(world: WriteWorld, api: TestClient) -> None:
    items = [original(f"bale-{i}.pdf") for i in range(3)]
    response = api.post("/batches", json={"originals": items}, headers=_auth(world))

    assert response.status_code == 202, response.text
    answer = response.json()
    assert (answer["mode"], answer["status"], world.receipt(answer["tx_hash"])["status"]) == (
        "batch_public",
        "pending",
        "0x1",
    )
    assert len(answer["documents"]) == 3
    assert {d["proof"]["merkleRoot"] for d in answer["documents"]} == {answer["root"]}
    assert answer["id"] == devchain.certificate_id(world.address("issuer"), answer["root"])
    world.index()
    assert api.get(f"/transactions/{answer['tx_hash']}").json()["status"] == "indexed"
    assert [_verify(api, d) for d in answer["documents"]] == ["VALID"] * 3
    for item, document in zip(items, answer["documents"], strict=True):
        found = api.get(f"/verify/fingerprint/{item['fingerprint']}").json()
        assert (found["verdict"], found["results"][0]["certificate"]["leaf"]) == (
            "VALID",
            document["proof"]["targetHash"],
        )


def test_suspend_reinstate_and_revoke_through_the_api_show_in_verification(world: WriteWorld, api: TestClient) -> None:
    issued = _issue(world, api, "to-be-revoked.pdf")
    (document,) = issued["documents"]
    certificate = issued["id"]
    world.index()

    seen = []
    for action in ("suspend", "reinstate", "revoke"):
        answer = _change(world, api, action, certificate)
        assert answer == {
            "tx_hash": answer["tx_hash"],
            "action": action,
            "id": certificate,
            "leaf": None,
            "status": "pending",
            "block_number": world.head(),
        }
        assert world.receipt(answer["tx_hash"])["status"] == "0x1"
        assert api.get(f"/transactions/{answer['tx_hash']}").json()["status"] == "pending"
        world.index()
        assert api.get(f"/transactions/{answer['tx_hash']}").json()["status"] == "indexed"
        seen.append(_verify(api, document))
    assert seen == ["SUSPENDED", "VALID", "REVOKED"]
    history = api.get(f"/certificates/{certificate}").json()["history"]
    assert [h["action"] for h in history] == ["issued", "suspended", "reinstated", "revoked"]


def test_one_document_of_a_batch_is_suspended_and_reinstated_with_its_proof(world: WriteWorld, api: TestClient) -> None:
    response = api.post(
        "/batches", json={"originals": [original("one.pdf"), original("two.pdf")]}, headers=_auth(world)
    )
    first, second = response.json()["documents"]
    certificate, leaf = response.json()["id"], first["proof"]["targetHash"]

    answer = _change(world, api, "suspend", certificate, leaf=leaf, proof=first["proof"]["proof"])
    assert (answer["leaf"], answer["id"]) == (leaf, certificate)
    world.index()
    assert (_verify(api, first), _verify(api, second)) == ("SUSPENDED", "VALID")
    _change(world, api, "reinstate", certificate, leaf=leaf, proof=first["proof"]["proof"])
    world.index()
    assert (_verify(api, first), _verify(api, second)) == ("VALID", "VALID")


def test_a_refusal_at_estimation_names_the_contracts_error_and_sends_nothing(
    world: WriteWorld, api: TestClient
) -> None:
    certificate = _issue(world, api, "revoked-twice.pdf")["id"]
    _change(world, api, "revoke", certificate)
    counts, nonces = world.counts(), world.nonces()

    response = api.post(f"/certificates/{certificate}/revoke", json={"reason": 4}, headers=_auth(world))

    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank",
        "title": "Already revoked",
        "status": 409,
        "detail": f"CertificateRegistryAlreadyRevoked(id={certificate}, leaf=0x{'00' * 32})",
        "instance": f"/certificates/{certificate}/revoke",
        "error": "CertificateRegistryAlreadyRevoked",
    }
    assert (world.counts(), world.nonces()) == (counts, nonces)


def test_an_outside_transaction_between_two_api_writes_does_not_break_the_next(
    world: WriteWorld, api: TestClient
) -> None:
    """The issuer's account sends a transaction elsewhere (a wallet, a script): the API's next write still works."""
    _issue(world, api, "before.pdf")
    issuer = world.address("issuer")
    before = world.nonces()["issuer"]
    world.rpc.call("eth_sendTransaction", [{"from": issuer, "to": issuer, "value": "0x0"}])
    assert world.nonces()["issuer"] == before + 1

    after = _issue(world, api, "after.pdf")

    assert world.receipt(after["tx_hash"])["status"] == "0x1"
    assert world.nonces()["issuer"] == before + 2


def test_two_api_replicas_sharing_a_key_write_concurrently_and_every_write_succeeds(
    world: WriteWorld, api: TestClient
) -> None:
    """Two apps (two replicas, each with its own sender) issue with the same key at the same time."""
    before = world.nonces()["issuer"]
    with TestClient(create_app(world.settings)) as replica:
        clients = [api, replica] * 5

        def write(i: int) -> httpx.Response:
            return clients[i].post("/certificates", json={"original": original(f"r{i}.pdf")}, headers=_auth(world))

        with ThreadPoolExecutor(max_workers=4) as pool:
            responses = list(pool.map(write, range(len(clients))))

    assert [r.status_code for r in responses] == [202] * 10, [r.text for r in responses if r.status_code != 202]
    hashes = {r.json()["tx_hash"] for r in responses}
    assert len(hashes) == 10
    assert {world.receipt(h)["status"] for h in hashes} == {"0x1"}
    assert world.nonces()["issuer"] == before + 10


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)


class _Manual:
    """Anvil without automine while inside: transactions wait in the mempool until :meth:`mine`."""

    def __init__(self, world: WriteWorld) -> None:
        self.world = world

    def __enter__(self) -> _Manual:
        self.world.rpc.call("evm_setAutomine", [False])
        return self

    def __exit__(self, *_: object) -> None:
        self.world.rpc.call("evm_setAutomine", [True])

    def mine(self) -> int:
        self.world.rpc.call("evm_mine", [])
        return self.world.head()


def test_issued_documents_come_back_only_once_their_transaction_is_mined(world: WriteWorld, api: TestClient) -> None:
    answers: list[httpx.Response] = []
    nonce = world.nonces()["issuer"]
    with _Manual(world) as chain:
        writer = threading.Thread(
            target=lambda: answers.append(
                api.post("/certificates", json={"original": original("mempool.pdf")}, headers=_auth(world))
            )
        )
        writer.start()
        _eventually(lambda: world.nonces()["issuer"] == nonce + 1)  # the transaction is in the mempool
        time.sleep(0.5)
        assert answers == [], "documents handed out before their transaction was mined"
        block = chain.mine()
        writer.join(timeout=10)

    (response,) = answers
    assert response.status_code == 202, response.text
    assert response.json()["block_number"] == block
    assert world.receipt(response.json()["tx_hash"])["status"] == "0x1"


def test_an_issuance_that_reverts_once_mined_names_the_contracts_error_and_hands_out_no_documents(
    world: WriteWorld, api: TestClient
) -> None:
    """The council suspends the issuer in the block that mines its issuance (ordered first by its higher tip)."""
    other = world.address("other")
    created = world.chain.partner_tx(0, "propose", int(ProposalKind.SUSPEND), other, 0, 0)
    proposal_id = int(created.logs[0]["topics"][1], 16)
    world.chain.partner_tx(1, "vote", proposal_id, True)
    execute = _signed_with_tip(
        world, 2, world.chain.partners.address, world.chain.partners.encode("execute", proposal_id)
    )
    counts, nonce = world.counts(), world.nonces()["other"]
    answers: list[httpx.Response] = []

    with _Manual(world) as chain:
        writer = threading.Thread(
            target=lambda: answers.append(
                api.post("/certificates", json={"original": original("late.pdf")}, headers=_auth(world, "other"))
            )
        )
        writer.start()
        _eventually(lambda: world.nonces()["other"] == nonce + 1)
        world.rpc.call("eth_sendRawTransaction", [execute])
        chain.mine()
        writer.join(timeout=10)

    (response,) = answers
    assert response.status_code == 403, response.text
    assert response.json() == {
        "type": "about:blank",
        "title": "Not an active issuer",
        "status": 403,
        "detail": f"CertificateRegistryUnauthorizedIssuer(account={other})",
        "instance": "/certificates",
        "error": "CertificateRegistryUnauthorizedIssuer",
    }
    assert world.counts() == counts, "a reverted issuance is not recorded"
    assert world.nonces()["other"] == nonce + 1, "the issuance was sent, and mined as a revert"


def _signed_with_tip(world: WriteWorld, index: int, to: str, data: str) -> str:
    """A raw transaction from anvil account ``index`` paying a tip ten times the API's (mined first in a block)."""
    account = Account.from_key(devnet_key(index))
    base = int(world.rpc.call("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
    tx = {
        "type": 2,
        "chainId": world.chain.chain_id,
        "nonce": int(world.rpc.call("eth_getTransactionCount", [account.address, "pending"]), 16),
        "gas": 1_000_000,
        "maxFeePerGas": 2 * base + 10_000_000_000,
        "maxPriorityFeePerGas": 10_000_000_000,
        "value": 0,
        "data": data,
        "to": to_checksum_address(to),
    }
    return "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()


def test_an_issuance_not_mined_in_time_is_504_without_documents_and_followed_until_indexed(
    world: WriteWorld,
) -> None:
    impatient = world.settings.model_copy(update={"mined_timeout": 0.3})
    counts = world.counts()
    with TestClient(create_app(impatient)) as api, _Manual(world) as chain:
        response = api.post("/certificates", json={"original": original("slow.pdf")}, headers=_auth(world))
        (row,) = _new_issuances(world, counts)
        tx_hash = row["tx_hash"]
        assert response.status_code == 504
        assert response.json() == {
            "type": "about:blank",
            "title": "Transaction not mined in time",
            "status": 504,
            "detail": f"no receipt for {tx_hash} after 0.3 s",
            "instance": "/certificates",
        }
        assert api.get(f"/transactions/{tx_hash}").json()["status"] == "pending"
        block = chain.mine()
    world.index()
    with TestClient(create_app(world.settings)) as api:
        answer = api.get(f"/transactions/{tx_hash}").json()
    assert (answer["status"], answer["block_number"], answer["action"]) == ("indexed", block, "issue")


def _new_issuances(world: WriteWorld, before: dict[str, int]) -> list[dict[str, Any]]:
    """The rows of ``issuances`` written since ``before`` (a :meth:`WriteWorld.counts`)."""
    from sqlalchemy import select

    from ledger.db import schema

    with world.engine.connect() as conn:
        rows = conn.execute(select(schema.issuances).offset(before["issuances"])).mappings().all()
    return [dict(r) for r in rows]
