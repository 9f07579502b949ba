"""Every command's ``--help`` is what it was before the command line moved to ``cli/``: the texts in
``recorded_help.json`` were recorded from ``python -m api.cli <command> --help`` at b56f77a (the last commit with the
old layout). A changed option, default or help text shows up here as a diff. (The top-level help has the global
``--lang`` option since issue 14: that one entry was recorded again then.)"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from cli import build_parser

RECORDED: dict[str, str] = json.loads((Path(__file__).with_name("recorded_help.json")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("command", sorted(RECORDED))
def test_help_is_unchanged(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal width; the recording was made at 80
    argv = [] if command == "(none)" else [command]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*argv, "--help"])
    assert exit_.value.code == 0
    assert out.getvalue() == RECORDED[command]
