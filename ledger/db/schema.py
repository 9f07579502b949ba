"""The SQL schema: one definition for SQLite and PostgreSQL (Alembic migrations are generated from it).

Two kinds of tables. ``chain_events`` is the append-only mirror of every decoded event, keyed by
(chain_id, tx_hash, log_index), with the block it came from and the *entity* it belongs to (``partner:<address>``,
``proposal:<id>``, ``certificate:<certificate id>``, ``original:<original id>``, ``clearing:<id>`` or
``anchor:<root>``). Every other table is **derived**: a pure function of the
events of its entity, so a reorg rollback deletes the events above the common ancestor, drops the derived rows of the
entities those events touched, and replays the remaining events of just those entities. ``sync_state`` and
``block_hashes`` hold progress and the reorg window; they are written in the same transaction as the rows they
describe.

Hashes and addresses are lower-case ``0x`` hex text (readable, portable, indexable); uint256 values use
:class:`Uint256` because SQLite silently turns integers wider than 64 bits into floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
)

SCHEMA_VERSION = 3
"""2: contracts v2 (certificates keyed by id = keccak256(issuer, root), council decisions, details changes); 3: block
times of events (``chain_events.block_timestamp``, ``provenance_events.at``, ``originals.registered_at``)."""

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Uint256(TypeDecorator[int]):
    """An unsigned 256-bit integer: NUMERIC(78, 0) on PostgreSQL, decimal TEXT on SQLite (exact, not sortable)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(78, 0))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value < 0 or value >> 256:
            raise ValueError(f"{value} is not a uint256")
        return Decimal(value) if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def _address(name: str, **kw: Any) -> Column[str]:
    return Column(name, String(42), **kw)


def _hash(name: str, **kw: Any) -> Column[str]:
    return Column(name, String(66), **kw)


chain_events = Table(
    "chain_events",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("block_number", BigInteger, nullable=False),
    _hash("block_hash", nullable=False),
    _address("contract", nullable=False),
    Column("event", String(32), nullable=False),
    Column("entity", String(80), nullable=False),
    Column("args", Text, nullable=False),
    Column("block_timestamp", BigInteger),
    Index(None, "block_number", "log_index"),
    Index(None, "entity", "block_number"),
)
"""``block_timestamp`` is the time of the event's block as the node's log said it (``blockTimestamp``; null from a
node that leaves it out, and in rows written before migration 0007): a replay hands it to the handlers again, so the
derived times of a rebuilt entity are the ones first written."""

partners = Table(
    "partners",
    metadata,
    _address("address", primary_key=True),
    Column("org_type", Integer, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("domain", Text, nullable=False),
    _hash("metadata_hash", nullable=False),
    _hash("details_hash", nullable=False),
    Column("status", Integer, nullable=False),
    Column("rights", Integer, nullable=False),
    Column("joined_at", BigInteger),
    Column("compromised_after", BigInteger),
    Column("registered_block", BigInteger, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
    Index(None, "org_type", "status"),
    Index(None, "status"),
)
"""The current record of each partner. ``details_hash`` is the registry's ``detailsHash`` of the current details
(what an Admit proposal binds, ``proposals.target``)."""

partner_history = Table(
    "partner_history",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _address("address", nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("event", String(32), nullable=False),
    Column("status", Integer, nullable=False),
    Column("rights", Integer, nullable=False),
    Column("active_issuer", Boolean, nullable=False),
    Column("proposal_id", Uint256),
    Index(None, "address", "at"),
)

applications = Table(
    "applications",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _address("address", nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("org_type", Integer, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("domain", Text, nullable=False),
    _hash("metadata_hash", nullable=False),
    Index(None, "address"),
)

partner_details = Table(
    "partner_details",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _address("address", nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("at", BigInteger),
    Column("org_type", Integer, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("domain", Text, nullable=False),
    _hash("metadata_hash", nullable=False),
    Column("proposal_id", Uint256),
    Column("source", String(16), nullable=False),
    Index(None, "address", "block_number", "log_index"),
)
"""Every set of details a partner has had, in chain order: ``source`` ``'registered'`` (an application or a founder;
``at`` and ``proposal_id`` null: PartnerRegistered carries no time) or ``'changed'`` (a ChangeDetails decision). The
name a certificate was issued under is the issuer's latest row at or before the certificate's
(block_number, log_index)."""

proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", Uint256, primary_key=True),
    Column("kind", Integer, nullable=False),
    _address("subject", nullable=False),
    _address("proposer", nullable=False),
    Column("rights", Integer, nullable=False),
    Column("compromised_after", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    _hash("target", nullable=False),
    _hash("leaf", nullable=False),
    Column("reason", Integer, nullable=False),
    Column("council_at_proposal", Integer, nullable=False),
    Column("yes_votes", Integer, nullable=False),
    Column("no_votes", Integer, nullable=False),
    Column("executed", Boolean, nullable=False),
    _address("executed_by"),
    Column("executed_block", BigInteger),
    Column("counted_votes", Integer),
    Column("required", Integer),
    Column("proposed_org_type", Integer),
    Column("proposed_display_name", Text),
    Column("proposed_domain", Text),
    _hash("proposed_metadata_hash"),
    Column("created_block", BigInteger, nullable=False),
    _hash("tx_hash", nullable=False),
    Index(None, "subject"),
)
"""Council proposals. ``target``, ``leaf``, ``reason`` are ProposalCreated's values as emitted (zero when the kind has
none): the details hash bound by Admit / ChangeDetails, or the certificate id, document and reason code of a
certificate decision (whose ``subject`` is the certificate registry). ``counted_votes`` and ``required`` are null
until executed; ``proposed_*`` are the details a ChangeDetails proposal would set (DetailsProposed), else null."""

votes = Table(
    "votes",
    metadata,
    Column("proposal_id", Uint256, primary_key=True),
    _address("voter", primary_key=True),
    Column("support", Boolean, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    _hash("tx_hash", nullable=False),
)

certificates = Table(
    "certificates",
    metadata,
    _hash("id", primary_key=True),
    _hash("root", nullable=False),
    _address("issuer", nullable=False),
    _hash("fingerprint"),
    Column("mode", String(16), nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("valid_until", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("status_reason", Integer),
    Column("status_at", BigInteger),
    _address("status_by"),
    Column("status_by_council", Boolean),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    _hash("tx_hash", nullable=False),
    Index(None, "issuer", "issued_at", "id"),
    Index(None, "fingerprint"),
    Index(None, "status", "issued_at", "id"),
    Index(None, "issued_at", "id"),
    Index(None, "root"),
)
"""One row per certificate id (keccak256(issuer, root): two issuers may certify the same root). ``mode`` is
``'single'``, ``'batch'`` or ``'batch_public'``; ``fingerprint`` is null for batches. The ``status*`` columns are the
whole certificate's (status events with leaf 0); ``status_by``/``status_by_council`` are null until the first change.
(``block_number``, ``log_index``) place the issuance in chain order (for the issuer's name at issuance)."""

documents = Table(
    "documents",
    metadata,
    _hash("certificate_id", primary_key=True),
    _hash("leaf", primary_key=True),
    _hash("fingerprint", primary_key=True),
    Column("block_number", BigInteger, nullable=False),
    Index(None, "fingerprint"),
    Index(None, "leaf"),
)
"""Documents whose fingerprint the chain published: a single certificate's (leaf = root, from CertificateIssued) and
a public batch's (DocumentPublished). The fingerprint is part of the key: a batch may publish one leaf twice with two
fingerprints, and both are on the chain."""

document_status = Table(
    "document_status",
    metadata,
    _hash("certificate_id", primary_key=True),
    _hash("leaf", primary_key=True),
    Column("status", Integer, nullable=False),
    Column("status_reason", Integer),
    Column("status_at", BigInteger),
    _address("status_by"),
    Column("status_by_council", Boolean),
    Column("block_number", BigInteger, nullable=False),
)
"""The status of each document acted on (status events with a non-zero leaf), published or not; ``block_number`` is
the block of its first status change."""

certificate_history = Table(
    "certificate_history",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _hash("certificate_id", nullable=False),
    _hash("leaf"),
    Column("action", String(16), nullable=False),
    _address("actor", nullable=False),
    Column("reason", Integer),
    Column("by_council", Boolean),
    Column("at", BigInteger, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Index(None, "certificate_id", "block_number", "log_index"),
)

originals = Table(
    "originals",
    metadata,
    _hash("id", primary_key=True),
    _hash("identifier", nullable=False),
    _address("registrar", nullable=False),
    _address("owner", nullable=False),
    _address("holder", nullable=False),
    Column("third_party_holds", Boolean, nullable=False),
    Column("disposition", Integer, nullable=False),
    Column("soulbound", Boolean, nullable=False),
    _hash("parent"),
    Column("registered_block", BigInteger, nullable=False),
    Column("registered_log_index", Integer, nullable=False),
    Column("registered_at", BigInteger),
    _hash("tx_hash", nullable=False),
    Column("updated_block", BigInteger, nullable=False),
    Index(None, "owner", "id"),
    Index(None, "holder", "id"),
    Index(None, "identifier", "registered_block", "registered_log_index"),
    Index(None, "registrar", "registered_block", "id"),
    Index(None, "parent"),
)
"""The current state of each original (ProvenanceRegistry; id = keccak256(abi.encode(registrar, identifier))), as the
contract keeps it: ``holder`` is who holds it (the owner when ``third_party_holds`` is false; a sale then moves custody
to the new owner), ``parent`` the original it was made from (OriginalDerived). Every column is set from the events
alone (no counter), so applying an event again changes nothing. Registrations of one identifier by several
registrars are ordered by (``registered_block``, ``registered_log_index``): the first is the identifier's first
registration. ``registered_at`` is the time of ``registered_block`` (null when the node's logs carried no block time,
and in rows written before migration 0007)."""

provenance_events = Table(
    "provenance_events",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _hash("original", nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("at", BigInteger),
    Column("action", String(24), nullable=False),
    _address("actor", nullable=False),
    _address("party"),
    Column("transfer_right", Integer),
    Column("disposition", Integer),
    Column("biz_step", Integer),
    Column("occurred_at", BigInteger),
    Column("deadline", BigInteger),
    _hash("reference"),
    Column("by_council", Boolean),
    Index(None, "original", "block_number", "log_index"),
    Index(None, "actor", "block_number", "log_index"),
    Index(None, "party", "block_number", "log_index"),
    Index(None, "reference"),
)
"""The timeline of each original, one row per event of the original in chain order (keyset: (``block_number``,
``log_index``)). ``action`` names the event (:data:`ledger.indexer.handlers.provenance.ACTIONS`); ``actor`` is who
acted (the registrar, the offering or reporting party, the recipient who rejected, the holder or recorder of a
lifecycle event) and ``party`` the other address (the owner at registration, the holder, the recipient, the one-time
key, the claimant, the consenting holder); ``reference`` the hash the event carries (the identifier, the certificate
id, the parent, the evidence or remark hash). ``at`` is the time of the event's block (null when the node's logs
carried none, and in rows written before migration 0007). Columns an event does not carry are null."""

provenance_batches = Table(
    "provenance_batches",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("log_index", Integer, primary_key=True),
    _address("recorder", nullable=False),
    _hash("root", nullable=False),
    Column("event_count", BigInteger, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Index(None, "root"),
    Index(None, "recorder", "block_number", "log_index"),
)
"""Merkle roots of lifecycle events anchored by a partner (EventsAnchored): the events are proved against them."""

provenance_clearings = Table(
    "provenance_clearings",
    metadata,
    Column("clearing_id", Uint256, primary_key=True),
    _hash("original", nullable=False),
    _address("proposer", nullable=False),
    Column("disposition", Integer, nullable=False),
    _hash("remark_hash", nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("council_at_proposal", Integer, nullable=False),
    Column("yes_votes", Integer, nullable=False),
    Column("executed", Boolean, nullable=False),
    _address("executed_by"),
    Column("executed_block", BigInteger),
    Column("counted", Integer),
    Column("required", Integer),
    Column("created_block", BigInteger, nullable=False),
    _hash("tx_hash", nullable=False),
    Index(None, "original"),
)
"""Council proposals to clear an original's disposition (a false report); ``counted`` and ``required`` are null
until executed. The clearing itself is the original's ``disposition_cleared`` row with ``by_council``."""

provenance_clearing_votes = Table(
    "provenance_clearing_votes",
    metadata,
    Column("clearing_id", Uint256, primary_key=True),
    _address("voter", primary_key=True),
    Column("yes_votes", Integer, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    _hash("tx_hash", nullable=False),
)
"""The yes votes cast on clearings after the proposer's own (ClearingVoted), with the total after each."""

sync_state = Table(
    "sync_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("config_hash", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("checkpoint_block", BigInteger, nullable=False),
    _hash("checkpoint_hash"),
    Column("updated_at", BigInteger, nullable=False),
)

block_hashes = Table(
    "block_hashes",
    metadata,
    Column("number", BigInteger, primary_key=True),
    _hash("hash", nullable=False),
    _hash("parent_hash", nullable=False),
    Column("timestamp", BigInteger),
)
"""The reorg window: the last blocks the indexer applied, with their parent hashes and timestamps. The checkpoint's
block is always in it, so its ``timestamp`` is the chain time the index stands at (what "has this proposal's deadline
passed?" is judged against); null only in rows written before migration 0005."""

indexer_lock = Table(
    "indexer_lock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("acquired_at", BigInteger, nullable=False),
    Column("heartbeat_at", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("key_prefix", String(16), nullable=False),
    _address("issuer", nullable=False),
    Column("label", String(200), nullable=False),
    Column("keystore", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    Index(None, "issuer"),
)
"""Issuer API keys, stored only as SHA-256 hashes, each bound to an encrypted keystore file. Not chain data."""

issuances = Table(
    "issuances",
    metadata,
    _hash("tx_hash", primary_key=True),
    Column("action", String(16), nullable=False),
    _hash("certificate_id", nullable=False),
    _hash("root"),
    _hash("leaf"),
    _address("issuer", nullable=False),
    Column("documents", Integer, nullable=False),
    Column("submitted_at", BigInteger, nullable=False),
    Index(None, "certificate_id"),
    Index(None, "root"),
)
"""Transactions the API sent, so it can say "pending" until the indexer sees them. Not chain data."""

INDEXER_TABLES = ("chain_events", "sync_state", "block_hashes", "indexer_lock")
"""With DERIVED_TABLES: everything ``originals index --reset`` may delete (never the API's own tables)."""

DERIVED_TABLES = (
    partners,
    partner_history,
    applications,
    partner_details,
    proposals,
    votes,
    certificates,
    documents,
    document_status,
    certificate_history,
    originals,
    provenance_events,
    provenance_batches,
    provenance_clearings,
    provenance_clearing_votes,
)
"""Tables that are a pure function of ``chain_events`` (rebuilt per entity on rollback)."""
