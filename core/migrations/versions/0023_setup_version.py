"""setup_version: a token changed with every change to the council's set-up (issue 12)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 16:40:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'setup_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_version')),
    )
    # A first token, so workers keep the set-up from the first request on.
    op.execute(
        sa.text("INSERT INTO setup_version (id, token) VALUES (1, :token)").bindparams(
            token=secrets.token_hex(16)
        )
    )


def downgrade():
    op.drop_table('setup_version')
