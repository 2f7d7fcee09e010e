"""What the audit trail records: every view of personal data and every change, with
who, what, when, the request's address and its request id."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from core.extensions import db
from core.models import Allocation, Audit, TrailEntry, User
from core.programme import periods
from core.programme.allocation import allocate
from core.testing import complete_audit, save_section
from core.tools.registry import get_registry
from tests.core.imports import csv_bytes
from tests.factories import Borough, add_programme, children_form


def entries(action: str | None = None) -> list[TrailEntry]:
    db.session.expire_all()
    statement = select(TrailEntry).order_by(TrailEntry.id)
    if action is not None:
        statement = statement.where(TrailEntry.action == action)
    return list(db.session.scalars(statement))


def only(action: str) -> TrailEntry:
    found = entries(action)
    assert len(found) == 1, [e.action for e in entries()]
    return found[0]


def signed_in(client: FlaskClient, auth, key: str) -> FlaskClient:
    assert auth.login(f"{key}@test.example").status_code == 302
    return client


def test_a_case_page_view_records_who_when_where_and_the_request_id(client, auth, borough):
    case = borough.cases["cin"]
    signed_in(client, auth, "team_manager")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    entry = only("case.viewed")
    manager = borough.user("team_manager")
    assert (entry.actor_id, entry.actor_label) == (
        manager.id,
        "Team Manager <team_manager@test.example>",
    )
    assert (entry.object_type, entry.object_id, entry.case_id) == ("case", str(case.id), case.id)
    assert entry.ip_address == "127.0.0.1"
    assert entry.request_id == page.headers["X-Request-Id"]
    assert entry.at is not None and "C100001" in entry.summary


def test_a_refused_case_page_records_nothing(client, auth, borough):
    """A 404 (a case the user may not see) is not a view of it."""
    signed_in(client, auth, "worker")
    assert client.get(f"/cases/{borough.cases['south'].id}").status_code == 404
    assert entries("case.viewed") == []


def test_a_request_id_from_the_proxy_is_kept_and_a_hostile_one_replaced(client, borough):
    kept = client.get("/sign-in", headers={"X-Request-Id": "lb-1234.abc"})
    assert kept.headers["X-Request-Id"] == "lb-1234.abc"
    replaced = client.get("/sign-in", headers={"X-Request-Id": "<script>" + "x" * 100})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-Id"])


def test_an_audits_life_is_recorded_created_opened_saved_submitted_viewed(client, auth, borough):
    case = borough.cases["cin"]
    signed_in(client, auth, "team_manager")
    started = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "t-1"}
    )
    audit = db.session.scalar(select(Audit))
    created = only("audit.created")
    assert (created.object_type, created.object_id, created.case_id) == (
        "audit",
        str(audit.id),
        case.id,
    )
    assert created.after["tool"] == "children_audit"

    client.get(started.location)
    assert entries("audit.viewed")[-1].summary.startswith("Opened audit")
    save_section(client, audit.id, "standard_1", {"standard_1": "met"})
    saved = only("audit.saved")
    assert saved.case_id == case.id

    done = complete_audit(client, audit.id, children_form())
    assert done.status_code == 302
    submitted = only("audit.submitted")
    assert submitted.before == {"status": "draft"}
    assert submitted.after["status"] == "submitted"
    assert submitted.after["overall_rating"] == "partially_met"

    client.get(f"/audits/{audit.id}")
    assert entries("audit.viewed")[-1].summary.startswith("Viewed audit")


def test_a_save_refused_as_a_conflict_leaves_no_entry(client, auth, borough):
    """The stale save rolls back, and its trail entry with it."""
    case = borough.cases["cin"]
    signed_in(client, auth, "team_manager")
    started = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "t-2"}
    )
    section = started.location.replace("/edit", "/sections/standard_1")
    client.post(section, data={"version": "1", "action": "save"})
    assert len(entries("audit.saved")) == 1
    stale = client.post(section, data={"version": "1", "action": "save"})
    assert stale.status_code == 409
    assert len(entries("audit.saved")) == 1


def test_a_staff_record_view_is_recorded(client, auth, borough):
    worker = borough.user("worker")
    signed_in(client, auth, "team_manager")
    assert client.get(f"/staff/{worker.id}").status_code == 200
    entry = only("staff.viewed")
    assert (entry.object_type, entry.object_id) == ("user", str(worker.id))


def test_the_compliance_csv_download_is_recorded(client, auth, borough):
    signed_in(client, auth, "senior")
    assert client.get("/programme/compliance.csv").status_code == 200
    assert "compliance CSV" in only("export.downloaded").summary


def test_an_administrators_changes_are_recorded_with_before_and_after(client, auth, borough):
    signed_in(client, auth, "admin")
    user = borough.user("team_manager")
    client.post(
        f"/admin/users/{user.id}",
        data={"name": "Team Manager", "email": "team_manager@test.example"}
        | {"role": "deputy_team_manager", "team": str(borough.south.id), "service": ""}
        | {"password": "", "active": "y"},
    )
    entry = only("user.updated")
    assert entry.before == {"role": "team_manager", "team_id": borough.north.id}
    assert entry.after == {"role": "deputy_team_manager", "team_id": borough.south.id}
    assert entry.actor_label == "Admin <admin@test.example>"

    client.post(
        f"/admin/services/{borough.cic.id}",
        data={"name": "Looked After Children", "directorate": str(borough.children.id)},
    )
    service = only("service.updated")
    assert service.before == {"name": "Children in Care", "active": True}
    assert service.after == {"name": "Looked After Children", "active": False}

    client.post(
        f"/admin/services/{borough.cin.id}/teams",
        data={"team-name": "CIN East", "team-active": "y"},
    )
    assert only("team.created").after == {"name": "CIN East", "active": True}

    # Switch the children's audit off, leaving the settings ticked as the page shows them.
    kept = {
        f"setting-{slug}-actions_before_sign_off": "on"
        for slug in ("children_audit", "rereferral_theme", "supervision_audit")
    }
    client.post(f"/admin/tools/{borough.cin.id}", data=kept | {"present-children_audit": "1"})
    tools = only("tools.updated")
    assert tools.before == {"children_audit": {"on": True} | tools.before["children_audit"]}
    assert tools.after["children_audit"]["on"] is False

    client.post(
        f"/admin/categories/new/{borough.children.id}",
        data={"label": "Private fostering", "code": "", "treat_as": "child_in_need"}
        | {"risk_weight": "1", "active": "y"},
    )
    assert only("category.created").after["label"] == "Private fostering"


def test_a_new_password_is_recorded_as_set_but_never_stored(client, auth, borough):
    signed_in(client, auth, "admin")
    user = borough.user("worker")
    client.post(
        f"/admin/users/{user.id}",
        data={"name": "Worker", "email": "worker@test.example", "role": "social_worker"}
        | {"team": str(borough.north.id), "service": ""}
        | {"password": "a long new passphrase for tests", "active": "y"},
    )
    entry = only("user.updated")
    assert "a new password was set" in entry.summary
    assert "password" not in str(entry.before) + str(entry.after)
    assert user.password_hash not in str(entry.before) + str(entry.after)


def test_allocation_runs_and_waivers_are_recorded(client, auth, borough: Borough):
    add_programme(borough)
    allocate(get_registry(), periods.month("2026-12"), seed=3)
    run = only("allocation.run")
    assert run.after["period"] == "2026-12" and run.after["allocated"] > 0
    allocation = db.session.scalar(select(Allocation).order_by(Allocation.id))
    signed_in(client, auth, "senior")
    response = client.post(
        f"/programme/allocations/{allocation.id}",
        data={"action": "waive", "reason": "Case transferred out."},
    )
    assert response.status_code == 302
    waived = only("allocation.waived")
    assert waived.case_id == allocation.case_id
    assert waived.before == {"status": "allocated"} and waived.after == {"status": "waived"}
    assert "Case transferred out." in waived.summary


def test_rule_changes_are_recorded(client, auth, borough: Borough):
    add_programme(borough)
    signed_in(client, auth, "admin")
    rule_page = client.get("/programme/rules").get_data(as_text=True)
    rule_id = re.search(r"/programme/rules/(\d+)", rule_page).group(1)
    rule = client.get(f"/programme/rules/{rule_id}").get_data(as_text=True)
    tool = re.search(r'name="tool"[^>]*>.*?value="([a-z_]+)"', rule, re.S).group(1)
    client.post(
        f"/programme/rules/{rule_id}",
        data={"quantity": "7", "frequency": "monthly", "pool": "team", "tool": tool}
        | {"months": "12", "active": "y"},
    )
    entry = only("rule.updated")
    assert entry.after["quantity"] == 7


def test_an_import_is_one_entry_with_its_counts(runner, borough, tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Email", "Name", "Role", "Team", "Service", "Active", "Staff ID"],
                ["new@test.example", "New Person", "Social worker", "CIN North", "", "", "E1"],
                ["two@test.example", "Two Person", "Social worker", "CIN North", "", "", "E2"],
            ]
        )
    )
    result = runner.invoke(args=["import", "staff", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    entry = only("import.completed")
    assert entry.actor_label.startswith("careaudit import staff (")
    assert entry.after["counts"]["created"] == 2
    assert "staff.csv" in entry.after["files"][0]
    assert db.session.scalar(select(User).where(User.email == "new@test.example"))


def test_a_themed_audit_page_view_is_recorded(client, auth, borough: Borough):
    """The themed audit's page lists its sampled items: a view of personal data."""
    from tests.plugins.themed_audits.test_journey import SETUP

    get_registry().set_switch("rereferral_theme", borough.cin.id, True)
    db.session.commit()
    signed_in(client, auth, "iro")
    created = client.post("/themed-audits/new", data=SETUP)
    assert client.get(created.location).status_code == 200
    entry = only("themed_audit.viewed")
    assert entry.object_type == "themed_audit" and entry.summary.endswith("October 2026")


def test_a_refused_request_still_carries_a_request_id(client, auth, borough):
    """The id is given before access is checked, so a 403 can be matched to the logs."""
    signed_in(client, auth, "worker")
    refused = client.get("/admin/trail")
    assert refused.status_code == 403
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["X-Request-Id"])
