"""trail_entry_object_steps: an audit's history read without its views (issue 12)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 14:05:00
"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# As core.models.trail.NOT_A_VIEW when this revision was written.
NOT_A_VIEW = "action <> 'audit.viewed'"


def upgrade():
    op.create_index(
        'ix_trail_entry_object_steps',
        'trail_entry',
        ['object_type', 'object_id', 'at', 'id'],
        sqlite_where=text(NOT_A_VIEW),
        postgresql_where=text(NOT_A_VIEW),
    )


def downgrade():
    op.drop_index('ix_trail_entry_object_steps', table_name='trail_entry')
