"""response scores for insights

The dashboard and reports counted NPS / CSAT / CES by loading every response's answers
of the period into Python. `response_score` keeps each answer that a scored question
would read (0-10, or yes/no) as a small row, written with the answers, so the database
counts them (GROUP BY) instead. Existing responses are backfilled here in batches with
the same pure function the app writes them with. An index on form_response.completed_at
serves the period filters (the one on form_id, completed_at needs a form).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from survey_forms.scoring import score_answer


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    op.create_table('response_score',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=True),
    sa.Column('yes', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['form_response.id'], name=op.f('fk_response_score_response_id_form_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_response_score'))
    )
    op.create_index('ix_form_response_completed_at', 'form_response', ['completed_at'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind):
    responses = sa.table('form_response', sa.column('id', sa.Integer), sa.column('answers', sa.JSON))
    scores = sa.table(
        'response_score',
        sa.column('response_id', sa.Integer),
        sa.column('question_id', sa.String),
        sa.column('value', sa.SmallInteger),
        sa.column('yes', sa.Boolean),
    )
    last = 0
    while True:
        batch = bind.execute(
            sa.select(responses.c.id, responses.c.answers)
            .where(responses.c.id > last)
            .order_by(responses.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        rows = []
        for response_id, answers in batch:
            for question_id, given in (answers if isinstance(answers, dict) else {}).items():
                answer = score_answer(given)
                if answer is None:
                    continue
                is_number = isinstance(answer, int)
                rows.append({
                    'response_id': response_id,
                    'question_id': question_id,
                    'value': answer if is_number else None,
                    'yes': None if is_number else answer == 'yes',
                })
        if rows:
            bind.execute(scores.insert(), rows)
        last = batch[-1][0]


def downgrade():
    op.drop_index('ix_form_response_completed_at', table_name='form_response')
    op.drop_table('response_score')
