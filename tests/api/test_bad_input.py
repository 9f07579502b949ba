"""Bad input that used to answer 500 answers 422 with a message that says what is wrong, and writes nothing.

Issue 11, finding 21: an attribute name that is empty or holds '.' in ``POST /certificates`` and ``POST /batches``
(the document model refused it inside the route, past the request's validation), and a pagination cursor holding an
integer beyond 64 bits (or a string with NUL) in the unauthenticated lists (the database refused to bind it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from support.api_scenario import Scenario
from support.keyed import Keyed, keyed_index

from api.main import create_app
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.db import schema
from ledger.db.engine import make_engine
from ledger.reads import encode_cursor

PROBLEM = "application/problem+json"
ROOT = "0x" + "ab" * 32
FINGERPRINT = "0x" + "cd" * 32


def assert_problem(response: Any, status: int, title: str, detail: str, instance: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {k: body[k] for k in ("type", "title", "status", "detail", "instance")} == {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }


# -- cursors ----------------------------------------------------------------------------------------------------------

BEYOND_64_BITS = [2**63, 2**64 - 1]
CURSOR_LISTS = [
    ("/certificates", {}),  # the SQLite fast path's request
    ("/certificates", {"status": "VALID", "limit": "5"}),
    ("/proposals", {}),
]


@pytest.mark.parametrize("number", BEYOND_64_BITS, ids=["2**63", "2**64-1"])
@pytest.mark.parametrize(("path", "params"), CURSOR_LISTS, ids=["certs", "certs-filtered", "proposals"])
def test_a_cursor_holding_an_integer_beyond_64_bits_is_refused_with_422(
    api: TestClient, counts: Callable[[], dict[str, int]], path: str, params: dict[str, str], number: int
) -> None:
    before = counts()
    cursor = encode_cursor([number, ROOT])
    response = api.get(path, params={**params, "cursor": cursor})
    assert_problem(response, 422, "Invalid input", "the cursor is not one this API issued", path)
    assert counts() == before


@pytest.mark.parametrize(
    ("path", "cursor"),
    [("/partners", encode_cursor(["0x\x00"])), ("/certificates", encode_cursor([1, "0x\x00"]))],
    ids=["partners", "certificates"],
)
def test_a_cursor_holding_a_nul_character_is_refused_with_422(api: TestClient, path: str, cursor: str) -> None:
    """PostgreSQL cannot bind NUL in text; SQLite can: both answer the same 422."""
    response = api.get(path, params={"cursor": cursor})
    assert_problem(response, 422, "Invalid input", "the cursor is not one this API issued", path)


def test_a_cursor_at_the_64_bit_edge_is_still_accepted(api: TestClient) -> None:
    """The largest integer a cursor may hold pages on (past every certificate: an empty page)."""
    response = api.get("/certificates", params={"cursor": encode_cursor([-(2**63), ROOT])})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []


# -- attribute names --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(sqlite_indexed: Settings, scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Keyed:
    return keyed_index(sqlite_indexed, tmp_path_factory.mktemp("keyed"), 3, scenario.partner("mill").address)


@pytest.fixture(scope="module")
def issuing(keyed: Keyed) -> Iterator[TestClient]:
    with TestClient(create_app(keyed.settings), raise_server_exceptions=False) as client:
        yield client


def rows(keyed: Keyed) -> dict[str, int]:
    engine = make_engine(keyed.settings.database_url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def original(attributes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Bolt of linen", "kind": "fabric-batch", "fingerprint": FINGERPRINT, "attributes": attributes}


BAD_ATTRIBUTES = [
    ({"": "x"}, "attribute name '' must be non-empty, contain no '.' and have at most 100 characters"),
    (
        {"colour.shade": "x"},
        "attribute name 'colour.shade' must be non-empty, contain no '.' and have at most 100 characters",
    ),
]


@pytest.mark.parametrize(("attributes", "message"), BAD_ATTRIBUTES, ids=["empty-name", "dotted-name"])
@pytest.mark.parametrize("route", ["/certificates", "/batches"])
def test_a_bad_attribute_is_refused_with_422_before_anything_is_sent(
    issuing: TestClient,
    keyed: Keyed,
    rpc: RpcClient,
    scenario: Scenario,
    route: str,
    attributes: dict[str, Any],
    message: str,
) -> None:
    issuer = scenario.partner("mill").address
    nonce = rpc.call("eth_getTransactionCount", [issuer, "pending"])
    before = rows(keyed)
    if route == "/certificates":
        body: dict[str, Any] = {"original": original(attributes)}
        where = "original.attributes"
    else:
        body = {"originals": [original({"ok": 1}), original(attributes)]}
        where = "originals.1.attributes"
    response = issuing.post(route, json=body, headers={"Authorization": f"Bearer {keyed.api_key}"})
    assert_problem(response, 422, "Invalid input", f"{where}: Value error, {message}", route)
    assert rows(keyed) == before
    assert rpc.call("eth_getTransactionCount", [issuer, "pending"]) == nonce


@pytest.mark.parametrize("route", ["/certificates", "/batches"])
def test_a_zero_fingerprint_is_refused_with_422_before_anything_is_sent(
    issuing: TestClient, keyed: Keyed, rpc: RpcClient, scenario: Scenario, route: str
) -> None:
    """The zero hash names no original (the v2 registry refuses it for a single certificate): the request model
    refuses it, so the answer is a clear 422 and no transaction is estimated or sent."""
    issuer = scenario.partner("mill").address
    nonce = rpc.call("eth_getTransactionCount", [issuer, "pending"])
    before = rows(keyed)
    zero = {**original({}), "fingerprint": "0x" + "00" * 32}
    if route == "/certificates":
        body: dict[str, Any] = {"original": zero}
        where = "original.fingerprint"
    else:
        body = {"originals": [original({}), zero]}
        where = "originals.1.fingerprint"
    response = issuing.post(route, json=body, headers={"Authorization": f"Bearer {keyed.api_key}"})
    pattern = "^0x(?!0{64}$)[0-9a-fA-F]{64}$"
    assert_problem(response, 422, "Invalid input", f"{where}: String should match pattern '{pattern}'", route)
    assert rows(keyed) == before
    assert rpc.call("eth_getTransactionCount", [issuer, "pending"]) == nonce


def test_a_refused_issuance_body_is_explained_in_german_and_nothing_is_sent(
    issuing: TestClient, keyed: Keyed, rpc: RpcClient, scenario: Scenario
) -> None:
    """Issue 14: pydantic's messages by type in German (a pattern, our own validator's ``value_error``), the same
    locations as in English; still refused before anything is sent."""
    issuer = scenario.partner("mill").address
    nonce = rpc.call("eth_getTransactionCount", [issuer, "pending"])
    before = rows(keyed)
    body = {"originals": [original({"colour.shade": "x"}), {**original({}), "fingerprint": "0x" + "00" * 32}]}
    headers = {"Authorization": f"Bearer {keyed.api_key}", "Accept-Language": "de"}
    response = issuing.post("/batches", json=body, headers=headers)
    assert response.status_code == 422
    said = response.json()
    assert (said["title"], said["detail"]) == (
        "Ungültige Eingabe",
        "originals.0.attributes: Ungültiger Wert, der Attributname 'colour.shade' darf nicht leer sein, keinen '.' "
        "enthalten und höchstens 100 Zeichen haben",
    )
    assert said["errors"][1] == {
        "loc": ["body", "originals", "1", "fingerprint"],
        "msg": "Text muss dem Muster '^0x(?!0{64}$)[0-9a-fA-F]{64}$' entsprechen",
    }
    assert rows(keyed) == before
    assert rpc.call("eth_getTransactionCount", [issuer, "pending"]) == nonce
