"""report_tally_team_month: a team's report months read by index (issue 12)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 04:10:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_report_tally_team_month', 'report_tally', ['tool', 'team_id', 'month']
    )


def downgrade():
    op.drop_index('ix_report_tally_team_month', table_name='report_tally')
