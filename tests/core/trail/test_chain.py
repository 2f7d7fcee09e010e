"""The trail's hash chain: verify passes untouched and names an altered or removed entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text

from core import trail
from core.extensions import db
from core.models import TrailEntry
from core.models._types import utcnow
from core.trail import chain


def _entries(count: int) -> list[int]:
    ids = [
        trail.record("test.event", summary=f"event {n}", actor_label="tests") for n in range(count)
    ]
    db.session.commit()
    return ids


def _tamper(statement: str, **params: object) -> None:
    """Change the table as someone with database access could (past the PG trigger)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL careaudit.trail_prune = 'on'"))
        db.session.execute(text("ALTER TABLE trail_entry DISABLE TRIGGER trail_entry_append_only"))
    db.session.execute(text(statement), params)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE trail_entry ENABLE TRIGGER trail_entry_append_only"))
    db.session.commit()


def test_entries_are_chained_each_to_the_one_before(app):
    """Ids run 1, 2, 3 and each entry carries the previous entry's hash."""
    assert _entries(3) == [1, 2, 3]
    rows = db.session.scalars(db.select(TrailEntry).order_by(TrailEntry.id)).all()
    assert rows[0].prev_hash == chain.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_verify_passes_on_an_untouched_trail(app, runner):
    _entries(4)
    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 0, result.output
    assert "4 entries, chain intact" in result.output


def test_verify_passes_on_an_empty_trail(app, runner):
    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 0
    assert "0 entries, chain intact" in result.output


def test_editing_an_entry_in_the_database_makes_verify_name_it(app, runner):
    _entries(5)
    _tamper("UPDATE trail_entry SET summary = 'nothing to see' WHERE id = 3")
    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 1
    assert "Entry 3 has been altered" in result.output


def test_rewriting_an_entry_with_a_fresh_hash_is_still_caught_by_the_next_entry(app):
    _entries(4)
    row = db.session.get(TrailEntry, 2)
    values = {name: getattr(row, name) for name in chain.FIELDS}
    values["summary"] = "rewritten"
    _tamper(
        "UPDATE trail_entry SET summary = 'rewritten', hash = :h WHERE id = 2",
        h=chain.entry_hash(values),
    )
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    assert verdict.entry_id == 2
    assert "Entry 2 has been altered" in verdict.problem


def test_deleting_an_entry_makes_verify_name_the_gap(app, runner):
    _entries(5)
    _tamper("DELETE FROM trail_entry WHERE id = 3")
    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 1
    assert "Entry 3 is missing" in result.output


def test_deleting_the_oldest_entries_without_prune_is_caught(app, runner):
    _entries(4)
    _tamper("DELETE FROM trail_entry WHERE id <= 2")
    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 1
    assert "Entry 2 is missing" in result.output


def test_prune_removes_old_entries_and_verify_still_passes(app, runner):
    """Entries past the retention period go; a checkpoint entry keeps the chain checkable."""
    _entries(3)
    _tamper(
        "UPDATE trail_entry SET at = :old WHERE id <= 2", old=utcnow() - timedelta(days=7 * 366)
    )
    # Re-hash the back-dated entries so the chain is intact before pruning.
    previous = chain.GENESIS
    for row in db.session.scalars(db.select(TrailEntry).order_by(TrailEntry.id)).all():
        values = {name: getattr(row, name) for name in chain.FIELDS}
        values["prev_hash"] = previous
        previous = chain.entry_hash(values)
        _tamper(
            "UPDATE trail_entry SET prev_hash = :p, hash = :h WHERE id = :i",
            p=values["prev_hash"],
            h=previous,
            i=row.id,
        )
    assert runner.invoke(args=["audit-trail", "verify"]).exit_code == 0

    result = runner.invoke(args=["audit-trail", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 entries" in result.output
    ids = db.session.scalars(db.select(TrailEntry.id).order_by(TrailEntry.id)).all()
    assert ids == [3, 4]
    checkpoint = db.session.get(TrailEntry, 4)
    assert checkpoint.action == "trail.pruned"
    assert checkpoint.after["through_id"] == 2

    result = runner.invoke(args=["audit-trail", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 entries, chain intact" in result.output


def test_prune_keeps_entries_within_the_retention_period(app, runner):
    _entries(2)
    result = runner.invoke(args=["audit-trail", "prune", "--years", "1"])
    assert "Removed 0 entries" in result.output
    assert runner.invoke(args=["audit-trail", "verify"]).exit_code == 0


def test_a_rolled_back_change_leaves_no_entry(app):
    trail.record("test.event", summary="never happened", actor_label="tests")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(TrailEntry.id))) == 0


def test_secrets_never_reach_the_trail(app):
    trail.record(
        "user.updated",
        before={"name": "A", "password_hash": "x"},
        after={"name": "B", "reset_token": "y"},
        actor_label="tests",
    )
    db.session.commit()
    entry = db.session.get(TrailEntry, 1)
    assert entry.before == {"name": "A"}
    assert entry.after == {"name": "B"}


def test_the_trail_is_append_only_in_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    _entries(1)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE trail_entry SET summary = 'x'"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM trail_entry"))
    db.session.rollback()


def test_two_servers_appending_at_once_do_not_fork_the_chain(app, database_url):
    """Two apps with engines of their own (as two servers) append together: one chain."""
    import threading

    from core import create_app
    from tests.conftest import test_config

    servers = [create_app(test_config(database_url)) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(server, name: str) -> None:
        try:
            with server.app_context():
                start.wait()
                for n in range(10):
                    trail.record_view("test.viewed", summary=f"{name} {n}", actor_label=name)
                db.engine.dispose()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=write, args=(server, f"server {i}"))
        for i, server in enumerate(servers, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    assert verdict.intact and verdict.count == 20


def test_the_demos_reset_may_empty_the_trail(app):
    """`careaudit demo --reset` deletes everything, past PostgreSQL's append-only trigger."""
    from core.demo import delete_everything

    _entries(2)
    delete_everything()
    assert db.session.scalar(db.select(db.func.count(TrailEntry.id))) == 0


def test_a_nul_byte_typed_somewhere_does_not_stop_an_entry(app):
    """PostgreSQL refuses NUL in text; an entry describing what was typed drops it."""
    trail.record("sign_in.failed", summary="Failed sign-in as a\x00b", actor_label="x\x00")
    db.session.commit()
    entry = db.session.get(TrailEntry, 1)
    assert (entry.summary, entry.actor_label) == ("Failed sign-in as ab", "x")
    with db.engine.connect() as connection:
        assert chain.verify(connection).intact


def test_an_anchor_noted_earlier_finds_a_rewritten_or_cut_short_trail(app, runner):
    """verify prints the last entry's id and hash; given back, it catches what links cannot."""
    _entries(3)
    printed = runner.invoke(args=["audit-trail", "verify"]).output
    anchor = printed.split("Last entry: ")[1].strip()
    assert anchor.startswith("3:")
    assert runner.invoke(args=["audit-trail", "verify", "--anchor", anchor]).exit_code == 0

    _tamper("DELETE FROM trail_entry WHERE id = 3")  # the newest entry: no link breaks
    assert runner.invoke(args=["audit-trail", "verify"]).exit_code == 0
    cut = runner.invoke(args=["audit-trail", "verify", "--anchor", anchor])
    assert cut.exit_code == 1 and "Entry 3 is missing" in cut.output

    _entries(1)  # a new entry 3, hashed afresh
    rewritten = runner.invoke(args=["audit-trail", "verify", "--anchor", anchor])
    assert rewritten.exit_code == 1 and "Entry 3 no longer has the hash noted" in rewritten.output
    bad = runner.invoke(args=["audit-trail", "verify", "--anchor", "three"])
    assert bad.exit_code == 2 and "ID:HASH" in bad.output


def test_a_view_recorded_after_an_uncommitted_change_joins_it_instead_of_waiting(app):
    """The change holds the append lock until it commits; the view must not wait for it."""
    trail.record("user.updated", summary="a change", actor_label="tests")
    trail.record_view("case.viewed", summary="a view", actor_label="tests")  # no deadlock
    db.session.commit()
    trail.record_view("case.viewed", summary="after the commit", actor_label="tests")
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    assert verdict.intact and verdict.count == 3


def test_a_view_is_kept_at_once_whatever_becomes_of_the_requests_own_work(app):
    """A view is recorded apart from the request's transaction, committed as it is
    written: every other connection sees it at once, and a rollback of the request's
    own work keeps it."""
    trail.record_view("case.viewed", summary="a view", actor_label="tests")
    count = text("SELECT count(*) FROM trail_entry WHERE summary = 'a view'")
    with db.engine.connect() as other:
        assert other.execute(count).scalar() == 1
    db.session.rollback()
    assert db.session.execute(count).scalar() == 1


_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    id_=st.integers(min_value=1, max_value=2**31 - 1),
    prev=st.text("0123456789abcdef", min_size=64, max_size=64),
    summary=_text,
    label=_text,
    before=st.none() | st.dictionaries(_text, _json_values, max_size=4),
    after=st.none() | st.dictionaries(st.sampled_from(["id", "prev_hash", "x"]), _json_values),
    case_id=st.none() | st.integers(min_value=1, max_value=2**31 - 1),
)
def test_the_canonical_form_cut_for_the_server_joins_up_to_the_whole(
    id_, prev, summary, label, before, after, case_id
):
    """What PostgreSQL hashes (head, id, middle, previous hash, tail) is byte for byte
    what verify hashes, whatever the entry holds (even keys named like the cuts)."""
    values = {
        "at": utcnow(),
        "actor_id": 7,
        "actor_label": label,
        "action": "test.event",
        "object_type": "audit",
        "object_id": summary[:64],
        "case_id": case_id,
        "summary": summary,
        "before": before,
        "after": after,
        "ip_address": None,
        "request_id": "r-1",
    }
    head, middle, tail = chain.canonical_parts(values)
    joined = (head + str(id_) + middle + prev + tail).encode()
    assert joined == chain.canonical({**values, "id": id_, "prev_hash": prev})


def test_postgresql_appends_an_entry_in_one_statement(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append function is PostgreSQL's")
    _entries(2)
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        trail.record_view("test.viewed", summary="a view", actor_label="tests")
        trail.record(
            "test.changed", summary="a change", actor_label="tests", before={"a": 1}, after={"a": 2}
        )
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert len(sent) == 2 and all("careaudit_trail_append" in s for s in sent), sent
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    assert verdict.intact and verdict.count == 4
    entry = db.session.scalar(db.select(TrailEntry).where(TrailEntry.action == "test.changed"))
    assert (entry.before, entry.after) == ({"a": 1}, {"a": 2})
