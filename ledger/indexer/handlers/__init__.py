"""The projection handlers, one module per contract, and :data:`REGISTRY`, which the projector asks.

A new contract's events get a module here (its :class:`~ledger.indexer.registry.Contract`, entity kinds, batch
buffer and one ``@on(Event, ENTITY)`` handler per event) and a place in :data:`CONTRACTS`; nothing else in the
indexer changes. See "Adding a handler for a new contract's events" in ``docs/architecture.md``.
"""

from __future__ import annotations

from typing import Any

from ledger.indexer.handlers.certificates import CERTIFICATE_REGISTRY
from ledger.indexer.handlers.partners import PARTNER_REGISTRY
from ledger.indexer.handlers.provenance import PROVENANCE_REGISTRY
from ledger.indexer.registry import Contract, Registry

CONTRACTS: tuple[Contract[Any], ...] = (PARTNER_REGISTRY, CERTIFICATE_REGISTRY, PROVENANCE_REGISTRY)
"""Every contract projection, in the order their writes are flushed within a batch."""

REGISTRY = Registry(CONTRACTS)
"""Every event type the indexer projects, and its handler."""
