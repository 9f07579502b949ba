"""``originals``: the command line. Each command is a thin shell over the library (``ledger``) or the API (``api``).

One module per area registers its commands (``register(commands)``); the order below is the order of ``--help``. A
new area (the consortium's governance, the provenance of originals) is a new module and one line here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import certificates, consortium, governance, index, keys, serve
from cli._shell import run
from ledger.i18n import LANGUAGES

AREAS = (index, certificates, consortium, governance, keys, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="originals", description="Originals: certificates of originals on chain.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the output: en or de (env ORIGINALS_LANG, else LC_ALL / LC_MESSAGES / LANG; default en)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
