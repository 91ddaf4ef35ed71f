"""one reminder for an unanswered post-resolution survey

`remind_after_days` is copied from the workflow's `schedule_survey` when an invitation is
scheduled; `remind_at` is set when the invitation is sent; `reminded_at` when the one
reminder was queued. Existing invitations keep all three empty, so they never get a
reminder: an upgrade does not mail every old unanswered survey at once.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 13:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0032: a batch copy reflects survey_invitation's foreign key
# to `ticket`, whose expression index SQLite cannot reflect.
def upgrade():
    op.add_column("survey_invitation", sa.Column("remind_after_days", sa.Integer(), nullable=True))
    op.add_column(
        "survey_invitation", sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "survey_invitation", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_survey_invitation_remind", "survey_invitation", ["status", "remind_at"])


def downgrade():
    op.drop_index("ix_survey_invitation_remind", table_name="survey_invitation")
    op.drop_column("survey_invitation", "reminded_at")
    op.drop_column("survey_invitation", "remind_at")
    op.drop_column("survey_invitation", "remind_after_days")
