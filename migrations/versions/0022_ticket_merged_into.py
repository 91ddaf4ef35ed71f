"""a ticket can be merged into another (a duplicate from the same customer)

`ticket.merged_into_id` points at the ticket the conversation carries on in: its status
link, e-mail replies and agents' links lead there. NULL for every existing ticket.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:45:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0020: a batch copy of `ticket` could not reflect its expression
# index on lower(customer_email). No foreign key: SQLite cannot add one in place, and tickets
# are never deleted (retention erases their personal data, not the row).
def upgrade():
    op.add_column('ticket', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_index('ix_ticket_merged_into_id', 'ticket', ['merged_into_id'])


def downgrade():
    op.drop_index('ix_ticket_merged_into_id', table_name='ticket')
    op.drop_column('ticket', 'merged_into_id')
