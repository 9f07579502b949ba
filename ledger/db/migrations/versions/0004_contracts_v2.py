"""contracts v2: certificates keyed by id, council decisions, partner details history

A v2 deployment is a new chain history, so the chain-derived tables, ``chain_events``, ``sync_state`` and
``block_hashes`` are dropped and created again in their v2 shape (the indexer then starts over from the deployment
block of the manifest it is given). The API's own tables stay: ``api_keys`` unchanged, ``issuances`` gains
``certificate_id`` (computed for existing rows from their issuer and root: keccak256(abi.encode(issuer, root))), and
its ``root`` may be null (a status change names its certificate by id).
The downgrade restores the v1 tables empty and drops ``issuances.certificate_id``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 14:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from eth_hash.auto import keccak

import ledger.db.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHAIN_TABLES_V1 = (
    "chain_events",
    "sync_state",
    "block_hashes",
    "partners",
    "partner_history",
    "applications",
    "proposals",
    "votes",
    "certificates",
    "documents",
    "certificate_history",
)
"""Dropped by the upgrade, created again (empty) by the downgrade."""
CHAIN_TABLES_V2 = (
    "chain_events",
    "sync_state",
    "block_hashes",
    "partners",
    "partner_history",
    "applications",
    "partner_details",
    "proposals",
    "votes",
    "certificates",
    "documents",
    "document_status",
    "certificate_history",
)
"""Created by the upgrade, dropped by the downgrade."""


def _certificate_id(issuer: str, root: str) -> str:
    """keccak256(abi.encode(issuer, root)), as CertificateRegistry.certificateId computes it."""
    return "0x" + keccak(bytes(12) + bytes.fromhex(issuer[2:]) + bytes.fromhex(root[2:])).hex()


def upgrade() -> None:
    for name in CHAIN_TABLES_V1:
        op.drop_table(name)
    _create_v2()
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certificate_id", sa.String(length=66), nullable=True))
    issuances = sa.table(
        "issuances", sa.column("tx_hash"), sa.column("issuer"), sa.column("root"), sa.column("certificate_id")
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(issuances.c.tx_hash, issuances.c.issuer, issuances.c.root)).all()
    if rows:
        conn.execute(
            issuances.update()
            .where(issuances.c.tx_hash == sa.bindparam("b_tx"))
            .values(certificate_id=sa.bindparam("b_id")),
            [{"b_tx": tx, "b_id": _certificate_id(issuer, root)} for tx, issuer, root in rows],
        )
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.alter_column("certificate_id", existing_type=sa.String(length=66), nullable=False)
        # A status change names its certificate by id: its root is not known to the API (nor needed).
        batch_op.alter_column("root", existing_type=sa.String(length=66), nullable=True)
        batch_op.create_index(batch_op.f("ix_issuances_certificate_id"), ["certificate_id"], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM issuances WHERE root IS NULL"))  # v1 had no status change without its root
    with op.batch_alter_table("issuances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuances_certificate_id"))
        batch_op.drop_column("certificate_id")
        batch_op.alter_column("root", existing_type=sa.String(length=66), nullable=False)
    for name in CHAIN_TABLES_V2:
        op.drop_table(name)
    _create_v1()


def _create_v2() -> None:
    op.create_table(
        "chain_events",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=80), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index", name=op.f("pk_chain_events")),
    )
    with op.batch_alter_table("chain_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_events_block_number_log_index"), ["block_number", "log_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chain_events_entity_block_number"), ["entity", "block_number"], unique=False
        )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("checkpoint_block", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_hash", sa.String(length=66), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "block_hashes",
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("parent_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_block_hashes")),
    )
    op.create_table(
        "partners",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("org_type", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("metadata_hash", sa.String(length=66), nullable=False),
        sa.Column("details_hash", sa.String(length=66), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.BigInteger(), nullable=True),
        sa.Column("compromised_after", sa.BigInteger(), nullable=True),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_partners")),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_org_type_status"), ["org_type", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_partners_status"), ["status"], unique=False)
    op.create_table(
        "partner_history",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("active_issuer", sa.Boolean(), nullable=False),
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=True),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_partner_history")),
    )
    with op.batch_alter_table("partner_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_history_address_at"), ["address", "at"], unique=False)
    op.create_table(
        "applications",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("org_type", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("metadata_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_address"), ["address"], unique=False)
    op.create_table(
        "partner_details",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=True),
        sa.Column("org_type", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("metadata_hash", sa.String(length=66), nullable=False),
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_partner_details")),
    )
    with op.batch_alter_table("partner_details", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_details_address_block_number_log_index"),
            ["address", "block_number", "log_index"],
            unique=False,
        )
    op.create_table(
        "proposals",
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=42), nullable=False),
        sa.Column("proposer", sa.String(length=42), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("compromised_after", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=False),
        sa.Column("council_at_proposal", sa.Integer(), nullable=False),
        sa.Column("yes_votes", sa.Integer(), nullable=False),
        sa.Column("no_votes", sa.Integer(), nullable=False),
        sa.Column("executed", sa.Boolean(), nullable=False),
        sa.Column("executed_by", sa.String(length=42), nullable=True),
        sa.Column("executed_block", sa.BigInteger(), nullable=True),
        sa.Column("counted_votes", sa.Integer(), nullable=True),
        sa.Column("required", sa.Integer(), nullable=True),
        sa.Column("proposed_org_type", sa.Integer(), nullable=True),
        sa.Column("proposed_display_name", sa.Text(), nullable=True),
        sa.Column("proposed_domain", sa.Text(), nullable=True),
        sa.Column("proposed_metadata_hash", sa.String(length=66), nullable=True),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_subject"), ["subject"], unique=False)
    op.create_table(
        "votes",
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("voter", sa.String(length=42), nullable=False),
        sa.Column("support", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "voter", name=op.f("pk_votes")),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("issuer", sa.String(length=42), nullable=False),
        sa.Column("fingerprint", sa.String(length=66), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_reason", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.BigInteger(), nullable=True),
        sa.Column("status_by", sa.String(length=42), nullable=True),
        sa.Column("status_by_council", sa.Boolean(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_issued_at_id"), ["issued_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificates_issuer_issued_at_id"), ["issuer", "issued_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certificates_root"), ["root"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificates_status_issued_at_id"), ["status", "issued_at", "id"], unique=False
        )
    op.create_table(
        "documents",
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=False),
        sa.Column("fingerprint", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", "leaf", "fingerprint", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_leaf"), ["leaf"], unique=False)
    op.create_table(
        "document_status",
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_reason", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.BigInteger(), nullable=True),
        sa.Column("status_by", sa.String(length=42), nullable=True),
        sa.Column("status_by_council", sa.Boolean(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_id", "leaf", name=op.f("pk_document_status")),
    )
    op.create_table(
        "certificate_history",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=True),
        sa.Column("by_council", sa.Boolean(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_certificate_history")),
    )
    with op.batch_alter_table("certificate_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_history_certificate_id_block_number_log_index"),
            ["certificate_id", "block_number", "log_index"],
            unique=False,
        )


def _create_v1() -> None:
    op.create_table(
        "chain_events",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=80), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "tx_hash", "log_index", name=op.f("pk_chain_events")),
    )
    with op.batch_alter_table("chain_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_events_block_number_log_index"), ["block_number", "log_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chain_events_entity_block_number"), ["entity", "block_number"], unique=False
        )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("checkpoint_block", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_hash", sa.String(length=66), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "block_hashes",
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("parent_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_block_hashes")),
    )
    op.create_table(
        "partners",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("org_type", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("metadata_hash", sa.String(length=66), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.BigInteger(), nullable=True),
        sa.Column("compromised_after", sa.BigInteger(), nullable=True),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_partners")),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_org_type_status"), ["org_type", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_partners_status"), ["status"], unique=False)
    op.create_table(
        "partner_history",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("active_issuer", sa.Boolean(), nullable=False),
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=True),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_partner_history")),
    )
    with op.batch_alter_table("partner_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_history_address_at"), ["address", "at"], unique=False)
    op.create_table(
        "applications",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("org_type", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("metadata_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_address"), ["address"], unique=False)
    op.create_table(
        "proposals",
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=42), nullable=False),
        sa.Column("proposer", sa.String(length=42), nullable=False),
        sa.Column("rights", sa.Integer(), nullable=False),
        sa.Column("compromised_after", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("yes_votes", sa.Integer(), nullable=False),
        sa.Column("no_votes", sa.Integer(), nullable=False),
        sa.Column("executed", sa.Boolean(), nullable=False),
        sa.Column("executed_by", sa.String(length=42), nullable=True),
        sa.Column("executed_block", sa.BigInteger(), nullable=True),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_subject"), ["subject"], unique=False)
    op.create_table(
        "votes",
        sa.Column("proposal_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("voter", sa.String(length=42), nullable=False),
        sa.Column("support", sa.Boolean(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "voter", name=op.f("pk_votes")),
    )
    op.create_table(
        "certificates",
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("issuer", sa.String(length=42), nullable=False),
        sa.Column("fingerprint", sa.String(length=66), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_reason", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.BigInteger(), nullable=True),
        sa.Column("status_by", sa.String(length=42), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("root", name=op.f("pk_certificates")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificates_issuer_issued_at_root"), ["issuer", "issued_at", "root"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_certificates_status_issued_at_root"), ["status", "issued_at", "root"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certificates_issued_at_root"), ["issued_at", "root"], unique=False)
    op.create_table(
        "documents",
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=False),
        sa.Column("fingerprint", sa.String(length=66), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("status_reason", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.BigInteger(), nullable=True),
        sa.Column("status_by", sa.String(length=42), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("root", "leaf", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_leaf"), ["leaf"], unique=False)
    op.create_table(
        "certificate_history",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("leaf", sa.String(length=66), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.Integer(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_certificate_history")),
    )
    with op.batch_alter_table("certificate_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_history_root_block_number_log_index"),
            ["root", "block_number", "log_index"],
            unique=False,
        )
