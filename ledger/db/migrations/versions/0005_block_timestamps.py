"""block timestamps in the reorg window

``block_hashes`` gains a nullable ``timestamp``: the indexer stores each remembered block's time, so that the read
models can judge a proposal's deadline against the chain time of the indexed block. Rows already in the window keep
a null timestamp until the indexer remembers its next block (reads fall back to the wall clock meanwhile).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("block_hashes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timestamp", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("block_hashes", schema=None) as batch_op:
        batch_op.drop_column("timestamp")
