"""page_indexes: indexes the main pages' lists read by (issue 12)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 18:00:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_audit_auditor_status_submitted', 'audit', ['auditor_id', 'status', 'submitted_at']
    )
    op.create_index(
        'ix_audit_auditor_status_updated', 'audit', ['auditor_id', 'status', 'updated_at']
    )


def downgrade():
    op.drop_index('ix_audit_auditor_status_updated', table_name='audit')
    op.drop_index('ix_audit_auditor_status_submitted', table_name='audit')
