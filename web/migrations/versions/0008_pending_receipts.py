"""pending receipts

Revision ID: 0008_pending_receipts
Revises: 0007_link_token_uses
Create Date: 2026-11-24 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.database

revision: str = '0008_pending_receipts'
down_revision: str | Sequence[str] | None = '0007_link_token_uses'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A Viber receipt can come before the sender has stored the message token; it waits here.
    op.create_table(
        'pending_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('channel_message_id', sa.String(length=128), nullable=False),
        sa.Column('delivery_status', sa.String(length=16), nullable=False),
        sa.Column('received_at', core.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_receipts')),
    )
    op.create_index('ix_pending_receipts_channel_message', 'pending_receipts', ['channel', 'channel_message_id'],
                    unique=False)
    op.create_index('ix_pending_receipts_received_at', 'pending_receipts', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pending_receipts_received_at', table_name='pending_receipts')
    op.drop_index('ix_pending_receipts_channel_message', table_name='pending_receipts')
    op.drop_table('pending_receipts')
