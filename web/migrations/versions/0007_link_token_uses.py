"""link token uses

Revision ID: 0007_link_token_uses
Revises: 0006_kb_unanswered_dismissed
Create Date: 2026-11-24 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.database

revision: str = '0007_link_token_uses'
down_revision: str | Sequence[str] | None = '0006_kb_unanswered_dismissed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A shop link serves the first account of each messenger that opens it; a forwarded e-mail no more.
    op.create_table(
        'link_token_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('identity_id', sa.Integer(), nullable=False),
        sa.Column('used_at', core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_link_token_uses_identity_id_identities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_link_token_uses')),
        sa.UniqueConstraint('token_digest', 'channel', name=op.f('uq_link_token_uses_token_digest_channel')),
    )
    op.create_index(op.f('ix_link_token_uses_identity_id'), 'link_token_uses', ['identity_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_link_token_uses_identity_id'), table_name='link_token_uses')
    op.drop_table('link_token_uses')
