"""``originals``: the command line. Each command is a thin shell over the library (``ledger``) or the API (``api``).

One module per area registers its commands (``register(commands)``); the order below is the order of ``--help``. A
new area (the consortium's governance, the provenance of originals) is a new module and one line here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import _usage, certificates, consortium, governance, index, keys, provenance, provenance_actions, serve
from cli._shell import cli_language, run
from ledger.i18n import LANGUAGES, use_language
from ledger.i18n import gettext as _

AREAS = (index, certificates, provenance, provenance_actions, consortium, governance, keys, serve)


def build_parser() -> argparse.ArgumentParser:
    """The parser, with its help texts in the current language (:func:`main` chooses it before building it)."""
    _usage.install()
    parser = argparse.ArgumentParser(prog="originals", description=_("Originals: certificates of originals on chain."))
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log debug details"))
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_("language of the output: en or de (env ORIGINALS_LANG, else LC_ALL / LC_MESSAGES / LANG; default en)"),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return parser


def chosen_language(argv: Sequence[str]) -> str | None:
    """The ``--lang`` of a command line, read before argparse: the parser's help texts and argparse's own usage errors
    are built in the run's language, so it must be known first (argparse checks the value afterwards)."""
    for position, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and position + 1 < len(argv):
            return argv[position + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    with use_language(cli_language(chosen_language(words))):
        return run(build_parser(), words)


if __name__ == "__main__":
    sys.exit(main())
