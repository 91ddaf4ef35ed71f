"""staff can turn on two-step sign-in (TOTP) and keep one-time recovery codes

`user_account` gets the authenticator key, since when two-step sign-in is on (NULL: off, as
for every existing account) and the last accepted time step (a code works once).
`recovery_code` holds the hashes of each account's one-time recovery codes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 02:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0020, 0022 and 0023: nullable columns are added in place.
def upgrade():
    op.add_column("user_account", sa.Column("two_step_secret", sa.String(length=64), nullable=True))
    op.add_column(
        "user_account", sa.Column("two_step_on_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("user_account", sa.Column("two_step_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("user_id", "code_hash", name=op.f("uq_recovery_code_user_id")),
    )
    op.create_index("ix_recovery_code_user_id", "recovery_code", ["user_id"])


def downgrade():
    op.drop_index("ix_recovery_code_user_id", table_name="recovery_code")
    op.drop_table("recovery_code")
    op.drop_column("user_account", "two_step_last_step")
    op.drop_column("user_account", "two_step_on_since")
    op.drop_column("user_account", "two_step_secret")
