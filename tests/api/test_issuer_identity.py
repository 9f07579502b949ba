"""``GET /issuer``: whom an issuer API key speaks for, the issuer console's sign-in.

The world is :func:`support.write_world.write_world` (an issuer, another issuer, a founder with the council right, an
account that is no partner, and a revoked key), with the other issuer then suspended by the council: the answer says
who each key is and whether it may issue now, reads nothing from the node, and refuses every key that is not a live
one with the same 401 problem the write routes give (and never echoes the key).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from support import devchain
from support.write_world import WriteWorld, write_world

from api.main import create_app
from ledger.events import ProposalKind
from ledger.issuance.keys import new_api_key


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    if not devchain.BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)
    with write_world(tmp_path_factory.mktemp("issuer-identity")) as built:
        receipt = built.chain.partner_tx(0, "propose", int(ProposalKind.SUSPEND), built.address("other"), 0, 0)
        proposal = int(receipt.logs[0]["topics"][1], 16)
        built.chain.partner_tx(1, "vote", proposal, True)
        built.chain.partner_tx(2, "execute", proposal)
        built.index()
        yield built


@pytest.fixture(scope="module")
def api(world: WriteWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings)) as client:
        yield client


def _me(api: TestClient, key: str, header: str = "bearer") -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"} if header == "bearer" else {"X-API-Key": key}
    response = api.get("/issuer", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, object] = response.json()
    return body


def test_an_active_issuers_key_says_who_it_is_and_that_it_may_issue(world: WriteWorld, api: TestClient) -> None:
    block = world.index()
    expected = {
        "address": world.address("issuer"),
        "key_label": "issuer",
        "display_name": "Linen Mill Ltd",
        "org_type": "SME",
        "domain": "p3.example",
        "status": "ACTIVE",
        "rights": ["ISSUER"],
        "active_issuer": True,
        "indexed_block": block,
    }
    assert _me(api, world.keys["issuer"]) == expected
    assert _me(api, world.keys["issuer"], header="x-api-key") == expected  # the alternative header, as the writes


def test_a_founders_key_shows_both_rights(world: WriteWorld, api: TestClient) -> None:
    me = _me(api, world.keys["council"])
    partner = api.get(f"/partners/{world.address('council')}").json()
    assert (me["address"], me["display_name"], me["rights"], me["active_issuer"]) == (
        world.address("council"),
        partner["display_name"],
        ["ISSUER", "COUNCIL"],
        True,
    )


def test_a_partner_suspended_by_the_council_is_answered_but_may_not_issue(world: WriteWorld, api: TestClient) -> None:
    me = _me(api, world.keys["other"])
    assert (me["display_name"], me["status"], me["rights"], me["active_issuer"]) == (
        "Harbour Art Foundation",
        "SUSPENDED",
        ["ISSUER"],
        False,
    )


def test_a_key_of_an_account_that_is_no_partner_is_answered_with_empty_details(
    world: WriteWorld, api: TestClient
) -> None:
    assert _me(api, world.keys["outsider"]) == {
        "address": world.address("outsider"),
        "key_label": "outsider",
        "display_name": None,
        "org_type": None,
        "domain": None,
        "status": None,
        "rights": [],
        "active_issuer": False,
        "indexed_block": world.index(),
    }


NO_KEY = "this operation needs an issuer API key (header: Authorization: Bearer <key>)"
UNKNOWN_KEY = "the API key is unknown or revoked"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, NO_KEY),
        ({"Authorization": "Bearer "}, NO_KEY),
        ({"Authorization": "Basic b3JpZzp4"}, NO_KEY),
        ({"Authorization": "Bearer not-an-originals-key"}, UNKNOWN_KEY),
        ({"X-API-Key": "orig_%%% not base64"}, UNKNOWN_KEY),
        ({"Authorization": f"Bearer {'x' * 5000}"}, UNKNOWN_KEY),
        ({"Authorization": "Bearer wrong"}, UNKNOWN_KEY),  # filled in with a fresh key below
        ({"Authorization": "Bearer revoked"}, UNKNOWN_KEY),  # filled in with the world's revoked key
    ],
    ids=["no key", "empty bearer", "another scheme", "malformed", "malformed header", "huge", "wrong", "revoked"],
)
def test_a_missing_wrong_or_revoked_key_is_a_401_problem_that_does_not_echo_it(
    world: WriteWorld, api: TestClient, headers: dict[str, str], detail: str
) -> None:
    if headers.get("Authorization") == "Bearer wrong":
        headers = {"Authorization": f"Bearer {new_api_key()}"}
    if headers.get("Authorization") == "Bearer revoked":
        headers = {"Authorization": f"Bearer {world.keys['revoked']}"}
    counts = world.counts()
    response = api.get("/issuer", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": detail,
        "instance": "/issuer",
    }
    for value in headers.values():
        secret = value.split(" ", 1)[-1]
        if len(secret) > 8:
            assert secret not in response.text
    assert world.counts() == counts  # nothing written


def test_head_answers_as_get_without_the_body(world: WriteWorld, api: TestClient) -> None:
    headers = {"Authorization": f"Bearer {world.keys['issuer']}"}
    get, head = api.get("/issuer", headers=headers), api.head("/issuer", headers=headers)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == get.headers["content-length"]
    assert api.head("/issuer").status_code == 401


def test_other_methods_are_405_problems(world: WriteWorld, api: TestClient) -> None:
    response = api.post("/issuer", headers={"Authorization": f"Bearer {world.keys['issuer']}"}, json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
