"""block times of provenance events

``chain_events`` gains a nullable ``block_timestamp`` (the time of the event's block, which the node's logs carry as
``blockTimestamp``), so that a replay after a reorg gives the handlers the same time again; ``provenance_events`` gains
``at`` (the time of each timeline row) and ``originals`` ``registered_at`` (the time of the registration). Rows
written before this migration keep null times: the logs they came from are not stored, and an index that wants them
is rebuilt with ``originals index --reset``. The downgrade drops the three columns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 02:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = (("chain_events", "block_timestamp"), ("provenance_events", "at"), ("originals", "registered_at"))
"""Added by the upgrade (nullable BIGINT), dropped by the downgrade."""


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
