"""files customers send with their replies (e-mail attachments, status-page uploads)

Until now an e-mail reply's attachments were counted ("2 attachments were not kept") and
dropped. `ticket_file` keeps them, as `response_file` keeps a form's uploads.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_ticket_file_ticket_id_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_file")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_ticket_file_storage_key")),
    )
    with op.batch_alter_table("ticket_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_file_ticket_id"), ["ticket_id"], unique=False)


def downgrade():
    with op.batch_alter_table("ticket_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_file_ticket_id"))
    op.drop_table("ticket_file")
