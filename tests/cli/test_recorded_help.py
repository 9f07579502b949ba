"""Every command's ``--help`` is what it was before the command line moved to ``cli/``: the texts in
``recorded_help.json`` were recorded from ``python -m api.cli <command> --help`` at b56f77a (the last commit with the
old layout). A changed option, default or help text shows up here as a diff. (The top-level help has the global
``--lang`` option since issue 14: that one entry was recorded again then.)

``recorded_help_de.json`` is the same help in German (``--lang de``, issue 14), recorded when the help texts and
argparse's own words (``Aufruf:``, ``Optionen``) were translated: a changed text or a lost translation shows up as a
diff there too.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from cli import build_parser, main

RECORDED: dict[str, str] = json.loads((Path(__file__).with_name("recorded_help.json")).read_text(encoding="utf-8"))
RECORDED_DE: dict[str, str] = json.loads(
    (Path(__file__).with_name("recorded_help_de.json")).read_text(encoding="utf-8")
)


@pytest.mark.parametrize("command", sorted(RECORDED))
def test_help_is_unchanged(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal width; the recording was made at 80
    argv = [] if command == "(none)" else [command]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*argv, "--help"])
    assert exit_.value.code == 0
    assert out.getvalue() == RECORDED[command]


@pytest.mark.parametrize("command", sorted(RECORDED_DE))
def test_help_in_german_is_the_recorded_one(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("ORIGINALS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    argv = [] if command == "(none)" else command.split()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main(["--lang", "de", *argv, "--help"])
    assert exit_.value.code == 0
    assert out.getvalue() == RECORDED_DE[command]


def test_every_command_has_a_recorded_german_help() -> None:
    assert set(RECORDED) <= set(RECORDED_DE)


@pytest.mark.parametrize("command", ["(none)", "issue"])
def test_a_german_locale_gives_german_help_and_english_stays_after_it(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("ORIGINALS_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    argv = [] if command == "(none)" else [command]
    german = io.StringIO()
    with contextlib.redirect_stdout(german), pytest.raises(SystemExit):
        main([*argv, "--help"])
    assert german.getvalue() == RECORDED_DE[command]
    english = io.StringIO()
    with contextlib.redirect_stdout(english), pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])  # the process's language is still English
    assert english.getvalue() == RECORDED[command]
