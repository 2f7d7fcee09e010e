"""The case page shows who held the case when, and the child's referrals from the census."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from core.cases.views import CASE_AUDITS_SHOWN
from core.extensions import db
from core.imports.synthetic import CensusChild, CensusReferral, census_xml
from core.models import Audit, Case, ImportKind, ImportStatus
from tests.core.imports import csv_bytes, run
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

HEADINGS = ["Case reference", "Team", "Worker", "Category", "Status"]


def test_a_reallocated_case_shows_both_workers_in_its_history(
    borough: Borough, client: FlaskClient, auth
) -> None:
    worker, other = borough.users["worker"], borough.users["deputy"]
    first = run(
        ImportKind.CASES,
        csv_bytes([HEADINGS, ["C700001", "CIN North", worker.email, "Child in need", "Open"]]),
    )
    assert first.status is ImportStatus.IMPORTED, first.problems
    second = run(
        ImportKind.CASES,
        csv_bytes([HEADINGS, ["C700001", "CIN North", other.email, "Child in need", "Open"]]),
    )
    assert second.status is ImportStatus.IMPORTED, second.problems

    auth.login("team_manager@test.example")
    case = db.session.scalar(select(Case).where(Case.reference == "C700001"))
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Allocation history" in page
    history = page[page.index("Allocation history") :]
    assert worker.name in history and other.name in history
    assert "Now" in history


def test_a_case_without_changes_has_no_history_table(borough: Borough, client, auth) -> None:
    auth.login("team_manager@test.example")
    page = client.get(f"/cases/{borough.cases['cin'].id}").get_data(as_text=True)
    assert "Allocation history" not in page
    assert "Referrals" not in page


def test_census_referrals_are_listed_on_the_case_page(borough: Borough, client, auth) -> None:
    census = census_xml(
        date(2026, 3, 31),
        [
            CensusChild(
                "C100001",
                date(2016, 5, 1),
                [
                    CensusReferral(
                        date(2025, 1, 10),
                        source="5D",
                        need="N2",
                        closure_date=date(2025, 2, 1),
                        closure_reason="RC8",
                    ),
                    CensusReferral(date(2025, 9, 3), source="1A", need="N1"),
                ],
            )
        ],
    )
    imported = run(ImportKind.CIN_CENSUS, census, "census.xml")
    assert imported.status is ImportStatus.IMPORTED, imported.problems
    db.session.expire_all()

    auth.login("team_manager@test.example")
    page = client.get(f"/cases/{borough.cases['cin'].id}").get_data(as_text=True)
    referrals = page[page.index('<h2 class="govuk-heading-m">Referrals') :]
    assert "10 January 2025" in referrals and "3 September 2025" in referrals
    assert "5D" in referrals and "RC8" in referrals
    # Newest first; the open referral says so.
    assert referrals.index("3 September 2025") < referrals.index("10 January 2025")
    assert "Open" in referrals
    # The date of birth is never shown (nor stored).
    assert "2016" not in page


def audits_of_the_case(borough: Borough, count: int) -> list[Audit]:
    """``count`` submitted audits of the borough's child in need case, oldest first."""
    answers = children_answers(overall="partially_met", grade="adequate")
    case = borough.cases["cin"]
    return [submitted_audit(case, borough.users["team_manager"], answers) for _ in range(count)]


def test_a_case_audited_many_times_lists_its_latest_audits_and_links_to_all(
    borough: Borough, client: FlaskClient, auth
) -> None:
    case = borough.cases["cin"]
    audits = audits_of_the_case(borough, CASE_AUDITS_SHOWN + 2)
    oldest, latest = audits[:2], audits[2:]

    auth.login("team_manager@test.example")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert all(f'/audits/{audit.id}"' in page for audit in latest)
    assert not any(f'/audits/{audit.id}"' in page for audit in oldest)
    assert f"These are the latest {CASE_AUDITS_SHOWN} of the {len(audits)} audits" in page
    link = f"/cases/{case.id}?audits=all#audits"
    assert link in page

    every = client.get(link).get_data(as_text=True)
    assert all(f'/audits/{audit.id}"' in every for audit in audits)
    assert "These are the latest" not in every


def test_a_case_with_few_audits_lists_them_all_without_a_link(
    borough: Borough, client: FlaskClient, auth
) -> None:
    case = borough.cases["cin"]
    audits = audits_of_the_case(borough, 2)

    auth.login("team_manager@test.example")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert all(f'/audits/{audit.id}"' in page for audit in audits)
    assert "audits=all" not in page
