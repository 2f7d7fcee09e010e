"""moderation: the rule, each month's draw, moderations and the moderator's judgements

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_moderation_rule_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_rule'))
    )
    op.create_table('moderation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by', sa.String(length=120), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('log', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_run'))
    )
    with op.batch_alter_table('moderation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_run_period'), ['period'], unique=False)

    op.create_table('moderation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('line_audit_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('tool', sa.String(length=60), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('drawn', 'audited', 'completed', name='moderationstatus', native_enum=False, length=40), nullable=False),
    sa.Column('moderation_audit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('audited_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_moderation_case_id_case_file')),
    sa.ForeignKeyConstraint(['line_audit_id'], ['audit.id'], name=op.f('fk_moderation_line_audit_id_audit')),
    sa.ForeignKeyConstraint(['moderation_audit_id'], ['audit.id'], name=op.f('fk_moderation_moderation_audit_id_audit')),
    sa.ForeignKeyConstraint(['moderator_id'], ['user_account.id'], name=op.f('fk_moderation_moderator_id_user_account')),
    sa.ForeignKeyConstraint(['run_id'], ['moderation_run.id'], name=op.f('fk_moderation_run_id_moderation_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation')),
    sa.UniqueConstraint('line_audit_id', name=op.f('uq_moderation_line_audit_id')),
    sa.UniqueConstraint('moderation_audit_id', name=op.f('uq_moderation_moderation_audit_id'))
    )
    with op.batch_alter_table('moderation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_moderator_id'), ['moderator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_status'), ['status'], unique=False)

    op.create_table('moderation_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=60), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['moderation_id'], ['moderation.id'], name=op.f('fk_moderation_judgement_moderation_id_moderation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_judgement')),
    sa.UniqueConstraint('moderation_id', 'question', name=op.f('uq_moderation_judgement_moderation_id'))
    )


def downgrade():
    op.drop_table('moderation_judgement')
    with op.batch_alter_table('moderation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_status'))
        batch_op.drop_index(batch_op.f('ix_moderation_period'))
        batch_op.drop_index(batch_op.f('ix_moderation_moderator_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_case_id'))

    op.drop_table('moderation')
    with op.batch_alter_table('moderation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_run_period'))

    op.drop_table('moderation_run')
    op.drop_table('moderation_rule')
