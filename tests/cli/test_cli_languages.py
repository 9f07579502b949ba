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


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_a_usage_error_is_in_the_chosen_language_with_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps the usage to the terminal's width
    usage = (
        "{} originals revoke [-h] [--document DOCUMENT] --reason REASON\n"
        "{}[--api-url API_URL] [--api-key API_KEY]\n"
        "{}[certificate]\n"
    )
    english = _usage_error(["revoke"], capsys)
    german = _usage_error(["--lang", "de", "revoke"], capsys)
    assert english == usage.format("usage:", " " * 24, " " * 24) + (
        "originals revoke: error: the following arguments are required: --reason\n"
    )
    assert german == usage.format("Aufruf:", " " * 25, " " * 25) + (
        "originals revoke: Fehler: folgende Argumente sind erforderlich: --reason\n"
    )


@pytest.mark.parametrize(
    ("argv", "english", "german"),
    [
        (
            ["frob"],
            "argument COMMAND: invalid choice: 'frob' (choose from ",
            "Argument COMMAND: ungültige Auswahl: 'frob' (möglich: ",
        ),
        (["verify", "a", "b"], "error: unrecognized arguments: b", "Fehler: unbekannte Argumente: b"),
        (
            ["verify", "a", "--api-url"],
            "argument --api-url: expected one argument",
            "Argument --api-url: erwartet ein Argument",
        ),
        (
            ["revoke", "--reason", "x"],
            "argument --reason: invalid int value: 'x'",
            "Argument --reason: ungültiger int-Wert: 'x'",
        ),
        (
            ["council", "propose", "admit", "0x12"],
            "argument ADDRESS: not an address (0x + 40 hex digits): '0x12'",
            "Argument ADDRESS: keine Adresse (0x + 40 Hex-Ziffern): '0x12'",
        ),
        (
            ["apply", "--name", "Mill", "--domain", "mill.example", "--type", "guild"],
            "argument --type: unknown type 'guild'; one of ",
            "Argument --type: unbekannte Art 'guild'; möglich: ",
        ),
    ],
)
def test_argparse_speaks_german_when_asked_and_english_otherwise(
    argv: list[str], english: str, german: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    said = _usage_error(argv, capsys)
    assert said.startswith("usage: originals") and english in said and "Aufruf" not in said
    assert _usage_error(["--lang=de", *argv], capsys).startswith("Aufruf: originals")
    monkeypatch.setenv("LC_MESSAGES", "de_DE.UTF-8")
    said = _usage_error(argv, capsys)
    assert said.startswith("Aufruf: originals") and german in said and "usage" not in said


def test_the_progress_bar_is_labelled_in_the_runs_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli._shell import hash_files

    files = []
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(name.encode())
        files.append(str(tmp_path / name))
    hash_files(files)
    english = capsys.readouterr().err
    with i18n.use_language("de"):
        hash_files(files)
    german = capsys.readouterr().err
    assert "hashing: " in english and "file/s" in english and "Hashen" not in english
    assert "Hashen: " in german and "Datei/s" in german and "hashing" not in german


def test_the_indexers_stop_line_is_logged_in_the_runs_language(caplog: pytest.LogCaptureFixture) -> None:
    import signal
    import threading

    from cli.index import _install_stop_handlers

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    try:
        _install_stop_handlers(stop)
        handle = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert callable(handle)
    caplog.set_level("INFO", logger="originals")
    handle(signal.SIGTERM, None)
    assert stop.is_set()
    with i18n.use_language("de"):
        stop.clear()
        handle(signal.SIGTERM, None)
    assert [record.getMessage() for record in caplog.records] == [
        "SIGTERM received: finishing the current batch, then stopping",
        "SIGTERM empfangen: der laufende Stapel wird beendet, dann wird angehalten",
    ]


def test_a_bad_setting_is_one_line_in_the_runs_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORIGINALS_POLL_INTERVAL", "abc")
    assert main(["index"]) == 1
    english = capsys.readouterr()
    assert main(["--lang", "de", "index"]) == 1
    german = capsys.readouterr()
    assert (english.out, english.err) == (
        "",
        "originals index: invalid configuration: 1 validation error for Settings poll_interval   Input should be a "
        "valid number, unable to parse string as a number [type=float_parsing, input_value='abc', input_type=str]\n",
    )
    assert (german.out, german.err) == (
        "",
        "originals index: ungültige Einstellungen: poll_interval: Eingabe muss eine gültige Zahl sein; der Text ist "
        "keine Zahl\n",
    )
