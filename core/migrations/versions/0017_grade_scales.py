"""grade_scales: a council's grade scale (placeholder, filled in by the grade scales work)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:30:00
"""


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
