"""trail_append_function: PostgreSQL appends a trail entry in one statement (issue 12)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:00:00

Appending took three round trips (the append lock, the last entry, the insert), on
every page that records a view and every change. The function does the same three
steps on the server: each of its statements takes a fresh snapshot (it is VOLATILE),
so the last entry is read after the lock is held, as before. careaudit computes the
canonical form in Python and sends it cut where the new id and the previous hash go
(core.trail.chain.canonical_parts); the server hashes head || id || middle ||
previous hash || tail, which is byte for byte what Python hashes, so `careaudit
audit-trail verify` checks these entries as it checks the others.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


APPEND = """
CREATE FUNCTION careaudit_trail_append(
    lock_key bigint, head text, middle text, tail text,
    p_at timestamp, p_actor_id integer, p_actor_label varchar, p_action varchar,
    p_object_type varchar, p_object_id varchar, p_case_id integer, p_summary text,
    p_before json, p_after json, p_ip_address varchar, p_request_id varchar
) RETURNS integer AS $$
DECLARE
    last_id integer;
    last_hash varchar;
    new_id integer;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT id, hash INTO last_id, last_hash FROM trail_entry ORDER BY id DESC LIMIT 1;
    new_id := COALESCE(last_id, 0) + 1;
    last_hash := COALESCE(last_hash, repeat('0', 64));
    INSERT INTO trail_entry (
        id, at, actor_id, actor_label, action, object_type, object_id, case_id, summary,
        before, after, ip_address, request_id, prev_hash, hash
    ) VALUES (
        new_id, p_at, p_actor_id, p_actor_label, p_action, p_object_type, p_object_id,
        p_case_id, p_summary, p_before, p_after, p_ip_address, p_request_id, last_hash,
        encode(
            sha256(convert_to(head || new_id::text || middle || last_hash || tail, 'UTF8')),
            'hex'
        )
    );
    RETURN new_id;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'DROP FUNCTION IF EXISTS careaudit_trail_append('
            'bigint, text, text, text, timestamp, integer, varchar, varchar, varchar, '
            'varchar, integer, text, json, json, varchar, varchar)'
        )
