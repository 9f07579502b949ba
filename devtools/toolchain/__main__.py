"""``python -m devtools.toolchain setup``: wire the compiler and anvil (called by the Makefile)."""

from __future__ import annotations

import sys

from devtools.toolchain import ToolchainError, setup


def main(argv: list[str]) -> int:
    if argv[1:] not in (["setup"], ["setup", "--npm"]):
        print("usage: python -m devtools.toolchain setup [--npm]", file=sys.stderr)
        return 2
    try:
        tools = setup(prefer_native="--npm" not in argv)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    kind = "native" if tools.solc.is_symlink() else "npm (wasm) through solc_wrapper.js"
    print(f"solc 0.8.30: {kind} -> {tools.solc}; anvil -> {tools.bin_dir / 'anvil'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
