"""Finds and wires the Solidity compiler and the anvil devnet for this project, offline.

py-solc-x (and through it ape-solidity) looks for executables named ``solc-v<version>`` in the folder named by
``SOLCX_BINARY_PATH``. On machines that have a native solc 0.8.30 (installed by ``solcx.install_solc`` where the
internet is reachable, or on PATH) that one is linked there; otherwise a small executable that runs the npm ``solc``
package through ``solc_wrapper.js`` is written there. Either way py-solc-x sees "solc 0.8.30".

Development-time only: the runtime (indexer, API, CLI) never imports this module, because it runs from the committed
ABIs and the deployment manifest without any compiler.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOLC_VERSION = "0.8.30"
"""The one compiler version the contracts are written for (default EVM version: prague)."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WRAPPER_SOURCE = Path(__file__).with_name("solc_wrapper.js")


class ToolchainError(RuntimeError):
    """The compiler or the devnet cannot be found or wired; the message says what to run."""


@dataclass(frozen=True)
class Toolchain:
    """Where the wired tools live for one project checkout."""

    root: Path

    @property
    def solcx_dir(self) -> Path:
        """The folder py-solc-x searches (``SOLCX_BINARY_PATH``); git-ignored."""
        return self.root / ".solcx"

    @property
    def solc(self) -> Path:
        """The executable py-solc-x will run as solc 0.8.30."""
        return self.solcx_dir / f"solc-v{SOLC_VERSION}"

    @property
    def bin_dir(self) -> Path:
        """A project bin folder put on PATH so ape-foundry finds ``anvil``; git-ignored."""
        return self.root / ".bin"

    @property
    def npm_solc_module(self) -> Path:
        return self.root / "node_modules" / "solc"

    @property
    def npm_anvil(self) -> Path:
        return self.root / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def native_solc_candidates() -> list[Path]:
    """Native compilers of the pinned version that may exist on this machine, best first."""
    candidates = [Path.home() / ".solcx" / f"solc-v{SOLC_VERSION}"]
    on_path = shutil.which("solc")
    if on_path:
        candidates.append(Path(on_path))
    return [path for path in candidates if path.is_file() and _reports_version(path)]


def _reports_version(path: Path) -> bool:
    """True when ``path --version`` names the pinned version (and is not our own wrapper)."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return f"Version: {SOLC_VERSION}+" in out.stdout and "Emscripten" not in out.stdout


def _write_executable(path: Path, text: str) -> None:
    """Write ``text`` atomically and only when it changed, so repeated set-ups stay fast and leave mtimes alone."""
    if path.is_file() and not path.is_symlink() and path.read_text() == text:
        return
    # A hidden name: py-solc-x globs ``solc-v*`` and would choke on a leftover ``solc-v0.8.tmp`` as a version.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    if path.is_symlink():
        path.unlink()
    tmp.replace(path)


def _link(path: Path, target: Path) -> None:
    if path.is_symlink() and path.resolve() == target.resolve():
        return
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def npm_solc_version(tools: Toolchain, node: str) -> str:
    """The full version the npm compiler reports (``0.8.30+commit.73712a01.Emscripten.clang``).

    Raises:
        ToolchainError: when the module cannot be loaded or is not the pinned version.
    """
    script = "process.stdout.write(require(process.argv[1]).version())"
    try:
        proc = subprocess.run(
            [node, "-e", script, str(tools.npm_solc_module)], capture_output=True, text=True, timeout=120, check=False
        )
    except OSError as exc:
        raise ToolchainError(f"cannot run {node}: {exc}") from exc
    if proc.returncode != 0:
        raise ToolchainError(f"{tools.npm_solc_module} does not load ({proc.stderr.strip()}): run `npm ci`")
    if not proc.stdout.startswith(f"{SOLC_VERSION}+"):
        raise ToolchainError(f"{tools.npm_solc_module} is solc {proc.stdout}, not {SOLC_VERSION}: run `npm ci`")
    return proc.stdout


def wrapper_script(tools: Toolchain) -> str:
    """The shell executable that makes the npm compiler look like native solc.

    It names the compiler's version so that ``--version`` and ``--help`` (asked before every py-solc-x call) answer
    without loading the wasm compiler; the wrapper ignores it once the installed package has another version.
    """
    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH: install Node.js 20+ (it runs the npm solc compiler)")
    version = npm_solc_version(tools, node)
    return (
        "#!/bin/sh\n"
        "# Generated by `python -m devtools.toolchain setup`: solc 0.8.30 from npm, behaving like native solc.\n"
        f'ORIGINALS_SOLC_MODULE="{tools.npm_solc_module}" ORIGINALS_SOLC_IMPORT_ROOT="{tools.root}" '
        f'ORIGINALS_SOLC_VERSION="{version}" exec "{node}" "{WRAPPER_SOURCE}" "$@"\n'
    )


def setup(root: Path = PROJECT_ROOT, prefer_native: bool = True) -> Toolchain:
    """Wire solc 0.8.30 for py-solc-x and put anvil on the project's bin folder. Idempotent.

    Args:
        root: the project checkout (holding ``node_modules`` after ``npm ci``).
        prefer_native: link a native solc 0.8.30 when one is installed instead of the npm build.

    Raises:
        ToolchainError: when ``npm ci`` has not been run or node is missing.
    """
    tools = Toolchain(root)
    tools.solcx_dir.mkdir(exist_ok=True)
    tools.bin_dir.mkdir(exist_ok=True)
    native = native_solc_candidates() if prefer_native else []
    if native:
        _link(tools.solc, native[0])
    else:
        if not (tools.npm_solc_module / "package.json").is_file():
            raise ToolchainError(f"{tools.npm_solc_module} is missing: run `npm ci` in {root}")
        _write_executable(tools.solc, wrapper_script(tools))
    if not tools.npm_anvil.is_file():
        raise ToolchainError(f"{tools.npm_anvil} is missing: run `npm ci` in {root}")
    _link(tools.bin_dir / "anvil", tools.npm_anvil)
    _link(tools.bin_dir / "solc", tools.solc)
    return tools


def environment(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Environment variables that make py-solc-x, ape and slither use the wired tools."""
    tools = Toolchain(root)
    env = dict(os.environ)
    env["SOLCX_BINARY_PATH"] = str(tools.solcx_dir)
    env["PATH"] = f"{tools.bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env
