"""Sign-ins (success and failure), sign-outs and ended sessions are in the trail."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from core.extensions import db
from core.models import TrailEntry
from tests.factories import PASSWORD


def entries(action: str) -> list[TrailEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(TrailEntry).where(TrailEntry.action == action).order_by(TrailEntry.id)
        )
    )


def test_a_sign_in_and_a_sign_out_are_recorded(client, auth, borough):
    worker = borough.user("worker")
    auth.login("worker@test.example")
    [signed_in] = entries("sign_in.succeeded")
    assert (signed_in.actor_id, signed_in.object_id) == (worker.id, str(worker.id))
    assert signed_in.ip_address == "127.0.0.1" and signed_in.request_id
    auth.logout()
    [signed_out] = entries("sign_out")
    assert signed_out.actor_id == worker.id


def test_failed_sign_ins_are_recorded_for_real_and_unknown_accounts(client, auth, borough):
    auth.login("worker@test.example", "not the password")
    auth.login("nobody@test.example", "not the password")
    known, unknown = entries("sign_in.failed")
    assert known.actor_id is None and known.actor_label == "not signed in"
    assert known.summary == "Failed sign-in as worker@test.example"
    assert unknown.summary.endswith("(no such account)")
    assert "not the password" not in known.summary + unknown.summary
    assert known.ip_address == "127.0.0.1"


def test_an_administrator_ending_a_users_sessions_is_recorded(app, client, auth, borough):
    worker = borough.user("worker")
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": "worker@test.example", "password": PASSWORD})
    g.pop("_login_user", None)  # the tests' shared app context would keep the worker signed in
    auth.login("admin@test.example")
    response = client.post(f"/admin/users/{worker.id}/end-sessions")
    assert response.status_code == 302
    [ended] = entries("sessions.ended")
    assert ended.actor_label == "Admin <admin@test.example>"
    assert (ended.object_type, ended.object_id) == ("user", str(worker.id))
    assert ended.after == {"reason": "ended by an administrator", "count": 1}


def test_ending_no_sessions_records_nothing(client, auth, borough):
    """A leaver who was not signed in (most, in a staff import) adds no entry."""
    auth.login("admin@test.example")
    client.post(f"/admin/users/{borough.user('worker').id}/end-sessions")
    assert entries("sessions.ended") == []


def test_a_session_ended_by_the_idle_timeout_is_recorded(client, auth, borough, clock):
    worker = borough.user("worker")
    auth.login("worker@test.example")
    g.pop("_login_user", None)  # as a new request on a real server would start
    clock.advance(minutes=31)
    assert client.get("/").status_code == 302  # back to sign in
    [ended] = entries("sessions.ended")
    assert (ended.object_id, ended.after["reason"]) == (str(worker.id), "idle timeout")
