"""inbox index of actors

Deleting a user sets actor_id to NULL on the inbox entries they caused for others
(ON DELETE SET NULL): with an index on actor_id the database finds those entries
instead of scanning the whole inbox table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 11:51:54.838944

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_inbox_notification_actor_id', 'inbox_notification', ['actor_id'], unique=False
    )


def downgrade():
    op.drop_index('ix_inbox_notification_actor_id', table_name='inbox_notification')
