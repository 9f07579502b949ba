"""contracts v5: the provenance of originals

The ProvenanceRegistry's derived tables: ``originals`` (the state of each original), ``provenance_events`` (the
timeline of each original), ``provenance_batches`` (anchored Merkle roots of lifecycle events),
``provenance_clearings`` and ``provenance_clearing_votes`` (council clearings of a false report). They start empty:
a v5 deployment is a new deployment, which the indexer indexes from its first block. The downgrade drops them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.db.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("originals", "provenance_events", "provenance_batches", "provenance_clearings", "provenance_clearing_votes")
"""Created by the upgrade, dropped by the downgrade."""


def upgrade() -> None:
    op.create_table(
        "originals",
        sa.Column("id", sa.String(length=66), nullable=False),
        sa.Column("identifier", sa.String(length=66), nullable=False),
        sa.Column("registrar", sa.String(length=42), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("holder", sa.String(length=42), nullable=False),
        sa.Column("third_party_holds", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.Integer(), nullable=False),
        sa.Column("soulbound", sa.Boolean(), nullable=False),
        sa.Column("parent", sa.String(length=66), nullable=True),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        sa.Column("registered_log_index", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("updated_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_originals")),
    )
    with op.batch_alter_table("originals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_originals_holder_id"), ["holder", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_originals_identifier_registered_block_registered_log_index"),
            ["identifier", "registered_block", "registered_log_index"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_originals_owner_id"), ["owner", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_originals_parent"), ["parent"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_originals_registrar_registered_block_id"),
            ["registrar", "registered_block", "id"],
            unique=False,
        )
    op.create_table(
        "provenance_events",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("original", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=42), nullable=False),
        sa.Column("party", sa.String(length=42), nullable=True),
        sa.Column("transfer_right", sa.Integer(), nullable=True),
        sa.Column("disposition", sa.Integer(), nullable=True),
        sa.Column("biz_step", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.BigInteger(), nullable=True),
        sa.Column("reference", sa.String(length=66), nullable=True),
        sa.Column("by_council", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_provenance_events")),
    )
    with op.batch_alter_table("provenance_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provenance_events_actor_block_number_log_index"),
            ["actor", "block_number", "log_index"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_provenance_events_original_block_number_log_index"),
            ["original", "block_number", "log_index"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_provenance_events_party_block_number_log_index"),
            ["party", "block_number", "log_index"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_provenance_events_reference"), ["reference"], unique=False)
    op.create_table(
        "provenance_batches",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("recorder", sa.String(length=42), nullable=False),
        sa.Column("root", sa.String(length=66), nullable=False),
        sa.Column("event_count", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", "log_index", name=op.f("pk_provenance_batches")),
    )
    with op.batch_alter_table("provenance_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provenance_batches_recorder_block_number_log_index"),
            ["recorder", "block_number", "log_index"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_provenance_batches_root"), ["root"], unique=False)
    op.create_table(
        "provenance_clearings",
        sa.Column("clearing_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("original", sa.String(length=66), nullable=False),
        sa.Column("proposer", sa.String(length=42), nullable=False),
        sa.Column("disposition", sa.Integer(), nullable=False),
        sa.Column("remark_hash", sa.String(length=66), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("council_at_proposal", sa.Integer(), nullable=False),
        sa.Column("yes_votes", sa.Integer(), nullable=False),
        sa.Column("executed", sa.Boolean(), nullable=False),
        sa.Column("executed_by", sa.String(length=42), nullable=True),
        sa.Column("executed_block", sa.BigInteger(), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("required", sa.Integer(), nullable=True),
        sa.Column("created_block", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("clearing_id", name=op.f("pk_provenance_clearings")),
    )
    with op.batch_alter_table("provenance_clearings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provenance_clearings_original"), ["original"], unique=False)
    op.create_table(
        "provenance_clearing_votes",
        sa.Column("clearing_id", ledger.db.schema.Uint256(), nullable=False),
        sa.Column("voter", sa.String(length=42), nullable=False),
        sa.Column("yes_votes", sa.Integer(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("clearing_id", "voter", name=op.f("pk_provenance_clearing_votes")),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
