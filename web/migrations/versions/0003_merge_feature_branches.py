"""merge feature branches

Revision ID: 0003
Revises: 0002_analytics, 0002_customers, 0002_kb
Create Date: 2026-11-23 08:02:49.805244
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.database


revision: str = '0003'
down_revision: str | Sequence[str] | None = ('0002_analytics', '0002_customers', '0002_kb')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
