"""report_tally_version: a token changed with every change to the report tally (issue 12)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 11:10:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_tally_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_tally_version')),
    )
    # A first token, so a council's existing tally is kept from its first report on.
    op.execute(
        sa.text("INSERT INTO report_tally_version (id, token) VALUES (1, :token)").bindparams(
            token=secrets.token_hex(16)
        )
    )


def downgrade():
    op.drop_table('report_tally_version')
