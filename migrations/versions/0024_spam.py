"""agents can mark a ticket as spam and block its sender

`ticket.spam_at` says when an agent marked the ticket as spam (NULL for every existing
ticket). `blocked_sender` holds the addresses whose form responses create no ticket and
whose e-mails are not added: lower-cased and unique, with who blocked it, when, an optional
note and the ticket it was blocked from (so "Not spam" there lifts that block again).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 01:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


# Plain ALTER TABLE for `ticket`, as in 0020 and 0022: a batch copy could not reflect its
# expression index on lower(customer_email).
def upgrade():
    op.add_column("ticket", sa.Column("spam_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "blocked_sender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("blocked_by_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_by_id"],
            ["user_account.id"],
            name=op.f("fk_blocked_sender_blocked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_blocked_sender_ticket_id_ticket"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocked_sender")),
        sa.UniqueConstraint("email", name=op.f("uq_blocked_sender_email")),
    )
    op.create_index("ix_blocked_sender_ticket_id", "blocked_sender", ["ticket_id"])


def downgrade():
    op.drop_index("ix_blocked_sender_ticket_id", table_name="blocked_sender")
    op.drop_table("blocked_sender")
    op.drop_column("ticket", "spam_at")
