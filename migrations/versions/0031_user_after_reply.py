"""the reply box remembers each colleague's "After sending" choice

`user_account.after_reply` holds the workflow trigger they last chose to follow a reply
(e.g. `ask_customer`); null: keep the status.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 10:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_reply", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("after_reply")
