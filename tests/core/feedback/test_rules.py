"""Who may read and act on feedback, the reply period, and mistakes that are messages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import Agreement, TrailEntry
from tests.core.feedback.helpers import feedback_of, submit_through_pages
from tests.factories import Borough


@pytest.fixture
def audit(client, borough: Borough):
    """A team manager's submitted audit of the worker's case C100001."""
    return submit_through_pages(client, borough)


@pytest.mark.parametrize(
    ("user", "page", "acknowledge", "reply", "supervision"),
    [
        ("worker", 200, 302, 200, 403),
        ("team_manager", 200, 403, 403, 200),
        ("deputy", 200, 403, 403, 200),
        ("service_manager", 200, 403, 403, 200),
        ("iro", 200, 403, 403, 403),  # reads it, but is not the worker's manager
        ("senior", 200, 403, 403, 403),
        ("other_worker", 404, 404, 404, 404),  # another team
        ("south_manager", 404, 404, 404, 404),
        ("care_manager", 404, 404, 404, 404),
    ],
)
def test_only_the_worker_replies_and_only_their_managers_record_supervision(
    client, auth, borough, audit, user, page, acknowledge, reply, supervision
):
    auth.login(f"{user}@test.example")
    shown = client.get(f"/audits/{audit.id}")
    assert shown.status_code == page
    if page == 404:
        assert b"C100001" not in shown.data
    assert client.get(f"/feedback/{audit.id}/reply").status_code == reply
    assert client.get(f"/feedback/{audit.id}/supervision").status_code == supervision
    today = date.today()
    data = {
        "discussed_day": today.day,
        "discussed_month": today.month,
        "discussed_year": today.year,
    }
    assert client.post(f"/feedback/{audit.id}/supervision", data=data).status_code in (
        supervision,
        302 if supervision == 200 else supervision,
    )
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == acknowledge
    feedback = feedback_of(audit)
    assert (feedback.acknowledged_at is not None) is (user == "worker")
    assert (feedback.discussed_on is not None) is (supervision == 200)


def test_the_home_page_lists_only_ones_own_and_ones_teams_feedback(client, auth, borough, audit):
    auth.login("other_worker@test.example")
    assert "Audits to read and acknowledge" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("south_manager@test.example")
    assert "Feedback to discuss in supervision" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("deputy@test.example")
    home = client.get("/").get_data(as_text=True)
    assert "Feedback to discuss in supervision" in home and "Not yet acknowledged" in home


def test_the_worker_still_reads_the_audit_after_the_case_moves_on(client, auth, borough, audit):
    """Audit.worker_id, not the case's current worker, lets the worker see their feedback."""
    case = borough.cases["cin"]
    case.team_id = borough.south.id
    case.allocated_worker = borough.user("other_worker")
    db.session.commit()
    auth.login("worker@test.example")
    assert client.get(f"/audits/{audit.id}").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 302
    auth.logout()
    # The case's new worker does not see an audit of someone else's work.
    auth.login("other_worker@test.example")
    assert client.get(f"/audits/{audit.id}").status_code == 200  # their case now
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 403


def test_a_reply_mistake_is_a_message_that_keeps_what_was_typed(client, auth, borough, audit):
    auth.login("worker@test.example")
    url = f"/feedback/{audit.id}/reply"
    missing = client.post(url, data={"comment": "Typed first"})
    assert missing.status_code == 400
    text = missing.get_data(as_text=True)
    assert "Select whether you agree with the audit" in text and "Typed first" in text
    no_reason = client.post(url, data={"agreement": "disagree"})
    assert no_reason.status_code == 400
    assert "Say which standards you disagree with and why" in no_reason.get_data(as_text=True)
    too_long = client.post(
        url, data={"agreement": "disagree", "reason__standard_2": "x" * 2001, "comment": "Kept"}
    )
    assert too_long.status_code == 400
    text = too_long.get_data(as_text=True)
    assert "must be 2,000 characters or fewer" in text and "Kept" in text
    assert 'href="#reason__standard_2"' in text
    odd = client.post(url, data={"agreement": "maybe"})
    assert odd.status_code == 400
    assert feedback_of(audit).replied_at is None
    # A general comment alone is enough to disagree.
    sent = client.post(url, data={"agreement": "disagree", "comment": "The grade is too low."})
    assert sent.status_code == 302
    assert feedback_of(audit).agreement is Agreement.DISAGREE


def test_after_the_reply_period_the_worker_can_still_acknowledge_but_not_reply(
    client, auth, borough, audit
):
    feedback = feedback_of(audit)
    feedback.due_on = date.today() - timedelta(days=1)
    db.session.commit()
    auth.login("worker@test.example")
    page = client.get(f"/audits/{audit.id}").get_data(as_text=True)
    assert "Overdue" in page and "Reply to the audit" not in page
    refused = client.get(f"/feedback/{audit.id}/reply", follow_redirects=True)
    assert "The time to reply has ended" in refused.get_data(as_text=True)
    assert (
        client.post(f"/feedback/{audit.id}/reply", data={"agreement": "agree"}).status_code == 302
    )
    assert feedback_of(audit).replied_at is None
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 302
    late = db.session.scalar(
        select(TrailEntry.summary).where(TrailEntry.action == "feedback.acknowledged")
    )
    assert late is not None and "(due by" in late
    # Acknowledging twice records it once.
    assert client.post(f"/feedback/{audit.id}/acknowledge").status_code == 302
    count = db.session.scalars(
        select(TrailEntry.id).where(TrailEntry.action == "feedback.acknowledged")
    ).all()
    assert len(count) == 1


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date it was discussed in supervision"),
        ("31", "2", "2026", "as a real date"),
        ("²", "3", "2026", "as a real date"),
        ("1", "3", "26", "as 4 numbers"),
        ("1", "1", "9999", "today or in the past"),
        ("1", "1", "2020", "on or after the day the audit was submitted"),
        ("9" * 5000, "1", "2026", "as a real date"),
    ],
)
def test_the_supervision_date_is_checked(client, auth, borough, audit, day, month, year, message):
    auth.login("team_manager@test.example")
    response = client.post(
        f"/feedback/{audit.id}/supervision",
        data={"discussed_day": day, "discussed_month": month, "discussed_year": year},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and 'href="#discussed_day"' in text
    assert f'value="{year}"' in text
    assert feedback_of(audit).discussed_on is None


def test_a_supervision_date_can_be_corrected_and_the_change_is_recorded(
    client, auth, borough, audit
):
    from datetime import datetime, time

    today = date.today()
    audit.submitted_at = datetime.combine(today - timedelta(days=10), time(9))
    db.session.commit()
    auth.login("team_manager@test.example")
    for day in (today - timedelta(days=5), today, today):
        sent = client.post(
            f"/feedback/{audit.id}/supervision",
            data={
                "discussed_day": day.day,
                "discussed_month": day.month,
                "discussed_year": day.year,
            },
        )
        assert sent.status_code == 302
    form = client.get(f"/feedback/{audit.id}/supervision").get_data(as_text=True)
    assert f'value="{today.day}"' in form
    entries = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "feedback.discussed").order_by(TrailEntry.id)
    ).all()
    assert len(entries) == 2  # the same date again changes nothing
    assert entries[1].object_type == "audit" and entries[1].object_id == str(audit.id)
    assert "corrected from" in entries[1].summary
    assert entries[1].before == {"discussed_on": (today - timedelta(days=5)).isoformat()}
