"""``originals provenance ID`` and the provenance lines of ``originals verify``, in English and German, against the
API over the recorded world's fixed index (:mod:`support.recorded_world`: a graduate's diploma registered by the
university, linked to its certificate, sold, inspected and reported stolen; the mill's later registration of the same
fingerprint, held by the town). The CLI's HTTP client is pointed at an in-process test client of that API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from support.recorded_world import BUYER, MILL, OWNER, TOWN, UNI, World, build, fingerprint

import cli.certificates
import cli.provenance
from api.main import create_app
from cli import main
from cli.client import ApiClient
from ledger.i18n import format_when


class _Through:
    """The part of ``httpx.Client`` the CLI's client uses, sent through a running test client with its headers."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=self.headers, **kwargs)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, World]]:
    settings, built = build(tmp_path_factory.mktemp("provenance-cli"))
    with TestClient(create_app(settings)) as client:
        yield client, built


@pytest.fixture
def api(world: tuple[TestClient, World], monkeypatch: pytest.MonkeyPatch) -> World:
    """The CLI's commands talk to the recorded world's API (in the run's language, as the real client does)."""
    client, built = world

    def through(args: Any, need_key: bool = False) -> ApiClient:
        real = ApiClient("http://testserver", lang="en" if getattr(args, "json", False) else None)
        real._http = _Through(client, dict(real._http.headers))  # type: ignore[assignment]
        return real

    monkeypatch.setattr(cli.provenance, "api_client", through)
    monkeypatch.setattr(cli.certificates, "api_client", through)
    return built


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_provenance_prints_owner_holder_a_prominent_theft_and_the_timeline_in_berlin_time(
    api: World, capsys: pytest.CaptureFixture[str]
) -> None:
    diploma, at = api.ids["original:diploma"], api.at()
    code, out, err = run(["--lang", "en", "provenance", diploma], capsys)
    assert (code, err) == (0, "")
    when = format_when(at, "en")
    identifier = fingerprint("diploma 1")
    assert out.splitlines() == [
        f"original {diploma}",
        "!!! reported STOLEN: do not buy, lend against or insure it without checking !!!",
        f"  identifier:   {identifier}",
        f"  registered:   {when} by University Ledger Lab (renamed) ({UNI})",
        f"  owner:        {BUYER}",
        f"  holder:       {BUYER}",
        "  disposition:  STOLEN",
        f"  certificates: {api.ids['diploma-1']}",
        "timeline:",
        f"  {when}  registered by {UNI} for the owner {OWNER}",
        f"  {when}  linked to certificate {api.ids['diploma-1']}",
        f"  {when}  title offered by {OWNER} to {BUYER} until {format_when(at + 3600, 'en')}",
        f"  {when}  title passed from {OWNER} to {BUYER}",
        f"  {when}  inspecting recorded by the holder {BUYER} (happened {format_when(at - 60, 'en')})",
        f"  {when}  reported STOLEN by {BUYER}",
    ]


def test_provenance_in_german_names_a_later_registration_and_the_first(
    api: World, capsys: pytest.CaptureFixture[str]
) -> None:
    second, diploma, at = api.ids["original:second"], api.ids["original:diploma"], api.at()
    code, out, err = run(["--lang", "de", "provenance", second], capsys)
    assert (code, err) == (0, "")
    when = format_when(at, "de")
    assert out.splitlines() == [
        f"Original {second}",
        f"  Kennung:            {fingerprint('diploma 1')}",
        f"  registriert:        {when} von Textile Mill ({MILL})",
        f"  zuerst registriert: {when} von University Ledger Lab (renamed) ({UNI}) (Original {diploma})",
        f"  Eigentümer:         {MILL}",
        f"  Besitzer:           {TOWN} (nicht der Eigentümer)",
        "  Verbleib:           nichts gemeldet",
        "Verlauf:",
        f"  {when}  registriert von {MILL} für den Eigentümer {MILL}",
        f"  {when}  seit der Registrierung im Besitz von {TOWN}",
    ]


def test_provenance_json_is_the_apis_answer_with_the_whole_timeline(
    api: World, world: tuple[TestClient, World], capsys: pytest.CaptureFixture[str]
) -> None:
    client, _built = world
    diploma = api.ids["original:diploma"]
    code, out, _err = run(["--lang", "de", "provenance", diploma, "--json"], capsys)
    assert code == 0
    assert orjson.loads(out) == client.get(f"/originals/{diploma}/provenance").json()


def test_provenance_of_an_unknown_or_malformed_id_is_one_line_and_exit_1(
    api: World, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = "0x" + "77" * 32
    assert run(["--lang", "en", "provenance", unknown], capsys) == (
        1,
        "",
        f"originals provenance: error: no original {unknown} in the index (HTTP 404)\n",
    )
    assert run(["--lang", "de", "provenance", unknown], capsys) == (
        1,
        "",
        f"originals provenance: Fehler: kein Original {unknown} im Index (HTTP 404)\n",
    )
    code, out, err = run(["--lang", "en", "provenance", "0x1234"], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("originals provenance: error: original_id: ") and err.endswith("(HTTP 422)\n")
    assert len(err.splitlines()) == 1


def test_verify_shows_the_owner_and_the_disposition_of_the_originals_after_the_verdict(
    api: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "diploma.txt"
    original.write_bytes(b"diploma 1")
    diploma, second = api.ids["original:diploma"], api.ids["original:second"]
    code, out, _err = run(["--lang", "en", "verify", str(original)], capsys)
    assert code == 0
    assert out.splitlines()[-3:] == [
        "provenance (the verdict is the certificate's):",
        f"  original {diploma}: owner {BUYER}, disposition STOLEN",
        f"  original {second}: owner {MILL}, disposition nothing reported"
        " (not the first registration of this identifier)",
    ]
    code, out, _err = run(["--lang", "de", "verify", str(original)], capsys)
    assert code == 0
    assert out.splitlines()[-3:] == [
        "Herkunft (das Urteil ist das des Zertifikats):",
        f"  Original {diploma}: Eigentümer {BUYER}, Verbleib GESTOHLEN",
        f"  Original {second}: Eigentümer {MILL}, Verbleib nichts gemeldet"
        " (nicht die erste Registrierung dieser Kennung)",
    ]


def test_verify_of_an_original_without_provenance_prints_no_provenance_section(
    api: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "bond.txt"
    original.write_bytes(b"bond 1")
    _code, out, _err = run(["--lang", "en", "verify", str(original)], capsys)
    assert "provenance" not in out
    assert out.splitlines()[0].startswith(f"{original}: ")
