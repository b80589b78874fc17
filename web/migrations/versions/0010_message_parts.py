"""message parts

Revision ID: 0010_message_parts
Revises: 0009_team_hours_wall_clock
Create Date: 2026-11-25 09:00:00.000000

A reply split into several channel messages keeps every part's id, so that a Viber receipt for any
part finds its message (only the last part's id was stored before). Messages already sent get one
part, their stored id: receipts still on their way for them keep matching as they did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010_message_parts'
down_revision: str | Sequence[str] | None = '0009_team_hours_wall_clock'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'message_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('channel_message_id', sa.String(length=128), nullable=False),
        sa.Column('delivery_status', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_parts_message_id_messages'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_parts')),
        sa.UniqueConstraint('message_id', 'position', name=op.f('uq_message_parts_message_id_position')),
    )
    op.create_index('ix_message_parts_channel_message', 'message_parts', ['channel', 'channel_message_id'],
                    unique=False)
    op.execute(
        "INSERT INTO message_parts (message_id, position, channel, channel_message_id, delivery_status) "
        "SELECT id, 0, channel, channel_message_id, delivery_status FROM messages "
        "WHERE direction = 'out' AND channel_message_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index('ix_message_parts_channel_message', table_name='message_parts')
    op.drop_table('message_parts')
