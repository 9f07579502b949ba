"""Links come from the configured public base URL, and only trusted hosts are answered (issue 11, finding 11).

The QR code of a certificate is cached for a day by anyone on the way (``public, max-age=86400``): its link used to be
made from the request's Host header, so one request could plant a link to another site in every cache between.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import segno
from fastapi.testclient import TestClient
from pydantic import ValidationError
from support.api_scenario import Scenario

from api.main import create_app
from ledger.config import Settings

PUBLIC = "https://verify.originals.example"


@pytest.fixture(scope="module")
def public(sqlite_indexed: Settings) -> Iterator[TestClient]:
    settings = sqlite_indexed.model_copy(
        update={"public_base_url": PUBLIC, "trusted_hosts": ["verify.originals.example", "127.0.0.1"]}
    )
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        yield client


def qr(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return buffer.getvalue()


def test_the_qr_code_links_to_the_public_base_url_whatever_the_host_header(
    public: TestClient, scenario: Scenario
) -> None:
    root = scenario.cases["public-batch-0"].root or ""
    expected = qr(f"{PUBLIC}/c/{root.lower()}")
    for host in ("verify.originals.example", "127.0.0.1:8000"):
        response = public.get(f"/qr/{root.upper().replace('0X', '0x')}.svg", headers={"Host": host})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=86400"
        assert response.content == expected, host


@pytest.mark.parametrize("host", ["evil.example", "verify.originals.example.evil.example", "[::2]:8000", ""])
def test_a_request_for_an_untrusted_host_is_refused_on_every_route(
    public: TestClient, scenario: Scenario, host: str
) -> None:
    case = scenario.cases["public-batch-0"]
    for path in ("/", f"/qr/{case.root}.svg", f"/verify/certificate/{case.leaf}", "/certificates", "/docs"):
        response = public.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "about:blank",
            "title": "Invalid host",
            "status": 400,
            "detail": "the Host header does not name a host this server answers for",
            "instance": path,
        }


def test_trusted_hosts_are_matched_without_port_or_case(public: TestClient) -> None:
    for host in ("VERIFY.originals.example", "verify.originals.example:443", "127.0.0.1:9999"):
        assert public.get("/health", headers={"Host": host}).status_code == 200, host


def test_the_public_base_url_is_checked_and_trusted_hosts_read_from_a_comma_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORIGINALS_TRUSTED_HOSTS", "Example.org, [::1] ,api.example.org")
    monkeypatch.setenv("ORIGINALS_PUBLIC_BASE_URL", "https://example.org/")
    settings = Settings()
    assert settings.trusted_hosts == ["example.org", "::1", "api.example.org"]
    assert settings.public_base_url == "https://example.org"
    for bad in ("https://user:pw@example.org", "ftp://example.org", "example.org", "https://example.org/?a=1"):
        with pytest.raises(ValidationError, match="public_base_url"):
            Settings(public_base_url=bad)


def test_without_a_public_base_url_links_follow_the_address_the_api_listens_on() -> None:
    assert Settings().public_base_url == "http://127.0.0.1:8000"
    assert Settings(api_port=9000).public_base_url == "http://127.0.0.1:9000"
    assert Settings(api_host="0.0.0.0", api_port=8080).public_base_url == "http://127.0.0.1:8080"
    assert Settings(api_host="::1").public_base_url == "http://[::1]:8000"
    assert Settings(api_port=9000, public_base_url="https://example.org").public_base_url == "https://example.org"


def test_production_needs_a_public_base_url_that_is_not_this_machine() -> None:
    secret = "a-real-keystore-password"
    with pytest.raises(ValidationError, match="set ORIGINALS_PUBLIC_BASE_URL to the address verifiers use"):
        Settings(environment="production", keystore_password=secret)
    settings = Settings(environment="production", keystore_password=secret, public_base_url="https://originals.example")
    assert settings.public_base_url == "https://originals.example"
