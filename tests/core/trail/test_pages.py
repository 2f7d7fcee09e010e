"""The administrators' audit trail page and CSV, and "who has looked at this case"."""

from __future__ import annotations

import csv
import io

import pytest

from core import trail
from core.extensions import db
from core.models import TrailEntry
from tests.factories import Borough


def signed_in(client, auth, key: str):
    assert auth.login(f"{key}@test.example").status_code == 302
    return client


@pytest.fixture
def history(client, auth, borough: Borough) -> Borough:
    """A team manager and the IRO looked at C100001; the IRO also at C200001."""
    for key, case in (("team_manager", "cin"), ("iro", "cin"), ("iro", "south")):
        signed_in(client, auth, key)
        assert client.get(f"/cases/{borough.cases[case].id}").status_code == 200
        auth.logout()
    return borough


def test_the_trail_page_is_for_administrators_only(client, auth, borough):
    for key in ("senior", "iro", "team_manager", "worker", "analyst"):
        signed_in(client, auth, key)
        assert client.get("/admin/trail").status_code == 403
        assert client.get("/admin/trail.csv").status_code == 403
        auth.logout()
    assert "sign-in" in client.get("/admin/trail").location


def test_administrators_search_by_user_case_and_action(client, auth, history):
    admin = signed_in(client, auth, "admin")
    everything = admin.get("/admin/trail?action=case.viewed").get_data(as_text=True)
    assert "3 entries found" in everything
    by_user = admin.get("/admin/trail?user=IRO@test&action=case.viewed").get_data(as_text=True)
    assert "2 entries found" in by_user and "Team Manager &lt;" not in by_user
    by_case = admin.get("/admin/trail?case=c100001").get_data(as_text=True)
    assert "2 entries found" in by_case and "C200001" not in by_case
    both = admin.get("/admin/trail?case=C100001&user=iro&action=case.viewed")
    assert "1 entry found" in both.get_data(as_text=True)


class _Audit:
    """Stands in for an audit row: record() reads only its table name and ids."""

    __tablename__ = "audit"
    case_id = None

    def __init__(self, id: int) -> None:
        self.id = id


def test_search_by_audit_and_dates(client, auth, borough):
    trail.record("audit.saved", _Audit(7), summary="Saved audit 7", actor_label="tests")
    trail.record("audit.saved", _Audit(77), summary="Saved audit 77", actor_label="tests")
    db.session.commit()
    admin = signed_in(client, auth, "admin")
    by_audit = admin.get("/admin/trail?audit=7").get_data(as_text=True)
    assert "1 entry found" in by_audit and "Saved audit 7" in by_audit
    assert "Saved audit 77" not in by_audit
    today = db.session.get(TrailEntry, 1).at.date().isoformat()
    page = admin.get(f"/admin/trail?start={today}&end={today}&action=audit.saved").get_data(
        as_text=True
    )
    assert "2 entries found" in page
    none = admin.get("/admin/trail?start=2001-01-01&end=2001-01-02").get_data(as_text=True)
    assert "0 entries found" in none


@pytest.mark.parametrize(
    "query",
    [
        "audit=12a",
        "audit=" + "9" * 25,
        "audit=١٢",
        "start=2026-02-30",
        "start=0000-01-01",
        "end=9999-12-31",
        "start=2026-12-02&end=2026-12-01",
        "page=" + "9" * 25,
        "page=-1",
        "page=%C2%B2",
        "user=%00x",
        "case=%00",
        "action=" + "a" * 5000,
    ],
)
def test_bad_input_never_gives_a_500(client, auth, borough, query):
    admin = signed_in(client, auth, "admin")
    assert admin.get(f"/admin/trail?{query}").status_code < 500
    assert admin.get(f"/admin/trail.csv?{query}").status_code < 500


def test_a_bad_date_is_explained_and_kept(client, auth, borough):
    admin = signed_in(client, auth, "admin")
    response = admin.get("/admin/trail?start=31/12/2026")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter the ‘from’ date as a real date" in text and 'value="31/12/2026"' in text


def test_the_csv_export_holds_the_search_is_neutralised_and_is_recorded(client, auth, history):
    trail.record("test.event", summary='=HYPERLINK("http://x")', actor_label="@attacker")
    db.session.commit()
    admin = signed_in(client, auth, "admin")
    response = admin.get("/admin/trail.csv?user=iro&action=case.viewed")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Entry", "When (UTC)", "Who"]
    assert {row[7] for row in rows[1:]} == {"C100001", "C200001"}
    export = db.session.scalars(
        db.select(TrailEntry).where(TrailEntry.action == "export.downloaded")
    ).one()
    assert export.actor_label == "Admin <admin@test.example>" and "user iro" in export.summary

    everything = admin.get("/admin/trail.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in everything and "'@attacker" in everything
    assert "\n=HYPERLINK" not in everything and ",=HYPERLINK" not in everything


@pytest.mark.parametrize("key", ["senior", "iro"])
def test_senior_managers_and_reviewers_see_who_has_looked_at_a_case(client, auth, history, key):
    signed_in(client, auth, key)
    page = client.get(f"/cases/{history.cases['cin'].id}").get_data(as_text=True)
    assert "Who has looked at this case" in page
    assert "Team Manager &lt;team_manager@test.example&gt;" in page
    assert "Iro &lt;iro@test.example&gt;" in page
    assert "C200001" not in page.split("Who has looked at this case")[1]


@pytest.mark.parametrize("key", ["team_manager", "worker"])
def test_managers_and_workers_do_not_see_who_has_looked(client, auth, history, key):
    signed_in(client, auth, key)
    page = client.get(f"/cases/{history.cases['cin'].id}").get_data(as_text=True)
    assert "Who has looked at this case" not in page


def test_who_has_looked_lists_changes_to_the_cases_audits_too(client, auth, borough):
    case = borough.cases["cin"]
    signed_in(client, auth, "team_manager")
    client.post(f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "w-1"})
    auth.logout()
    signed_in(client, auth, "senior")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = page.split("Who has looked at this case")[1]
    assert "Started audit" in section
    # Most recent first: the senior manager's own view heads the list.
    assert section.index("Senior") < section.index("Started audit")
