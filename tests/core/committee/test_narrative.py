"""The narrative page: the evidence comments of the audits in scope, anonymously sourced."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import TrailEntry
from core.reports.narrative import escape_like
from tests.core.committee.conftest import IN_PERIOD, Known

MONTH = f"{IN_PERIOD:%B %Y}"


def page(client, **params) -> tuple[int, str]:
    response = client.get("/reports/narrative/", query_string=params)
    return response.status_code, response.get_data(as_text=True)


def test_the_page_opens_on_the_first_standard_and_all_is_a_choice(client, auth, known: Known):
    """Opening the page shows the first standard; "All standards" shows every one."""
    auth.login("iro@test.example")
    _, html = page(client)
    assert '<option value="all">All standards</option>' in html
    assert 'selected>Standard 1' in html or "selected>Children" in html
    _, html = page(client, question="all")
    assert '<option value="all" selected>All standards</option>' in html


def test_a_team_manager_reads_only_their_own_teams_submitted_audits_in_the_period(
    client, auth, known: Known
):
    """Out of scope: another team's audits, audits before the period, drafts."""
    auth.login("team_manager@test.example")
    status, html = page(client, question="children_audit:standard_3")
    assert status == 200
    assert "Chronology MISSING since the transfer" in html
    assert "Plan_review overdue by a month" in html
    assert "South team chronology absent" not in html
    assert "An old chronology comment" not in html
    assert "Draft chronology note" not in html


def test_a_senior_manager_reads_the_whole_council_and_can_narrow_to_one_team(
    client, auth, known: Known
):
    auth.login("senior@test.example")
    _, html = page(client, question="children_audit:standard_3")
    assert "South team chronology absent" in html
    south = f"team-{known.borough.south.id}"
    _, html = page(client, question="children_audit:standard_3", scope=south)
    assert "South team chronology absent" in html
    assert "Chronology MISSING" not in html


def test_each_comment_says_where_it_comes_from_without_naming_anyone(client, auth, known: Known):
    """Standard, rating, kind of audit and month: never the case, the auditor or the worker."""
    auth.login("senior@test.example")
    _, html = page(client, question="all")
    assert f"Standard 3, rated Not met, line management audit, {MONTH}" in html
    assert f"Standard 3, rated Partially met, independent audit, {MONTH}" in html
    assert f"Areas for development, line management audit, {MONTH}" in html
    assert "Chronology needs a full rewrite" in html
    for case in known.borough.cases.values():
        assert case.reference not in html
    for key in ("team_manager", "iro", "south_manager", "worker", "other_worker"):
        user = known.borough.user(key)
        assert user.name not in html
        assert user.email not in html


def test_the_page_warns_the_lead_to_check_comments_for_names(client, auth, known: Known):
    auth.login("senior@test.example")
    _, html = page(client)
    assert 'id="check-for-names"' in html
    assert "Check every comment you pin for names" in html


def test_comments_filter_by_rating(client, auth, known: Known):
    auth.login("senior@test.example")
    _, html = page(client, question="children_audit:standard_3", rating="not_met")
    assert "Chronology MISSING" in html and "South team chronology absent" in html
    assert "Plan_review overdue" not in html
    _, html = page(client, rating="met")
    assert "Visits recorded 100% of the time" in html
    assert "Chronology MISSING" not in html
    # Free-text answers have no rating: a rating filter leaves them out.
    assert "Good visits." not in html


def test_search_is_a_case_insensitive_substring(client, auth, known: Known):
    auth.login("senior@test.example")
    _, html = page(client, q="chronology missing")
    assert "Chronology MISSING since the transfer" in html
    assert "South team chronology absent" not in html
    _, html = page(client, q="CHRONOLOGY")
    assert "South team chronology absent" in html
    assert "Chronology needs a full rewrite" in html  # areas for development are searched too
    assert "Evidence." not in html


def test_search_treats_like_wildcards_as_plain_characters(client, auth, known: Known):
    auth.login("senior@test.example")
    _, html = page(client, q="100%")
    assert "Visits recorded 100% of the time" in html
    _, html = page(client, q="%")
    assert 'id="count">1 comment' in html
    _, html = page(client, q="plan_review")
    assert "Plan_review overdue" in html
    _, html = page(client, q="_")
    assert 'id="count">1 comment' in html


def test_escape_like_escapes_the_escape_character_first():
    assert escape_like(r"50%_\x") == r"50\%\_\\x"


def test_comments_come_a_page_at_a_time(client, auth, known: Known, monkeypatch):
    from core.reports import narrative

    monkeypatch.setattr(narrative, "PER_PAGE", 5)
    auth.login("senior@test.example")
    _, first = page(client, question="all")
    assert "page 1 of" in first and 'rel="next"' in first
    _, second = page(client, question="all", page="2")
    assert "page 2 of" in second
    status, last = page(client, question="all", page="999")
    assert status == 200  # the last page, not an error
    assert "page 1 of" not in last


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"rating": "excellent"}, "rating"),
        ({"question": "children_audit:standard_99"}, "question"),
        ({"q": "x" * 101}, "q"),
        ({"period": "not-a-period"}, "period"),
    ],
)
def test_a_wrong_filter_is_a_message_not_an_error_page(client, auth, known: Known, params, field):
    auth.login("senior@test.example")
    status, html = page(client, **params)
    assert status == 400
    assert "There is a problem" in html
    assert f'href="#{field}"' in html
    if field == "q":
        assert 'value="' + "x" * 101 + '"' in html  # what was typed is kept


def test_reading_the_comments_is_recorded_in_the_audit_trail(client, auth, known: Known):
    auth.login("senior@test.example")
    page(client, question="children_audit:standard_3", q="chronology")
    entry = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "reports.narrative_viewed")
    ).one()
    assert "Standard 3" in entry.summary
    assert "chronology" in entry.summary
    assert entry.actor_label.startswith("Senior")


@pytest.mark.parametrize("who", ["analyst", "worker", "admin"])
def test_roles_without_access_to_comments_are_refused(client, auth, known: Known, who):
    """Analysts see aggregates only; social workers and administrators no reports."""
    auth.login(f"{who}@test.example")
    assert client.get("/reports/narrative/").status_code == 403


def test_a_moderator_does_not_read_the_comments_of_the_audit_they_moderate_blind(
    client, auth, known: Known
):
    """The narrative never unblinds moderation: the line audit stays hidden until theirs is in."""
    from datetime import date

    from core.models import Moderation, ModerationStatus

    db.session.add(
        Moderation(
            period=f"{date.today():%Y-%m}",
            line_audit_id=known.line.id,
            moderator_id=known.borough.user("iro").id,
            case_id=known.line.case_id,
            tool="children_audit",
            due_date=date.today(),
            status=ModerationStatus.DRAWN,
        )
    )
    db.session.commit()
    auth.login("iro@test.example")
    _, html = page(client, question="children_audit:standard_3")
    assert "Chronology MISSING" not in html
    assert "Plan_review overdue" in html
