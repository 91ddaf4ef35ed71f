"""state timers and an index on the customer's e-mail

Workflow states may have timers (`timers: [{after: 7d, trigger: close}]`). A ticket keeps
when it entered its state (backfilled from its last state change, else its creation), how
many of the state's timers fired and when the next one is due; a partial index on that due
time keeps the periodic sweep to the tickets with a timer still to fire. No existing
workflow version has timers, so no existing ticket has one due.

The ticket page lists the customer's other requests by lower(customer_email): an
expression index serves that lookup instead of a scan of every ticket.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ticket', sa.Column('state_entered_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'ticket',
        sa.Column('state_timers_fired', sa.Integer(), server_default='0', nullable=False),
    )
    op.add_column(
        'ticket', sa.Column('state_timer_due_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        """
        UPDATE ticket SET state_entered_at = COALESCE(
            (SELECT max(e.created_at) FROM ticket_event e
              WHERE e.ticket_id = ticket.id AND e.kind = 'transition'),
            created_at)
        """
    )
    op.create_index(
        'ix_ticket_state_timer_due_at',
        'ticket',
        ['state_timer_due_at'],
        unique=False,
        postgresql_where=sa.text('state_timer_due_at IS NOT NULL'),
        sqlite_where=sa.text('state_timer_due_at IS NOT NULL'),
    )
    op.create_index(
        'ix_ticket_customer_email_lower', 'ticket', [sa.text('lower(customer_email)')], unique=False
    )


def downgrade():
    op.drop_index('ix_ticket_customer_email_lower', table_name='ticket')
    op.drop_index('ix_ticket_state_timer_due_at', table_name='ticket')
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): no copy of the table, which would lose
    # the partial indexes' conditions on SQLite.
    op.drop_column('ticket', 'state_timer_due_at')
    op.drop_column('ticket', 'state_timers_fired')
    op.drop_column('ticket', 'state_entered_at')
