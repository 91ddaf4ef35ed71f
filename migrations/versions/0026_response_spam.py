"""form responses from spam are left out of scores, counts and themes

`form_response.spam` is true for a response whose ticket an agent marked as spam, or that
a blocked sender completed (until now only tagged in `meta`). Existing rows are set from
those two facts, so reports change at once for spam marked before.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 03:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "form_response",
        sa.Column("spam", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE form_response SET spam = true"
        " WHERE ticket_id IN (SELECT id FROM ticket WHERE spam_at IS NOT NULL)"
    )
    if op.get_bind().dialect.name == "postgresql":
        blocked = "(meta ->> 'blocked_sender') = 'true'"
    else:
        blocked = "json_extract(meta, '$.blocked_sender') = 1"
    op.execute(f"UPDATE form_response SET spam = true WHERE {blocked}")


def downgrade():
    op.drop_column("form_response", "spam")
