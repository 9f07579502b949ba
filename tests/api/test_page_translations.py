"""The page's catalog (``GET /i18n.js``): the translations of the request's language, as a script the page loads first.

The language is the switch's cookie ``originals_lang`` when it names one we speak, else the best of
``Accept-Language``, else English; English needs no catalog (the code's texts are English).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from api.main import create_app
from ledger import i18n
from ledger.config import Settings

SCRIPT = re.compile(r"\Awindow\.ORIGINALS_I18N = (\{.*\});\n\Z", re.S)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(environment="test", database_url="sqlite://", rate_limit="off"))
    with TestClient(app) as test_client:
        yield test_client


def catalog(client: TestClient, headers: dict[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """The page's catalog as the script sets it, and the answer's headers."""
    answer = client.get("/i18n.js", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    match = SCRIPT.match(answer.text)
    assert match is not None, answer.text[:200]
    return json.loads(match.group(1)), dict(answer.headers)


def german_po() -> dict[str, object]:
    with i18n.catalog_path("de", "web").open("rb") as handle:
        po = read_po(handle, locale="de", domain="web")
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else list(m.string))
        for m in po
        if m.id
    }


def test_german_has_every_translation_of_the_web_catalog_singular_and_plural(client: TestClient) -> None:
    body, headers = catalog(client, {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert body["lang"] == "de"
    assert body["messages"] == german_po()
    assert body["messages"]["VALID"] == "Echt"
    assert body["messages"]["Not yet: {counted} counted yes vote of the {required} needed."] == [
        "Noch nicht: {counted} gezählte Ja-Stimme von {required} nötigen.",
        "Noch nicht: {counted} gezählte Ja-Stimmen von {required} nötigen.",
    ]
    assert headers["content-language"] == "de"
    assert headers["vary"] == "Accept-Language, Cookie"
    assert headers["cache-control"] == "no-cache"  # the cookie changes it: revalidate, never yesterday's language


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Accept-Language": "en-US,en;q=0.9"}, "en"),
        ({"Accept-Language": "fr-FR,fr;q=0.9"}, "en"),  # a language we do not speak: English
        ({}, "en"),
        ({"Accept-Language": "fr-FR, de;q=0.5"}, "de"),
        ({"Accept-Language": "de-DE", "Cookie": "originals_lang=en"}, "en"),  # the switch wins
        ({"Accept-Language": "en-US", "Cookie": "other=1; originals_lang=de"}, "de"),
        ({"Accept-Language": "de-DE", "Cookie": "originals_lang=xx"}, "de"),  # an unknown choice is ignored
        ({"Accept-Language": "en", "Cookie": "originals_lang=xx"}, "en"),
    ],
)
def test_the_catalog_is_in_the_request_language_and_english_is_empty(
    client: TestClient, headers: dict[str, str], expected: str
) -> None:
    body, answer = catalog(client, headers)
    assert body["lang"] == expected
    assert answer["content-language"] == expected
    assert answer["vary"] == "Accept-Language, Cookie"
    if expected == "en":
        assert body["messages"] == {}
    else:
        assert body["messages"] == german_po()


def test_the_page_loads_the_catalog_first_then_the_translator_then_its_scripts(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "de"}).text
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', page)
    assert scripts[:3] == ["/i18n.js", "/static/i18n.js", "/static/app.js"]
    assert "<script>" not in page  # the CSP allows no inline script
    assert client.head("/i18n.js").status_code == 200
