"""``ape run export_abi``: write the committed ABIs (``ledger/abi/<Contract>.json``) from the compiled project.

The runtime (indexer, API, CLI) reads only these files, never the compiler; ``tests/ledger/test_abi_current.py`` fails
when they fall behind ``contracts/``. Output is commit-ready: pretty-printed, sorted keys, trailing newline, and a
file is rewritten only when its content changes.
"""

from __future__ import annotations

import click
from ape import project

from ledger.abi import CONTRACTS, abi_path, render_abi
from scripts._consortium import contract_abi, display_path


@click.command(short_help="Write ledger/abi/*.json from the compiled contracts")
def cli() -> None:
    """Export the ABIs of the deployed contracts to ledger/abi/."""
    for name in CONTRACTS:
        text = render_abi(contract_abi(project.get_contract(name).contract_type))
        path = abi_path(name)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            click.echo(f"{display_path(path)}: unchanged")
            continue
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        click.echo(f"{display_path(path)}: written")
