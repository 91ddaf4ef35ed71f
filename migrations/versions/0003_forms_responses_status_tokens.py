"""forms, versions, responses, files; ticket status tokens

Revision ID: 0003
Revises: 0002


"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('feedback_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_form')),
    sa.UniqueConstraint('slug', name=op.f('uq_feedback_form_slug'))
    )
    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_form_version_author_id_user_account')),
    sa.ForeignKeyConstraint(['form_id'], ['feedback_form.id'], name=op.f('fk_form_version_form_id_feedback_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_version')),
    sa.UniqueConstraint('form_id', 'number', name=op.f('uq_form_version_form_id'))
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_form_id'), ['form_id'], unique=False)

    op.create_table('form_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('hidden', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['form_id'], ['feedback_form.id'], name=op.f('fk_form_response_form_id_feedback_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_version.id'], name=op.f('fk_form_response_form_version_id_form_version')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_form_response_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_response')),
    sa.UniqueConstraint('token', name=op.f('uq_form_response_token'))
    )
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.create_index('ix_form_response_form_completed', ['form_id', 'completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_response_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('response_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['form_response.id'], name=op.f('fk_response_file_response_id_form_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_file')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_response_file_storage_key'))
    )
    with op.batch_alter_table('response_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_file_response_id'), ['response_id'], unique=False)

    # Existing tickets get their own unguessable token before the column becomes NOT NULL.
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_token', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    ticket = sa.table('ticket', sa.column('id', sa.Integer), sa.column('status_token', sa.String))
    for (ticket_id,) in connection.execute(sa.select(ticket.c.id)).all():
        connection.execute(
            ticket.update().where(ticket.c.id == ticket_id).values(status_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.alter_column('status_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ticket_status_token'), ['status_token'])




def downgrade():
    
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ticket_status_token'), type_='unique')
        batch_op.drop_column('status_token')

    with op.batch_alter_table('response_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_file_response_id'))

    op.drop_table('response_file')
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_response_ticket_id'))
        batch_op.drop_index('ix_form_response_form_completed')

    op.drop_table('form_response')
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_form_id'))

    op.drop_table('form_version')
    op.drop_table('feedback_form')

