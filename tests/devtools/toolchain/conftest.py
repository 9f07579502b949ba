"""Fixtures for the compiler-wiring tests: solc executables generated from this checkout's wrapper.

The tests build their own executables instead of using ``.solcx/solc-v0.8.30`` because on a machine with a native
solc that file is a link to the native compiler, and these tests are about the npm wrapper.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devtools.toolchain import PROJECT_ROOT, SOLC_VERSION, WRAPPER_SOURCE, Toolchain, wrapper_script


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    assert found, "node is not on PATH: the npm solc needs Node.js 20+"
    return found


@pytest.fixture(scope="session")
def solcx_dir(tmp_path_factory: pytest.TempPathFactory, node: str) -> Path:
    """A SOLCX_BINARY_PATH folder holding the wrapper exactly as `devtools.toolchain.setup` writes it."""
    tools = Toolchain(PROJECT_ROOT)
    assert (tools.npm_solc_module / "package.json").is_file(), "node_modules/solc is missing: run `make setup`"
    folder = tmp_path_factory.mktemp("solcx")
    _executable(folder / f"solc-v{SOLC_VERSION}", wrapper_script(tools))
    return folder


@pytest.fixture(scope="session")
def solc(solcx_dir: Path) -> Path:
    """The project's generated wrapper (it falls back to the project root for imports, as ape-solidity needs)."""
    return solcx_dir / f"solc-v{SOLC_VERSION}"


@pytest.fixture(scope="session")
def bare_solc(tmp_path_factory: pytest.TempPathFactory, node: str) -> Path:
    """The wrapper without the project-root fallback: imports resolve only through --base-path/--include-path."""
    module = Toolchain(PROJECT_ROOT).npm_solc_module
    return _executable(
        tmp_path_factory.mktemp("bare") / f"solc-v{SOLC_VERSION}",
        f'#!/bin/sh\nORIGINALS_SOLC_MODULE="{module}" exec "{node}" "{WRAPPER_SOURCE}" "$@"\n',
    )


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder, so no import can resolve relative to the project as the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
