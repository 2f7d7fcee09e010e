"""worker_audit_index: a worker's submitted audits by date, for compliance coverage (issue 12)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 23:10:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_audit_worker_status_date', 'audit', ['worker_id', 'status', 'audit_date']
    )


def downgrade():
    op.drop_index('ix_audit_worker_status_date', table_name='audit')
