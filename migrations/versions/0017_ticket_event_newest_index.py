"""ticket event index for a ticket's newest event

The ticket page's live refresh reads the newest event of its ticket (max(id) for one
ticket_id) on every 5-second poll. With only the ticket_id index the database walked all
of the ticket's events; an index on (ticket_id, id) answers from one index entry.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_ticket_event_ticket_newest', 'ticket_event', ['ticket_id', 'id'], unique=False
    )


def downgrade():
    op.drop_index('ix_ticket_event_ticket_newest', table_name='ticket_event')
