"""Administration: users, services and teams, and switching audit tools per service."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.extensions import db
from core.models import Audit, AuditStatus, Role, Service, Team, TrailEntry, User
from core.passwords import verify_password
from core.testing import complete_audit
from core.tools.registry import get_registry
from tests.conftest import AuthActions
from tests.factories import Borough, children_form

NEW_PASSWORD = "a long enough passphrase"


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions, borough: Borough) -> FlaskClient:
    """A client signed in as the borough's system administrator."""
    assert auth.login("admin@test.example").status_code == 302
    return client


def summary_messages(page: bytes) -> list[str]:
    """The messages in the page's GOV.UK error summary, in order."""
    text = page.decode()
    assert 'class="govuk-error-summary"' in text, "the page shows a GOV.UK error summary"
    body = text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<li><a href="#[a-z_-]+">([^<]+)</a></li>', body)]


def selected(page: bytes, select_name: str) -> str | None:
    """The value of the option shown as selected in one <select>."""
    text = page.decode()
    match = re.search(rf'<select [^>]*name="{select_name}">(.*?)</select>', text, re.S)
    assert match, f"the page has a {select_name} select"
    chosen = re.findall(r'<option value="([^"]*)" selected>', match.group(1))
    assert len(chosen) <= 1
    return chosen[0] if chosen else None


def input_value(page: bytes, name: str, form_action: str | None = None) -> str | None:
    """The value shown in a text input (in the form posting to ``form_action``, if given)."""
    text = page.decode()
    if form_action is not None:
        form = re.search(rf'<form [^>]*action="{re.escape(form_action)}".*?</form>', text, re.S)
        assert form, f"the page has a form posting to {form_action}"
        text = form.group(0)
    match = re.search(rf'<input [^>]*name="{name}"[^>]*>', text)
    assert match, f"the page has a {name} input"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


# -- users ---------------------------------------------------------------------


def test_admin_adds_a_team_manager(admin: FlaskClient, borough: Borough):
    """A new user is saved with their role, team and a hashed password, and a message says so."""
    response = admin.post(
        "/admin/users/new",
        data={
            "name": "Nia Okoro",
            "email": "Nia.Okoro@Test.Example",
            "role": "team_manager",
            "team": str(borough.south.id),
            "service": "",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.location == "/admin/users"
    listing = admin.get(response.location).get_data(as_text=True)
    assert "Nia Okoro has been added as a team manager." in listing
    user = user_by_email("nia.okoro@test.example")
    assert user is not None
    assert user.role is Role.TEAM_MANAGER
    assert user.team_id == borough.south.id
    assert user.service_id is None
    assert user.active
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_new_user_can_sign_in(admin: FlaskClient, auth: AuthActions, borough: Borough):
    """The password the administrator sets is the one the new user signs in with."""
    admin.post(
        "/admin/users/new",
        data={"name": "Ade", "email": "ade@test.example", "role": "independent_reviewer"}
        | {"team": "", "service": "", "password": NEW_PASSWORD},
    )
    auth.logout()
    assert auth.login("ade@test.example", NEW_PASSWORD).location == "/"


def test_an_empty_new_user_form_lists_every_problem(admin: FlaskClient, borough: Borough):
    """Name, email, role and password are all required, each named in the error summary."""
    response = admin.post(
        "/admin/users/new",
        data={"name": "", "email": "", "role": "", "team": "", "service": "", "password": ""},
    )
    assert response.status_code == 400
    assert summary_messages(response.data)[:3] == [
        "Enter the person's full name",
        "Enter an email address",
        "Choose a role",
    ]
    assert db.session.scalar(select(func.count(User.id))) == len(borough.users)


def test_a_new_user_needs_a_password(admin, borough: Borough):
    """Adding a user without a password asks for one instead of failing."""
    response = admin.post(
        "/admin/users/new",
        data={"name": "No Password", "email": "nopw@test.example", "role": "senior_manager"}
        | {"team": "", "service": "", "password": ""},
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == ["Enter a password"]
    assert user_by_email("nopw@test.example") is None


def test_a_refused_new_user_form_shows_back_everything_typed(admin, borough: Borough):
    """After an error, the name, email, role and team are as typed; the password is not shown."""
    typed_password = "short-pw"
    response = admin.post(
        "/admin/users/new",
        data={
            "name": "Tomasz Nowak",
            "email": "tomasz.nowak-at-test.example",
            "role": "social_worker",
            "team": str(borough.care.id),
            "service": "",
            "password": typed_password,
        },
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == [
        "Enter an email address in the correct format, like name@example.org",
        "Password must be 12 characters or more",
    ]
    assert input_value(response.data, "name") == "Tomasz Nowak"
    assert input_value(response.data, "email") == "tomasz.nowak-at-test.example"
    assert selected(response.data, "role") == "social_worker"
    assert selected(response.data, "team") == str(borough.care.id)
    assert input_value(response.data, "password") is None
    assert typed_password.encode() not in response.data
    assert user_by_email("tomasz.nowak-at-test.example") is None


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("team_manager", "Choose the team of this team manager"),
        ("deputy_team_manager", "Choose the team of this deputy team manager"),
        ("social_worker", "Choose the team of this social worker"),
        ("service_manager", "Choose the service this service manager manages"),
    ],
)
def test_roles_that_work_in_a_team_or_service_need_one(admin, borough, role, message):
    """Team roles need a team and service managers a service; nothing is saved without."""
    response = admin.post(
        "/admin/users/new",
        data={"name": "Sam Lee", "email": "sam.lee@test.example", "role": role}
        | {"team": "", "service": "", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == [message]
    assert selected(response.data, "role") == role
    assert user_by_email("sam.lee@test.example") is None


def test_a_service_manager_is_saved_with_their_service_and_no_team(admin, borough: Borough):
    """Only the team or service the role needs is kept, whatever else was chosen."""
    response = admin.post(
        "/admin/users/new",
        data={"name": "Ola Berg", "email": "ola@test.example", "role": "service_manager"}
        | {"team": str(borough.north.id), "service": str(borough.cic.id)}
        | {"password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = user_by_email("ola@test.example")
    assert user is not None
    assert (user.service_id, user.team_id) == (borough.cic.id, None)


@pytest.mark.parametrize("email", ["worker@test.example", "WORKER@test.EXAMPLE"])
def test_an_email_address_can_belong_to_one_user_only(admin, borough: Borough, email):
    """A second account with the same email, whatever its capitals, is refused."""
    response = admin.post(
        "/admin/users/new",
        data={"name": "Double", "email": email, "role": "senior_manager"}
        | {"team": "", "service": "", "password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == ["A user with this email address already exists"]
    assert input_value(response.data, "name") == "Double"
    count = db.session.scalar(
        select(func.count(User.id)).where(func.lower(User.email) == "worker@test.example")
    )
    assert count == 1


def test_users_list_can_be_searched(admin, borough: Borough):
    """Searching the users list by part of a name keeps only the matching people."""
    page = admin.get("/admin/users?q=manager").get_data(as_text=True)
    assert "Team Manager" in page and "Service Manager" in page
    assert "Other Worker" not in page


def test_admin_changes_a_users_role_and_team(admin, borough: Borough):
    """A team manager moved to deputy in another team is saved as such."""
    user = borough.user("team_manager")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Team Manager", "email": "team_manager@test.example"}
        | {"role": "deputy_team_manager", "team": str(borough.south.id), "service": ""}
        | {"password": "", "active": "y"},
    )
    assert response.status_code == 302
    assert "Changes to Team Manager have been saved." in admin.get("/admin/users").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert user.role is Role.DEPUTY_TEAM_MANAGER
    assert user.team_id == borough.south.id
    assert user.active


def test_a_role_without_a_team_clears_the_team(admin, borough: Borough):
    """Promoting a team manager to senior manager drops their team, so access follows role."""
    user = borough.user("team_manager")
    admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Team Manager", "email": "team_manager@test.example"}
        | {"role": "senior_manager", "team": str(borough.north.id), "service": ""}
        | {"password": "", "active": "y"},
    )
    db.session.expire_all()
    assert user.role is Role.SENIOR_MANAGER
    assert user.team_id is None


def test_a_blank_password_keeps_the_current_one_and_a_new_one_replaces_it(
    admin, auth, borough: Borough
):
    """Editing a user with the password left blank does not change their password."""
    user = borough.user("iro")
    form = {"name": "Iro", "email": "iro@test.example", "role": "independent_reviewer"}
    form |= {"team": "", "service": "", "active": "y"}
    before = user.password_hash
    assert admin.post(f"/admin/users/{user.id}", data=form | {"password": ""}).status_code == 302
    db.session.expire_all()
    assert user.password_hash == before
    changed = admin.post(f"/admin/users/{user.id}", data=form | {"password": NEW_PASSWORD})
    assert changed.status_code == 302
    auth.logout()
    assert auth.login("iro@test.example").status_code == 200  # the old password fails
    assert auth.login("iro@test.example", NEW_PASSWORD).location == "/"


def test_admin_deactivates_a_leaver(admin, auth, borough: Borough):
    """Unticking 'Account is active' deactivates the user, who can no longer sign in."""
    user = borough.user("other_worker")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"name": "Other Worker", "email": "other_worker@test.example"}
        | {"role": "social_worker", "team": str(borough.south.id), "service": ""}
        | {"password": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.active is False
    listing = admin.get("/admin/users?q=other").get_data(as_text=True)
    assert "Deactivated" in listing
    auth.logout()
    assert (
        b"Enter a correct email address and password"
        in auth.login("other_worker@test.example").get_data()
    )


MY_ACCOUNT = {"name": "Admin", "email": "admin@test.example", "team": "", "service": ""}


@pytest.mark.parametrize(
    "change",
    [{"role": "administrator"}, {"role": "senior_manager", "active": "y"}],
    ids=["deactivate", "demote"],
)
def test_admins_cannot_lock_themselves_out(admin, borough: Borough, change):
    """An administrator cannot deactivate their own account or drop their own role."""
    me = borough.user("admin")
    response = admin.post(f"/admin/users/{me.id}", data=MY_ACCOUNT | change)
    assert response.status_code == 400
    assert summary_messages(response.data) == [
        "You cannot deactivate your own account or remove your own administrator role"
    ]
    db.session.expire_all()
    assert me.active and me.role is Role.ADMINISTRATOR
    assert admin.get("/admin/").status_code == 200


def test_an_unknown_user_is_not_found(admin, borough: Borough):
    """Editing a user id that does not exist is a 404."""
    assert admin.get("/admin/users/99999").status_code == 404


@pytest.mark.parametrize(
    ("key", "team_or_service"),
    [("team_manager", ("team", "north")), ("service_manager", ("service", "cin"))],
)
def test_edit_user_page_shows_the_users_current_team_or_service(
    admin, borough: Borough, key, team_or_service
):
    """Opening a user shows their current role and team (or service) selected."""
    field, attribute = team_or_service
    page = admin.get(f"/admin/users/{borough.user(key).id}")
    assert page.status_code == 200
    assert selected(page.data, "role") == borough.user(key).role.value
    assert selected(page.data, field) == str(getattr(borough, attribute).id)


def test_saving_an_unchanged_edit_form_keeps_the_users_team(admin, borough: Borough):
    """Submitting the edit page exactly as shown keeps the user's team and saves."""
    user = borough.user("worker")
    page = admin.get(f"/admin/users/{user.id}").data
    data = {
        "name": input_value(page, "name") or "",
        "email": input_value(page, "email") or "",
        "role": selected(page, "role") or "",
        "team": selected(page, "team") or "",
        "service": selected(page, "service") or "",
        "password": "",
        "active": "y",
    }
    response = admin.post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert user.team_id == borough.north.id


# -- services and teams --------------------------------------------------------


def test_admin_adds_a_service_to_a_directorate(admin, borough: Borough):
    """A new service is saved in its directorate and listed on the services page."""
    response = admin.post(
        "/admin/services/new",
        data={"name": "Fostering", "directorate": str(borough.children.id), "active": "y"},
    )
    assert response.status_code == 302 and response.location == "/admin/services"
    listing = admin.get("/admin/services").get_data(as_text=True)
    assert "Fostering has been saved." in listing
    service = db.session.scalar(select(Service).where(Service.name == "Fostering"))
    assert service is not None
    assert service.directorate_id == borough.children.id
    assert service.active


def test_a_service_needs_a_name_and_a_directorate(admin, borough: Borough):
    """Missing directorate and name are both reported; nothing is saved."""
    response = admin.post("/admin/services/new", data={"name": "", "directorate": ""})
    assert response.status_code == 400
    assert summary_messages(response.data) == [
        "Enter the name of the service",
        "Choose the directorate",
    ]
    typed = admin.post("/admin/services/new", data={"name": "Fostering", "directorate": ""})
    assert summary_messages(typed.data) == ["Choose the directorate"]
    assert input_value(typed.data, "name") == "Fostering"
    assert db.session.scalar(select(Service).where(Service.name == "Fostering")) is None


def test_two_services_cannot_share_a_name(admin, borough: Borough):
    """A service named like an existing one, whatever its capitals, is refused."""
    response = admin.post(
        "/admin/services/new",
        data={"name": "children in need", "directorate": str(borough.children.id)},
    )
    assert response.status_code == 400
    assert summary_messages(response.data) == ["A service with this name already exists"]
    assert selected(response.data, "directorate") == str(borough.children.id)
    assert db.session.scalar(select(func.count(Service.id))) == 3


def test_admin_renames_a_service(admin, borough: Borough):
    """A service can be renamed and marked out of scope."""
    response = admin.post(
        f"/admin/services/{borough.cic.id}",
        data={"name": "Looked After Children", "directorate": str(borough.children.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert borough.cic.name == "Looked After Children"
    assert borough.cic.active is False
    assert "Not in scope" in admin.get("/admin/services").get_data(as_text=True)


def test_service_page_shows_its_current_directorate(admin, borough: Borough):
    """Opening a service shows the directorate it belongs to selected."""
    page = admin.get(f"/admin/services/{borough.cin.id}")
    assert page.status_code == 200
    assert input_value(page.data, "name") == "Children in Need"
    assert selected(page.data, "directorate") == str(borough.children.id)


def test_admin_adds_a_team_to_a_service(admin, borough: Borough):
    """A new team is saved in its service and shown on the service page."""
    response = admin.post(
        f"/admin/services/{borough.cin.id}/teams",
        data={"team-name": "CIN East", "team-active": "y"},
    )
    assert response.status_code == 302
    assert response.location == f"/admin/services/{borough.cin.id}"
    page = admin.get(response.location).get_data(as_text=True)
    assert "CIN East has been saved." in page
    team = db.session.scalar(select(Team).where(Team.name == "CIN East"))
    assert team is not None and team.service_id == borough.cin.id


def test_two_teams_in_a_service_cannot_share_a_name(admin, borough: Borough):
    """A duplicate team name in the same service is refused; other services may reuse it."""
    clash = admin.post(f"/admin/services/{borough.cin.id}/teams", data={"team-name": "cin north"})
    assert clash.status_code == 400
    assert summary_messages(clash.data) == ["Children in Need already has a team with this name"]
    assert (
        input_value(clash.data, "team-name", f"/admin/services/{borough.cin.id}/teams")
        == "cin north"
    )
    elsewhere = admin.post(
        f"/admin/services/{borough.cic.id}/teams", data={"team-name": "CIN North"}
    )
    assert elsewhere.status_code == 302
    count = db.session.scalar(select(func.count(Team.id)).where(Team.name == "CIN North"))
    assert count == 2


def test_a_team_error_links_to_the_team_name_field(admin, borough: Borough):
    """The error summary link for a team error leads to the team name field, not the service's."""
    response = admin.post(f"/admin/services/{borough.cin.id}/teams", data={"team-name": ""})
    text = response.get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "every id on the page is unique"
    target = re.search(r'govuk-error-summary__list"><li><a href="#([^"]+)"', text)
    assert target
    team_form = re.search(r'<form [^>]*action="[^"]*/teams".*?</form>', text, re.S)
    assert team_form and f'id="{target.group(1)}"' in team_form.group(0)


def test_a_team_needs_a_name(admin, borough: Borough):
    """An empty team name is refused with a message."""
    response = admin.post(f"/admin/services/{borough.cin.id}/teams", data={"team-name": ""})
    assert response.status_code == 400
    assert summary_messages(response.data) == ["Enter the name of the team"]


def test_a_team_cannot_be_changed_through_another_service(admin, borough: Borough):
    """A team's address under the wrong service is not found and the team is unchanged."""
    response = admin.post(
        f"/admin/services/{borough.cic.id}/teams/{borough.north.id}", data={"team-name": "Moved"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert borough.north.name == "CIN North"


# -- audit tools ---------------------------------------------------------------


def tool_cell(page: str, service: str) -> str:
    """The text of the children's audit cell in a service's row of the tools table."""
    row = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(service)}</th>(.*?)</tr>',
        page,
        re.S,
    )
    assert row, f"the tools table has a row for {service}"
    cell = re.search(r'data-tool="children_audit">(.*?)</td>', row.group(1), re.S)
    assert cell
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def switch(client: FlaskClient, service_id: int, **fields: str) -> None:
    """Post the children's audit's fieldset as the page sends it: an unticked box is off."""
    response = client.post(
        f"/admin/tools/{service_id}", data={"present-children_audit": "1", **fields}
    )
    assert response.status_code == 302 and response.location == "/admin/tools"


def submit_an_audit(client: FlaskClient, case_id: int, token: str) -> int:
    started = client.post(
        f"/audits/start/{case_id}", data={"tool": "children_audit", "token": token}
    )
    assert started.status_code == 302
    audit_id = int(started.location.split("/")[2])
    done = complete_audit(client, audit_id, children_form())
    assert done.status_code == 302
    return audit_id


def test_tools_page_lists_the_tool_and_where_it_is_on(admin, borough: Borough):
    """The tools page names each tool and shows On, Off or Not used for each service."""
    page = admin.get("/admin/tools").get_data(as_text=True)
    assert "Children’s case file audit" in page
    assert "Version 1.0 · children_audit" in page
    assert tool_cell(page, "Children in Need") == "On"
    assert tool_cell(page, "Children in Care") == "On"
    assert tool_cell(page, "Older People’s Social Work") == "Not used"


def test_switching_a_tool_off_stops_new_audits_at_once_and_keeps_old_ones(
    client, auth, borough: Borough
):
    """Off: no new audits in that service, without a restart; earlier audits stay readable."""
    case = borough.cases["cin"]
    auth.login("team_manager@test.example")
    earlier = submit_an_audit(client, case.id, "before")
    auth.logout()

    auth.login("admin@test.example")
    switch(client, borough.cin.id)  # the checkbox left unticked
    page = client.get("/admin/tools").get_data(as_text=True)
    assert "Audit tools for Children in Need have been saved." in page
    assert tool_cell(page, "Children in Need") == "Off"
    assert tool_cell(page, "Children in Care") == "On"
    auth.logout()

    auth.login("team_manager@test.example")
    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "is switched off for Children in Need" in case_page
    assert f'action="/audits/start/{case.id}"' not in case_page
    refused = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "after"}
    )
    assert refused.status_code == 302 and refused.location == f"/cases/{case.id}"
    message = client.get(refused.location).get_data(as_text=True)
    assert "The Children’s case file audit is switched off for Children in Need" in message
    assert db.session.scalar(select(func.count(Audit.id))) == 1
    assert client.get(f"/audits/{earlier}").status_code == 200
    auth.logout()

    auth.login("service_manager@test.example")
    report = client.get(f"/reports/?scope=service-{borough.cin.id}").get_data(as_text=True)
    assert "Line management: 1 audit" in report
    auth.logout()

    auth.login("admin@test.example")
    switch(client, borough.cin.id, **{"tool-children_audit": "on"})
    auth.logout()

    auth.login("team_manager@test.example")
    again = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "again"}
    )
    assert again.status_code == 302 and again.location.endswith("/edit")
    statuses = db.session.scalars(select(Audit.status).order_by(Audit.id)).all()
    assert statuses == [AuditStatus.SUBMITTED, AuditStatus.DRAFT]


def test_switching_off_in_one_service_leaves_the_others_on(client, auth, borough: Borough):
    """A switch is per service: Children in Care keeps auditing."""
    auth.login("admin@test.example")
    switch(client, borough.cin.id)
    auth.logout()
    auth.login("iro@test.example")
    started = client.post(
        f"/audits/start/{borough.cases['lac'].id}", data={"tool": "children_audit", "token": "x"}
    )
    assert started.location.endswith("/edit")


def test_outstanding_grade_is_offered_only_where_switched_on(client, auth, borough: Borough):
    """The 'Outstanding' grade appears in the form once the service's setting is ticked.

    The grades are offered on the summary section's page (standard 14 of the children's)."""
    auth.login("team_manager@test.example")
    first = client.post(
        f"/audits/start/{borough.cases['cin'].id}", data={"tool": "children_audit", "token": "1"}
    )
    summary = first.location.replace("/edit", "/sections/standard_14")
    assert b'value="outstanding"' not in client.get(summary).data
    assert b'name="overall_grade" type="radio" value="good"' in client.get(summary).data
    auth.logout()

    auth.login("admin@test.example")
    switch(
        client,
        borough.cin.id,
        **{"tool-children_audit": "on", "setting-children_audit-outstanding_grade": "on"},
    )
    settings_page = client.get(f"/admin/tools/{borough.cin.id}").get_data(as_text=True)
    assert re.search(r'name="setting-children_audit-outstanding_grade"[^>]* checked', settings_page)
    auth.logout()

    auth.login("team_manager@test.example")
    assert b'name="overall_grade" type="radio" value="outstanding"' in client.get(summary).data
    auth.logout()
    auth.login("care_manager@test.example")
    other = client.post(
        f"/audits/start/{borough.cases['lac'].id}", data={"tool": "children_audit", "token": "2"}
    )
    other_summary = other.location.replace("/edit", "/sections/standard_14")
    page = client.get(other_summary).data
    assert b'name="overall_grade" type="radio" value="good"' in page
    assert b'value="outstanding"' not in page


def test_the_page_marks_each_tool_it_shows(admin, borough: Borough):
    """A hidden `present-<slug>` per tool: for those, an unticked box means off."""
    page = admin.get(f"/admin/tools/{borough.cin.id}").get_data(as_text=True)
    shown = re.findall(r'<input type="hidden" name="present-(\w+)" value="1">', page)
    assert shown == ["children_audit", "rereferral_theme", "supervision_audit"]


def test_a_post_naming_one_tool_leaves_the_others_alone(admin, borough: Borough):
    """A script switches one tool on without switching off the tools it does not name."""
    registry = get_registry()
    registry.set_switch("children_audit", borough.cin.id, True, {"outstanding_grade": True})
    db.session.commit()
    response = admin.post(f"/admin/tools/{borough.cin.id}", data={"tool-supervision_audit": "on"})
    assert response.status_code == 302
    assert registry.is_enabled("supervision_audit", borough.cin.id)
    assert registry.is_enabled("children_audit", borough.cin.id)
    assert registry.settings("children_audit", borough.cin.id)["outstanding_grade"] is True
    assert not registry.is_enabled("rereferral_theme", borough.cin.id)
    # The tool switched on keeps its settings' values, though none were sent.
    assert registry.settings("supervision_audit", borough.cin.id)["actions_before_sign_off"]


def test_a_post_switches_one_tool_off_with_the_value_off(admin, borough: Borough):
    """`tool-<slug>=off` switches that tool off; Children in Care and other tools are untouched."""
    get_registry().set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    admin.post(f"/admin/tools/{borough.cin.id}", data={"tool-children_audit": "off"})
    registry = get_registry()
    assert not registry.is_enabled("children_audit", borough.cin.id)
    assert registry.is_enabled("supervision_audit", borough.cin.id)
    assert registry.is_enabled("children_audit", borough.cic.id)


def test_a_post_of_one_setting_changes_only_that_setting(admin, borough: Borough):
    """A setting sent alone is saved; the tool's switch stays as it was."""
    admin.post(
        f"/admin/tools/{borough.cin.id}",
        data={"setting-children_audit-outstanding_grade": "on"},
    )
    registry = get_registry()
    assert registry.is_enabled("children_audit", borough.cin.id)
    assert registry.settings("children_audit", borough.cin.id)["outstanding_grade"] is True


def test_an_empty_post_changes_nothing(admin, borough: Borough):
    """A POST that names no tool switches nothing off and records nothing."""
    response = admin.post(f"/admin/tools/{borough.cin.id}", data={})
    assert response.status_code == 302
    assert get_registry().is_enabled("children_audit", borough.cin.id)
    assert not db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "tools.updated")
    ).all()


def test_tool_settings_page_for_an_unknown_service_is_not_found(admin, borough: Borough):
    """Switching tools for a service id that does not exist is a 404."""
    assert admin.get("/admin/tools/99999").status_code == 404
    assert admin.post("/admin/tools/99999", data={"tool-children_audit": "on"}).status_code == 404


# -- nobody else ---------------------------------------------------------------


ADMIN_PAGES = [
    ("GET", "/admin/"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}"),
    ("GET", "/admin/services"),
    ("GET", "/admin/services/new"),
    ("POST", "/admin/services/new"),
    ("GET", "/admin/services/{service}"),
    ("POST", "/admin/services/{service}/teams"),
    ("GET", "/admin/tools"),
    ("GET", "/admin/tools/{service}"),
    ("POST", "/admin/tools/{service}"),
]
NON_ADMINS = [
    "senior",
    "service_manager",
    "team_manager",
    "deputy",
    "iro",
    "worker",
    "analyst",
]


@pytest.mark.parametrize("user", NON_ADMINS)
def test_only_administrators_reach_administration(client, auth, borough: Borough, user):
    """Every administration page and form answers 403 to every other role, changing nothing."""
    auth.login(f"{user}@test.example")
    target = borough.user("worker")
    for method, path in ADMIN_PAGES:
        url = path.format(user=target.id, service=borough.cin.id)
        data = {"name": "Hacked", "email": "worker@test.example", "role": "administrator"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, f"{method} {url}"
    db.session.expire_all()
    assert target.role is Role.SOCIAL_WORKER and target.name == "Worker"
    assert db.session.scalar(select(Service).where(Service.name == "Hacked")) is None
    assert db.session.scalar(select(Team).where(Team.name == "Hacked")) is None
    enabled = get_registry().enabled_services("children_audit")
    assert borough.cin.id in {service.id for service in enabled}


def test_admin_renames_a_team_from_its_service_page(admin, borough: Borough):
    """Change opens the team's details pre-filled; saving renames it in place."""
    page = admin.get(f"/admin/services/{borough.cin.id}?team={borough.north.id}")
    assert page.status_code == 200
    assert 'value="CIN North"' in page.get_data(as_text=True)
    saved = admin.post(
        f"/admin/services/{borough.cin.id}/teams/{borough.north.id}",
        data={"team-name": "CIN North East", "team-active": "y"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert borough.north.name == "CIN North East"
