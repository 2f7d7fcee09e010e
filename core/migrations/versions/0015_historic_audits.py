"""historic_audits: audits imported from a council's spreadsheets

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported_run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('import_key', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_imported_run_id'), ['imported_run_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_import_key'), ['import_key'])
        batch_op.create_foreign_key(batch_op.f('fk_audit_imported_run_id_import_run'), 'import_run', ['imported_run_id'], ['id'])


def downgrade():
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_imported_run_id_import_run'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_audit_import_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_audit_imported_run_id'))
        batch_op.drop_column('import_key')
        batch_op.drop_column('imported_run_id')
