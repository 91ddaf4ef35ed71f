"""agents can be marked away (holiday, sick leave) for a period, with a short note

`user_account.away_from` / `away_until` hold the period in UTC (from the start of the
first day away to the start of the day the agent is back, in their timezone); NULL for
everyone existing: nobody is away. `away_note` is the optional note colleagues see.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('away_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('away_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('away_note', sa.String(length=120), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('away_note')
        batch_op.drop_column('away_until')
        batch_op.drop_column('away_from')
