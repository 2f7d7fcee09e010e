"""`careaudit remind`: allocation, due-soon and overdue emails, the weekly digest, messages."""

from __future__ import annotations

import email
import smtplib
import socket
from datetime import date
from email.message import Message

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_mailman import EmailMessage
from flask_mailman.backends import locmem
from sqlalchemy import func, select

from core import create_app
from core.extensions import db
from core.models import Allocation, AllocationStatus, Reminder, User
from core.programme import periods
from core.programme.allocation import allocate
from core.programme.reminders import send_due
from core.tools.registry import get_registry
from tests.conftest import AuthActions, test_config
from tests.factories import Borough, add_programme

DECEMBER = periods.month("2026-12")  # due 31 December 2026
ALLOCATED_ON = date(2026, 12, 1)  # a Tuesday
FIRST_MONDAY = date(2027, 1, 4)  # the default digest day, four days after the due date
NOTHING = {"allocated": 0, "due_soon": 0, "overdue": 0, "digest": 0, "failed": 0}


@pytest.fixture
def programme(borough: Borough) -> Borough:
    """The borough with the default rules, a fuller CIN North team and December allocated."""
    add_programme(borough)
    allocate(get_registry(), DECEMBER, seed=11)
    return borough


def outbox(app: Flask) -> list[EmailMessage]:
    return getattr(app.extensions["mailman"], "outbox", [])


def emails_to(app: Flask, user: User) -> list[EmailMessage]:
    return [m for m in outbox(app) if m.to == [f"{user.name} <{user.email}>"]]


def allocations_of(user: User) -> list[Allocation]:
    return list(
        db.session.scalars(
            select(Allocation).where(Allocation.auditor_id == user.id).order_by(Allocation.id)
        )
    )


def auditors() -> set[int]:
    return set(db.session.scalars(select(Allocation.auditor_id).distinct()))


def listed(body: str) -> set[str]:
    """Case references listed in an email body ("- C500001: ...")."""
    return {line[2:].split(":")[0] for line in body.splitlines() if line.startswith("- ")}


def reminders(**where: object) -> list[Reminder]:
    statement = select(Reminder).order_by(Reminder.id)
    for name, value in where.items():
        statement = statement.where(getattr(Reminder, name) == value)
    return list(db.session.scalars(statement))


def test_allocation_emails_go_once(app: Flask, programme: Borough):
    counts = send_due(ALLOCATED_ON)
    assert counts == {**NOTHING, "allocated": len(auditors())}
    tm = programme.user("team_manager")
    mine = allocations_of(tm)
    assert len(mine) == 3
    [message] = emails_to(app, tm)
    assert message.subject == "3 case file audits allocated to you, due by 31 December 2026"
    assert listed(message.body) == {a.case.reference for a in mine}
    assert "http://127.0.0.1:5000/" in message.body
    assert message.from_email == "careaudit@localhost"
    # One email, recorded once per allocation it is about.
    rows = reminders(user_id=tm.id)
    assert sorted(r.topic for r in rows) == sorted(f"allocated:{a.id}" for a in mine)
    assert {(r.kind, r.sent_on, r.subject, r.body) for r in rows} == {
        ("allocated", ALLOCATED_ON, message.subject, message.body)
    }

    sent = len(outbox(app))
    assert send_due(ALLOCATED_ON) == NOTHING  # again the same day: nothing twice
    assert send_due(date(2026, 12, 2)) == NOTHING  # the next day: nothing new
    assert len(outbox(app)) == sent


def test_one_allocation_has_its_own_subject_and_a_reassigned_one_is_told_again(
    app: Flask, programme: Borough
):
    send_due(ALLOCATED_ON)
    tm, deputy = programme.user("team_manager"), programme.user("deputy")
    moved = allocations_of(tm)[0]
    moved.auditor_id = deputy.id
    moved.slot = 99
    db.session.commit()
    assert send_due(date(2026, 12, 2)) == {**NOTHING, "allocated": 1}
    [message] = emails_to(app, deputy)[1:]
    assert message.subject == (
        f"Case file audit allocated to you: {moved.case.reference}, due 31 December 2026"
    )
    assert "A case file audit has been allocated to you:" in message.body


def test_due_soon_goes_the_set_number_of_days_before(app: Flask, programme: Borough):
    send_due(ALLOCATED_ON)
    assert send_due(date(2026, 12, 25)) == NOTHING  # six days to go
    counts = send_due(date(2026, 12, 26))  # five days to go (the default)
    assert counts == {**NOTHING, "due_soon": len(auditors())}
    tm = programme.user("team_manager")
    [_, reminder] = emails_to(app, tm)
    assert reminder.subject == "Reminder: 3 audits due by 31 December 2026"
    assert listed(reminder.body) == {a.case.reference for a in allocations_of(tm)}
    assert "due in the next 5 days" in reminder.body
    assert send_due(date(2026, 12, 27)) == NOTHING


def test_due_soon_follows_the_setting(app: Flask, programme: Borough):
    app.config["REMINDER_DAYS"] = 10
    send_due(ALLOCATED_ON)
    assert send_due(date(2026, 12, 20)) == NOTHING
    assert send_due(date(2026, 12, 21))["due_soon"] == len(auditors())


def test_allocated_inside_the_window_gets_no_due_soon_as_well(app: Flask, programme: Borough):
    assert send_due(date(2026, 12, 28)) == {**NOTHING, "allocated": len(auditors())}
    assert send_due(date(2026, 12, 29)) == NOTHING


def test_overdue_goes_once_after_the_due_date(app: Flask, programme: Borough):
    send_due(ALLOCATED_ON)
    send_due(date(2026, 12, 26))
    assert send_due(date(2026, 12, 31)) == NOTHING  # due today is not overdue
    counts = send_due(date(2027, 1, 1))
    assert counts == {**NOTHING, "overdue": len(auditors())}
    tm = programme.user("team_manager")
    overdue = emails_to(app, tm)[-1]
    assert overdue.subject == "Overdue: 3 audits were due by 31 December 2026"
    assert "These audits allocated to you are overdue:" in overdue.body
    assert send_due(date(2027, 1, 2)) == NOTHING
    assert send_due(date(2027, 1, 20))["overdue"] == 0


def test_completed_and_waived_allocations_get_no_reminders(app: Flask, programme: Borough):
    tm = programme.user("team_manager")
    first, second, third = allocations_of(tm)
    first.status = AllocationStatus.COMPLETED
    second.status = AllocationStatus.WAIVED
    db.session.commit()
    send_due(ALLOCATED_ON)
    [message] = emails_to(app, tm)
    assert listed(message.body) == {third.case.reference}
    third.status = AllocationStatus.COMPLETED
    db.session.commit()
    for day in (date(2026, 12, 26), date(2027, 1, 1), FIRST_MONDAY):
        send_due(day)
    # Their team's digest still comes (the deputy's audits are overdue), nothing of their own.
    assert {r.kind for r in reminders(user_id=tm.id)} == {"allocated", "digest"}


def test_inactive_users_and_users_without_email_get_nothing(app: Flask, programme: Borough):
    tm, iro, deputy = (programme.user(k) for k in ("team_manager", "iro", "deputy"))
    tm.active = False
    iro.email = ""
    db.session.commit()
    for day in (ALLOCATED_ON, date(2026, 12, 26), date(2027, 1, 1), FIRST_MONDAY):
        send_due(day)
    assert not emails_to(app, tm) and not reminders(user_id=tm.id)
    assert not [m for m in outbox(app) if iro.name in m.to[0]] and not reminders(user_id=iro.id)
    assert emails_to(app, deputy)  # the rest of the team still hears


def test_digest_goes_on_the_weekday_to_the_right_managers(app: Flask, programme: Borough):
    south = [
        a for a in db.session.scalars(select(Allocation)) if a.case.team_id == programme.south.id
    ]
    assert south, "the seed gives CIN South an allocation"
    assert send_due(date(2027, 1, 1))["digest"] == 0  # a Friday
    counts = send_due(FIRST_MONDAY)
    assert counts["overdue"] == 0  # told on Friday already
    overdue = list(db.session.scalars(select(Allocation)))
    by_team: dict[int, set[str]] = {}
    by_service: dict[int, set[str]] = {}
    for a in overdue:
        by_team.setdefault(a.case.team_id, set()).add(a.case.reference)
        by_service.setdefault(a.case.service_id, set()).add(a.case.reference)

    digests = {m.to[0]: m for m in outbox(app) if m.subject.startswith("Weekly digest")}
    expected = {}
    for key in ("team_manager", "deputy", "south_manager", "care_manager"):
        user = programme.user(key)
        if by_team.get(user.team_id):
            expected[user] = by_team[user.team_id]
    manager = programme.user("service_manager")
    expected[manager] = by_service[programme.cin.id]
    assert counts["digest"] == len(expected) == len(digests)
    for user, references in expected.items():
        message = digests[f"{user.name} <{user.email}>"]
        assert listed(message.body) == references, user.name
    tm_digest = digests["Team Manager <team_manager@test.example>"]
    count = len(by_team[programme.north.id])
    assert tm_digest.subject == f"Weekly digest: {count} overdue audits in CIN North"
    sm_digest = digests["Service Manager <service_manager@test.example>"]
    assert "CIN North" in sm_digest.body and "CIN South" in sm_digest.body
    for key in ("senior", "iro", "worker", "admin", "analyst"):
        assert not reminders(user_id=programme.user(key).id, kind="digest")

    assert send_due(FIRST_MONDAY)["digest"] == 0  # not twice the same day
    assert send_due(date(2027, 1, 5))["digest"] == 0
    assert send_due(date(2027, 1, 11))["digest"] == len(expected)  # weekly


def test_no_digest_without_overdue_audits(app: Flask, programme: Borough):
    for allocation in db.session.scalars(select(Allocation)):
        if allocation.case.team_id == programme.south.id:
            allocation.status = AllocationStatus.COMPLETED
    db.session.commit()
    send_due(FIRST_MONDAY)
    assert not reminders(user_id=programme.user("south_manager").id)
    assert reminders(user_id=programme.user("team_manager").id, kind="digest")


def test_digest_weekday_is_a_setting(app: Flask, programme: Borough):
    app.config["DIGEST_WEEKDAY"] = 4  # Friday
    assert send_due(date(2027, 1, 1))["digest"] > 0
    assert send_due(FIRST_MONDAY)["digest"] == 0


def test_a_failed_send_is_not_recorded_and_is_tried_again(
    app: Flask, programme: Borough, monkeypatch: pytest.MonkeyPatch
):
    def refuse(self: object, messages: list[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(locmem.EmailBackend, "send_messages", refuse)
        counts = send_due(ALLOCATED_ON)
    assert counts == {**NOTHING, "failed": len(auditors())}
    assert db.session.scalar(select(func.count(Reminder.id))) == 0
    assert send_due(ALLOCATED_ON) == {**NOTHING, "allocated": len(auditors())}


def test_a_run_stops_when_the_mail_server_cannot_be_reached(
    app: Flask, programme: Borough, database_url: str
):
    config = {**test_config(database_url), "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1"}
    unreachable = create_app({**config, "MAIL_PORT": _free_port(), "MAIL_TIMEOUT": 5})
    with unreachable.app_context():
        counts = send_due(ALLOCATED_ON)
        db.engine.dispose()
    assert counts == {**NOTHING, "failed": 1}
    assert db.session.scalar(select(func.count(Reminder.id))) == 0


def test_messages_page_shows_users_their_own_emails(
    app: Flask, programme: Borough, client: FlaskClient, auth: AuthActions
):
    send_due(ALLOCATED_ON)
    tm, iro = programme.user("team_manager"), programme.user("iro")
    [mine] = emails_to(app, tm)
    [theirs] = emails_to(app, iro)
    auth.login(tm.email)
    page = client.get("/messages/").get_data(as_text=True)
    assert 'href="/messages/"' in page  # in the menu
    assert page.count(mine.subject) == 1  # one email, though it covers three allocations
    assert "1 December 2026" in page
    for reference in listed(mine.body):
        assert reference in page
    assert theirs.subject not in page
    for reference in listed(theirs.body) - listed(mine.body):
        assert reference not in page
    auth.logout()

    auth.login(programme.user("admin").email)
    page = client.get("/messages/").get_data(as_text=True)
    assert "We have not sent you any emails yet." in page
    assert mine.subject not in page


def test_messages_page_needs_sign_in(client: FlaskClient, app: Flask):
    response = client.get("/messages/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_remind_command_prints_the_counts(app: Flask, programme: Borough):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind", "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert f"Reminders for 2026-12-01: {len(auditors())} allocated, 0 due soon" in result.output
    again = runner.invoke(args=["remind", "--today", "2026-12-01"])
    assert again.exit_code == 0
    assert "0 allocated, 0 due soon, 0 overdue, 0 digests" in again.output
    bad = runner.invoke(args=["remind", "--today", "1 December"])
    assert bad.exit_code == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.received.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(content))  # type: ignore[attr-defined]
        )
        return "250 Message accepted for delivery"


def test_reminders_go_through_a_real_smtp_server(app: Flask, programme: Borough, database_url: str):
    from aiosmtpd.controller import Controller

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        smtp_app = create_app(
            {
                **test_config(database_url),
                "MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": controller.port,
                "MAIL_DEFAULT_SENDER": "Case file audit <audits@northwick.example>",
            }
        )
        with smtp_app.app_context():
            counts = send_due(ALLOCATED_ON)
            db.engine.dispose()
    finally:
        controller.stop()
    assert counts["allocated"] == len(auditors()) == len(handler.received)
    tm = programme.user("team_manager")
    [(_recipients, message)] = [r for r in handler.received if r[0] == [tm.email]]
    assert message["To"] == f"Team Manager <{tm.email}>"
    assert message["From"] == "Case file audit <audits@northwick.example>"
    assert message["Subject"] == "3 case file audits allocated to you, due by 31 December 2026"
    assert message.get_content_type() == "text/plain"
    assert "Dear Team Manager," in message.get_payload(decode=True).decode()
    assert len(reminders(user_id=tm.id)) == 3


def test_an_email_another_run_sent_today_is_skipped(app: Flask, programme: Borough):
    """Two runs at once: the second finds the first's row taken and sends nothing."""
    from core.extensions import mail
    from core.programme.reminders import Outgoing, _send

    send_due(ALLOCATED_ON)
    row = reminders(user_id=programme.user("team_manager").id)[0]
    sent = len(outbox(app))
    again = Outgoing(
        user_id=row.user_id,
        to="Team Manager <team_manager@test.example>",
        kind=row.kind,
        subject=row.subject,
        body=row.body,
        topics=[(row.topic, row.allocation_id)],
    )
    assert _send(mail.get_connection(), again, ALLOCATED_ON) is None
    assert len(outbox(app)) == sent
    assert len(reminders(user_id=row.user_id)) == 3  # the session is usable afterwards
