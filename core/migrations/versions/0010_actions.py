"""actions: remedial actions, the follow-up's sign-off, re-audits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('remedial_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=60), nullable=True),
    sa.Column('question_label', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'confirmed', name='actionstatus', native_enum=False, length=40), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_remedial_action_audit_id_audit')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_remedial_action_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_remedial_action_owner_id_user_account')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_remedial_action_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedial_action'))
    )
    with op.batch_alter_table('remedial_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedial_action_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedial_action_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedial_action_status'), ['status'], unique=False)

    op.create_table('audit_follow_up',
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('signed_off_at', sa.DateTime(), nullable=False),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_follow_up_audit_id_audit')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_audit_follow_up_signed_off_by_id_user_account')),
    sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_audit_follow_up'))
    )

    op.create_table('re_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('after_actions', sa.Boolean(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('became_due_on', sa.Date(), nullable=True),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocation.id'], name=op.f('fk_re_audit_allocation_id_allocation')),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_re_audit_audit_id_audit')),
    sa.ForeignKeyConstraint(['auditor_id'], ['user_account.id'], name=op.f('fk_re_audit_auditor_id_user_account')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_re_audit_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_re_audit')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_re_audit_allocation_id')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_re_audit_audit_id'))
    )
    with op.batch_alter_table('re_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_re_audit_auditor_id'), ['auditor_id'], unique=False)

    # A re-audit's allocation is made by a request, not by a rule.
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.alter_column('rule_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table('allocation', schema=None) as batch_op:
        batch_op.alter_column('rule_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('re_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_re_audit_auditor_id'))
    op.drop_table('re_audit')
    op.drop_table('audit_follow_up')
    with op.batch_alter_table('remedial_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedial_action_status'))
        batch_op.drop_index(batch_op.f('ix_remedial_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_remedial_action_audit_id'))
    op.drop_table('remedial_action')
