"""customers rfm breakpoints

Revision ID: 0005_rfm_breakpoints
Revises: 0004_kb_revision
Create Date: 2026-11-23 21:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.database

revision: str = '0005_rfm_breakpoints'
down_revision: str | Sequence[str] | None = '0004_kb_revision'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row until the first full figures refresh: pushes refresh everyone until then.
    op.create_table('rfm_breakpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recency', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('frequency', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('monetary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('computed_at', core.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rfm_breakpoints'))
    )


def downgrade() -> None:
    op.drop_table('rfm_breakpoints')
