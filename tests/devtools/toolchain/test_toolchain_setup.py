"""``devtools.toolchain.setup`` wires a native solc when one is installed, the npm wrapper otherwise, idempotently.

Each test builds a throw-away checkout (node_modules/solc linked to the real package, a stand-in anvil), a HOME of
its own and a PATH holding only node, so what the machine has installed cannot change the outcome.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.toolchain import PROJECT_ROOT, SOLC_VERSION, Toolchain, ToolchainError, environment, setup, wrapper_script

NATIVE_VERSION = "0.8.30+commit.73712a01.Linux.g++"


def fake_solc(path: Path, version: str) -> Path:
    """An executable that answers --version like a native solc of ``version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then\n'
        f'  printf "solc, the solidity compiler commandline interface\\nVersion: {version}\\n"\n'
        "fi\n"
    )
    path.chmod(0o755)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def path_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The only folder on PATH: node, and whatever a test puts there."""
    node = shutil.which("node")
    assert node, "node is not on PATH"
    folder = tmp_path / "path-bin"
    folder.mkdir()
    (folder / "node").symlink_to(node)
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.fixture
def checkout(tmp_path: Path, home: Path, path_bin: Path) -> Path:
    """A project checkout after `npm ci`: the real npm solc, a stand-in anvil."""
    root = tmp_path / "project"
    tools = Toolchain(root)
    tools.npm_solc_module.parent.mkdir(parents=True)
    tools.npm_solc_module.symlink_to(Toolchain(PROJECT_ROOT).npm_solc_module)
    tools.npm_anvil.parent.mkdir(parents=True)
    tools.npm_anvil.write_text("#!/bin/sh\n")
    tools.npm_anvil.chmod(0o755)
    return root


def version_banner(solc: Path) -> str:
    return subprocess.run([str(solc), "--version"], capture_output=True, text=True, check=True, timeout=60).stdout


def test_setup_writes_the_npm_wrapper_when_no_native_solc_is_installed(checkout: Path) -> None:
    tools = setup(checkout)
    assert tools.solc == checkout / ".solcx" / f"solc-v{SOLC_VERSION}"
    assert tools.solc.is_file() and not tools.solc.is_symlink()
    assert tools.solc.read_text() == wrapper_script(tools)
    assert "Version: 0.8.30+commit.73712a01.Emscripten.clang" in version_banner(tools.solc)
    assert (tools.bin_dir / "anvil").resolve() == tools.npm_anvil.resolve()
    assert (tools.bin_dir / "solc").resolve() == tools.solc.resolve()


def test_second_setup_does_not_rewrite_the_wrapper(checkout: Path) -> None:
    """Rewriting would change the mtime and make every make target that depends on the compiler rebuild."""
    tools = setup(checkout)
    before = tools.solc.stat()
    setup(checkout)
    after = tools.solc.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(os.listdir(tools.solcx_dir)) == [f"solc-v{SOLC_VERSION}"]


def test_setup_rewrites_a_wrapper_that_is_out_of_date(checkout: Path) -> None:
    tools = setup(checkout)
    tools.solc.write_text("#!/bin/sh\nexit 1\n")
    setup(checkout)
    assert tools.solc.read_text() == wrapper_script(tools)
    assert os.access(tools.solc, os.X_OK)


def test_setup_links_a_native_solc_installed_in_home_solcx(checkout: Path, home: Path) -> None:
    native = fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", NATIVE_VERSION)
    tools = setup(checkout)
    assert tools.solc.is_symlink()
    assert tools.solc.resolve() == native.resolve()
    assert f"Version: {NATIVE_VERSION}" in version_banner(tools.solc)


def test_second_setup_keeps_the_native_link(checkout: Path, home: Path) -> None:
    fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", NATIVE_VERSION)
    tools = setup(checkout)
    before = tools.solc.lstat()
    setup(checkout)
    after = tools.solc.lstat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_setup_links_a_native_solc_found_on_path(checkout: Path, path_bin: Path) -> None:
    native = fake_solc(path_bin / "solc", NATIVE_VERSION)
    tools = setup(checkout)
    assert tools.solc.resolve() == native.resolve()


def test_setup_ignores_a_native_solc_of_another_version(checkout: Path, home: Path, path_bin: Path) -> None:
    fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", "0.8.29+commit.ab55807c.Linux.g++")
    fake_solc(path_bin / "solc", "0.8.31+commit.fd3a2265.Linux.g++")
    tools = setup(checkout)
    assert not tools.solc.is_symlink()
    assert tools.solc.read_text() == wrapper_script(tools)


def test_setup_switches_from_the_npm_wrapper_to_a_native_solc_installed_later(checkout: Path, home: Path) -> None:
    tools = setup(checkout)
    assert not tools.solc.is_symlink()
    native = fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", NATIVE_VERSION)
    setup(checkout)
    assert tools.solc.resolve() == native.resolve()


def test_setup_with_prefer_native_off_replaces_the_native_link_with_the_wrapper(checkout: Path, home: Path) -> None:
    """`python -m devtools.toolchain setup --npm`: the way to test the npm build on a machine that has a native one."""
    fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", NATIVE_VERSION)
    tools = setup(checkout)
    assert tools.solc.is_symlink()
    setup(checkout, prefer_native=False)
    assert not tools.solc.is_symlink()
    assert tools.solc.read_text() == wrapper_script(tools)
    assert (home / ".solcx" / f"solc-v{SOLC_VERSION}").is_file(), "the native compiler itself must stay"


def test_setup_without_node_modules_names_npm_ci(tmp_path: Path, home: Path, path_bin: Path) -> None:
    root = tmp_path / "fresh-clone"
    root.mkdir()
    with pytest.raises(ToolchainError, match=r"node_modules/solc is missing: run `npm ci` in .*fresh-clone"):
        setup(root)


def test_setup_with_a_native_solc_but_no_node_modules_still_needs_anvil(
    tmp_path: Path, home: Path, path_bin: Path
) -> None:
    fake_solc(home / ".solcx" / f"solc-v{SOLC_VERSION}", NATIVE_VERSION)
    root = tmp_path / "fresh-clone"
    root.mkdir()
    with pytest.raises(ToolchainError, match=r"anvil-linux-amd64/bin/anvil is missing: run `npm ci`"):
        setup(root)


def test_setup_refuses_an_npm_solc_of_another_version(checkout: Path, tmp_path: Path) -> None:
    """A wrapper named solc-v0.8.30 that runs another compiler would mislead py-solc-x; fail with the fix instead."""
    other = tmp_path / "other-solc"
    other.mkdir()
    (other / "package.json").write_text('{"name": "solc", "version": "0.8.29", "main": "index.js"}')
    (other / "index.js").write_text("module.exports = { version: () => '0.8.29+commit.ab55807c.Emscripten.clang' };")
    module = Toolchain(checkout).npm_solc_module
    module.unlink()
    module.symlink_to(other)
    with pytest.raises(ToolchainError, match=r"is solc 0\.8\.29\+commit\.ab55807c\.Emscripten\.clang, not 0\.8\.30"):
        setup(checkout)


def test_environment_points_py_solc_x_and_path_at_the_checkout(checkout: Path, path_bin: Path) -> None:
    env = environment(checkout)
    assert env["SOLCX_BINARY_PATH"] == str(checkout / ".solcx")
    assert env["PATH"] == f"{checkout / '.bin'}{os.pathsep}{path_bin}"
