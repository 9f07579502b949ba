"""The command line in German and English (issue 14): ``--lang``, else ``ORIGINALS_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``), else English; one-line errors and human output in that language, exit codes unchanged.

The commands that need a running world (``verify``, ``council proposals --json``) are tested in German in
``tests/e2e/test_cli_write.py`` and ``tests/e2e/test_cli_governance.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from cli._shell import cli_language
from cli.client import ApiClient
from ledger import i18n

LOCALE_VARIABLES = ("ORIGINALS_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "ORIGINALS_API_KEY")


@pytest.fixture(autouse=True)
def no_locale(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No language from the machine running the tests, and no ``.env`` of a checkout."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("chosen", "environ", "expected"),
    [
        (None, {}, "en"),
        ("de", {}, "de"),
        ("en", {"ORIGINALS_LANG": "de", "LANG": "de_DE.UTF-8"}, "en"),
        (None, {"ORIGINALS_LANG": "de", "LANG": "en_US.UTF-8"}, "de"),
        (None, {"ORIGINALS_LANG": "en", "LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "de"),
        (None, {"LANG": "de_AT"}, "de"),
        (None, {"LANG": "de_DE@euro"}, "de"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "POSIX"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        (None, {"LC_ALL": "", "LANG": "de_DE.UTF-8"}, "de"),
    ],
)
def test_the_language_is_the_option_else_originals_lang_else_the_locale_else_english(
    chosen: str | None, environ: dict[str, str], expected: str
) -> None:
    assert cli_language(chosen, environ) == expected


def test_a_one_line_error_is_in_the_chosen_language_with_the_same_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["verify", "missing.pdf"]) == 1
    english = capsys.readouterr()
    assert main(["--lang", "de", "verify", "missing.pdf"]) == 1
    german = capsys.readouterr()
    assert (english.out, english.err) == ("", "originals verify: error: missing.pdf: no such file\n")
    assert (german.out, german.err) == ("", "originals verify: Fehler: missing.pdf: Datei nicht gefunden\n")


def test_a_german_locale_speaks_german_unless_originals_lang_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "diploma.pdf").write_bytes(b"a diploma")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert main(["issue", "diploma.pdf"]) == 1
    assert capsys.readouterr().err == (
        "originals issue: Fehler: dieser Befehl braucht einen API-Schlüssel eines Ausstellers: --api-key oder "
        "ORIGINALS_API_KEY\n"
    )
    monkeypatch.setenv("ORIGINALS_LANG", "en")
    assert main(["issue", "diploma.pdf"]) == 1
    assert capsys.readouterr().err == (
        "originals issue: error: this command needs an issuer API key: --api-key or ORIGINALS_API_KEY\n"
    )
    assert main(["--lang", "de", "issue", "diploma.pdf"]) == 1
    assert capsys.readouterr().err.startswith("originals issue: Fehler: dieser Befehl braucht")


def test_a_run_in_german_leaves_the_process_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "de", "verify", "missing.pdf"]) == 1
    capsys.readouterr()
    assert i18n.language() == "en"


def test_a_language_the_cli_does_not_speak_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "fr", "verify", "missing.pdf"])
    assert exit_.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_the_api_is_asked_for_the_runs_language_and_json_output_for_english() -> None:
    with i18n.use_language("de"):
        german, neutral = ApiClient("http://127.0.0.1:9"), ApiClient("http://127.0.0.1:9", lang="en")
    try:
        assert german._http.headers["accept-language"] == "de"
        assert neutral._http.headers["accept-language"] == "en"
    finally:
        german.close()
        neutral.close()
