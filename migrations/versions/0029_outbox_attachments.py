"""files an agent attaches to a reply travel with its e-mail

`outbox_message.attachments` lists the `ticket_file` ids the e-mail carries (null: none),
read when the message is sent, so a retried send attaches the same files.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 06:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("attachments")
