"""The hex vocabulary, written once: what a 32-byte value and an address look like, wherever one is parsed (the
manifest, documents, the verification service, the deploy script's consortium file) and in the API's types
(`api/vocabulary.py` builds its annotated types from these patterns)."""

from __future__ import annotations

import re

HEX32_PATTERN = r"^0x[0-9a-fA-F]{64}$"
"""A 32-byte value (certificate id, root, leaf, fingerprint, transaction or block hash): 0x + 64 hex digits, either
case."""
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
"""An account or contract address: 0x + 40 hex digits, either case."""

HEX32 = re.compile(HEX32_PATTERN)
ADDRESS = re.compile(ADDRESS_PATTERN)
