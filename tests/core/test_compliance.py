"""Compliance: allocated, completed and overdue audits, and who was audited lately."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import Allocation, AllocationStatus, Role, Service, User
from core.programme import periods
from core.programme.compliance import compliance_rows, coverage

TODAY = date.today()


@pytest.fixture
def demo(demo_borough):
    return demo_borough


def hand_count(level_of, allocations, keys):
    counts: dict[str, Counter] = {}
    for allocation in allocations:
        if allocation.period not in keys:
            continue
        bucket = counts.setdefault(level_of(allocation), Counter())
        if allocation.status is not AllocationStatus.WAIVED:
            bucket["allocated"] += 1
        if allocation.status is AllocationStatus.COMPLETED:
            bucket["completed"] += 1
        if allocation.status is AllocationStatus.ALLOCATED and allocation.due_date < TODAY:
            bucket["overdue"] += 1
    return counts


def test_demo_compliance_matches_a_hand_count(demo):
    """Per service, for the last six months and for one month, the page's SQL agrees."""
    allocations = db.session.scalars(select(Allocation)).all()
    this_month = periods.month_of(TODAY)
    six = [periods.previous(this_month, n).key for n in range(6)]
    expected = hand_count(lambda a: a.case.service.name, allocations, six)
    rows = {row.label: row for row in compliance_rows("service", six, TODAY)}
    assert set(rows) == set(expected)
    for name, counts in expected.items():
        row = rows[name]
        assert (row.allocated, row.completed, row.overdue) == (
            counts["allocated"],
            counts["completed"],
            counts["overdue"],
        ), name
    assert sum(row.overdue for row in rows.values()) > 0  # the demo tells a story
    last_month = periods.previous(this_month).key
    by_auditor = hand_count(lambda a: a.auditor.name, allocations, [last_month])
    team_rows = compliance_rows("auditor", [last_month], TODAY)
    assert {r.label: (r.allocated, r.completed) for r in team_rows} == {
        name: (c["allocated"], c["completed"]) for name, c in by_auditor.items()
    }


def test_demo_coverage_names_those_not_audited(demo):
    """The share of social workers audited in six months, with the names of the rest."""
    teams = coverage(TODAY)
    assert teams and all(t.audited + len(t.not_audited) == t.workers for t in teams)
    assert (
        sum(t.workers for t in teams)
        == db.session.query(User).filter(User.role == Role.SOCIAL_WORKER).count()
    )


def test_compliance_page_drills_down_and_exports(client, auth, demo):
    auth.login("senior.manager@northwick.example", "demo-only-password")
    page = client.get("/programme/compliance?period=last-6-months")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "By directorate" in text and "Children’s social care" in text
    service = db.session.scalar(select(Service).where(Service.name == "Children in Need"))
    drilled = client.get(f"/programme/compliance?service={service.id}&period=last-6-months")
    assert "By team" in drilled.get_data(as_text=True)
    assert "Children in Need North" in drilled.get_data(as_text=True)
    exported = client.get(f"/programme/compliance.csv?service={service.id}&period=last-6-months")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:4] == ["Team", "Allocated", "Completed", "Overdue"]
    assert {r[0] for r in rows[1:]} == {"Children in Need North", "Children in Need South"}
    bad = client.get("/programme/compliance?period=someday")
    assert bad.status_code == 400 and b"Choose a period from the list" in bad.data


def test_service_managers_see_only_their_service(client, auth, demo):
    auth.login("service.manager@northwick.example", "demo-only-password")
    other = db.session.scalar(select(Service).where(Service.name == "Children in Care"))
    page = client.get(f"/programme/compliance?service={other.id}").get_data(as_text=True)
    assert "By team" in page and "Children in Need North" in page
    assert "Children in Care Team A" not in page
    auth.logout()
    auth.login("team.manager@northwick.example", "demo-only-password")
    assert client.get("/programme/compliance").status_code == 403


def test_a_manager_reassigns_and_waives_with_a_reason(client, auth, demo):
    """The reason is required and kept; the change shows on the allocation."""
    manager = db.session.scalar(
        select(User).where(User.email == "service.manager@northwick.example")
    )
    allocation = db.session.scalar(
        select(Allocation)
        .where(
            Allocation.status == AllocationStatus.ALLOCATED,
            Allocation.audit_id.is_(None),
            Allocation.case.has(service_id=manager.service_id),
            Allocation.auditor.has(role=Role.TEAM_MANAGER),
        )
        .order_by(Allocation.id)
    )
    auth.login("service.manager@northwick.example", "demo-only-password")
    url = f"/programme/allocations/{allocation.id}"
    missing = client.post(url, data={"action": "reassign"})
    assert missing.status_code == 400
    assert b"Enter the reason" in missing.data and b"Choose who the audit goes to" in missing.data
    # Only someone who may audit the case can take it over: a line manager of its team,
    # or the service manager.
    colleague = (
        db.session.scalar(
            select(User).where(
                User.role.in_([Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER]),
                User.team_id == allocation.case.team_id,
                User.id != allocation.auditor_id,
            )
        )
        or manager
    )
    done = client.post(
        url,
        data={"action": "reassign", "auditor": colleague.id, "reason": "On leave until January."},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert allocation.auditor_id == colleague.id
    assert "On leave until January." in allocation.note
    waived = client.post(url, data={"action": "waive", "reason": "Case transferred out."})
    assert waived.status_code == 302
    db.session.expire_all()
    assert allocation.status is AllocationStatus.WAIVED
    assert "reassigned" in allocation.note and "Case transferred out." in allocation.note
