"""feedback to the audited worker: acknowledgement, reply, supervision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:30:00

The audit history reads ``trail_entry`` by (object_type, object_id): the index it
needs, ``ix_trail_entry_object``, already comes with 0007, so none is added here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('agreement', sa.Enum('agree', 'disagree', name='agreement', native_enum=False, length=40), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('discussed_on', sa.Date(), nullable=True),
    sa.Column('discussed_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('discussed_recorded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_feedback_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['discussed_recorded_by_id'], ['user_account.id'], name=op.f('fk_feedback_discussed_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_feedback_service_id_service')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_feedback_team_id_team')),
    sa.ForeignKeyConstraint(['worker_id'], ['user_account.id'], name=op.f('fk_feedback_worker_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_feedback_audit_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_worker_id'), ['worker_id'], unique=False)

    op.create_table('feedback_disagreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_disagreement_feedback_id_feedback'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_disagreement')),
    sa.UniqueConstraint('feedback_id', 'question', name=op.f('uq_feedback_disagreement_feedback_id'))
    )


def downgrade():
    op.drop_table('feedback_disagreement')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_worker_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_team_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_service_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_due_on'))
    op.drop_table('feedback')
