"""The API serves the deployment its index follows: the chain id in the index's sync state and that chain's manifest.

From there come the binding every presented document must name (never from the node: a node that is down, or on
another chain, cannot switch it off), whether the well-known devnet keys may sign (only where the manifest says the
chain is a local devnet, not by chain id or the ``development`` default), and the refusal of a manifest of another
contract version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from support.api_scenario import Scenario

from api.main import create_app
from devtools.devnet import devnet_key, free_port
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import CONTRACT_VERSION, ContractVersionMismatch, manifest_path
from ledger.indexer.state import SyncState
from ledger.issuance.keys import create_keystore, register_api_key

PROBLEM = "application/problem+json"


def settings_for(scenario: Scenario, database_url: str) -> Settings:
    """The app's settings for the scenario's chain (what tests/api/conftest.py makes, importable from here)."""
    return Settings(
        environment="test",
        database_url=database_url,
        rpc_url=scenario.url,
        deployments_dir=scenario.deployments_dir,
        poll_interval=0.05,
    )


PASSWORD = "not-a-devnet-password"


def manifest_copy(scenario: Scenario, folder: Path, **changes: Any) -> Path:
    """``folder`` holding the scenario's manifest with ``changes`` (a value None deletes the field)."""
    obj = json.loads(manifest_path(scenario.chain_id, scenario.deployments_dir).read_text())
    for key, value in changes.items():
        if value is None:
            del obj[key]
        else:
            obj[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{scenario.chain_id}.json").write_text(json.dumps(obj))
    return folder


def index_of_chain(database: Path, chain_id: int) -> str:
    """A database an indexer has opened for ``chain_id`` (its sync state, no events yet)."""
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            SyncState(chain_id, "0" * 64).open(conn, 1)
    finally:
        engine.dispose()
    return url


def devnet_api_key(settings: Settings, account: int) -> str:
    """An API key whose keystore holds anvil's well-known key ``account``."""
    address, path = create_keystore(settings.keystore_dir, PASSWORD, devnet_key(account))
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            return register_api_key(conn, address.lower(), path, "devnet founder")
    finally:
        engine.dispose()


@pytest.fixture
def keyed_app(scenario: Scenario, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, str]]:
    """An app on chain 31337 in the default ``development`` environment, its manifest saying ``request.param``."""
    settings = settings_for(scenario, index_of_chain(tmp_path / "index.db", scenario.chain_id)).model_copy(
        update={
            "environment": "development",
            "deployments_dir": manifest_copy(scenario, tmp_path / "deployments", network_kind=request.param),
            "keystore_dir": tmp_path / "keystore",
            "keystore_password": SecretStr(PASSWORD),
        }
    )
    key = devnet_api_key(settings, 0)
    # Outside environment=test only the configured hosts are answered: talk to it as the devnet's own address.
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        yield client, key


UNISSUED = "0x" + "5e" * 32


@pytest.mark.parametrize("keyed_app", ["live"], indirect=True)
def test_devnet_key_is_refused_where_the_manifest_says_live_even_on_chain_31337_in_development(
    keyed_app: tuple[TestClient, str], scenario: Scenario
) -> None:
    client, key = keyed_app
    assert scenario.chain_id == 31337
    response = client.post(
        f"/certificates/{UNISSUED}/revoke", json={"reason": 3}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == PROBLEM
    founder = devnet_key_address(0)
    assert response.json() == {
        "type": "about:blank",
        "title": "Devnet key refused",
        "status": 403,
        "detail": f"{founder} is a well-known devnet key; refused outside a devnet",
        "instance": f"/certificates/{UNISSUED}/revoke",
    }


@pytest.mark.parametrize("keyed_app", ["local-devnet"], indirect=True)
def test_devnet_key_signs_where_the_manifest_says_local_devnet(
    keyed_app: tuple[TestClient, str], rpc: RpcClient
) -> None:
    """Past the key gate the registry itself answers: the certificate does not exist (estimated, nothing sent)."""
    client, key = keyed_app
    nonce = rpc.call("eth_getTransactionCount", [devnet_key_address(0), "latest"])
    response = client.post(
        f"/certificates/{UNISSUED}/revoke", json={"reason": 3}, headers={"Authorization": f"Bearer {key}"}
    )
    assert (response.status_code, response.json()["title"]) == (404, "Unknown certificate"), response.text
    assert rpc.call("eth_getTransactionCount", [devnet_key_address(0), "latest"]) == nonce


def devnet_key_address(account: int) -> str:
    from eth_account import Account

    return str(Account.from_key(devnet_key(account)).address).lower()


# -- the binding ----------------------------------------------------------------------------------------------------


def test_a_document_bound_to_another_chain_is_tampered_while_the_node_is_down(
    indexed: Settings, scenario: Scenario
) -> None:
    """The binding is the index's deployment, so a node that does not answer cannot switch the check off."""
    settings = indexed.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}", "rpc_timeout": 2.0})
    case = scenario.cases["bound-to-another-chain"]
    with TestClient(create_app(settings)) as nodeless:
        response = nodeless.post("/verify/document", json=case.document)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["verdict"] == "TAMPERED"
    assert answer["checks"][0] == {
        "name": "DOCUMENT_INTEGRITY",
        "status": "INVALID",
        "reason": f"the document is bound to chain 1, not this deployment's chain {scenario.chain_id}",
        "details": {},
    }


def test_a_document_is_not_judged_before_the_index_knows_its_chain(scenario: Scenario, tmp_path: Path) -> None:
    """An index no indexer has opened yet has no deployment to bind documents to: 503, not an unbound verdict."""
    settings = settings_for(scenario, f"sqlite:///{tmp_path / 'empty.db'}")
    document = scenario.cases["wrapped-single"].document
    with TestClient(create_app(settings)) as client:
        response = client.post("/verify/document", json=document)
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Deployment unknown",
        "status": 503,
        "detail": "verifying a document needs the deployment the index follows; it has none yet",
        "instance": "/verify/document",
    }


# -- the contract version -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("recorded", [1, None])
def test_the_api_refuses_to_start_on_a_manifest_of_another_contract_version(
    scenario: Scenario, tmp_path: Path, recorded: int | None
) -> None:
    deployments = manifest_copy(scenario, tmp_path / "deployments", contract_version=recorded)
    database = index_of_chain(tmp_path / "index.db", scenario.chain_id)
    settings = settings_for(scenario, database).model_copy(update={"deployments_dir": deployments})
    what = "records no contract version" if recorded is None else "records contract version 1"
    path = deployments / f"{scenario.chain_id}.json"
    with pytest.raises(ContractVersionMismatch) as excinfo, TestClient(create_app(settings)):
        pass
    assert str(excinfo.value) == (
        f"{path} {what}, but this code needs version {CONTRACT_VERSION}: redeploy the contracts "
        "(`make run UP_ARGS=--fresh` on a devnet, `ape run deploy --redeploy` elsewhere)"
    )
