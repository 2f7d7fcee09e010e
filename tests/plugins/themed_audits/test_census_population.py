"""The re-referral themed audit takes its population from the imported CIN census.

From an imported census to a drawn, allocated sample with no file uploaded;
only themes that declare a census population offer it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.models import Answer, Audit, ImportKind, ImportStatus
from core.tools.registry import get_registry
from plugins.themed_audits import Theme
from plugins.themed_audits.models import PopulationItem, PopulationUpload, SampleItem, ThemedAudit
from tests.core.imports.test_cin_census import Child, Details, census
from tests.factories import Borough
from tests.plugins.themed_audits.test_journey import create, draw

# The audit's period is April to October 2026 (SETUP).
CENSUS = [
    # Re-referred 150 days after a referral in the autumn before the period.
    Child("C100001", [Details("2025-12-01", closed="2026-01-10"), Details("2026-04-30")]),
    # Exactly 12 months after the previous referral: a re-referral.
    Child("C200001", [Details("2025-05-15", closed="2025-06-01"), Details("2026-05-15")]),
    # 12 months and a day: not a re-referral.
    Child("C300001", [Details("2025-06-01", closed="2025-07-01"), Details("2026-06-02")]),
    # A first ever referral in the period: not a re-referral.
    Child("C100002", [Details("2026-07-01")]),
    # Re-referred, but no case file in careaudit: no team, so left out.
    Child("X900001", [Details("2026-05-01", closed="2026-05-20"), Details("2026-08-01")]),
]


@pytest.fixture
def census_imported(borough: Borough) -> Borough:
    get_registry().set_switch("rereferral_theme", borough.cin.id, True)
    db.session.commit()
    run = run_import(
        ImportKind.CIN_CENSUS,
        [ImportFileData("file", "cin.xml", census(CENSUS, reference_date="2026-10-31"))],
        started_by="test",
    )
    assert run.status is ImportStatus.IMPORTED, (run.error, run.problems)
    return borough


def take_from_census(client: FlaskClient, themed_id: int, **kwargs: object):
    return client.post(f"/themed-audits/{themed_id}/population/census", **kwargs)


def test_a_sample_is_drawn_from_census_referrals_with_no_upload(client, auth, census_imported):
    b = census_imported
    auth.login("iro@test.example")
    themed_id = create(client)
    page = html.unescape(client.get(f"/themed-audits/{themed_id}").get_data(as_text=True))
    assert "Take the population from the CIN census referrals" in page
    assert "6 CIN census referrals are dated in this period" in page

    response = take_from_census(client, themed_id, follow_redirects=True)
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert (
        "Imported 2 re-referrals from the CIN census: 6 referrals dated in the period, "
        "3 re-referrals found, 1 left out (1 because the child has no case file in "
        "careaudit, so no team)."
    ) in text
    assert "2 re-referrals in the population" in text

    items = {
        item.case_reference: item
        for item in db.session.scalars(
            select(PopulationItem).where(PopulationItem.themed_audit_id == themed_id)
        )
    }
    assert set(items) == {"C100001", "C200001"}
    first = items["C100001"]
    assert first.reference == "C100001/2026-04-30" and first.team_id == b.north.id
    assert first.facts == {
        "previous_referral_date": "2025-12-01",
        "days_since_previous": 150,
        "age_band": "4_to_10",
    }
    assert items["C200001"].facts["days_since_previous"] == 365
    assert items["C200001"].team_id == b.south.id
    # Where the population came from is on record; no file content is kept.
    record = db.session.scalar(select(PopulationUpload))
    assert record.filename.startswith("CIN census referrals") and record.content == ""
    assert record.imported_rows == 2

    # The same sample, log and allocation as an uploaded population.
    assert draw(client, themed_id, "2", "20111123").status_code == 302
    allocated = client.post(
        f"/themed-audits/{themed_id}/allocate", data={"auditor": b.user("iro").id, "count": "2"}
    )
    assert allocated.status_code == 302
    audits = db.session.scalars(select(Audit).join(SampleItem, SampleItem.audit_id == Audit.id))
    audit = next(a for a in audits if a.facts["Child's case reference"] == "C100001")
    answers = {
        a.question: a.value
        for a in db.session.scalars(select(Answer).where(Answer.audit_id == audit.id))
    }
    assert answers["days_since_previous"] == "150" and answers["age_band"] == "4_to_10"
    assert audit.case_id == b.cases["cin"].id
    log = client.get(f"/themed-audits/{themed_id}").get_data(as_text=True)
    assert 'data-log="population">2<' in log and 'data-log="seed">20111123<' in log


def test_the_census_population_can_be_taken_again_until_the_sample_is_drawn(
    client, auth, census_imported
):
    auth.login("iro@test.example")
    themed_id = create(client)
    take_from_census(client, themed_id)
    again = take_from_census(client, themed_id)
    assert again.status_code == 302
    count = select(func.count()).select_from(PopulationItem)
    assert db.session.scalar(count) == 2
    draw(client, themed_id, "1", "7")
    refused = take_from_census(client, themed_id)
    assert refused.status_code == 400 and b"the population cannot change" in refused.data
    assert (
        b"Take the population from the CIN census"
        not in client.get(f"/themed-audits/{themed_id}").data
    )


def test_with_no_census_referrals_in_the_period_the_lead_is_told_what_to_do(
    client, auth, census_imported
):
    auth.login("iro@test.example")
    themed_id = create(client, start_year="2020", end_year="2020")
    page = client.get(f"/themed-audits/{themed_id}").get_data(as_text=True)
    assert "0 CIN census referrals are dated in this period" in page
    response = take_from_census(client, themed_id)
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "holds no CIN census referrals dated 1 April 2020 to 31 October 2020" in text
    assert "Import the CIN census first, or upload the population as a CSV file" in text
    assert db.session.scalar(select(func.count()).select_from(PopulationItem)) == 0


def test_when_every_rereferral_is_left_out_the_lead_is_told_why(client, auth, borough):
    get_registry().set_switch("rereferral_theme", borough.cin.id, True)
    db.session.commit()
    run_import(
        ImportKind.CIN_CENSUS,
        [ImportFileData("file", "cin.xml", census([CENSUS[-1]], reference_date="2026-10-31"))],
        started_by="test",
    )
    auth.login("iro@test.example")
    themed_id = create(client)
    response = take_from_census(client, themed_id)
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "None of the 2 CIN census referrals dated" in text and "(1 found, all left out)" in text


class QuietTheme(Theme):
    """A theme that only takes a CSV file (as every third-party theme does by default)."""

    slug = "quiet_theme"
    title = "Quiet themed audit"
    item_label = "item"


@pytest.fixture
def quiet_theme(app) -> Iterator[QuietTheme]:
    theme = QuietTheme()
    registry = get_registry()
    registry.register(theme, name=theme.slug)
    try:
        yield theme
    finally:
        registry.unregister(theme)


def test_themes_that_do_not_declare_a_census_population_do_not_offer_it(
    client, auth, borough, quiet_theme
):
    auth.login("iro@test.example")
    themed_id = create(client, theme="quiet_theme")
    page = client.get(f"/themed-audits/{themed_id}").get_data(as_text=True)
    assert "CIN census" not in page and "Upload the population" in page
    assert take_from_census(client, themed_id).status_code == 404
    assert db.session.get(ThemedAudit, themed_id).theme == "quiet_theme"
