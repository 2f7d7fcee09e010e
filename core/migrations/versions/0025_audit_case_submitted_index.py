"""audit_case_submitted_index: a case's audits by submission date (issue 12)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 20:10:00

A social worker's home lists the latest audits of their cases. It first looks only at
recent submissions (core.home.views): with this index each case's recent audits are a
short range of it, not every audit the case ever had.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_case_submitted', 'audit', ['case_id', 'submitted_at'])


def downgrade():
    op.drop_index('ix_audit_case_submitted', table_name='audit')
