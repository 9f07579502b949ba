"""Every write route refuses a caller who may not write, and then writes no row and sends no transaction.

The write routes (issue one, issue a batch, revoke, suspend, reinstate) are tried without a key, with a malformed
key, a well-formed key nobody issued, a revoked key, the key of an account that is not an issuer (issuing) or of
another issuer (status changes), and a council partner's key on another issuer's certificate: the contract lets a
council member suspend any certificate (and the council revoke one by decision), but an issuing API key must not carry
that power (issue 11, finding 5). Status routes name a certificate by its id (issuer and root), never by its bare
root. Each refusal is asserted exactly, and so is its absence of effects: every table's row count, the chain's head
and every account's pending nonce are the same afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support import devchain
from support.write_world import WriteWorld, original, write_world

from api.main import create_app
from ledger.issuance.keys import new_api_key

pytestmark = pytest.mark.usefixtures("anvil_bytecode")


@pytest.fixture(scope="module")
def anvil_bytecode() -> None:
    if not devchain.BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(tmp_path_factory.mktemp("write-auth")) as built:
        yield built


ROOTS = {"valid": devchain.h32(1, "auth-valid"), "suspended": devchain.h32(2, "auth-suspended")}
"""The roots of the issuer's certificates the status routes aim at (:func:`certificates` issues them)."""


@pytest.fixture(scope="module")
def certificates(world: WriteWorld) -> dict[str, str]:
    """The ids of the issuer's certificates the status routes aim at: one valid, one it suspended itself."""
    world.chain.issue(3, ROOTS["valid"], devchain.h32(1, "auth-fp"))
    world.chain.issue(3, ROOTS["suspended"], devchain.h32(2, "auth-fp"))
    ids = {name: world.chain.certificate_id(3, root) for name, root in ROOTS.items()}
    world.chain.set_status(3, "suspend", ids["suspended"], 4)
    return ids


@pytest.fixture(scope="module")
def api(world: WriteWorld, certificates: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings)) as client:
        yield client


STATUS_ROUTES = {"revoke": "valid", "suspend": "valid", "reinstate": "suspended"}
"""Each status route and the certificate it would succeed on for its issuer (a key of :data:`ROOTS`)."""


def _route(route: str, certificates: dict[str, str]) -> tuple[str, dict[str, Any]]:
    if route == "issue":
        return "/certificates", {"original": original("refused.pdf")}
    if route == "batch":
        return "/batches", {"originals": [original("refused-0.pdf"), original("refused-1.pdf")]}
    return f"/certificates/{certificates[STATUS_ROUTES[route]]}/{route}", {"reason": 5}


ROUTES = ("issue", "batch", "revoke", "suspend", "reinstate")

NO_KEY = "this operation needs an issuer API key (header: Authorization: Bearer <key>)"
UNKNOWN_KEY = "the API key is unknown or revoked"
UNAUTHENTICATED: dict[str, tuple[dict[str, str], str]] = {
    "no key": ({}, NO_KEY),
    "empty bearer": ({"Authorization": "Bearer "}, NO_KEY),
    "another scheme": ({"Authorization": "Basic b3JpZzp4"}, NO_KEY),
    "malformed key": ({"Authorization": "Bearer not-an-originals-key"}, UNKNOWN_KEY),
    "malformed key header": ({"X-API-Key": "orig_%%% not base64"}, UNKNOWN_KEY),
    "wrong key": ({"Authorization": f"Bearer {new_api_key()}"}, UNKNOWN_KEY),
    "revoked key": ({}, UNKNOWN_KEY),  # filled in with the world's revoked key
}


def _refused(
    world: WriteWorld, api: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """POST and return the problem; assert that no row was written and no transaction sent."""
    counts, head, nonces = world.counts(), world.head(), world.nonces()
    response = api.post(path, json=body, headers=headers)
    assert response.headers["content-type"] == "application/problem+json", response.text
    assert (world.counts(), world.head(), world.nonces()) == (counts, head, nonces)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code
    return {**problem, "www_authenticate": response.headers.get("www-authenticate")}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("credentials", list(UNAUTHENTICATED))
def test_a_write_without_a_valid_key_is_401_and_sends_nothing(
    world: WriteWorld, api: TestClient, certificates: dict[str, str], route: str, credentials: str
) -> None:
    headers, detail = UNAUTHENTICATED[credentials]
    if credentials == "revoked key":
        headers = {"Authorization": f"Bearer {world.keys['revoked']}"}
    path, body = _route(route, certificates)
    assert _refused(world, api, path, body, headers) == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": detail,
        "instance": path,
        "www_authenticate": "Bearer",
    }


@pytest.mark.parametrize("route", ["issue", "batch"])
def test_issuing_with_the_key_of_an_account_that_is_no_issuer_is_403_and_sends_nothing(
    world: WriteWorld, api: TestClient, certificates: dict[str, str], route: str
) -> None:
    path, body = _route(route, certificates)
    outsider = world.address("outsider")
    assert _refused(world, api, path, body, {"Authorization": f"Bearer {world.keys['outsider']}"}) == {
        "type": "about:blank",
        "title": "Not an active issuer",
        "status": 403,
        "detail": f"CertificateRegistryUnauthorizedIssuer(account={outsider})",
        "instance": path,
        "error": "CertificateRegistryUnauthorizedIssuer",
        "www_authenticate": None,
    }


@pytest.mark.parametrize("route", list(STATUS_ROUTES))
@pytest.mark.parametrize("caller", ["other", "council", "outsider"])
def test_a_status_change_with_another_issuers_key_is_403_and_sends_nothing(
    world: WriteWorld, api: TestClient, certificates: dict[str, str], route: str, caller: str
) -> None:
    """Another issuer, a council partner (whom the contract would let suspend) and a non-partner alike."""
    path, body = _route(route, certificates)
    certificate = certificates[STATUS_ROUTES[route]]
    headers = {"Authorization": f"Bearer {world.keys[caller]}"}
    assert _refused(world, api, path, body, headers) == {
        "type": "about:blank",
        "title": "Not this issuer's certificate",
        "status": 403,
        "detail": (
            f"certificate {certificate} was issued by {world.address('issuer')}, "
            f"not by this key's issuer {world.address(caller)}"
        ),
        "instance": path,
        "www_authenticate": None,
    }


@pytest.mark.parametrize("route", list(STATUS_ROUTES))
def test_a_council_partners_key_cannot_change_a_document_of_another_issuers_batch(
    world: WriteWorld, api: TestClient, route: str
) -> None:
    leaves = [devchain.h32(i, f"auth-batch-{route}") for i in range(2)]
    tree, _ = world.chain.issue_public_batch(3, leaves, [devchain.h32(i, f"auth-batch-fp-{route}") for i in range(2)])
    certificate, leaf = world.chain.certificate_id(3, "0x" + tree.root.hex()), leaves[0]
    proof = ["0x" + p.hex() for p in tree.proof(bytes.fromhex(leaf[2:]))]
    if route == "reinstate":
        world.chain.set_status(3, "suspend", certificate, 4, leaf, tree.proof(bytes.fromhex(leaf[2:])))
    path = f"/certificates/{certificate}/{route}"
    body = {"reason": 5, "leaf": leaf, "proof": proof}
    problem = _refused(world, api, path, body, {"Authorization": f"Bearer {world.keys['council']}"})
    assert (problem["status"], problem["title"]) == (403, "Not this issuer's certificate")


@pytest.mark.parametrize("route", list(STATUS_ROUTES))
def test_a_status_change_on_an_unknown_certificate_is_404_and_sends_nothing(
    world: WriteWorld, api: TestClient, route: str
) -> None:
    unknown = devchain.h32(404, "auth-unknown")
    path = f"/certificates/{unknown}/{route}"
    assert _refused(world, api, path, {"reason": 5}, {"Authorization": f"Bearer {world.keys['issuer']}"}) == {
        "type": "about:blank",
        "title": "Unknown certificate",
        "status": 404,
        "detail": f"no certificate {unknown} on chain",
        "instance": path,
        "www_authenticate": None,
    }


@pytest.mark.parametrize("route", list(STATUS_ROUTES))
def test_a_status_change_names_the_certificate_by_id_not_by_root(
    world: WriteWorld, api: TestClient, certificates: dict[str, str], route: str
) -> None:
    """The issuer's own certificate, addressed by its bare root, is unknown: roots are not certificates' names (two
    issuers may issue the same root); the id (issuer and root) is, and the control below succeeds with it."""
    root = ROOTS[STATUS_ROUTES[route]]
    assert certificates[STATUS_ROUTES[route]] == devchain.certificate_id(world.address("issuer"), root) != root
    path = f"/certificates/{root}/{route}"
    assert _refused(world, api, path, {"reason": 5}, {"Authorization": f"Bearer {world.keys['issuer']}"}) == {
        "type": "about:blank",
        "title": "Unknown certificate",
        "status": 404,
        "detail": f"no certificate {root} on chain",
        "instance": path,
        "www_authenticate": None,
    }


def test_the_issuers_own_key_passes_the_same_checks(
    world: WriteWorld, api: TestClient, certificates: dict[str, str]
) -> None:
    """The control: the refusals above come from the caller, not from the requests."""
    headers = {"Authorization": f"Bearer {world.keys['issuer']}"}
    for route in ("issue", "batch", "suspend", "reinstate", "revoke"):
        path, body = _route(route, certificates)
        if route == "reinstate":
            path = f"/certificates/{certificates['valid']}/reinstate"
        nonce = world.nonces()["issuer"]
        response = api.post(path, json=body, headers=headers)
        assert response.status_code == 202, response.text
        assert world.receipt(response.json()["tx_hash"])["status"] == "0x1"
        assert world.nonces()["issuer"] == nonce + 1
