"""each staff member can turn the single-key keyboard shortcuts off (WCAG 2.1.4)

`user_account.keyboard_shortcuts` is true for every existing account: the shortcuts stay
on, as before, until the person turns them off on their profile.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 00:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0020 and 0022: SQLite adds a NOT NULL column in place when it has a
# default, and drops it in place again.
def upgrade():
    op.add_column(
        'user_account',
        sa.Column('keyboard_shortcuts', sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade():
    op.drop_column('user_account', 'keyboard_shortcuts')
