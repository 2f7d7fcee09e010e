"""The agreement page: the figures of a small fixed data set, who may see them, and bad input.

The data set is test_statistics.py's: ten moderated audits whose standard 1 ratings
form the table below (line auditor in rows, moderator in columns), so the page must
show 7 of 10 the same (70%) and weighted kappa 28/43 = 0.65 with the 95% interval
0.30 to 1.00 worked out by hand there. Standard 2 is Not applicable on the line
audit every time, so it has no pairs and the figures for all standards together are
standard 1's.

                 Met  Part  Not
    line Met      3    1     0
         Part     1    2     1
         Not      0    0     2
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from core.extensions import db
from core.models import (
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Moderation,
    ModerationStatus,
    Rating,
    User,
)
from core.programme import periods
from tests.factories import Borough

RATINGS = ["met", "partially_met", "not_met"]
TABLE = [[3, 1, 0], [1, 2, 1], [0, 0, 2]]
#: Grades (line, moderator): 3 higher, 6 the same, 1 lower; mean (3 - 1) / 10 = +0.20.
GRADES = [("good", "adequate")] * 3 + [("adequate", "adequate")] * 6 + [("adequate", "good")]


def _audit(borough: Borough, auditor: User, kind: AuditKind, grade: str, rating: str) -> Audit:
    case = borough.cases["cin"]
    audit = Audit(
        tool="children_audit",
        form_version="1",
        case=case,
        service_id=case.service_id,
        team_id=case.team_id,
        auditor=auditor,
        kind=kind,
        status=AuditStatus.SUBMITTED,
        audit_date=date.today(),
        overall_rating=rating,
        grade=grade,
    )
    db.session.add(audit)
    return audit


def moderated(
    borough: Borough, line_rating: str, moderator_rating: str, grades: tuple[str, str], by: str
) -> Moderation:
    line = _audit(borough, borough.user(by), AuditKind.LINE_MANAGEMENT, grades[0], "partially_met")
    second = _audit(borough, borough.user("iro"), AuditKind.INDEPENDENT, grades[1], "partially_met")
    db.session.flush()
    db.session.add_all(
        [
            Answer(audit_id=line.id, question="standard_1", rating=Rating(line_rating)),
            Answer(audit_id=second.id, question="standard_1", rating=Rating(moderator_rating)),
            Answer(audit_id=line.id, question="standard_2", rating=Rating.NOT_APPLICABLE),
            Answer(audit_id=second.id, question="standard_2", rating=Rating.MET),
        ]
    )
    moderation = Moderation(
        period=periods.month_of(date.today()).key,
        line_audit_id=line.id,
        moderation_audit_id=second.id,
        moderator_id=borough.user("iro").id,
        case_id=line.case_id,
        tool=line.tool,
        due_date=date.today(),
        status=ModerationStatus.COMPLETED,
    )
    db.session.add(moderation)
    return moderation


@pytest.fixture
def ten_pairs(borough: Borough) -> Borough:
    pairs = [
        (RATINGS[i], RATINGS[j]) for i in range(3) for j in range(3) for _ in range(TABLE[i][j])
    ]
    for n, ((line_rating, moderator_rating), grades) in enumerate(zip(pairs, GRADES, strict=True)):
        # One of the ten line audits is the deputy's.
        moderated(
            borough, line_rating, moderator_rating, grades, "deputy" if n == 9 else "team_manager"
        )
    db.session.commit()
    return borough


def row(page: str, attribute: str) -> str:
    found = re.search(rf"{attribute}.*?</(tr|div)>", page, re.S)
    assert found, attribute
    return re.sub(r"\s+", " ", found.group(0))


def test_the_figures_match_the_hand_computation(client: FlaskClient, auth, ten_pairs: Borough):
    auth.login("iro@test.example")
    page = client.get("/moderation/agreement").get_data(as_text=True)
    assert "10 moderated audits compared" in page
    standard_1 = row(page, 'data-standard="standard_1"')
    assert 'data-col="n">10<' in standard_1
    assert '70% <span class="govuk-body-s">(7 of 10)' in standard_1
    assert '0.65 <span class="govuk-body-s">(95% interval 0.30 to 1.00; substantial)' in standard_1
    # Not applicable on one side: no pairs, so nothing to say.
    standard_2 = row(page, 'data-standard="standard_2"')
    assert 'data-col="n">0<' in standard_2 and "too few moderated audits to say" in standard_2
    # All standards together are standard 1's pairs.
    assert "0.65" in row(page, 'data-figure="pooled-kappa"')
    assert "70%" in row(page, 'data-figure="pooled-exact"')
    # Everyone rated Partially met overall: 100% the same, kappa not meaningful.
    assert "100%" in row(page, 'data-figure="overall-exact"')
    assert "cannot be worked out" in row(page, 'data-figure="overall-kappa"')
    drift = row(page, 'data-figure="drift"')
    assert "higher than the moderator on 3, the same on 6 and lower on 1 of 10" in drift
    assert "+0.20 grade steps above" in drift
    # By service: Children in Need holds all ten.
    assert 'data-row="Children in Need"' in page


def test_filters_narrow_the_pairs_and_small_numbers_say_so(
    client: FlaskClient, auth, ten_pairs: Borough
):
    auth.login("senior@test.example")
    deputy = ten_pairs.user("deputy")
    one = client.get(f"/moderation/agreement?auditor={deputy.id}").get_data(as_text=True)
    assert "1 moderated audit compared" in one and "audited by Deputy" in one
    assert "too few moderated audits to say" in row(one, 'data-standard="standard_1"')
    south = client.get(
        f"/moderation/agreement?service={ten_pairs.cin.id}&team={ten_pairs.south.id}"
    ).get_data(as_text=True)
    assert "0 moderated audits compared" in south
    team = client.get(
        f"/moderation/agreement?service={ten_pairs.cin.id}&team={ten_pairs.north.id}"
    ).get_data(as_text=True)
    assert "10 moderated audits compared" in team and 'data-row="Team Manager"' in team
    # An id of someone who is not a line auditor here names nobody.
    admin = ten_pairs.user("admin")
    nobody = client.get(f"/moderation/agreement?auditor={admin.id}").get_data(as_text=True)
    assert "10 moderated audits compared" in nobody and "Admin" not in nobody
    # Months before the moderations: nothing.
    last_year = periods.previous(periods.month_of(date.today()), 11).key
    empty = client.get(f"/moderation/agreement?period={last_year}").get_data(as_text=True)
    assert "0 moderated audits compared" in empty


def test_service_managers_see_their_own_service_only(client: FlaskClient, auth, ten_pairs: Borough):
    auth.login("service_manager@test.example")
    own = client.get("/moderation/agreement").get_data(as_text=True)
    assert "10 moderated audits compared in Children in Need" in own
    other = client.get(f"/moderation/agreement?service={ten_pairs.cic.id}").get_data(as_text=True)
    assert "10 moderated audits compared in Children in Need" in other
    listing = client.get("/moderation/")
    assert listing.status_code == 200


@pytest.mark.parametrize("user", ["team_manager", "deputy", "worker", "analyst", "admin"])
def test_others_may_not_see_agreement(client: FlaskClient, auth, ten_pairs: Borough, user: str):
    auth.login(f"{user}@test.example")
    assert client.get("/moderation/agreement").status_code == 403
    assert client.get("/moderation/").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "period=2026-13",
        "period=%D9%A2%D9%A0%D9%A2%D9%A6-11",
        "service=" + "9" * 30,
        "team=x&auditor=-1",
        "service=1&team=" + "1" * 5000,
    ],
)
def test_bad_filters_are_messages_not_errors(client: FlaskClient, auth, ten_pairs, query: str):
    auth.login("iro@test.example")
    response = client.get(f"/moderation/agreement?{query}")
    assert response.status_code in (200, 400)
    if "period" in query:
        assert response.status_code == 400
        assert "Choose a period from the list" in response.get_data(as_text=True)


def test_the_rule_is_changed_by_administrators_with_messages(client: FlaskClient, auth, borough):
    auth.login("admin@test.example")
    assert 'value="10"' in client.get("/moderation/rule").get_data(as_text=True)
    for bad in ("0", "101", "ten", "²", "9" * 5000, ""):
        refused = client.post("/moderation/rule", data={"share": bad, "active": "y"})
        assert refused.status_code == 400, bad
        assert "Enter the share as a whole number from 1 to 100" in refused.get_data(as_text=True)
    saved = client.post("/moderation/rule", data={"share": "20%", "active": "y"})
    assert saved.status_code == 302
    from core.moderation.rule import current_rule

    assert current_rule().share_percent == 20
    rules = client.get("/programme/rules").get_data(as_text=True)
    assert "20% of each month’s line-management audits" in rules
    assert "Change the moderation rule" in rules
    auth.logout()
    auth.login("iro@test.example")
    assert client.get("/moderation/rule").status_code == 403
