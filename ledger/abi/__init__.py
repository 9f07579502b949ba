"""The committed contract ABIs: the runtime's only source of contract interfaces.

``ape run export_abi`` writes ``<Contract>.json`` here from a compile; ``tests/ledger/test_abi_current.py`` proves the
files match a fresh compile of ``contracts/``. The indexer, the API and the CLI load them from here, so they run
without ape and without a compiler. This module only reads, renders and hashes ABIs; it never compiles.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ABI_DIR = Path(__file__).resolve().parent
CONTRACTS: tuple[str, ...] = ("PartnerRegistry", "CertificateRegistry", "ProvenanceRegistry")
"""The deployed contracts whose ABIs are committed, in deployment order."""

Abi = list[dict[str, Any]]


def abi_path(name: str) -> Path:
    """Where the committed ABI of contract ``name`` lives."""
    return ABI_DIR / f"{name}.json"


def load_abi(name: str) -> Abi:
    """The committed ABI of contract ``name``.

    Raises:
        FileNotFoundError: no ABI is committed for ``name`` (run ``make abi``).
    """
    abi: Abi = json.loads(abi_path(name).read_text(encoding="utf-8"))
    return abi


def render_abi(abi: Abi) -> str:
    """The committed file form of an ABI: pretty-printed, sorted keys, trailing newline (stable diffs)."""
    return json.dumps(abi, indent=2, sort_keys=True) + "\n"


def abi_sha256(abi: Abi) -> str:
    """SHA-256 (hex) of the canonical JSON of an ABI: sorted keys, no spaces.

    The deployment manifest records this per contract, so the runtime can tell whether the ABI it loads is the one
    that was deployed, whatever the file's formatting.
    """
    canonical = json.dumps(abi, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
