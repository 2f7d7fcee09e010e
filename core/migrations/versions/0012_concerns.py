"""concerns: safeguarding concerns raised during an audit, their responses and escalations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:30:00

Nothing about a concern is ever changed or deleted. On PostgreSQL a trigger refuses
UPDATE and DELETE on the three tables, except in a transaction that has set
careaudit.trail_prune (only `careaudit demo --reset`, which deletes everything, does).
The ORM refuses them on every database (core/models/concerns.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('concern', 'concern_response', 'concern_escalation')

PERMANENT = """
CREATE FUNCTION concern_permanent() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('careaudit.trail_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'safeguarding concerns are never changed or deleted';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade():
    op.create_table('concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('response_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('request_token', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_concern_audit_id_audit')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_concern_case_id_case_file')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'], name=op.f('fk_concern_raised_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_concern_service_id_service')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_concern_team_id_team')),
    sa.ForeignKeyConstraint(['worker_id'], ['user_account.id'], name=op.f('fk_concern_worker_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern')),
    sa.UniqueConstraint('request_token', name=op.f('uq_concern_request_token'))
    )
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_raised_by_id'), ['raised_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_team_id'), ['team_id'], unique=False)

    op.create_table('concern_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('action_taken', sa.Text(), nullable=False),
    sa.Column('done_by', sa.String(length=200), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_concern_response_concern_id_concern')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_concern_response_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_response'))
    )
    with op.batch_alter_table('concern_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_response_concern_id'), ['concern_id'], unique=False)

    op.create_table('concern_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(), nullable=False),
    sa.Column('told', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_concern_escalation_concern_id_concern')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_escalation')),
    sa.UniqueConstraint('concern_id', name=op.f('uq_concern_escalation_concern_id'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PERMANENT)
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_permanent BEFORE UPDATE OR DELETE ON {table} '
                'FOR EACH ROW EXECUTE FUNCTION concern_permanent()'
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_permanent ON {table}')
        op.execute('DROP FUNCTION IF EXISTS concern_permanent()')
    op.drop_table('concern_escalation')
    with op.batch_alter_table('concern_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_response_concern_id'))
    op.drop_table('concern_response')
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_team_id'))
        batch_op.drop_index(batch_op.f('ix_concern_service_id'))
        batch_op.drop_index(batch_op.f('ix_concern_raised_by_id'))
        batch_op.drop_index(batch_op.f('ix_concern_due_on'))
        batch_op.drop_index(batch_op.f('ix_concern_case_id'))
        batch_op.drop_index(batch_op.f('ix_concern_audit_id'))
    op.drop_table('concern')
