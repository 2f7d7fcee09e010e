"""`careaudit import staff`: staff from an HR extract, matched by email."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports.staff import NO_PASSWORD, parse_role
from core.models import ImportKind, ImportStatus, Role, Service, Team, User
from core.passwords import verify_password
from tests.core.imports import csv_bytes, problems_at, reasons, run, xlsx_bytes
from tests.factories import Borough

HEADINGS = ["Email", "Name", "Role", "Team", "Service", "Active", "Staff ID"]


def staff_file(*rows: list[str], headings: list[str] = HEADINGS) -> bytes:
    return csv_bytes([headings, *rows])


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None, email
    return found


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_new_staff_are_created_with_their_role_team_and_service(borough: Borough):
    """Emails are stored lower-cased; roles by value, label or short form; staff IDs kept."""
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["Ann.Ash@Test.Example", "Ann Ash", "Social worker", "cin north", "", "", "E100"],
            ["bob@test.example", "Bob Birch", "team_manager", "CIC Team A", "", "Yes", ""],
            ["cat@test.example", "Cat Cole", "Service manager", "", "Children in Care", "", ""],
            ["dan@test.example", "Dan Dee", "IRO", "", "", "", "E101"],
            ["eve@test.example", "Eve Elm", "Independent reviewer (IRO / QA officer)", "", "", ""],
            ["fay@test.example", "Fay Fox", "QA officer", "CIN North", "", "no", ""],
        ),
    )
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert result.counts == {
        "created": 6,
        "updated": 0,
        "closed": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    ann = user("ann.ash@test.example")
    assert (ann.name, ann.role, ann.team_id, ann.service_id, ann.staff_id, ann.active) == (
        "Ann Ash",
        Role.SOCIAL_WORKER,
        borough.north.id,
        None,
        "E100",
        True,
    )
    assert user("bob@test.example").team_id == borough.care.id
    cat = user("cat@test.example")
    assert (cat.role, cat.service_id, cat.team_id) == (Role.SERVICE_MANAGER, borough.cic.id, None)
    assert user("dan@test.example").role is Role.INDEPENDENT_REVIEWER
    assert user("eve@test.example").role is Role.INDEPENDENT_REVIEWER
    # A role that has no team keeps none, whatever the HR file says.
    fay = user("fay@test.example")
    assert (fay.team_id, fay.active) == (None, False)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("social_worker", Role.SOCIAL_WORKER),
        ("Social Worker", Role.SOCIAL_WORKER),
        ("SW", Role.SOCIAL_WORKER),
        ("Senior social worker", Role.SOCIAL_WORKER),
        ("Team manager", Role.TEAM_MANAGER),
        ("Deputy team manager", Role.DEPUTY_TEAM_MANAGER),
        ("Assistant Team Manager", Role.DEPUTY_TEAM_MANAGER),
        ("IRO", Role.INDEPENDENT_REVIEWER),
        ("QA Officer", Role.INDEPENDENT_REVIEWER),
        ("Independent reviewer (IRO / QA officer)", Role.INDEPENDENT_REVIEWER),
        ("Administrator", Role.ADMINISTRATOR),
        ("System administrator", Role.ADMINISTRATOR),
        ("Senior manager", Role.SENIOR_MANAGER),
        ("Performance analyst", Role.PERFORMANCE_ANALYST),
    ],
)
def test_roles_are_read_by_value_label_or_short_form(text, role):
    assert parse_role(text) is role


def test_created_staff_cannot_sign_in_until_they_set_a_password(client, auth, borough: Borough):
    """No password works for them, and the sign-in page answers normally (no 500)."""
    run(ImportKind.STAFF, staff_file(["new@test.example", "New Person", "IRO", "", "", "", ""]))
    created = user("new@test.example")
    assert created.password_hash == NO_PASSWORD
    for password in ("", "correct horse battery", NO_PASSWORD):
        assert not verify_password(created.password_hash, password)
    page = auth.login("new@test.example", "correct horse battery")
    assert page.status_code == 200
    assert "Enter a correct email address and password" in page.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_changes_are_updated_and_an_unchanged_file_changes_nothing(borough: Borough):
    """Name, team, role, active and staff ID follow the file; a second run is all unchanged."""
    content = staff_file(
        ["WORKER@test.example", "Wendy Worker", "Social worker", "CIN South", "", "", "E7"],
        ["deputy@test.example", "Deputy", "Team manager", "CIN North", "", "", ""],
        ["iro@test.example", "Iro", "IRO", "", "", "No", ""],
        ["senior@test.example", "Senior", "Senior manager", "", "", "", ""],
    )
    first = run(ImportKind.STAFF, content)
    assert first.status is ImportStatus.IMPORTED, reasons(first)
    assert (first.counts["updated"], first.counts["unchanged"]) == (3, 1)
    worker = user("worker@test.example")
    assert (worker.name, worker.team_id, worker.staff_id) == (
        "Wendy Worker",
        borough.south.id,
        "E7",
    )
    assert user("deputy@test.example").role is Role.TEAM_MANAGER
    assert user("iro@test.example").active is False
    before = users()
    second = run(ImportKind.STAFF, content)
    assert second.counts == {
        "created": 0,
        "updated": 0,
        "closed": 0,
        "unchanged": 4,
        "rejected": 0,
    }
    assert second.details["same_file_as"] == first.id
    assert users() == before


def test_a_blank_staff_id_keeps_the_one_careaudit_holds(borough: Borough):
    borough.user("worker").staff_id = "E1"
    db.session.commit()
    result = run(
        ImportKind.STAFF,
        staff_file(["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""]),
    )
    assert result.counts["unchanged"] == 1
    assert user("worker@test.example").staff_id == "E1"


def test_staff_ids_can_move_between_people_in_one_file(borough: Borough):
    """Two people swapping numbers do not trip over the unique staff ID."""
    borough.user("worker").staff_id = "E1"
    borough.user("other_worker").staff_id = "E2"
    db.session.commit()
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["worker@test.example", "Worker", "Social worker", "CIN North", "", "", "E2"],
            [
                "other_worker@test.example",
                "Other Worker",
                "Social worker",
                "CIN South",
                "",
                "",
                "E1",
            ],
        ),
    )
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert user("worker@test.example").staff_id == "E2"
    assert user("other_worker@test.example").staff_id == "E1"


def test_full_deactivates_staff_missing_from_the_file_but_never_administrators(borough: Borough):
    """Never deleted: their audits and history stay. Administrators are not in HR extracts."""
    before = users()
    result = run(
        ImportKind.STAFF,
        staff_file(["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""]),
        full=True,
    )
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    active = set(db.session.scalars(select(User.email).where(User.active.is_(True))))
    assert active == {"worker@test.example", "admin@test.example"}
    assert users() == before
    assert result.counts["closed"] == len(borough.users) - 2
    assert "iro@test.example" in result.details["deactivated"]
    # Run again: those already inactive are not deactivated twice.
    again = run(
        ImportKind.STAFF,
        staff_file(["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""]),
        full=True,
    )
    assert again.counts["closed"] == 0


def test_without_full_staff_missing_from_the_file_stay_active(borough: Borough):
    run(
        ImportKind.STAFF,
        staff_file(["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""]),
    )
    assert user("iro@test.example").active


def test_full_keeps_staff_whose_row_was_rejected(borough: Borough):
    """With skip_invalid, a person whose row has a problem is still in the file."""
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["worker@test.example", "Worker", "Social worker", "CIN North", "", "", ""],
            ["iro@test.example", "Iro", "Wizard", "", "", "", ""],
        ),
        full=True,
        skip_invalid=True,
    )
    assert result.status is ImportStatus.IMPORTED
    assert user("iro@test.example").active
    assert not user("senior@test.example").active


def test_every_problem_is_reported_with_its_row_and_column(borough: Borough):
    """The whole file is checked; nothing is written while it has problems."""
    borough.user("iro").staff_id = "E9"
    db.session.commit()
    before = users()
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["a@test.example", "A", "Wizard", "", "", "", ""],  # 2: unknown role
            ["b@test.example", "B", "Social worker", "Nowhere", "", "", ""],  # 3: unknown team
            ["c@test.example", "C", "Social worker", "", "", "", ""],  # 4: team role, no team
            ["A@test.example", "A again", "IRO", "", "", "", ""],  # 5: duplicate email
            ["not-an-email", "D", "IRO", "", "", "", ""],  # 6: invalid email
            ["e@test.example", "E", "IRO", "", "", "", "E5"],
            ["f@test.example", "F", "IRO", "", "", "", "E5"],  # 8: duplicate staff ID
            ["g@test.example", "G", "IRO", "", "", "", "E9"],  # 9: someone else's staff ID
            ["h@test.example", "H", "Service manager", "", "", "", ""],  # 10: no service
            ["i@test.example", "I", "Service manager", "", "Nowhere", "", ""],  # 11
            ["j@test.example", "", "IRO", "", "", "maybe", ""],  # 12: no name, bad Active
            ["", "K", "IRO", "", "", "", ""],  # 13: no email
        ),
    )
    assert result.status is ImportStatus.REJECTED
    assert users() == before
    assert problems_at(result) == {
        (2, "Role"),
        (3, "Team"),
        (4, "Team"),
        (5, "Email"),
        (6, "Email"),
        (8, "Staff ID"),
        (9, "Staff ID"),
        (10, "Service"),
        (11, "Service"),
        (12, "Name"),
        (12, "Active"),
        (13, "Email"),
    }
    by_row = {(p["row"], p["column"]): p["reason"] for p in result.problems}
    assert by_row[(2, "Role")].startswith("“Wizard” is not a careaudit role. Use one of:")
    assert by_row[(3, "Team")].startswith("Team “Nowhere” is not in careaudit")
    assert by_row[(4, "Team")] == "A social worker needs a team"
    assert by_row[(5, "Email")] == "A@test.example is also on row 2"
    assert "not an email address in the correct format" in by_row[(6, "Email")]
    assert by_row[(8, "Staff ID")] == "Staff ID E5 is also on row 7"
    assert by_row[(9, "Staff ID")] == "Staff ID E9 belongs to Iro (iro@test.example) in careaudit"
    assert by_row[(10, "Service")] == "A service manager needs a service"
    assert by_row[(11, "Service")] == "Service “Nowhere” is not in careaudit"
    assert by_row[(12, "Active")] == "Active “maybe” should be yes or no"
    assert result.counts["rejected"] == 11
    assert result.details["unknown_teams"] == ["Nowhere"]


def test_skip_invalid_imports_the_valid_rows(borough: Borough):
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["a@test.example", "A", "Wizard", "", "", "", ""],
            ["b@test.example", "B", "IRO", "", "", "", ""],
        ),
        skip_invalid=True,
    )
    assert result.status is ImportStatus.IMPORTED
    assert (result.counts["created"], result.counts["rejected"]) == (1, 1)
    assert db.session.scalar(select(User).where(User.email == "a@test.example")) is None
    assert user("b@test.example").role is Role.INDEPENDENT_REVIEWER


def test_a_team_two_services_share_is_told_apart_by_the_service(borough: Borough):
    twin = Team(name="CIN North", service=borough.cic)
    db.session.add(twin)
    db.session.commit()
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["a@test.example", "A", "Social worker", "CIN North", "", "", ""],
            ["b@test.example", "B", "Social worker", "CIN North", "Children in Care", "", ""],
        ),
    )
    assert problems_at(result) == {(2, "Team")}
    assert "more than one service (Children in Care, Children in Need)" in reasons(result)
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["b@test.example", "B", "Social worker", "CIN North", "Children in Care", "", ""]
        ),
    )
    assert user("b@test.example").team_id == twin.id


def test_create_teams_creates_a_named_team_in_a_known_service(borough: Borough):
    """Only with the option, and only where the row names the team's service."""
    content = staff_file(
        ["a@test.example", "A", "Social worker", "CIN East", "Children in Need", "", ""],
        ["b@test.example", "B", "Team manager", "CIN East", "Children in Need", "", ""],
        ["c@test.example", "C", "Social worker", "CIN West", "", "", ""],
    )
    refused = run(ImportKind.STAFF, content)
    assert refused.status is ImportStatus.REJECTED
    assert refused.details["unknown_teams"] == ["CIN East", "CIN West"]
    result = run(ImportKind.STAFF, content, create_teams=True, skip_invalid=True)
    assert problems_at(result) == {(4, "Team")}
    assert "give its service in the Service column" in reasons(result)
    assert result.details["created_teams"] == ["CIN East (Children in Need)"]
    east = db.session.scalar(select(Team).where(Team.name == "CIN East"))
    assert east is not None and east.service_id == borough.cin.id
    assert user("a@test.example").team_id == east.id == user("b@test.example").team_id


def test_a_dry_run_writes_nothing(borough: Borough):
    before = users()
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["a@test.example", "A", "Social worker", "CIN East", "Children in Need", "", ""]
        ),
        dry_run=True,
        create_teams=True,
    )
    assert result.status is ImportStatus.CHECKED
    assert result.counts["created"] == 1
    assert result.details["created_teams"] == ["CIN East (Children in Need)"]
    assert users() == before
    assert db.session.scalar(select(Team).where(Team.name == "CIN East")) is None


def test_an_excel_staff_file_with_a_title_row(borough: Borough):
    content = xlsx_bytes(
        [
            ["Staff ID", "E-mail", "Full name", "Role", "Team", "Service", "Active"],
            [10045, "a@test.example", "A", "Social worker", "CIN North", "", "Yes"],
        ],
        title="Staff at 1 April",
        blank_rows=[1],
    )
    result = run(ImportKind.STAFF, content, "staff.xlsx")
    assert result.status is ImportStatus.IMPORTED, result.error or reasons(result)
    assert user("a@test.example").staff_id == "10045"


def test_a_file_without_the_required_columns_is_refused(borough: Borough):
    result = run(ImportKind.STAFF, csv_bytes([["Email", "Team"], ["a@test.example", "CIN North"]]))
    assert result.status is ImportStatus.REJECTED
    assert result.error.startswith("The file has no Name, Role column")


def test_a_service_manager_moves_service(borough: Borough):
    result = run(
        ImportKind.STAFF,
        staff_file(
            [
                "service_manager@test.example",
                "Service Manager",
                "Service manager",
                "",
                "Children in Care",
                "",
                "",
            ]
        ),
    )
    assert result.counts["updated"] == 1
    assert user("service_manager@test.example").service_id == db.session.scalar(
        select(Service.id).where(Service.name == "Children in Care")
    )


def test_the_last_administrator_cannot_be_demoted_or_deactivated_by_a_file(borough: Borough):
    """An HR file knows jobs, not who runs careaudit: the council is never locked out."""
    for row in (
        ["admin@test.example", "Admin", "Social worker", "CIN North", "", "", ""],
        ["admin@test.example", "Admin", "Administrator", "", "", "No", ""],
    ):
        result = run(ImportKind.STAFF, staff_file(row))
        assert problems_at(result) == {(2, "Role")}
        assert "last active administrator" in reasons(result)
    assert user("admin@test.example").role is Role.ADMINISTRATOR
    # With a second administrator in the file, the first may change.
    result = run(
        ImportKind.STAFF,
        staff_file(
            ["admin@test.example", "Admin", "Social worker", "CIN North", "", "", ""],
            ["new.admin@test.example", "New Admin", "Administrator", "", "", "", ""],
        ),
    )
    assert result.status is ImportStatus.IMPORTED, reasons(result)
    assert user("admin@test.example").role is Role.SOCIAL_WORKER
