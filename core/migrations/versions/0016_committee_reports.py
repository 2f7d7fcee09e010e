"""committee_reports: committee packs (drafts, issued versions, pinned comments)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'issued', name='committeereportstatus', native_enum=False, create_constraint=False, length=40), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('scope_key', sa.String(length=40), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('tools', sa.JSON(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('trend_unit', sa.String(length=10), nullable=False),
    sa.Column('trend_length', sa.Integer(), nullable=False),
    sa.Column('narratives', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_committee_report_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_committee_report_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_report')),
    sa.UniqueConstraint('series_id', 'version', name=op.f('uq_committee_report_series_id'))
    )
    with op.batch_alter_table('committee_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_report_series_id'), ['series_id'], unique=False)

    op.create_table('pinned_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=80), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('pinned_by_id', sa.Integer(), nullable=False),
    sa.Column('pinned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pinned_by_id'], ['user_account.id'], name=op.f('fk_pinned_comment_pinned_by_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['committee_report.id'], name=op.f('fk_pinned_comment_report_id_committee_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pinned_comment')),
    sa.UniqueConstraint('report_id', 'section_key', 'answer_id', 'part', name=op.f('uq_pinned_comment_report_id'))
    )
    with op.batch_alter_table('pinned_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pinned_comment_report_id'), ['report_id'], unique=False)

    op.create_table('committee_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_committee_export_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_committee_export_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['committee_report.id'], name=op.f('fk_committee_export_report_id_committee_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_export'))
    )
    with op.batch_alter_table('committee_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_export_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('committee_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_export_report_id'))
    op.drop_table('committee_export')
    with op.batch_alter_table('pinned_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pinned_comment_report_id'))
    op.drop_table('pinned_comment')
    with op.batch_alter_table('committee_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_report_series_id'))
    op.drop_table('committee_report')
