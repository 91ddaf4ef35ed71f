"""SLA clocks follow a calendar an admin changes

`ticket.sla_calendar_shift_seconds`: business time an open ticket's clock was pushed back
(negative: brought forward) when a newly published workflow version changed its business
calendar, so the time it had spent before the change stays as it was counted. Existing
tickets start at 0: their deadlines are unchanged by the upgrade.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0032: a batch copy of `ticket` could not reflect its expression
# index on lower(customer_email).
def upgrade():
    op.add_column(
        "ticket",
        sa.Column("sla_calendar_shift_seconds", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_column("ticket", "sla_calendar_shift_seconds")
