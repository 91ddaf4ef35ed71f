"""label filter: expression index on lower(ticket_label.name)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_ticket_label_lower_name',
        'ticket_label',
        [sa.text('lower(name)'), 'ticket_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_ticket_label_lower_name', table_name='ticket_label')
