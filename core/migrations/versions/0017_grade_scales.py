"""grade_scales: a council's grade scale

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # One council-wide row; none until an administrator chooses a scale, so every
    # existing audit and tool carries on exactly as before.
    op.create_table('council_grade_scale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=40), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('best_first', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_council_grade_scale_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_grade_scale'))
    )


def downgrade():
    op.drop_table('council_grade_scale')
