"""The API in German and English (issue 14): the same request gives the same codes, status and data in both, and the
words a person reads (problem ``title``/``detail``, a check's ``reason``, the feed's sentences, the PDF's labels) in
the request's language: the page switch's ``originals_lang`` cookie, else ``Accept-Language``, else English.

English answers are byte for byte what they were before the catalogs existed (the other API tests assert them).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from support import devchain
from support.api_scenario import Scenario
from support.governance_world import build
from support.write_world import WriteWorld, original, write_world

from api.main import create_app
from ledger.config import Settings
from ledger.i18n import format_when

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
PROBLEM = "application/problem+json"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(sqlite_indexed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_indexed)) as test_client:
        yield test_client


def codes(answer: dict[str, Any]) -> dict[str, Any]:
    """What a program reads in a verification answer: everything but the reasons' words."""
    return {
        "verdict": answer["verdict"],
        "checks": [
            {
                "name": c["name"],
                "status": c["status"],
                "details": {k: v for k, v in c.get("details", {}).items() if k != "reason"},
            }
            for c in answer["checks"]
        ],
        "certificate": answer.get("certificate"),
    }


def reasons(answer: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["reason"] for c in answer["checks"]}


def test_a_revoked_certificate_is_explained_in_german_with_the_same_codes(
    client: TestClient, scenario: Scenario
) -> None:
    case = scenario.cases["revoked"]
    partner = scenario.partner(case.issuer or "")
    path = f"/verify/certificate/{case.id}"  # answered by the SQLite fast path
    english, german = client.get(path, headers=ENGLISH), client.get(path, headers=GERMAN)
    assert english.status_code == german.status_code == 200
    assert codes(german.json()) == codes(english.json())
    assert german.json()["verdict"] == "REVOKED"
    status = next(c for c in german.json()["checks"] if c["name"] == "ISSUANCE_STATUS")
    assert status["details"]["reason_code"] == 4
    assert status["details"]["reason"] == "Original zerstört"
    assert reasons(german.json())["ISSUANCE_STATUS"] == "Widerrufen (Grund: Original zerstört)"
    assert reasons(english.json())["ISSUANCE_STATUS"] == "the certificate was revoked (original destroyed)"
    assert reasons(german.json())["ISSUER_IDENTITY"].startswith(f"Ausgestellt von {partner.name} (")
    assert reasons(english.json())["ISSUER_IDENTITY"].startswith(f"issued by {partner.name} (")
    assert german.headers["content-language"] == "de"
    assert english.headers["content-language"] == "en"
    for response in (english, german):
        assert response.headers["vary"] == "Accept-Language, Cookie"


def test_a_presented_document_is_judged_in_the_requests_language(client: TestClient, scenario: Scenario) -> None:
    document = scenario.cases["wrapped-single"].document
    english = client.post("/verify/document", json=document, headers=ENGLISH).json()
    german = client.post("/verify/document", json=document, headers=GERMAN).json()
    assert codes(german) == codes(english)
    assert german["verdict"] == "VALID"
    assert reasons(german)["ISSUANCE_STATUS"] == "Ausgestellt, nicht widerrufen, nicht ausgesetzt, nicht abgelaufen"
    assert reasons(english)["ISSUANCE_STATUS"] == "issued, not revoked, not suspended, not expired"
    assert reasons(german)["DOCUMENT_INTEGRITY"].startswith("Das Dokument ist unverändert")


@pytest.mark.parametrize(
    ("cookie", "header", "expected", "reason"),
    [
        ("de", ENGLISH, "de", "Widerrufen (Grund: Original zerstört)"),
        ("en", GERMAN, "en", "the certificate was revoked (original destroyed)"),
        ("fr", GERMAN, "de", "Widerrufen (Grund: Original zerstört)"),
    ],
)
def test_the_remembered_choice_overrides_the_browsers_language(
    client: TestClient, scenario: Scenario, cookie: str, header: dict[str, str], expected: str, reason: str
) -> None:
    client.cookies.set("originals_lang", cookie)
    try:
        chosen = client.get(f"/verify/certificate/{scenario.cases['revoked'].id}", headers=header)
    finally:
        client.cookies.clear()
    assert chosen.headers["content-language"] == expected
    assert reasons(chosen.json())["ISSUANCE_STATUS"] == reason


@pytest.mark.parametrize("header", ["fr-FR,fr;q=0.9", "xx", "", "*"])
def test_a_language_we_do_not_speak_gets_english(client: TestClient, scenario: Scenario, header: str) -> None:
    response = client.get(f"/verify/certificate/{scenario.cases['revoked'].id}", headers={"Accept-Language": header})
    assert response.headers["content-language"] == "en"
    assert reasons(response.json())["ISSUANCE_STATUS"] == "the certificate was revoked (original destroyed)"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("path", "status", "english", "german"),
    [
        (
            "/partners/0x" + "00" * 20,
            404,
            ("Not found", "no partner 0x" + "00" * 20 + " in the index"),
            ("Nicht gefunden", "kein Partner 0x" + "00" * 20 + " im Index"),
        ),
        ("/no/such/page", 404, ("Not Found", "Not Found"), ("Nicht gefunden", "Nicht gefunden")),
        (
            "/c/0x" + "00" * 31 + "01.pdf",
            404,
            ("Certificate not found", "no certificate with this id or document in the index"),
            ("Zertifikat nicht gefunden", "kein Zertifikat mit dieser ID oder diesem Dokument im Index"),
        ),
        (
            "/certificates?cursor=garbage",
            422,
            ("Invalid input", "the cursor is not one this API issued"),
            ("Ungültige Eingabe", "diese Seitenmarke stammt nicht von dieser API"),
        ),
    ],
)
def test_a_problem_has_its_title_and_detail_in_the_requests_language(
    client: TestClient, path: str, status: int, english: tuple[str, str], german: tuple[str, str]
) -> None:
    said_en, said_de = (
        problem(client.get(path, headers=ENGLISH), status),
        problem(client.get(path, headers=GERMAN), status),
    )
    assert (said_en["title"], said_en["detail"]) == english
    assert (said_de["title"], said_de["detail"]) == german
    assert {k: v for k, v in said_de.items() if k not in ("title", "detail")} == {
        k: v for k, v in said_en.items() if k not in ("title", "detail")
    }


@pytest.mark.parametrize(
    ("method", "path", "english", "german"),
    [
        (
            "GET",
            "/certificates?limit=abc",
            "limit: Input should be a valid integer, unable to parse string as an integer",
            "limit: Eingabe muss eine gültige ganze Zahl sein; der Text ist keine ganze Zahl",
        ),
        (
            "GET",
            "/certificates?limit=501",
            "limit: Input should be less than or equal to 500",
            "limit: Eingabe muss kleiner oder gleich 500 sein",
        ),
        (
            "GET",
            "/certificates?limit=0",
            "limit: Input should be greater than or equal to 1",
            "limit: Eingabe muss größer oder gleich 1 sein",
        ),
        (
            "GET",
            "/partners/0x12",
            "address: String should match pattern '^0x[0-9a-fA-F]{40}$'",
            "address: Text muss dem Muster '^0x[0-9a-fA-F]{40}$' entsprechen",
        ),
        ("POST", "/verify/file", "file: Field required", "file: Feld erforderlich"),
        (
            "GET",
            "/partners?status=active",
            "status: Input should be 'NONE', 'APPLIED', 'ACTIVE', 'SUSPENDED', 'EXPELLED' or 'LEFT'",
            "status: Eingabe muss 'NONE', 'APPLIED', 'ACTIVE', 'SUSPENDED', 'EXPELLED' oder 'LEFT' sein",
        ),
    ],
)
def test_a_request_validation_problem_is_in_german_with_the_same_locations(
    client: TestClient, method: str, path: str, english: str, german: str
) -> None:
    said_en = problem(client.request(method, path, headers=ENGLISH), 422)
    said_de = problem(client.request(method, path, headers=GERMAN), 422)
    assert (said_en["title"], said_en["detail"]) == ("Invalid input", english)
    assert (said_de["title"], said_de["detail"]) == ("Ungültige Eingabe", german)
    assert said_en["errors"][0]["msg"] == english.partition(": ")[2]  # pydantic's own words, as before issue 14
    assert said_de["errors"][0]["msg"] == german.partition(": ")[2]
    assert [e["loc"] for e in said_de["errors"]] == [e["loc"] for e in said_en["errors"]]


def test_a_body_that_is_not_json_is_refused_in_german(client: TestClient) -> None:
    body, headers = b"{not json", {"Content-Type": "application/json"}
    said_en = problem(client.post("/verify/document", content=body, headers={**ENGLISH, **headers}), 422)
    said_de = problem(client.post("/verify/document", content=body, headers={**GERMAN, **headers}), 422)
    assert said_en["errors"][0]["msg"] == "JSON decode error"
    assert said_de["errors"][0]["msg"] == "ungültiges JSON"
    assert said_de["errors"][0]["loc"] == said_en["errors"][0]["loc"]


def test_a_pydantic_error_without_a_german_text_keeps_pydantics_words() -> None:
    from api.validation import message
    from ledger.i18n import use_language

    unknown = {"type": "uuid_parsing", "msg": "Input should be a valid UUID", "ctx": {"error": "x"}}
    without_its_value = {"type": "less_than_equal", "msg": "Input should be less than or equal to 5", "ctx": {}}
    with use_language("de"):
        assert message(unknown) == "Input should be a valid UUID"
        assert message(without_its_value) == "Input should be less than or equal to 5"
        assert message({"type": "missing", "msg": "Field required"}) == "Feld erforderlich"
    assert message({"type": "missing", "msg": "Field required"}) == "Field required"


def test_a_document_refused_by_our_own_check_is_explained_in_german(client: TestClient) -> None:
    body = {"version": "originals/wrapped/2", "data": {}, "privacy": {}, "proof": {"type": "nope"}}
    english = problem(client.post("/verify/document", json=body, headers=ENGLISH), 422)
    german = problem(client.post("/verify/document", json=body, headers=GERMAN), 422)
    assert (english["title"], german["title"]) == ("Invalid certificate document", "Ungültiges Zertifikatsdokument")
    assert english["detail"].startswith("proof.type must be ")
    assert german["detail"].startswith("proof.type muss ")


def test_a_client_past_its_limit_is_told_so_in_german(sqlite_indexed: Settings) -> None:
    with TestClient(create_app(sqlite_indexed.model_copy(update={"rate_limit": "1/minute"}))) as limited:
        assert limited.get("/partners", headers=GERMAN).status_code == 200
        response = limited.get("/partners", headers=GERMAN)
    refused, retry = problem(response, 429), response.headers["retry-after"]
    assert refused["title"] == "Zu viele Anfragen"
    assert refused["detail"] == (
        f"Dieser Client hat mehr Anfragen gesendet, als er darf (1 pro 1 Minute); bitte in {retry} s erneut versuchen"
    )


@pytest.mark.parametrize(
    ("rate", "english", "german"),
    [
        ("1/minute", "1 per 1 minute", "1 pro 1 Minute"),
        ("2000 per 2 hours", "2000 per 2 hour", "2.000 pro 2 Stunden"),
        ("5/second", "5 per 1 second", "5 pro 1 Sekunde"),
        ("3 per 2 days", "3 per 2 day", "3 pro 2 Tage"),
        ("1/month", "1 per 1 month", "1 pro 1 Monat"),
        ("7 per 3 years", "7 per 3 year", "7 pro 3 Jahre"),
    ],
)
def test_a_rate_limit_is_said_in_the_requests_language(rate: str, english: str, german: str) -> None:
    from limits import parse

    from api.edge import limit_words
    from ledger.i18n import use_language

    item = parse(rate)
    assert limit_words(item) == english == str(item)  # English: the limits library's own words, as before
    with use_language("de"):
        assert limit_words(item) == german


def test_a_body_past_its_limit_is_refused_in_german(sqlite_indexed: Settings) -> None:
    with TestClient(create_app(sqlite_indexed.model_copy(update={"max_request_bytes": 1000}))) as small:
        english = problem(small.post("/verify/document", content=b"{" + b" " * 2000 + b"}", headers=ENGLISH), 413)
        german = problem(small.post("/verify/document", content=b"{" + b" " * 2000 + b"}", headers=GERMAN), 413)
    assert (english["title"], english["detail"]) == (
        "Request body too large",
        "the request body is larger than the 1,000-byte limit",
    )
    assert (german["title"], german["detail"]) == (
        "Anfrage zu groß",
        "die Anfrage ist größer als die Grenze von 1.000 Bytes",
    )


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def test_a_german_pdf_certificate_has_german_labels_and_status(client: TestClient, scenario: Scenario) -> None:
    case = scenario.cases["revoked"]
    partner = scenario.partner(case.issuer or "")
    page = client.get(f"/verify/certificate/{case.id}").json()
    status = next(c for c in page["checks"] if c["name"] == "ISSUANCE_STATUS")
    response = client.get(f"/c/{case.id}.pdf", headers=GERMAN)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "de"
    text = text_of(response.content)
    for expected in (
        "Zertifikat eines Originals",
        "Widerrufen Widerrufen (Grund: Original zerstört)",
        f"Aussteller {partner.name}",
        f"Ausgestellt {format_when(page['certificate']['issued_at'], 'de')}",
        f"Status Widerrufen seit {format_when(status['details']['at'], 'de')}",
        f"Zertifikat {case.id}",
        "Dieses PDF enthält kein Zertifikatsdokument",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert "Certificate of an original" not in text
    english = client.get(f"/c/{case.id}.pdf", headers=ENGLISH)
    assert "Certificate of an original" in text_of(english.content)
    assert english.content != response.content


def test_the_atom_feed_speaks_german(tmp_path: Path) -> None:
    settings, _world = build(tmp_path)
    with TestClient(create_app(settings)) as feed_client:
        english = ET.fromstring(feed_client.get("/proposals.atom", headers=ENGLISH).content)
        response = feed_client.get("/proposals.atom", headers=GERMAN)
    assert response.headers["content-language"] == "de"
    german = ET.fromstring(response.content)
    assert german.findtext(f"{ATOM}title") == "Originals: Vorschläge des Rats"
    entries = {e.findtext(f"{ATOM}id"): e for e in german.iter(f"{ATOM}entry")}
    for entry in english.iter(f"{ATOM}entry"):
        said = entries[entry.findtext(f"{ATOM}id")]
        terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
        assert [c.get("term") for c in said.findall(f"{ATOM}category")] == terms  # the codes stay
    (admit,) = [e for e in german.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith(":proposal-5")]
    assert admit.findtext(f"{ATOM}title") == (
        "Vorschlag 5 (offen): Weavers Association in das Konsortium aufnehmen und das Recht zum Ausstellen geben."
    )
    content = admit.findtext(f"{ATOM}content", "").splitlines()
    assert content[1] == "Status: offen."
    assert content[2].startswith("Vorgeschlagen von Cooperative Bank; Frist bis ")
    assert content[2].endswith(("MEZ.", "MESZ."))
    assert content[4] == "Der Vorschlag kann jetzt ausgeführt werden."


@pytest.fixture(scope="module")
def write(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WriteWorld, TestClient]]:
    if not devchain.BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)
    with write_world(tmp_path_factory.mktemp("languages")) as world, TestClient(create_app(world.settings)) as api:
        yield world, api


def test_a_contracts_refusal_is_titled_in_german_with_the_same_error_and_detail(
    write: tuple[WriteWorld, TestClient],
) -> None:
    world, api = write
    auth = {"Authorization": f"Bearer {world.keys['issuer']}"}
    issued = api.post("/certificates", json={"original": original("sprache.pdf")}, headers=auth)
    assert issued.status_code == 202, issued.text
    certificate = issued.json()["id"]
    assert api.post(f"/certificates/{certificate}/revoke", json={"reason": 4}, headers=auth).status_code == 202
    counts, nonces = world.counts(), world.nonces()

    path = f"/certificates/{certificate}/revoke"
    english = problem(api.post(path, json={"reason": 4}, headers={**auth, **ENGLISH}), 409)
    german = problem(api.post(path, json={"reason": 4}, headers={**auth, **GERMAN}), 409)

    assert english["title"] == "Already revoked"
    assert german["title"] == "Bereits widerrufen"
    assert {k: v for k, v in german.items() if k != "title"} == {k: v for k, v in english.items() if k != "title"}
    assert german["error"] == "CertificateRegistryAlreadyRevoked"
    assert (world.counts(), world.nonces()) == (counts, nonces)


def test_a_refused_api_key_is_explained_in_german(write: tuple[WriteWorld, TestClient]) -> None:
    _world, api = write
    body = {"original": original("ohne-schluessel.pdf")}
    german = problem(api.post("/certificates", json=body, headers={"Authorization": "Bearer nope", **GERMAN}), 401)
    english = problem(api.post("/certificates", json=body, headers={"Authorization": "Bearer nope", **ENGLISH}), 401)
    assert (english["title"], english["detail"]) == ("Unauthorized", "the API key is unknown or revoked")
    assert (german["title"], german["detail"]) == (
        "Nicht angemeldet",
        "der API-Schlüssel ist unbekannt oder widerrufen",
    )
