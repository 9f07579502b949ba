"""Request bodies are counted as they stream in and refused the moment they pass their route's limit; wrapped
documents, their proofs and their hidden-field lists have caps (issue 11, finding 7).

The refusals that matter happen before the body is read (a declared ``Content-Length``) or at the chunk that passes
the limit (a chunked body): these tests drive the app's ASGI interface directly, counting the chunks it pulls, since
the test client reads a streamed body whole before the app sees any of it.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.types import ASGIApp, Message
from support.api_scenario import Scenario

from api.main import create_app
from ledger.config import Settings
from ledger.documents import Original

KIB64 = 64 * 1024
BOUNDARY = "limitsboundary"


def problem(status: int, title: str, detail: str, instance: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}


def stream(
    app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]], chunks: Callable[[int], bytes], count: int
) -> tuple[int, dict[bytes, bytes], Any, int]:
    """POST ``count`` chunks (``chunks(i)`` is the i-th) to ``path``; the status, headers, JSON body, and how many
    chunks the app pulled."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        if pulled >= count:
            await asyncio.sleep(3600)  # the client waits for the answer
        pulled += 1
        return {"type": "http.request", "body": chunks(pulled - 1), "more_body": pulled < count}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), json.loads(body), pulled


def test_a_chunked_document_is_refused_at_the_chunk_that_passes_the_limit(sqlite_indexed: Settings) -> None:
    """1 MiB is 16 chunks of 64 KiB: the 17th passes it, and nothing after it is read (nor parsed)."""
    app = create_app(sqlite_indexed)
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    status, sent, body, pulled = stream(app, "/verify/document", headers, lambda i: b" " * KIB64, 100)
    assert (status, body, pulled) == (
        413,
        problem(
            413,
            "Request body too large",
            "the request body is larger than the 1,048,576-byte limit",
            "/verify/document",
        ),
        17,
    )
    assert sent[b"connection"] == b"close"
    assert sent[b"x-content-type-options"] == b"nosniff"


def test_a_chunked_upload_is_refused_before_it_is_spooled_to_disk(sqlite_indexed: Settings) -> None:
    """With a 16-byte upload limit, the body may hold 16 bytes and 64 KiB of multipart framing: the second chunk
    passes it. Before, form parsing spooled the whole body to a temporary file and the route refused it after."""
    app = create_app(sqlite_indexed.model_copy(update={"max_upload_bytes": 16}))
    preamble = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    status, sent, body, pulled = stream(
        app, "/verify/file", headers, lambda i: preamble if i == 0 else b"x" * KIB64, 100
    )
    assert (status, body, pulled) == (
        413,
        problem(413, "File too large", "the file is larger than the 16-byte limit", "/verify/file"),
        2,
    )
    assert sent[b"connection"] == b"close"


@pytest.mark.parametrize(
    ("path", "length", "detail"),
    [
        ("/verify/document", 1024 * 1024 + 1, "the request body is larger than the 1,048,576-byte limit"),
        ("/certificates", 1024 * 1024 + 1, "the request body is larger than the 1,048,576-byte limit"),
        ("/batches", 4097, "the request body is larger than the 4,096-byte limit of a batch"),
    ],
)
def test_a_declared_length_over_the_routes_limit_is_refused_without_reading_the_body(
    sqlite_indexed: Settings, path: str, length: int, detail: str
) -> None:
    """Refused before anything else, the API key included: a body this size is never read."""
    app = create_app(sqlite_indexed.model_copy(update={"max_batch_request_bytes": 4096}))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(length).encode())]
    status, sent, body, pulled = stream(app, path, headers, lambda i: b" " * length, 1)
    assert (status, body, pulled) == (413, problem(413, "Request body too large", detail, path), 0)
    assert sent[b"connection"] == b"close"


def test_a_batch_within_its_larger_limit_goes_on_to_the_route(sqlite_indexed: Settings) -> None:
    app = create_app(sqlite_indexed.model_copy(update={"max_batch_request_bytes": 4096}))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    status, _, body, pulled = stream(app, "/batches", headers, lambda i: b" " * 4096, 1)
    assert (status, body["title"], pulled) == (422, "Invalid input", 1)  # the route read it: not JSON


# -- caps on a wrapped document ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document(scenario: Scenario) -> dict[str, Any]:
    wrapped = scenario.cases["public-batch-0"].document
    assert wrapped is not None
    return wrapped


def nested(depth: int) -> dict[str, Any]:
    value: Any = "00" * 32 + ':"x"'
    for _ in range(depth):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def test_a_wrapped_document_within_its_caps_still_verifies(api: TestClient, document: dict[str, Any]) -> None:
    response = api.post("/verify/document", json=document)
    assert response.status_code == 200
    assert response.json()["verdict"] == "VALID"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda d: d["proof"].update(proof=["0x" + "11" * 32] * 65), "proof.proof has at most 64 hashes"),
        (
            lambda d: d.update(privacy={"obfuscated": ["0x" + "22" * 32] * 512}),
            "a wrapped document has at most 512 fields, revealed and hidden",
        ),
        (
            lambda d: d["data"].update({f"extra{i}": "00" * 32 + ":1" for i in range(512)}),
            "a wrapped document has at most 512 fields, revealed and hidden",
        ),
        (lambda d: d["data"].update(deep=nested(8)), "a wrapped document's data nests at most 8 objects deep"),
    ],
    ids=["long-proof", "many-hidden", "many-fields", "deep"],
)
def test_a_wrapped_document_past_a_cap_is_refused_with_422(
    api: TestClient, document: dict[str, Any], change: Callable[[dict[str, Any]], None], detail: str
) -> None:
    presented = copy.deepcopy(document)
    change(presented)
    response = api.post("/verify/document", json=presented)
    assert response.status_code == 422, response.text
    assert response.json() == problem(422, "Invalid certificate document", detail, "/verify/document")


def test_an_original_has_at_most_100_attributes() -> None:
    fields = {"name": "n", "kind": "k", "fingerprint": "0x" + "ab" * 32}
    Original.model_validate(fields | {"attributes": {f"a{i}": i for i in range(100)}})
    with pytest.raises(ValidationError, match="at most 100 items"):
        Original.model_validate(fields | {"attributes": {f"a{i}": i for i in range(101)}})
