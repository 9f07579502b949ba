"""The GS1 Digital Link resolver of originals (issue 16): ``/01/{gtin}/21/{serial}`` is the page of the originals
registered under that GTIN and serial, ``…/qr.svg`` its QR code, and ``GET /digital-link`` the identifier they are
registered under. The QR code holds this server's URI of the path (GS1 Digital Link in form), from the configured public
base URL only: it is cached for a day by anyone on the way, as the certificates' codes are (test_public_links.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import segno
from eth_utils import keccak
from fastapi.testclient import TestClient

from api.main import create_app
from ledger.config import Settings

PUBLIC = "https://verify.originals.example"
GTIN13 = "9506000134352"
"""GS1's example GTIN-13 (check digit 2); as a GTIN-14 it is ``09506000134352``."""
SERIAL_RULE = "a serial number has 1 to 20 GS1 characters (letters, digits, some signs), "


@pytest.fixture(scope="module")
def public(sqlite_indexed: Settings) -> Iterator[TestClient]:
    settings = sqlite_indexed.model_copy(
        update={"public_base_url": PUBLIC, "trusted_hosts": ["verify.originals.example", "127.0.0.1"]}
    )
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        yield client


def qr(link: str) -> bytes:
    """segno's SVG of ``link``, made as the server makes it."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return buffer.getvalue()


def test_the_qr_code_holds_this_servers_digital_link_whatever_the_host_header(public: TestClient) -> None:
    expected = qr(f"{PUBLIC}/01/09506000134352/21/AB-12%2F7")  # a GTIN-13 padded to 14; the serial's / encoded
    assert expected != qr(f"{PUBLIC}/01/09506000134352/21/AB-12%2F8")  # the comparison can tell links apart
    for path in (f"/01/{GTIN13}/21/AB-12%2F7/qr.svg", "/01/09506000134352/21/AB-12%2F7/qr.svg"):
        for host in ("verify.originals.example", "127.0.0.1:8000"):
            response = public.get(path, headers={"Host": host})
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "image/svg+xml"
            assert response.headers["cache-control"] == "public, max-age=86400"
            assert response.content == expected, (path, host)


def test_the_resolver_path_is_the_page_for_a_right_gtin_and_a_404_problem_otherwise(public: TestClient) -> None:
    for path in (f"/01/{GTIN13}/21/SN-0001", "/01/09506000134352/21/AB-12%2F7", "/01/96385074/21/1"):
        page = public.get(path)
        assert page.status_code == 200, (path, page.text)
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<script src="/static/app.js" defer></script>' in page.text
    for path, detail in (
        ("/01/9506000134353/21/SN-0001", "the GTIN 9506000134353 has a wrong check digit"),
        ("/01/950600013435/21/SN-0001", "the GTIN 950600013435 has a wrong check digit"),
        ("/01/95060001343/21/SN-0001", "a GTIN has 8, 12, 13 or 14 digits, got '95060001343'"),
        ("/01/9506000134352/21/" + "X" * 21, SERIAL_RULE + f"got '{'X' * 21}'"),
    ):
        for suffix in ("", "/qr.svg"):
            response = public.get(path + suffix)
            assert response.status_code == 404, path + suffix
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json() == {
                "type": "about:blank",
                "title": "Not found",
                "status": 404,
                "detail": detail,
                "instance": path + suffix,
            }


def test_a_wrong_check_digit_is_refused_in_the_page_language(public: TestClient) -> None:
    response = public.get("/01/9506000134353/21/SN-0001/qr.svg", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert response.json()["title"] == "Nicht gefunden"
    assert "9506000134353" in response.json()["detail"]
    assert response.json()["detail"] != "the GTIN 9506000134353 has a wrong check digit"


def test_the_identifier_of_a_gtin_and_serial_is_keccak_of_the_canonical_uri(public: TestClient) -> None:
    response = public.get("/digital-link", params={"gtin": GTIN13, "serial": "AB-12/7"})
    assert response.status_code == 200, response.text
    canonical = "https://id.gs1.org/01/09506000134352/21/AB-12%2F7"
    assert response.json() == {
        "gtin": "09506000134352",
        "serial": "AB-12/7",
        "uri": canonical,
        "link": f"{PUBLIC}/01/09506000134352/21/AB-12%2F7",
        "identifier": "0x" + keccak(canonical.encode()).hex(),
        "qr": "/01/09506000134352/21/AB-12%2F7/qr.svg",
    }
    assert public.get(response.json()["qr"]).content == qr(response.json()["link"])


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"gtin": "9506000134353", "serial": "1"}, "the GTIN 9506000134353 has a wrong check digit"),
        ({"gtin": "abc", "serial": "1"}, "a GTIN has 8, 12, 13 or 14 digits, got 'abc'"),
        ({"gtin": GTIN13, "serial": "a b"}, SERIAL_RULE + "got 'a b'"),
    ],
)
def test_a_bad_gtin_or_serial_gets_a_422_problem(public: TestClient, params: dict[str, str], detail: str) -> None:
    response = public.get("/digital-link", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_an_originals_page_is_served_for_a_32_byte_id_only(public: TestClient) -> None:
    page = public.get("/originals/0x" + "ab" * 32)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    bad = public.get("/originals/0x1234")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
