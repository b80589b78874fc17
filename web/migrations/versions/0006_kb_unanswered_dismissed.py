"""kb unanswered dismissed

Revision ID: 0006_kb_unanswered_dismissed
Revises: 0005_rfm_breakpoints
Create Date: 2026-11-23 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.database

revision: str = '0006_kb_unanswered_dismissed'
down_revision: str | Sequence[str] | None = '0005_rfm_breakpoints'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Questions an editor dismissed leave the inbox like those turned into an article.
    op.add_column('kb_unanswered', sa.Column('dismissed_at', core.database.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('kb_unanswered', 'dismissed_at')
