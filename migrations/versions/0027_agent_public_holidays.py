"""each agent's own working hours can follow the public holidays of a country

`user_account.public_holidays` is "" (no public holidays: as before) for every existing
account, else a country code ("PL") or a country and one of its regions ("DE-BY").

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 03:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0023: SQLite adds a NOT NULL column with a default in place.
def upgrade():
    op.add_column(
        "user_account",
        sa.Column("public_holidays", sa.String(length=16), nullable=False, server_default=""),
    )


def downgrade():
    op.drop_column("user_account", "public_holidays")
