"""A password change is in the trail, with the sessions it ended (core/accounts)."""

from __future__ import annotations

from tests.core.trail.test_sign_in_events import entries


def test_changing_ones_password_records_the_change_the_ended_sessions_and_the_sign_out(
    client, auth, borough
):
    from tests.factories import PASSWORD

    new = "a fresh and long passphrase"
    auth.login("worker@test.example")
    changed = client.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert changed.status_code == 302
    [entry] = entries("user.password_changed")
    assert entry.actor_label == "Worker <worker@test.example>"
    assert entry.before is None and entry.after is None  # the hash is never written
    assert entries("sessions.ended")[0].after["reason"] == "password changed"
    assert len(entries("sign_out")) == 1
