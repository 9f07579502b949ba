"""What the runtime wheel holds: the library, the API and the command line, never the development tools."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_ledger_api_and_cli_and_no_development_tools() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = set(find_packages(where=str(ROOT), include=include))
    assert {"ledger", "ledger.chain", "ledger.documents", "api", "cli"} <= packages
    assert not {p for p in packages if p.split(".")[0] in {"devtools", "tests", "bench", "scripts"}}
    assert config["project"]["scripts"] == {"originals": "cli:main"}
