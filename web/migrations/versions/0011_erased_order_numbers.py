"""erased order numbers

Revision ID: 0011_erased_order_numbers
Revises: 0010_message_parts
Create Date: 2026-11-24 15:00:00.000000

An erase now replaces the shop's order numbers of the erased customer with ``[erased] <order id>``
(core/customers/privacy.py): the shop's number named the person again in the shop's own records,
and blocked the shop's next import or push of that order ("it belongs to another customer", a
customer the shop could no longer address). Customers erased before get the same.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011_erased_order_numbers'
down_revision: str | Sequence[str] | None = '0010_message_parts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The prefix is core.customers.records.ERASED_ORDER_PREFIX, as of this revision.
    op.execute(
        "UPDATE orders SET number = '[erased] ' || CAST(id AS VARCHAR(20)) "
        "WHERE customer_id IN (SELECT id FROM customers WHERE erased_at IS NOT NULL)")


def downgrade() -> None:
    # The shop's numbers are gone by design: nothing to restore.
    pass
