"""settings admins change in the browser, first of them the data retention period

`app_setting` holds one JSON value per key. No rows are written: a key without a row reads
as its default, so for every existing installation data retention stays off until an admin
switches it on.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'app_setting',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting')),
    )


def downgrade():
    op.drop_table('app_setting')
