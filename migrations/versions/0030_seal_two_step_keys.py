"""two-step sign-in keys are stored sealed (encrypted), not in the clear

`user_account.two_step_secret` now holds the key sealed by `webapp.secret_box` (about 140
characters, hence the wider column); the keys already stored are sealed here, under the
SECRET_KEY of the app running the migration. Downgrading opens them again.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from webapp import secret_box

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

users = sa.table(
    "user_account", sa.column("id", sa.Integer), sa.column("two_step_secret", sa.String)
)


def _rewrite(change) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.two_step_secret).where(users.c.two_step_secret.is_not(None))
    ).all()
    for user_id, stored in rows:
        new = change(stored)
        if new != stored:
            bind.execute(users.update().where(users.c.id == user_id).values(two_step_secret=new))


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("two_step_secret", existing_type=sa.String(64), type_=sa.String(255))
    _rewrite(lambda stored: stored if secret_box.is_sealed(stored) else secret_box.seal(stored))


def downgrade():
    _rewrite(secret_box.open_sealed)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("two_step_secret", existing_type=sa.String(255), type_=sa.String(64))
