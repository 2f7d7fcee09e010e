"""A social worker's home lists the latest audits of their work, however old they are.

The list looks among recent submissions first (``RECENT_WINDOW``) and in all of them
only when that finds too few; either way it shows the ``RECENT`` latest.
"""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from core.extensions import db
from core.home.views import RECENT, RECENT_WINDOW
from core.models import Audit
from core.models._types import utcnow
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit


def audits_of_the_workers_case(borough: Borough, days_ago: list[int]) -> list[Audit]:
    """Audits of the worker's case by their manager, submitted ``days_ago`` days ago."""
    answers = children_answers(overall="partially_met", grade="adequate")
    audits = []
    for days in days_ago:
        audit = submitted_audit(borough.cases["cin"], borough.users["team_manager"], answers)
        audit.submitted_at = utcnow() - timedelta(days=days)
        audits.append(audit)
    db.session.commit()
    return audits


def listed(client: FlaskClient, audit: Audit) -> bool:
    home = client.get("/").get_data(as_text=True)
    return f'/audits/{audit.id}"' in home[home.index("Audits of your work") :]


def test_audits_older_than_the_window_are_listed_when_few_are_recent(
    borough: Borough, client: FlaskClient, auth
) -> None:
    old = RECENT_WINDOW.days + 30
    recent, earlier = audits_of_the_workers_case(borough, [1, old])
    auth.login("worker@test.example")
    assert listed(client, recent) and listed(client, earlier)


def test_the_latest_are_listed_whether_or_not_the_window_holds_enough(
    borough: Borough, client: FlaskClient, auth
) -> None:
    outside = RECENT_WINDOW.days + 10
    # One short of a full list in the window, then two older: the newer of them is listed.
    inside = audits_of_the_workers_case(borough, list(range(1, RECENT)))
    newer_old, oldest = audits_of_the_workers_case(borough, [outside, outside + 50])
    auth.login("worker@test.example")
    assert all(listed(client, audit) for audit in [*inside, newer_old])
    assert not listed(client, oldest)

    # A full list in the window: nothing older is listed.
    (latest,) = audits_of_the_workers_case(borough, [0])
    assert listed(client, latest)
    assert not listed(client, newer_old)


def test_each_audit_is_listed_once_newest_first(
    borough: Borough, client: FlaskClient, auth
) -> None:
    older, newer = audits_of_the_workers_case(borough, [20, 3])
    # Of the worker's case and about the worker too: found both ways, listed once.
    older.subject_user_id = borough.users["worker"].id
    db.session.commit()
    auth.login("worker@test.example")
    home = client.get("/").get_data(as_text=True)
    section = home[home.index("Audits of your work") :]
    assert section.count(f'/audits/{older.id}"') == 1
    assert section.index(f'/audits/{newer.id}"') < section.index(f'/audits/{older.id}"')
