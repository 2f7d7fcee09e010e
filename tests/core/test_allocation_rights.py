"""Who may reassign or waive an allocation, and to whom; a submit that races another.

docs/decisions.md: the auditor, the auditor's own line manager, an independent reviewer
or a senior manager may change an allocation not yet started, and only to someone who
may audit that case.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from core.extensions import db
from core.models import (
    Allocation,
    AllocationStatus,
    Audit,
    AuditKind,
    AuditRule,
    AuditStatus,
    CasePool,
    Frequency,
    Role,
)
from core.testing import complete_audit
from tests.core.test_audit_journey import start, version_of
from tests.factories import Borough, children_form, make_user

#: allocation key -> (auditor, case, kind)
ALLOCATIONS = {
    "worker's": ("worker", "cin", AuditKind.SELF_AUDIT),
    "deputy's": ("deputy", "cin", AuditKind.LINE_MANAGEMENT),
    "team manager's": ("team_manager", "cp", AuditKind.LINE_MANAGEMENT),
    "south manager's": ("south_manager", "south", AuditKind.LINE_MANAGEMENT),
    "service manager's": ("service_manager", "south", AuditKind.LINE_MANAGEMENT),
    "iro's": ("iro", "lac", AuditKind.INDEPENDENT),
    "senior's": ("senior", "closed", AuditKind.SENIOR_SAMPLE),
}

#: user -> the allocations they may change; every other one is "not found" to them.
MAY_CHANGE = {
    "senior": set(ALLOCATIONS),
    "iro": set(ALLOCATIONS),
    "service_manager": {
        "worker's",
        "deputy's",
        "team manager's",
        "south manager's",
        "service manager's",
    },
    "team_manager": {"worker's", "deputy's", "team manager's"},
    "deputy": {"worker's", "deputy's"},
    "south_manager": {"south manager's"},
    "care_manager": set(),
    "worker": {"worker's"},
    "other_worker": set(),
}
#: Roles without the right to conduct audits at all get "forbidden".
NO_AUDITS = {"admin", "analyst"}


@pytest.fixture
def allocations(borough: Borough) -> dict[str, Allocation]:
    rule = AuditRule(
        auditor_role=Role.TEAM_MANAGER,
        tool="children_audit",
        quantity=1,
        frequency=Frequency.MONTHLY,
        pool=CasePool.TEAM,
    )
    db.session.add(rule)
    made = {}
    for slot, (key, (auditor, case, kind)) in enumerate(ALLOCATIONS.items()):
        made[key] = Allocation(
            period=f"2026-{slot + 1:02d}",  # a case is allocated once a period
            rule=rule,
            auditor_id=borough.user(auditor).id,
            slot=slot,
            case_id=borough.cases[case].id,
            tool="children_audit",
            kind=kind,
            due_date=date(2026, 11, 30),
        )
    db.session.add_all(made.values())
    db.session.commit()
    return made


@pytest.mark.parametrize("user", sorted(MAY_CHANGE.keys() | NO_AUDITS))
def test_only_the_auditor_their_line_manager_qa_or_senior_managers_may_change(
    client, auth, borough: Borough, allocations: dict[str, Allocation], user: str
):
    """Every role x every allocation: open it, and waive it."""
    auth.login(f"{user}@test.example")
    for key, allocation in allocations.items():
        url = f"/programme/allocations/{allocation.id}"
        allowed = key in MAY_CHANGE.get(user, set())
        expected = 403 if user in NO_AUDITS else (200 if allowed else 404)
        assert client.get(url).status_code == expected, (user, key)
        waived = client.post(url, data={"action": "waive", "reason": "Testing the rights."})
        assert waived.status_code == (302 if allowed else expected), (user, key)
        db.session.expire_all()
        assert allocation.status is (
            AllocationStatus.WAIVED if allowed else AllocationStatus.ALLOCATED
        ), (user, key)
        allocation.status = AllocationStatus.ALLOCATED
        db.session.commit()


def test_a_team_manager_cannot_touch_qa_or_their_service_managers_work(
    client, auth, borough: Borough, allocations: dict[str, Allocation]
):
    """The review's finding: the case is in the manager's team, the auditor is not theirs."""
    auth.login("team_manager@test.example")
    for key in ("iro's", "service manager's"):
        allocation = allocations[key]
        allocation.case_id = borough.cases["cin"].id  # a case in the manager's own team
        db.session.commit()
        url = f"/programme/allocations/{allocation.id}"
        reassign = {"action": "reassign", "auditor": borough.user("team_manager").id}
        assert client.post(url, data={**reassign, "reason": "Mine now."}).status_code == 404
        assert client.post(url, data={"action": "waive", "reason": "x"}).status_code == 404
        db.session.expire_all()
        assert allocation.status is AllocationStatus.ALLOCATED
        assert allocation.auditor_id == borough.user(ALLOCATIONS[key][0]).id


def test_reassignment_goes_only_to_someone_who_may_audit_the_case(
    client, auth, borough: Borough, allocations: dict[str, Allocation]
):
    """Another team's or directorate's manager cannot open the case, so is refused."""
    adults_manager = make_user("adults_manager", Role.TEAM_MANAGER, team=borough.older_team)
    db.session.commit()
    allocation = allocations["deputy's"]  # line management of a CIN North case
    url = f"/programme/allocations/{allocation.id}"
    auth.login("team_manager@test.example")
    page = client.get(url).data.decode()
    assert "Team Manager" in page  # the team's manager may take it over
    assert "Care Manager" not in page and "Adults Manager" not in page
    for outsider in (borough.user("care_manager"), adults_manager, borough.user("worker")):
        refused = client.post(
            url, data={"action": "reassign", "auditor": outsider.id, "reason": "Cover."}
        )
        assert refused.status_code == 400
        assert "Choose someone who can audit this case" in refused.data.decode()
    for nonsense in ("", "x", "1" * 25, "\x00"):
        answer = client.post(url, data={"action": "reassign", "auditor": nonsense, "reason": "."})
        assert answer.status_code == 400
    db.session.expire_all()
    assert allocation.auditor_id == borough.user("deputy").id

    taken = client.post(
        url,
        data={
            "action": "reassign",
            "auditor": borough.user("team_manager").id,
            "reason": "Deputy on leave.",
        },
    )
    assert taken.status_code == 302
    db.session.expire_all()
    assert allocation.auditor_id == borough.user("team_manager").id
    assert "Deputy on leave." in allocation.note


def test_a_submit_racing_another_gets_the_conflict_page(
    client, auth, borough: Borough, monkeypatch
):
    """Another submit commits between the form's version check and ours: a 409, not a 500.

    The race is made certain by committing a newer version from a second connection
    just before the allocation is marked complete (where the autoflush used to escape
    the conflict handling).
    """
    import core.audits.workflow as workflow

    auth.login("team_manager@test.example")
    edit_url = start(client, borough.cases["cin"].id)
    audit_id = int(edit_url.split("/")[2])
    complete_audit(client, audit_id, children_form(), submit=False)
    version = version_of(client.get(f"/audits/{audit_id}/check").data)
    real_complete_for = workflow.complete_for

    def other_server_submits_first(audit: Audit) -> None:
        with db.engine.begin() as other:
            other.execute(
                update(Audit).where(Audit.id == audit.id).values(version=Audit.version + 1)
            )
        real_complete_for(audit)

    monkeypatch.setattr(workflow, "complete_for", other_server_submits_first)
    raced = client.post(f"/audits/{audit_id}/check", data={"version": version})
    assert raced.status_code == 409
    assert b"its answers changed after you opened this page" in raced.data
    db.session.expire_all()
    audit = db.session.scalar(select(Audit))
    assert audit.status is AuditStatus.DRAFT
