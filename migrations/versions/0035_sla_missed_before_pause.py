"""Partial indexes for deadlines a clock missed just before it paused

The SLA sweep skips paused clocks, so a deadline that passed after one sweep and before
the ticket went to wait on the customer (within the same minute) fired no breach until
the clock ran again. The sweep now also reads paused clocks whose deadline came before
the pause; these indexes hold only paused, unmet, unbreached clocks.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

CLOCKS = (
    ("first_response_due_at", "first_response_breached_at", "first_response_at"),
    ("resolution_due_at", "resolution_breached_at", "resolved_at"),
)


def upgrade():
    for column, fired, met in CLOCKS:
        condition = sa.text(f"{fired} IS NULL AND {met} IS NULL AND sla_paused_since IS NOT NULL")
        op.create_index(
            f"ix_ticket_sla_{column}_paused",
            "ticket",
            [column],
            postgresql_where=condition,
            sqlite_where=condition,
        )


def downgrade():
    for column, _, _ in CLOCKS:
        op.drop_index(f"ix_ticket_sla_{column}_paused", table_name="ticket")
