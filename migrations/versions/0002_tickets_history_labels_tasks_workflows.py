"""tickets, history, labels, tasks, workflow versions

Revision ID: 0002
Revises: 0001


"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('team_routing_state',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('last_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_routing_state_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_routing_state'))
    )
    op.create_table('workflow_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_workflow_version_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_version')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_workflow_version_kind'))
    )
    with op.batch_alter_table('workflow_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_version_active'), ['active'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('workflow_version_id', sa.Integer(), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('customer_email', sa.String(length=254), nullable=True),
    sa.Column('customer_locale', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('form_slug', sa.String(length=100), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('sla_policy', sa.String(length=100), nullable=True),
    sa.Column('sla_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_paused_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sla_paused_seconds', sa.Integer(), nullable=False),
    sa.Column('first_response_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public_reply_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_ticket_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_ticket_team_id_team')),
    sa.ForeignKeyConstraint(['workflow_version_id'], ['workflow_version.id'], name=op.f('fk_ticket_workflow_version_id_workflow_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_assignee_state', ['assignee_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_first_response_warn_at'), ['first_response_warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_resolution_warn_at'), ['resolution_warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_state'), ['state'], unique=False)
        batch_op.create_index('ix_ticket_state_team', ['state', 'team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_team_id'), ['team_id'], unique=False)

    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=64), nullable=True),
    sa.Column('to_state', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_ticket_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_event_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_ticket_label_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_label_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_label')),
    sa.UniqueConstraint('ticket_id', 'name', name=op.f('uq_ticket_label_ticket_id'))
    )
    with op.batch_alter_table('ticket_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_label_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_label_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('workflow_version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_ticket_task_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['creator_id'], ['user_account.id'], name=op.f('fk_ticket_task_creator_id_user_account')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_task_ticket_id_ticket'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workflow_version_id'], ['workflow_version.id'], name=op.f('fk_ticket_task_workflow_version_id_workflow_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_task'))
    )
    with op.batch_alter_table('ticket_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_task_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_task_ticket_id'), ['ticket_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('ticket_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_task_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_task_assignee_id'))

    op.drop_table('ticket_task')
    with op.batch_alter_table('ticket_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_label_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_label_name'))

    op.drop_table('ticket_label')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_team_id'))
        batch_op.drop_index('ix_ticket_state_team')
        batch_op.drop_index(batch_op.f('ix_ticket_state'))
        batch_op.drop_index(batch_op.f('ix_ticket_resolution_warn_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_first_response_warn_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_created_at'))
        batch_op.drop_index('ix_ticket_assignee_state')

    op.drop_table('ticket')
    with op.batch_alter_table('workflow_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_version_active'))

    op.drop_table('workflow_version')
    op.drop_table('team_routing_state')

