"""Server-side sessions: revocable at once, on every server, with idle and absolute limits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from core import create_app
from core.extensions import db
from core.models import UserSession
from core.sessions import session_ended
from tests.conftest import Clock, redis_db, test_config
from tests.factories import PASSWORD, Borough

COOKIE = "session"


def sign_in(client: FlaskClient, key: str) -> None:
    response = client.post("/sign-in", data={"email": f"{key}@test.example", "password": PASSWORD})
    assert response.status_code == 302, "signed in"


def cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's cookie still opens a case page (not the sign-in page)."""
    response = client.get("/cases/")
    if response.status_code == 302:
        assert response.location.startswith("/sign-in")
        return False
    assert response.status_code == 200
    return True


def sessions_of(user_id: int) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)))


@pytest.fixture(autouse=True)
def each_request_loads_its_own_user(app: Flask) -> None:
    """The tests' app context outlives requests, and Flask-Login caches the user in ``g``;
    with two browsers in one test, each request must look at its own cookie."""

    def forget_user() -> None:
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_user)


@pytest.fixture
def other_client(app: Flask) -> FlaskClient:
    """A second browser."""
    return app.test_client()


def test_the_cookie_carries_only_an_opaque_token_whose_hash_is_stored(client, borough: Borough):
    """The browser holds a random token; the database keeps its SHA-256, never the token."""
    sign_in(client, "worker")
    value = cookie(client)
    assert value.startswith("s1.")
    token = value[3:]
    assert len(token) >= 43 and "." not in token  # no signed data, nothing to decode
    [record] = sessions_of(borough.user("worker").id)
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in record.data and token not in record.token_hash
    assert record.ended_at is None and record.ip_address == "127.0.0.1"


def test_a_replayed_cookie_after_sign_out_gets_the_sign_in_page(client, borough: Borough):
    """Signing out ends the session on the server: a copy of the old cookie opens nothing."""
    sign_in(client, "worker")
    old = cookie(client)
    assert signed_in(client)
    client.post("/sign-out")
    client.set_cookie(COOKIE, old)
    assert not signed_in(client)
    assert client.post("/sign-out").status_code == 302  # nor can it post forms
    [record] = sessions_of(borough.user("worker").id)
    assert record.ended_reason == "signed out" and record.data == "{}"


def test_sign_in_renews_the_session_id_and_the_csrf_secret(client, borough: Borough):
    """A session id or CSRF secret planted before sign-in is worth nothing after it."""
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["csrf_token"] = "planted-secret"
    client.set_cookie(COOKIE, "s1.planted-by-an-attacker")
    client.get("/sign-in")  # an unknown token is dropped
    with client.session_transaction() as session:
        session["csrf_token"] = "planted-secret"
    sign_in(client, "worker")
    assert cookie(client) != "s1.planted-by-an-attacker"
    client.get("/")  # a page with a form makes a CSRF secret
    with client.session_transaction() as session:
        assert session.get("csrf_token") not in (None, "planted-secret")


def test_signing_in_again_starts_a_new_session(client, other_client, borough: Borough):
    """Each sign-in gets its own token; two browsers have two sessions."""
    sign_in(client, "worker")
    sign_in(other_client, "worker")
    assert cookie(client) != cookie(other_client)
    assert len(sessions_of(borough.user("worker").id)) == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"active": ""}, "deactivated"),
        ({"role": "senior_manager", "team": ""}, "role changed"),
        ({"password": "a brand new passphrase"}, "password changed"),
    ],
)
def test_deactivation_role_or_password_change_ends_every_session_of_that_user(
    client, other_client, borough: Borough, change, reason
):
    """An administrator's change to access signs the user out of every browser at once."""
    worker = borough.user("worker")
    sign_in(other_client, "worker")
    sign_in(client, "admin")
    form = {"name": worker.name, "email": worker.email, "role": "social_worker"}
    form |= {"team": str(worker.team_id), "service": "", "password": "", "active": "y"}
    response = client.post(f"/admin/users/{worker.id}", data=form | change)
    assert response.status_code == 302
    assert not signed_in(other_client)
    assert [s.ended_reason for s in sessions_of(worker.id)] == [reason]
    assert client.get("/admin/").status_code == 200  # the administrator carries on


def test_an_unrelated_edit_keeps_the_user_signed_in(client, other_client, borough: Borough):
    """Correcting a name does not sign anyone out."""
    worker = borough.user("worker")
    sign_in(other_client, "worker")
    sign_in(client, "admin")
    form = {"name": "Renamed Worker", "email": worker.email, "role": "social_worker"}
    form |= {"team": str(worker.team_id), "service": "", "password": "", "active": "y"}
    assert client.post(f"/admin/users/{worker.id}", data=form).status_code == 302
    assert signed_in(other_client)


def test_an_administrator_ends_a_users_sessions(client, other_client, borough: Borough):
    """The user's admin page has "Sign out everywhere", which ends all their sessions."""
    worker = borough.user("worker")
    sign_in(other_client, "worker")
    sign_in(client, "admin")
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert f'action="/admin/users/{worker.id}/end-sessions"' in page
    response = client.post(f"/admin/users/{worker.id}/end-sessions")
    assert response.status_code == 302
    assert "Worker has been signed out everywhere (1 session ended)." in client.get(
        response.location
    ).get_data(as_text=True)
    assert not signed_in(other_client)
    assert sessions_of(worker.id)[0].ended_reason == "ended by an administrator"


def test_only_administrators_end_other_peoples_sessions(client, borough: Borough):
    sign_in(client, "team_manager")
    worker = borough.user("worker")
    assert client.post(f"/admin/users/{worker.id}/end-sessions").status_code == 403


def test_sign_out_everywhere_ends_every_session_of_the_user(client, other_client, borough):
    """From "Your account", the user signs out of this and every other browser."""
    sign_in(client, "worker")
    sign_in(other_client, "worker")
    page = client.get("/account").get_data(as_text=True)
    assert "Where you are signed in" in page and "Sign out everywhere" in page
    response = client.post("/sign-out-everywhere")
    assert response.status_code == 302 and response.location == "/sign-in"
    assert "You have signed out on every device." in client.get("/sign-in").get_data(as_text=True)
    assert not signed_in(client)
    assert not signed_in(other_client)
    reasons = {s.ended_reason for s in sessions_of(borough.user("worker").id)}
    assert reasons == {"signed out everywhere"}


def test_a_session_ends_after_30_minutes_without_a_request(client, borough, clock: Clock):
    """Idle timeout: 29 minutes apart is fine, 31 minutes of silence signs the user out."""
    sign_in(client, "worker")
    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=29)  # the request above counted as activity
    assert signed_in(client)
    clock.advance(minutes=31)
    assert not signed_in(client)
    [record] = sessions_of(borough.user("worker").id)
    assert record.ended_reason == "idle timeout"


def test_the_idle_timeout_is_a_setting(app, borough, clock: Clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    client = app.test_client()
    sign_in(client, "worker")
    clock.advance(minutes=6)
    assert not signed_in(client)


def test_a_session_ends_after_12_hours_however_active(client, borough, clock: Clock):
    """Absolute lifetime: activity does not stretch a session past 12 hours."""
    sign_in(client, "worker")
    for _ in range(35):  # a request every 20 minutes for 11 hours 40 minutes
        clock.advance(minutes=20)
        assert signed_in(client)
    clock.advance(minutes=21)
    assert not signed_in(client)
    assert sessions_of(borough.user("worker").id)[0].ended_reason == "expired"


def test_asking_for_the_time_left_is_not_activity(client, borough, clock: Clock):
    """The timeout warning's status check does not keep a forgotten tab alive."""
    sign_in(client, "worker")
    clock.advance(minutes=20)
    assert client.get("/session/status").get_json() == {"seconds_left": 600}
    clock.advance(minutes=11)
    assert not signed_in(client)
    assert client.get("/session/status").get_json() == {"seconds_left": 0}


def test_stay_signed_in_restarts_the_idle_timeout(client, borough, clock: Clock):
    """The warning's "Stay signed in" counts as activity."""
    sign_in(client, "worker")
    clock.advance(minutes=28, seconds=30)
    assert client.post("/session/keep-alive").get_json() == {"seconds_left": 1800}
    clock.advance(minutes=28)
    assert signed_in(client)


def test_the_timeout_warning_script_is_on_signed_in_pages_only(client, borough):
    """A script file (no inline script, as the CSP requires) with the idle time to warn at."""
    assert b"session-timeout.js" not in client.get("/sign-in").data
    sign_in(client, "worker")
    page = client.get("/").get_data(as_text=True)
    assert 'src="/static/session-timeout.js" defer' in page
    assert 'data-idle-seconds="1800" data-warn-seconds="120"' in page
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]
    assert client.get("/static/session-timeout.js").status_code == 200


def test_ending_sessions_is_announced_for_the_audit_trail(client, other_client, borough):
    """Every ending sends core.sessions.session_ended with the user, reason and count."""
    heard: list[tuple[int, str, int]] = []

    def listener(sender: Flask, user_id: int, reason: str, count: int) -> None:
        heard.append((user_id, reason, count))

    worker = borough.user("worker")
    sign_in(client, "worker")
    sign_in(other_client, "worker")
    with session_ended.connected_to(listener):
        client.post("/sign-out")
        other_client.post("/sign-out-everywhere")
    assert heard == [(worker.id, "signed out", 1), (worker.id, "signed out everywhere", 1)]


def test_a_timeout_is_announced_when_the_browser_next_calls(client, borough, clock: Clock):
    heard: list[tuple[int, str, int]] = []

    def listener(sender: Flask, user_id: int, reason: str, count: int) -> None:
        heard.append((user_id, reason, count))

    sign_in(client, "worker")
    clock.advance(minutes=31)
    with session_ended.connected_to(listener):
        assert not signed_in(client)
    assert heard == [(borough.user("worker").id, "idle timeout", 1)]


@pytest.fixture
def second_server(database_url: str) -> Iterator[Flask]:
    """Another app server on the same database, as behind a load balancer."""
    other = create_app(test_config(database_url))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_servers_share_sessions_and_sign_out(client, borough, second_server: Flask):
    """A session made on one server is accepted by the other; signing out on one ends it on
    both."""
    sign_in(client, "worker")
    other = second_server.test_client()
    other.set_cookie(COOKIE, cookie(client))
    assert signed_in(other)
    client.post("/sign-out")
    assert not signed_in(other)


def test_two_servers_share_sign_out_everywhere(client, other_client, borough, second_server):
    """Ending sessions on one server ends them for browsers using the other."""
    sign_in(client, "worker")
    elsewhere = second_server.test_client()
    sign_in(elsewhere, "worker")
    elsewhere.post("/sign-out-everywhere")
    assert not signed_in(client)


def test_the_staff_import_signs_out_leavers_and_changed_roles(client, other_client, borough):
    """A staff file that deactivates someone or changes their role ends their sessions; the
    others stay signed in."""
    from core.models import ImportKind, ImportStatus
    from tests.core.imports import csv_bytes, reasons, run

    sign_in(client, "worker")  # becomes a team manager
    sign_in(other_client, "team_manager")  # stays as they are
    iro = borough.user("iro")
    headings = ["Email", "Name", "Role", "Team", "Service", "Active", "Staff ID"]
    rows = [
        ["worker@test.example", "Worker", "Team manager", "CIN North", "", "", ""],
        ["team_manager@test.example", "Team Manager", "Team manager", "CIN North", "", "", ""],
        ["iro@test.example", "Iro", "IRO", "", "", "No", ""],
    ]
    third = client.application.test_client()
    sign_in(third, "iro")
    result = run(ImportKind.STAFF, csv_bytes([headings, *rows]))
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    assert not signed_in(client)
    assert other_client.get("/").status_code == 200
    assert third.get("/").status_code == 302
    reasons_ended = {s.ended_reason for s in sessions_of(borough.user("worker").id)}
    assert reasons_ended == {"role changed by the staff import"}
    assert sessions_of(iro.id)[0].ended_reason == "deactivated by the staff import"


def test_an_end_the_caller_forgot_to_commit_still_sticks(app, client, other_client, borough):
    """end_sessions inside a request: a successful request's transaction is committed with
    it (so the audit trail's record of the end is kept); a failed one is rolled back, but
    the sessions are ended all the same."""
    from core.access import Permission, requires
    from core.sessions import end_sessions

    worker = borough.user("worker")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @requires(Permission.PUBLIC)
    def end_without_commit(status: int) -> tuple[str, int]:
        end_sessions(worker.id, "password changed")
        worker.name = f"Changed before a {status}"
        return "done", status

    app.add_url_rule("/test-end/<int:status>", "test_end", end_without_commit)
    sign_in(other_client, "worker")
    assert client.get("/test-end/200").status_code == 200
    db.session.rollback()  # what the end of a real request does to uncommitted work
    assert not signed_in(other_client)
    assert db.session.get(type(worker), worker.id).name == "Changed before a 200"

    sign_in(other_client, "worker")
    assert client.get("/test-end/500").status_code == 500
    db.session.rollback()
    assert not signed_in(other_client)
    assert db.session.get(type(worker), worker.id).name == "Changed before a 200"

def test_the_timeout_warning_lands_on_a_sign_in_page_that_says_why(client, borough):
    page = client.get("/sign-in?timed_out=1").get_data(as_text=True)
    assert "We signed you out because you had not done anything for 30 minutes." in page
    assert "We signed you out" not in client.get("/sign-in").get_data(as_text=True)


# -- Redis, where a council configures it ----------------------------------------

# A database of this test worker's own, so parallel workers do not clear each other's keys.
REDIS_URL = f"redis://127.0.0.1:6379/{redis_db(12)}"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture
def redis_sessions(app: Flask) -> Iterator[None]:
    """Sessions kept in Redis instead of the database (CAREAUDIT_SESSION_REDIS_URL)."""
    if not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    from core.sessions import redis_store

    app.config["SESSION_REDIS_URL"] = REDIS_URL
    yield
    connection = redis.Redis.from_url(REDIS_URL)
    for prefix in (redis_store.PREFIX, redis_store.USER_PREFIX):
        for key in connection.scan_iter(prefix + "*"):
            connection.delete(key)


def test_redis_sessions_end_on_sign_out_and_keep_nothing_in_the_database(
    client, borough, redis_sessions
):
    sign_in(client, "worker")
    old = cookie(client)
    assert signed_in(client)
    assert sessions_of(borough.user("worker").id) == []
    client.post("/sign-out")
    client.set_cookie(COOKIE, old)
    assert not signed_in(client)


def test_redis_sessions_end_everywhere_and_on_deactivation(
    client, other_client, borough, redis_sessions
):
    worker = borough.user("worker")
    sign_in(client, "worker")
    sign_in(other_client, "worker")
    assert client.get("/account").get_data(as_text=True).count("127.0.0.1") == 2
    client.post("/sign-out-everywhere")
    assert not signed_in(other_client)
    sign_in(other_client, "worker")
    sign_in(client, "admin")
    form = {"name": worker.name, "email": worker.email, "role": "social_worker"}
    form |= {"team": str(worker.team_id), "service": "", "password": ""}
    assert client.post(f"/admin/users/{worker.id}", data=form).status_code == 302
    assert not signed_in(other_client)


def test_redis_sessions_time_out_when_idle(client, borough, redis_sessions, clock: Clock):
    sign_in(client, "worker")
    clock.advance(minutes=29)
    assert signed_in(client)
    clock.advance(minutes=31)
    assert not signed_in(client)


def test_two_servers_share_redis_sessions(client, borough, redis_sessions, second_server):
    second_server.config["SESSION_REDIS_URL"] = REDIS_URL
    sign_in(client, "worker")
    other = second_server.test_client()
    other.set_cookie(COOKIE, cookie(client))
    assert signed_in(other)
    client.post("/sign-out")
    assert not signed_in(other)


# -- settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "idle", "absolute"),
    [
        ({}, 30, 12 * 60),
        ({"CAREAUDIT_SESSION_IDLE_MINUTES": "15", "CAREAUDIT_SESSION_HOURS": "8"}, 15, 8 * 60),
        ({"CAREAUDIT_SESSION_MINUTES": "480"}, 30, 480),  # the old setting, still read
        ({"CAREAUDIT_SESSION_MINUTES": "480", "CAREAUDIT_SESSION_HOURS": "10"}, 30, 600),
    ],
)
def test_session_limits_are_settings(monkeypatch, tmp_path, environment, idle, absolute):
    from core.config import from_environment

    for name in ("CAREAUDIT_SESSION_IDLE_MINUTES", "CAREAUDIT_SESSION_HOURS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CAREAUDIT_SESSION_MINUTES", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = from_environment(tmp_path)
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_ABSOLUTE_MINUTES"]) == (idle, absolute)


# -- commands ----------------------------------------------------------------------


def test_sessions_end_signs_a_user_out_from_the_command_line(client, runner, borough):
    sign_in(client, "worker")
    result = runner.invoke(args=["sessions", "end", "WORKER@test.example"])
    assert result.exit_code == 0, result.output
    assert "Worker: 1 session ended" in result.output
    assert not signed_in(client)
    unknown = runner.invoke(args=["sessions", "end", "nobody@test.example"])
    assert unknown.exit_code != 0
    assert "No account has the email address nobody@test.example" in unknown.output


def test_sessions_prune_removes_old_sessions_and_attempts(client, runner, borough, clock):
    from core.models import SignInAttempt

    sign_in(client, "worker")
    client.post("/sign-out")
    client.post("/sign-in", data={"email": "worker@test.example", "password": "wrong-wrong"})
    sign_in(client, "worker")  # expired 12 hours later, so removed too
    clock.advance(days=31)
    result = runner.invoke(args=["sessions", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 old sessions and 3 old sign-in attempts" in result.output
    assert sessions_of(borough.user("worker").id) == []
    assert db.session.scalars(select(SignInAttempt)).all() == []
