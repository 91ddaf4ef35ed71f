"""which tickets an agent sees: every ticket, or only their teams'

`user_account.ticket_access` is "all" (as before, the default for every existing
account) or "teams": the agent then sees their teams' tickets and those assigned to
them, followed by them or holding a task for them. Admins always see every ticket.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(
            sa.Column('ticket_access', sa.String(length=16), nullable=False, server_default='all')
        )


def downgrade():
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('ticket_access')
