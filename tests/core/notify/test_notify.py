"""Telling staff about follow-up work: a message at once, the email after the commit."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from core import notify
from core.extensions import db
from core.models import Job, JobStatus, Reminder
from tests.factories import Borough


def _outbox(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def _tell(borough: Borough, topic: str = "test:1") -> Reminder | None:
    return notify.notify(
        borough.user("worker"),
        kind="test",
        topic=topic,
        subject="Something to read",
        template="emails/notice.txt",
        lines=["Audit of case C1 was submitted."],
        link="/audits/1",
    )


def test_a_message_is_listed_and_emailed_once_the_change_commits(app: Flask, borough: Borough):
    message = _tell(borough)
    assert message is not None
    assert _outbox(app) == []  # nothing goes before the commit
    db.session.commit()
    assert notify.deliver() == 1
    sent = _outbox(app)
    assert len(sent) == 1
    assert sent[0].subject == "Something to read"
    assert "Audit of case C1 was submitted." in sent[0].body
    assert "/audits/1" in sent[0].body
    assert db.session.scalar(select(Reminder.subject)) == "Something to read"
    assert db.session.scalar(select(Job.status)) is JobStatus.DONE


def test_a_change_that_rolls_back_sends_nothing(app: Flask, borough: Borough):
    _tell(borough)
    db.session.rollback()
    assert notify.deliver() == 0
    assert _outbox(app) == []
    assert db.session.scalar(select(Reminder.id)) is None


def test_the_same_topic_is_told_once_a_day(app: Flask, borough: Borough):
    assert _tell(borough) is not None
    assert _tell(borough) is None
    assert _tell(borough, topic="test:2") is not None


def test_inactive_staff_are_not_told(app: Flask, borough: Borough):
    borough.user("worker").active = False
    assert _tell(borough) is None


def test_a_shared_mailbox_is_emailed_once_the_change_commits(app: Flask, borough: Borough):
    notify.email_mailbox(
        "safeguarding.qa@test.example",
        subject="A safeguarding concern",
        template="emails/notice.txt",
        user=borough.user("worker"),
        lines=["A concern was raised."],
        link="/concerns/1",
    )
    assert _outbox(app) == []
    db.session.commit()
    assert notify.deliver() == 1
    [sent] = _outbox(app)
    assert sent.to == ["safeguarding.qa@test.example"]
    assert "A concern was raised." in sent.body
    assert db.session.scalar(select(Reminder.id)) is None  # a mailbox has no Messages page
