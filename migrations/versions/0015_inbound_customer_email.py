"""customers answer by e-mail: reply addresses and received mail

Outgoing customer e-mails about a ticket carry a Reply-To that routes back to the ticket
(`reply_to` on the outbox row, so a resend says the same). Each e-mail that comes back is
one `inbound_email` row: its unique Message-ID makes a message delivered twice count once,
and the admin's Received mail page lists the outcomes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_message', sa.Column('reply_to', sa.String(length=254), nullable=True))
    op.create_table(
        'inbound_email',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('sender', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('via', sa.String(length=8), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['ticket_id'],
            ['ticket.id'],
            name=op.f('fk_inbound_email_ticket_id_ticket'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_email')),
        sa.UniqueConstraint('message_id', name=op.f('uq_inbound_email_message_id')),
    )
    op.create_index(op.f('ix_inbound_email_ticket_id'), 'inbound_email', ['ticket_id'], unique=False)
    op.create_index(
        op.f('ix_inbound_email_received_at'), 'inbound_email', ['received_at'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_inbound_email_received_at'), table_name='inbound_email')
    op.drop_index(op.f('ix_inbound_email_ticket_id'), table_name='inbound_email')
    op.drop_table('inbound_email')
    op.drop_column('outbox_message', 'reply_to')
