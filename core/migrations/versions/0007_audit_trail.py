"""the audit trail: an append-only, hash-chained record of views and changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:30:00

On PostgreSQL a trigger refuses UPDATE and DELETE on trail_entry unless the
transaction has set careaudit.trail_prune (only `careaudit audit-trail prune`
does). It keeps honest code honest; the hash chain catches the rest.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


APPEND_ONLY = """
CREATE FUNCTION trail_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('careaudit.trail_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trail_entry_append_only
    BEFORE UPDATE OR DELETE ON trail_entry
    FOR EACH ROW EXECUTE FUNCTION trail_entry_append_only();
"""


def upgrade():
    op.create_table('trail_entry',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=300), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trail_entry'))
    )
    with op.batch_alter_table('trail_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trail_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_trail_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trail_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_trail_entry_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_trail_entry_object', ['object_type', 'object_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS trail_entry_append_only ON trail_entry')
        op.execute('DROP FUNCTION IF EXISTS trail_entry_append_only()')
    with op.batch_alter_table('trail_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_trail_entry_object')
        batch_op.drop_index(batch_op.f('ix_trail_entry_case_id'))
        batch_op.drop_index(batch_op.f('ix_trail_entry_at'))
        batch_op.drop_index(batch_op.f('ix_trail_entry_actor_id'))
        batch_op.drop_index(batch_op.f('ix_trail_entry_action'))
    op.drop_table('trail_entry')
