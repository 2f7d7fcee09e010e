"""A themed audit end to end: set up, population, sample, allocation, audits, findings."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import Answer, Audit, AuditKind, AuditStatus
from core.testing import complete_audit, save_section
from core.tools.registry import get_registry
from plugins.themed_audits.models import PopulationItem, SampleItem, ThemedAudit
from tests.factories import Borough
from tests.plugins.themed_audits.helpers import HEADER, population_csv

SETUP = {
    "theme": "rereferral_theme",
    "title": "Re-referrals April to October 2026",
    "rationale": "Partner agencies are worried about repeat referrals.",
    "commissioned_by": "Local Safeguarding Children Board",
    "start_day": "1",
    "start_month": "4",
    "start_year": "2026",
    "end_day": "31",
    "end_month": "10",
    "end_year": "2026",
}


@pytest.fixture
def theme_on(borough: Borough) -> Borough:
    get_registry().set_switch("rereferral_theme", borough.cin.id, True)
    db.session.commit()
    return borough


def create(client: FlaskClient, **changes: str) -> int:
    response = client.post("/themed-audits/new", data={**SETUP, **changes})
    assert response.status_code == 302, response.data
    return int(response.location.rsplit("/", 1)[1])


def upload(client: FlaskClient, themed_id: int, text: str, name: str = "population.csv"):
    return client.post(
        f"/themed-audits/{themed_id}/population",
        data={"population": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_setting_up_shows_every_error_and_keeps_every_value(client, auth, theme_on):
    auth.login("iro@test.example")
    response = client.post(
        "/themed-audits/new",
        data={**SETUP, "title": "", "end_day": "31", "end_month": "2", "commissioned_by": ""},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Enter a title for the themed audit" in text
    assert "Enter who commissioned the audit" in text
    assert "Enter the end of the period as a real date" in text
    assert "Partner agencies are worried" in text  # the rationale typed is kept
    assert 'value="2026"' in text and 'value="rereferral_theme" selected' in text


def test_bad_rows_are_reported_and_nothing_is_imported_until_chosen(client, auth, theme_on):
    auth.login("iro@test.example")
    themed_id = create(client)
    text = population_csv(5) + "R9999,,2026-05-01,CIN North,,\nR9998,C1,2026-05-01,Mars,,\n"
    response = upload(client, themed_id, text)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert 'data-row="7"' in page and "Child's case reference is missing" in page
    assert 'data-row="8"' in page and "Mars" in page
    assert db.session.scalar(select(func.count()).select_from(PopulationItem)) == 0
    upload_id = re.search(r"/population/(\d+)/import", page).group(1)
    imported = client.post(f"/themed-audits/{themed_id}/population/{upload_id}/import")
    assert imported.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PopulationItem)) == 5


def test_a_file_that_is_not_csv_or_lacks_columns_gets_a_message(client, auth, theme_on):
    auth.login("iro@test.example")
    themed_id = create(client)
    assert b"must be a CSV file" in upload(client, themed_id, "x", "notes.txt").data
    missing = upload(client, themed_id, "ref,date\nR1,2026-05-01\n")
    assert missing.status_code == 400 and b"has no column for" in missing.data
    empty = client.post(
        f"/themed-audits/{themed_id}/population", data={}, content_type="multipart/form-data"
    )
    assert b"Choose a CSV file to upload" in empty.data


def draw(client: FlaskClient, themed_id: int, size: str, seed: str = ""):
    return client.post(f"/themed-audits/{themed_id}/sample", data={"size": size, "seed": seed})


def sampled_references(themed_id: int) -> list[str]:
    themed = db.session.get(ThemedAudit, themed_id)
    return [item.population_item.reference for item in themed.draw.items]


def test_same_seed_and_population_draw_the_same_sample(client, auth, theme_on):
    """The committee can have the sample drawn again from the log."""
    auth.login("iro@test.example")
    first, second = create(client), create(client, title="Redrawn for the committee")
    for themed_id in (first, second):
        upload(client, themed_id, population_csv(40))
    bad = draw(client, first, "41")
    assert bad.status_code == 400 and b"between 1 and 40" in bad.data
    assert b'value="41"' in bad.data
    assert draw(client, first, "12", "20111123").status_code == 302
    assert draw(client, second, "12", "20111123").status_code == 302
    assert sampled_references(first) == sampled_references(second)
    log = client.get(f"/themed-audits/{first}").get_data(as_text=True)
    assert 'data-log="population">40<' in log and 'data-log="seed">20111123<' in log
    assert "Iro" in log  # who drew it
    assert "12 of the 12 sampled re-referrals are still to be given to an auditor" in log
    again = draw(client, first, "5")
    assert again.status_code == 400 and b"already been drawn" in again.data


def test_sample_is_allocated_audited_and_reported(client, auth, theme_on):
    b = theme_on
    auth.login("iro@test.example")
    themed_id = create(client)
    upload(client, themed_id, population_csv(10))
    draw(client, themed_id, "5", "42")
    iro, manager = b.user("iro"), b.user("service_manager")
    assert (
        client.post(
            f"/themed-audits/{themed_id}/allocate", data={"auditor": iro.id, "count": "3"}
        ).status_code
        == 302
    )
    too_many = client.post(
        f"/themed-audits/{themed_id}/allocate", data={"auditor": manager.id, "count": "3"}
    )
    assert too_many.status_code == 400 and b"between 1 and 2" in too_many.data
    client.post(f"/themed-audits/{themed_id}/allocate", data={"auditor": manager.id, "count": "2"})
    audits = db.session.scalars(
        select(Audit).join(SampleItem, SampleItem.audit_id == Audit.id)
    ).all()
    assert len(audits) == 5
    assert {a.kind for a in audits if a.auditor_id == iro.id} == {AuditKind.INDEPENDENT}
    assert all(a.status is AuditStatus.DRAFT for a in audits)

    # The IRO finds the allocated items on the home page and completes one.
    home = client.get("/")
    assert b"Re-referral R" in home.data
    audit = next(a for a in audits if a.auditor_id == iro.id)
    assert b"The referral history" in client.get(f"/audits/{audit.id}/edit").data
    page = client.get(f"/audits/{audit.id}/sections/history")
    assert b"Days since the previous referral" in page.data
    answers = {
        "previous_referrals": "5",
        "migrated_contacts": "1",
        "main_concern": ["domestic_violence", "chronic_neglect"],
        "level_of_need": "level_2",
        "previous_outcome": "initial_assessment_closed",
        "dealt_with_appropriately": "partly",
        "should_have_triggered_cp": "yes",
        "later_escalation": "cp_plan",
        "missed_opportunity": "yes",
        "chronology": "no",
        "referrals_connected": "no",
        "mobile_family": "no",
        "other_la_information": "not_applicable",
        "prebirth_closed": "not_applicable",
        "referrer_feedback": "no",
        "learning_points": "Connect earlier referrals.",
    }
    refused = complete_audit(client, audit.id, answers)
    assert refused.status_code == 400
    # On check your answers, linked to the question on the section that asks it.
    assert re.search(
        rf'href="/audits/{audit.id}/sections/response#appropriateness_reason">'
        r"Enter why the referral was not, or only partly",
        refused.get_data(as_text=True),
    )
    # The values worked out from the population are shown on their section's page.
    history = client.get(f"/audits/{audit.id}/sections/history").get_data(as_text=True)
    days = re.search(r'id="days_since_previous">(\d+)<', history)
    item = db.session.scalar(select(SampleItem).where(SampleItem.audit_id == audit.id))
    assert days and int(days.group(1)) == item.population_item.facts["days_since_previous"]
    answers["appropriateness_reason"] = "Neglect was assessed one referral at a time."
    assert save_section(client, audit.id, "response", answers).status_code == 302
    db.session.refresh(audit)
    done = client.post(f"/audits/{audit.id}/check", data={"version": audit.version})
    assert done.status_code == 302 and done.location == f"/audits/{audit.id}/submitted"
    db.session.expire_all()
    stored = {
        a.question: a.value
        for a in db.session.scalars(select(Answer).where(Answer.audit_id == audit.id))
    }
    assert stored["main_concern"] == "domestic_violence,chronic_neglect"
    assert stored["days_since_previous"]  # computed from the population, kept on submit
    assert stored["age_band"]

    # Findings: one audited item, so every matching finding is 1 of 1.
    findings = client.get(f"/themed-audits/{themed_id}/findings").get_data(as_text=True)
    assert "1 sampled re-referral audited" in findings
    row = re.search(
        r'data-finding="Involving domestic violence or chronic neglect">.*?'
        r"data-count>(\d+)<.*?data-percent>(\d+)%",
        findings,
        re.S,
    )
    assert row and row.groups() == ("1", "100")
    more_than_four = re.search(
        r'data-finding="More than four previous referrals on the system">.*?'
        r"data-count>(\d+)<",
        findings,
        re.S,
    )
    assert more_than_four.group(1) == "1"
    # 5 previous referrals, 1 of them migrated: the cross-tabulation is 1 of 1.
    cross = re.search(
        r'data-cross-tab="Of the re-referrals with more than four[^"]*">.*?'
        r"data-total>(\d+)<.*?data-count>(\d+)<",
        findings,
        re.S,
    )
    assert cross and cross.groups() == ("1", "1")
    # ... and the theme's section is on the report page for the service.
    report = client.get(f"/reports/?scope=service-{b.cin.id}")
    assert b"Themed audit: Re-referrals themed audit" in report.data


def test_a_switched_off_service_gets_no_allocations(client, auth, borough):
    """Items from services where the theme is off are passed over, with the reason."""
    auth.login("iro@test.example")
    themed_id = create(client)
    upload(client, themed_id, population_csv(4))
    draw(client, themed_id, "2", "1")
    response = client.post(
        f"/themed-audits/{themed_id}/allocate",
        data={"auditor": borough.user("iro").id, "count": "2"},
        follow_redirects=True,
    )
    assert b"switched off for Children in Need" in response.data
    assert db.session.scalar(select(func.count()).select_from(Audit)) == 0


def test_only_leads_reach_themed_audits(client, auth, theme_on):
    auth.login("team_manager@test.example")
    assert client.get("/themed-audits/").status_code == 403
    auth.logout()
    auth.login("iro@test.example")
    themed_id = create(client)
    auth.logout()
    auth.login("service_manager@test.example")  # not the lead: not found
    assert client.get(f"/themed-audits/{themed_id}").status_code == 404
    assert client.get("/themed-audits/").status_code == 200


def test_population_is_fixed_once_sampled(client, auth, theme_on):
    auth.login("iro@test.example")
    themed_id = create(client)
    upload(client, themed_id, population_csv(6))
    draw(client, themed_id, "3", "9")
    page = client.get(f"/themed-audits/{themed_id}")
    assert b"the population is fixed" in page.data
    response = upload(client, themed_id, HEADER + "\nR1,C1,2026-05-01,CIN North,,\n")
    assert response.status_code == 400 and b"the population cannot change" in response.data
    assert db.session.scalar(select(func.count()).select_from(PopulationItem)) == 6


def test_raw_files_are_not_kept_after_import(client, auth, theme_on):
    """The uploaded file (with dates of birth) is emptied once imported or replaced."""
    from plugins.themed_audits.models import PopulationUpload

    auth.login("iro@test.example")
    themed_id = create(client)
    bad = population_csv(3) + "R9999,,2026-05-01,CIN North,,\n"
    first = upload(client, themed_id, bad)
    first_id = re.search(rb"/population/(\d+)/import", first.data).group(1).decode()
    upload(client, themed_id, population_csv(3))  # a corrected file replaces it
    contents = db.session.scalars(select(PopulationUpload.content)).all()
    assert contents == ["", ""]
    stale = client.post(
        f"/themed-audits/{themed_id}/population/{first_id}/import", follow_redirects=True
    )
    assert b"Upload it again" in stale.data
    assert db.session.scalar(select(func.count()).select_from(PopulationItem)) == 3
