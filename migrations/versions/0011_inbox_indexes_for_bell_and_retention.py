"""inbox indexes: unread entries per colleague and ticket, read entries by age

The bell counts a colleague's unread entries and opening a ticket marks theirs about
it read: both now read a partial index of unread entries only (small, whatever the
history), which replaces (user_id, read_at). The retention job deletes read entries
older than N days: a partial index on created_at of read entries lets its daily run
read a few index pages instead of the whole table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 11:34:10.602786

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

UNREAD = sa.text('read_at IS NULL')
READ = sa.text('read_at IS NOT NULL')


def upgrade():
    op.create_index(
        'ix_inbox_notification_unread',
        'inbox_notification',
        ['user_id', 'ticket_id'],
        unique=False,
        postgresql_where=UNREAD,
        sqlite_where=UNREAD,
    )
    op.create_index(
        'ix_inbox_notification_read_created',
        'inbox_notification',
        ['created_at'],
        unique=False,
        postgresql_where=READ,
        sqlite_where=READ,
    )
    op.drop_index('ix_inbox_notification_user_unread', table_name='inbox_notification')


def downgrade():
    op.create_index(
        'ix_inbox_notification_user_unread',
        'inbox_notification',
        ['user_id', 'read_at'],
        unique=False,
    )
    op.drop_index('ix_inbox_notification_read_created', table_name='inbox_notification')
    op.drop_index('ix_inbox_notification_unread', table_name='inbox_notification')
