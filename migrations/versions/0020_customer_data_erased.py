"""a ticket remembers when its customer's personal data was erased on request

`ticket.customer_erased_at` is set by the admin's "erase customer data" action (GDPR
Art. 17): the customer's status link then says the information was erased instead of
showing an empty ticket. NULL for every existing ticket: nothing was erased.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 22:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): SQLite adds and drops a nullable column in place, and a
# batch copy of `ticket` could not reflect its expression index on lower(customer_email).
def upgrade():
    op.add_column(
        'ticket', sa.Column('customer_erased_at', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.drop_column('ticket', 'customer_erased_at')
