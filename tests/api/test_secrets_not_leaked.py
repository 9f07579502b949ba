"""No node URL, keystore path, key or password reaches an answer or a log line; a node that cannot be reached is a
503 with a generic detail, on the issuing routes too (issue 11, findings 6 and 16c).

A provider's URL carries its key (``https://user:password@host``, ``/v3/<key>``, ``?apikey=``): the node's errors
used to name it, and the API answered them to anonymous clients word for word; an issuing route reported the node
being down as a 409 "refused by the contract". A 401 named the keystore's path on the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from support.api_scenario import Scenario
from support.keyed import Keyed, keyed_index

from api.main import create_app
from devtools.devnet import free_port
from ledger.chain.rpc import RpcClient, RpcError, TransientRpcError
from ledger.config import Settings

SECRETS = ("alice", "s3cret", "KEY123", "T0K")
NODE_UNAVAILABLE = "the chain node cannot be reached right now; try again later"


def secret_url(port: int) -> str:
    return f"http://alice:s3cret@127.0.0.1:{port}/v3/KEY123?token=T0K"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, text


def test_a_node_url_is_shown_with_scheme_host_and_port_only() -> None:
    from ledger.chain.rpc import redact_url

    assert redact_url("https://alice:s3cret@node.example:8545/v3/KEY123?token=T0K#x") == "https://node.example:8545"
    assert redact_url("http://[::1]:8545/KEY123") == "http://[::1]:8545"
    assert redact_url("wss://node.example/ws/KEY123") == "wss://node.example"
    assert redact_url("not a url") == "the node"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(503), "node at http://127.0.0.1:8545 answered HTTP 503"),
        (httpx.Response(401, text="bad key"), "node at http://127.0.0.1:8545 answered HTTP 401: bad key"),
        (httpx.Response(200, text="{cut"), "unreadable JSON from http://127.0.0.1:8545: unexpected character"),
    ],
    ids=["503", "401", "cut-off"],
)
def test_the_node_errors_name_the_node_without_its_credentials(answer: httpx.Response, message: str) -> None:
    client = RpcClient(
        "http://alice:s3cret@127.0.0.1:8545/v3/KEY123?token=T0K", transport=httpx.MockTransport(lambda r: answer)
    )
    with pytest.raises(RpcError) as raised:
        client.call("eth_chainId")
    assert str(raised.value).startswith(message), str(raised.value)
    assert_no_secret(str(raised.value))


def test_an_unreachable_node_is_named_without_its_credentials() -> None:
    port = free_port()
    with pytest.raises(TransientRpcError) as raised:
        RpcClient(secret_url(port), timeout=2).call("eth_chainId")
    assert str(raised.value) == f"cannot reach the node at http://127.0.0.1:{port}: [Errno 111] Connection refused"


@pytest.fixture(scope="module")
def keyed(sqlite_indexed: Settings, scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Keyed:
    return keyed_index(sqlite_indexed, tmp_path_factory.mktemp("keyed"), 3, scenario.partner("mill").address)


@pytest.fixture
def node_gone(keyed: Keyed, scenario: Scenario) -> Iterator[TestClient]:
    """An app that found the chain, and whose node then moved to a URL full of credentials that nothing answers."""
    with TestClient(create_app(keyed.settings), raise_server_exceptions=False) as client:
        case = scenario.cases["public-batch-0"]
        assert client.get(f"/verify/certificate/{case.leaf}", params={"source": "chain"}).status_code == 200
        client.app.state.rpc().url = secret_url(free_port())  # type: ignore[attr-defined]
        yield client


def unavailable(instance: str) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": "Chain node unavailable",
        "status": 503,
        "detail": NODE_UNAVAILABLE,
        "instance": instance,
    }


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_a_chain_answer_without_its_node_is_a_generic_503(
    node_gone: TestClient, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = scenario.cases["public-batch-0"]
    path = f"/verify/certificate/{case.leaf}"
    response = node_gone.get(path, params={"source": "chain"})
    assert (response.status_code, response.json()) == (503, unavailable(path))
    assert_no_secret(response.text, *logged(caplog))
    assert any("the chain node failed" in line for line in logged(caplog))


def test_an_issuing_route_without_its_node_is_a_generic_503_not_a_contract_refusal(
    node_gone: TestClient, keyed: Keyed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    original = {"name": "Bolt of linen", "kind": "fabric-batch", "fingerprint": "0x" + "cd" * 32}
    auth = {"Authorization": f"Bearer {keyed.api_key}"}
    response = node_gone.post("/certificates", json={"original": original}, headers=auth)
    assert (response.status_code, response.json()) == (503, unavailable("/certificates"))
    revoke = f"/certificates/0x{'ab' * 32}/revoke"
    response = node_gone.post(revoke, json={"reason": 1}, headers=auth)
    assert (response.status_code, response.json()) == (503, unavailable(revoke))
    assert_no_secret(response.text, *logged(caplog))


def test_a_keystore_that_does_not_open_is_a_401_that_names_no_path(
    sqlite_indexed: Settings, scenario: Scenario, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    keyed = keyed_index(sqlite_indexed, tmp_path, 3, scenario.partner("mill").address)
    keyed.keystore.unlink()
    original = {"name": "Bolt of linen", "kind": "fabric-batch", "fingerprint": "0x" + "cd" * 32}
    with TestClient(create_app(keyed.settings), raise_server_exceptions=False) as client:
        response = client.post(
            "/certificates", json={"original": original}, headers={"Authorization": f"Bearer {keyed.api_key}"}
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "the API key's keystore cannot be opened on this server",
        "instance": "/certificates",
    }
    for text in (response.text, *logged(caplog)):
        assert str(tmp_path) not in text and "keystore/" not in text, text
    assert (
        f"the keystore of issuer {scenario.partner('mill').address.lower()} (API key 'keyed-test') cannot be opened: "
        "no file"
    ) in logged(caplog)
