"""The administrators' import pages: upload, check first, then import, cancel or fix."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from core.extensions import db
from core.imports import jobs as import_jobs
from core.imports.mapping import save_mapping
from core.imports.plan import ImportFileData
from core.imports.runner import start_run
from core.jobs.runner import STALE_MESSAGE
from core.models import (
    Case,
    ColumnMapping,
    ImportFile,
    ImportKind,
    ImportRun,
    ImportStatus,
    Job,
    JobStatus,
    Team,
    User,
)
from core.models._types import utcnow
from tests.core.imports import csv_bytes, xlsx_bytes
from tests.core.imports.test_cin_census import Child, Details, census
from tests.core.imports.test_ssda903 import episodes, header
from tests.factories import Borough

STAFF_HEADINGS = ["Email", "Name", "Role", "Team", "Service", "Active"]


def staff_csv(*rows: list[str]) -> bytes:
    return csv_bytes([STAFF_HEADINGS, *rows])


NEW_STAFF = staff_csv(
    ["ann@test.example", "Ann Ash", "Social worker", "CIN North", "", ""],
    ["bob@test.example", "Bob Birch", "Team manager", "CIN South", "", ""],
)


def upload(
    client: FlaskClient, slug: str, files: dict[str, tuple[bytes, str]], **form: str
) -> TestResponse:
    data: dict[str, Any] = {
        role: (io.BytesIO(content), name) for role, (content, name) in files.items()
    }
    data.update(form)
    return client.post(f"/imports/upload/{slug}", data=data, content_type="multipart/form-data")


def latest_run() -> ImportRun:
    db.session.expire_all()
    run = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert run is not None
    return run


def run_of(response: TestResponse) -> ImportRun:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/imports/(\d+)", response.location)
    assert match, response.location
    db.session.expire_all()
    run = db.session.get(ImportRun, int(match.group(1)))
    assert run is not None
    return run


def stored_content(run: ImportRun) -> list[bytes | None]:
    return list(db.session.scalars(select(ImportFile.content).where(ImportFile.run_id == run.id)))


def user_exists(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def page_text(response: TestResponse) -> str:
    """The page's words, tags removed and spaces squashed, for reading like a user."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def admin(client: FlaskClient, auth: Any, borough: Borough) -> FlaskClient:
    auth.login("admin@test.example")
    return client


# -- who may use the pages -------------------------------------------------------------------------


def a_checked_run(borough: Borough) -> ImportRun:
    run = start_run(
        ImportKind.STAFF,
        [ImportFileData("file", "staff.csv", NEW_STAFF)],
        {},
        started_by="Admin",
        user=borough.user("admin"),
        keep_content=True,
    )
    import_jobs.queue_run(run, borough.user("admin"), dry_run=True)
    return run


PAGES = [
    "/imports/",
    "/imports/upload/staff",
    "/imports/upload/cases",
    "/imports/upload/cin-census",
    "/imports/upload/ssda903",
    "/imports/mappings",
    "/imports/mappings/new",
    "/imports/mappings/{mapping}",
    "/imports/{run}",
]
ACTIONS = ["/imports/{run}/import", "/imports/{run}/cancel", "/imports/{run}/create-teams"]


@pytest.mark.parametrize("user", ["team_manager", "senior", "service_manager", "analyst", "worker"])
def test_only_administrators_reach_the_import_pages(
    client: FlaskClient, auth: Any, borough: Borough, user: str
):
    """Everyone else gets 'no access' for every page and every action, and nothing changes."""
    run = a_checked_run(borough)
    mapping = save_mapping(
        "Mosaic", {"reference": "Person ID", "team": "Team", "category": "Category"}
    )
    db.session.commit()
    ids = {"run": run.id, "mapping": mapping.id}
    auth.login(f"{user}@test.example")
    for path in PAGES:
        response = client.get(path.format(**ids))
        assert response.status_code == 403, path
        assert b"You do not have access to this page" in response.data
    for path in ACTIONS:
        assert client.post(path.format(**ids)).status_code == 403, path
    assert latest_run().status is ImportStatus.CHECKED
    assert not user_exists("ann@test.example")


def test_administrators_reach_every_import_page(admin: FlaskClient, borough: Borough):
    """Administrators see each page, and Imports is in their menu and on Administration."""
    run = a_checked_run(borough)
    mapping = save_mapping(
        "Mosaic", {"reference": "Person ID", "team": "Team", "category": "Category"}
    )
    db.session.commit()
    for path in PAGES:
        response = admin.get(path.format(run=run.id, mapping=mapping.id))
        assert response.status_code == 200, path
    assert 'href="/imports/"' in admin.get("/admin/").get_data(as_text=True)
    menu = admin.get("/imports/").get_data(as_text=True)
    assert re.search(r'aria-current="page">\s*<strong[^>]*>Imports</strong>', menu)


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient, borough: Borough):
    response = client.get("/imports/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


# -- upload, check, import -------------------------------------------------------------------------


def test_upload_is_checked_first_then_imported_on_confirmation(admin: FlaskClient):
    """The dry run shows what would change and writes nothing; Import writes it."""
    run = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")}))
    assert run.status is ImportStatus.CHECKED
    assert run.dry_run is True
    assert run.started_by == "Admin"
    assert not user_exists("ann@test.example")

    page = admin.get(f"/imports/{run.id}")
    text = page_text(page)
    assert "What would change" in text
    assert re.search(r'data-count="created">2<', page.get_data(as_text=True))
    assert "staff.csv" in text and run.files[0].sha256[:12] in text
    assert "Import the" not in text
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)

    response = admin.post(f"/imports/{run.id}/import")
    assert response.status_code == 302
    run = latest_run()
    assert run.status is ImportStatus.IMPORTED
    assert run.dry_run is False
    assert run.counts["created"] == 2
    assert user_exists("ann@test.example") and user_exists("bob@test.example")
    assert stored_content(run) == [None]  # the upload is not kept once imported
    assert "What changed" in page_text(admin.get(f"/imports/{run.id}"))


def test_a_run_is_imported_once_only(admin: FlaskClient):
    """A second click on Import (or a resent form) starts nothing and says why."""
    run = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")}))
    admin.post(f"/imports/{run.id}/import")
    jobs_after_first = count(Job)
    again = admin.post(f"/imports/{run.id}/import", follow_redirects=True)
    assert "This import has finished; it cannot be imported again." in page_text(again)
    assert count(Job) == jobs_after_first
    assert count(User) == 11 + 2


def test_importing_the_same_file_again_says_so_and_changes_nothing(admin: FlaskClient):
    first = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")}))
    admin.post(f"/imports/{first.id}/import")
    second = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "again.csv")}))
    text = page_text(admin.get(f"/imports/{second.id}"))
    assert f"The same file was imported before, in import {first.id}" in text
    assert second.counts["unchanged"] == 2 and second.counts["created"] == 0


def test_an_excel_case_list_with_a_saved_mapping(admin: FlaskClient, borough: Borough):
    """The case list page reads XLSX and uses the mapping chosen; values are mapped too."""
    save_mapping(
        "Mosaic",
        {"reference": "Person ID", "team": "Allocated Team", "category": "Category"},
        {"category": {"LAC": "looked_after"}},
    )
    db.session.commit()
    content = xlsx_bytes(
        [["Person ID", "Allocated Team", "Category"], ["P900001", "CIN North", "LAC"]],
        title="Case list at 31 March",
    )
    run = run_of(
        upload(admin, "cases", {"file": (content, "cases.xlsx")}, mapping="mosaic", full="")
    )
    assert run.status is ImportStatus.CHECKED, run.error or run.problems
    assert run.options["mapping"] == "Mosaic"
    assert run.options["full"] is False
    admin.post(f"/imports/{run.id}/import")
    case = db.session.scalar(select(Case).where(Case.reference == "P900001"))
    assert case is not None and case.category == "looked_after"


def test_a_mapping_that_does_not_exist_cannot_be_chosen(admin: FlaskClient):
    response = upload(
        admin, "cases", {"file": (b"Case reference\r\nC1\r\n", "cases.csv")}, mapping="Nope"
    )
    assert response.status_code == 400
    assert "Choose a saved mapping" in page_text(response)
    assert count(ImportRun) == 0


def test_the_cin_census_upload_checks_the_xml(admin: FlaskClient, borough: Borough):
    content = census([Child("C100001", [Details("2025-01-10")])])
    run = run_of(upload(admin, "cin-census", {"file": (content, "cin_census.xml")}))
    assert run.kind is ImportKind.CIN_CENSUS
    assert run.status is ImportStatus.CHECKED, run.error or run.problems


def test_the_ssda903_upload_takes_the_header_and_episodes(admin: FlaskClient, borough: Borough):
    """Both files are needed; each is stored in its role."""
    head = header(("C300001", "01/06/2012"))
    body = episodes(("C300001", "01/04/2024", "", ""))
    missing = upload(admin, "ssda903", {"header": (head, "header.csv")})
    assert missing.status_code == 400
    assert "Select the episodes file" in page_text(missing)
    run = run_of(
        upload(admin, "ssda903", {"header": (head, "header.csv"), "episodes": (body, "ep.csv")})
    )
    assert sorted(f.role for f in run.files) == ["episodes", "header"]
    assert run.status is ImportStatus.CHECKED, run.error or run.problems


# -- files that cannot be taken --------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(admin: FlaskClient, app: Flask):
    app.config["IMPORT_MAX_BYTES"] = 64
    response = upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")})
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "The staff file must be smaller than" in text
    assert count(ImportRun) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "staff.pdf",
            b"%PDF-1.4 not a table",
            "The staff file must be a CSV or Excel (.xlsx) file",
        ),
        (
            "staff.csv",
            b"PK\x03\x04\x00\x00binary",
            "The staff file must be a CSV or Excel (.xlsx) file",
        ),
        ("staff.xls", b"\xd0\xcf\x11\xe0 old excel", "save it as .xlsx or CSV"),
        ("staff.xlsx", b"Email,Name\r\n", "The staff file is not an Excel workbook"),
        ("staff.csv", b"   \r\n", "The staff file is empty"),
    ],
)
def test_a_file_that_is_not_a_csv_or_excel_file_is_refused(
    admin: FlaskClient, name: str, content: bytes, message: str
):
    response = upload(admin, "staff", {"file": (content, name)})
    assert response.status_code == 400
    assert message in page_text(response)
    assert count(ImportRun) == 0


def test_no_file_chosen(admin: FlaskClient):
    response = admin.post("/imports/upload/staff", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Select the staff file" in page_text(response)


def test_the_census_must_be_xml(admin: FlaskClient):
    response = upload(admin, "cin-census", {"file": (NEW_STAFF, "census.csv")})
    assert response.status_code == 400
    assert "The CIN census file must be an XML file" in page_text(response)


def test_options_chosen_are_kept_when_the_upload_is_refused(admin: FlaskClient):
    response = upload(admin, "staff", {"file": (b"", "staff.csv")}, full="yes")
    assert response.status_code == 400
    assert re.search(r'id="full"[^>]*checked', response.get_data(as_text=True))


def test_an_unknown_upload_page_is_not_found(admin: FlaskClient):
    assert admin.get("/imports/upload/payroll").status_code == 404


# -- problems, valid rows, cancel ------------------------------------------------------------------


BAD_ROWS = staff_csv(
    ["ann@test.example", "Ann Ash", "Social worker", "CIN North", "", ""],
    ["not-an-email", "Cy Cole", "Social worker", "CIN North", "", ""],
    ["dee@test.example", "Dee Dale", "Wizard", "CIN North", "", ""],
)


def test_problems_are_listed_with_their_row_and_column(admin: FlaskClient):
    run = run_of(upload(admin, "staff", {"file": (BAD_ROWS, "staff.csv")}))
    html = admin.get(f"/imports/{run.id}").get_data(as_text=True)
    rows = re.findall(
        r'<td class="govuk-table__cell">([^<]*)</td>\s*<td class="govuk-table__cell">([^<]*)</td>'
        r'\s*<td class="govuk-table__cell">([^<]*)</td>',
        html,
    )
    assert ("3", "Email") in {(row, column) for row, column, _ in rows}
    assert ("4", "Role") in {(row, column) for row, column, _ in rows}
    assert any("Wizard" in reason for _, _, reason in rows)
    assert "2 problems" in page_text(admin.get(f"/imports/{run.id}"))


def test_a_file_with_problems_offers_only_its_valid_rows(admin: FlaskClient):
    """No plain Import: the button says how many rows would go in."""
    run = run_of(upload(admin, "staff", {"file": (BAD_ROWS, "staff.csv")}))
    text = page_text(admin.get(f"/imports/{run.id}"))
    assert "Import the 1 valid row" in text
    assert not re.search(
        r">\s*Import\s*</button>", admin.get(f"/imports/{run.id}").get_data(as_text=True)
    )
    refused = admin.post(f"/imports/{run.id}/import", follow_redirects=True)
    assert "The file has problems, so it cannot all be imported" in page_text(refused)
    assert latest_run().status is ImportStatus.CHECKED
    assert not user_exists("ann@test.example")


def test_importing_the_valid_rows_leaves_out_the_rest(admin: FlaskClient):
    run = run_of(upload(admin, "staff", {"file": (BAD_ROWS, "staff.csv")}))
    admin.post(f"/imports/{run.id}/import", data={"valid_rows": "yes"})
    run = latest_run()
    assert run.status is ImportStatus.IMPORTED
    assert run.options["skip_invalid"] is True
    assert user_exists("ann@test.example")
    assert not user_exists("dee@test.example")
    assert run.problem_count == 2  # still on record


def test_cancel_drops_the_upload_and_changes_nothing(admin: FlaskClient):
    run = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")}))
    page = admin.post(f"/imports/{run.id}/cancel", follow_redirects=True)
    assert "The import was cancelled. Nothing was changed." in page_text(page)
    run = latest_run()
    assert run.status is ImportStatus.CANCELLED
    assert run.finished_at is not None
    assert stored_content(run) == [None]
    late = admin.post(f"/imports/{run.id}/import", follow_redirects=True)
    assert "This import was cancelled" in page_text(late)
    assert not user_exists("ann@test.example")


def test_a_check_still_waiting_for_the_worker_can_be_cancelled(
    admin: FlaskClient, borough: Borough
):
    """If the check has not started, Cancel stops it from ever running."""
    run = start_run(
        ImportKind.STAFF,
        [ImportFileData("file", "staff.csv", NEW_STAFF)],
        {},
        started_by="Admin",
        keep_content=True,
    )
    job = Job(name=import_jobs.IMPORT_JOB, arguments={"run_id": run.id, "dry_run": True})
    db.session.add(job)
    db.session.flush()
    run.job_id, run.dry_run = job.id, True
    db.session.commit()
    page = admin.get(f"/imports/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh" content="2"' in page
    assert "Waiting to start the check" in page
    admin.post(f"/imports/{run.id}/cancel")
    assert latest_run().status is ImportStatus.CANCELLED
    from core.jobs import run_job

    run_job(job.id)  # the worker gets to it later: it finds the run cancelled
    assert latest_run().status is ImportStatus.CANCELLED


def test_unknown_teams_are_listed_with_the_option_to_create_them(
    admin: FlaskClient, borough: Borough
):
    """Checking again with "create teams" replaces the run; importing creates the team."""
    content = staff_csv(
        ["ann@test.example", "Ann Ash", "Social worker", "CIN East", "Children in Need", ""]
    )
    first = run_of(upload(admin, "staff", {"file": (content, "staff.csv")}))
    text = page_text(admin.get(f"/imports/{first.id}"))
    assert "careaudit does not have: CIN East" in text
    assert "Check again, creating these teams" in text

    response = admin.post(f"/imports/{first.id}/create-teams")
    again = run_of(response)
    assert again.id != first.id
    assert again.options["create_teams"] is True
    assert again.status is ImportStatus.CHECKED
    assert again.problem_count == 0
    assert "CIN East (Children in Need)" in page_text(admin.get(f"/imports/{again.id}"))
    db.session.expire_all()
    old = db.session.get(ImportRun, first.id)
    assert old.status is ImportStatus.CANCELLED and old.details["checked_again_as"] == again.id
    assert db.session.scalar(select(Team).where(Team.name == "CIN East")) is None  # only checked

    admin.post(f"/imports/{again.id}/import")
    assert db.session.scalar(select(Team).where(Team.name == "CIN East")) is not None
    assert admin.post(f"/imports/{first.id}/create-teams").status_code == 302
    assert count(ImportRun) == 2  # the old run cannot be checked again twice


# -- the job behind the page -----------------------------------------------------------------------


def a_run_being_checked(heartbeat_minutes_ago: int = 0) -> tuple[ImportRun, Job]:
    run = start_run(
        ImportKind.STAFF,
        [ImportFileData("file", "big.csv", NEW_STAFF)],
        {},
        started_by="Admin",
        keep_content=True,
    )
    beat = utcnow() - timedelta(minutes=heartbeat_minutes_ago)
    job = Job(
        name=import_jobs.IMPORT_JOB,
        arguments={"run_id": run.id, "dry_run": True},
        status=JobStatus.RUNNING,
        stage="Checking the staff",
        done=400,
        total=1000,
        started_at=beat,
        heartbeat_at=beat,
    )
    db.session.add(job)
    db.session.flush()
    run.job_id = job.id
    run.status = ImportStatus.CHECKING
    run.dry_run = True
    db.session.commit()
    return run, job


def test_a_running_import_shows_its_progress_and_refreshes_itself(admin: FlaskClient):
    run, _ = a_run_being_checked()
    response = admin.get(f"/imports/{run.id}")
    html = response.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Checking the staff" in html and "40%" in html
    assert '<progress class="govuk-!-width-full" max="1000" value="400"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_an_import_whose_worker_died_is_reported_failed(admin: FlaskClient):
    """Viewing the page finds the silent job: the run fails, says why, and stops refreshing."""
    run, job = a_run_being_checked(heartbeat_minutes_ago=30)
    response = admin.get(f"/imports/{run.id}")
    html = response.get_data(as_text=True)
    assert STALE_MESSAGE in html
    assert 'http-equiv="refresh"' not in html
    run = latest_run()
    assert run.status is ImportStatus.FAILED
    assert stored_content(run) == [None]
    assert db.session.get(Job, job.id).status is JobStatus.FAILED


def test_a_job_that_breaks_marks_its_import_failed(
    admin: FlaskClient, monkeypatch: pytest.MonkeyPatch
):
    """An error outside the import's own handling still ends the run, with the reason."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(import_jobs, "execute", broken)
    run = run_of(upload(admin, "staff", {"file": (NEW_STAFF, "staff.csv")}))
    assert run.status is ImportStatus.FAILED
    assert "the database went away" in page_text(admin.get(f"/imports/{run.id}"))


# -- the list of imports ---------------------------------------------------------------------------


def many_runs(n: int) -> None:
    start = utcnow() - timedelta(days=1)
    db.session.add_all(
        ImportRun(
            kind=ImportKind.STAFF,
            status=ImportStatus.IMPORTED,
            started_by=f"careaudit import staff {i}",
            created_at=start + timedelta(minutes=i),
            counts={"created": i},
            files=[ImportFile(role="file", filename=f"staff-{i}.csv", size=1500, sha256="ab" * 32)],
        )
        for i in range(1, n + 1)
    )
    db.session.commit()


def listed(response: TestResponse) -> list[str]:
    return re.findall(r"staff-(\d+)\.csv", response.get_data(as_text=True))


def test_the_imports_page_lists_every_run_newest_first_fifty_a_page(admin: FlaskClient):
    many_runs(53)
    first = admin.get("/imports/")
    assert listed(first)[:2] == ["53", "52"]
    assert len(listed(first)) == 50
    text = page_text(first)
    assert "careaudit import staff 53" in text and "1 KB" in text and "abababababab" in text
    second = admin.get("/imports/?page=2")
    assert listed(second) == ["3", "2", "1"]


@pytest.mark.parametrize(
    ("page", "expected_first"),
    [("abc", "53"), ("-4", "53"), ("0", "53"), ("99", "3"), ("2.5", "53")],
)
def test_bad_page_numbers_are_tolerated(admin: FlaskClient, page: str, expected_first: str):
    many_runs(53)
    response = admin.get(f"/imports/?page={page}")
    assert response.status_code == 200
    assert listed(response)[0] == expected_first


def test_an_import_that_does_not_exist_is_not_found(admin: FlaskClient):
    assert admin.get("/imports/999").status_code == 404
    assert admin.post("/imports/999/import").status_code == 404


# -- case list mappings ----------------------------------------------------------------------------


SAMPLE = csv_bytes(
    [
        ["Person ID", "Allocated Team", "Primary Category", "Case Status", "Worker Email"],
        ["P1", "North", "LAC", "Open", "worker@test.example"],
        ["P2", "North", "CIN", "Closed", ""],
        ["P3", "CIN South", "CP", "Open", ""],
    ]
)


def test_a_sample_file_fills_the_columns_and_lists_its_values(admin: FlaskClient):
    response = admin.post(
        "/imports/mappings/new",
        data={"action": "read", "name": "Mosaic", "sample": (io.BytesIO(SAMPLE), "sample.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<option value="Person ID" selected>', html)  # suggested
    assert re.search(
        r'id="column-category"[^>]*>.*?<option value="Primary Category" selected>', html, re.S
    )
    for value in ("LAC", "CIN", "CP", "North"):
        assert f'value="{value}">{value}' in html  # each of the file's values, to map
    assert '<option value="looked_after">Looked after</option>' in html
    assert 'value="Mosaic"' in html  # the name typed is kept


def test_a_mapping_is_saved_with_its_columns_and_values(admin: FlaskClient, borough: Borough):
    read = admin.post(
        "/imports/mappings/new",
        data={"action": "read", "name": "Mosaic", "sample": (io.BytesIO(SAMPLE), "sample.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    form = form_values(read)
    form.update(action="save")
    # Map the category values the sample showed, and North to a careaudit team.
    for key, value in list(form.items()):
        if key.startswith("source-category-") and value == "LAC":
            form[key.replace("source", "target")] = "looked_after"
        if key.startswith("source-team-") and value == "North":
            form[key.replace("source", "target")] = "CIN North"
    response = admin.post("/imports/mappings/new", data=form)
    assert response.status_code == 302, page_text(response)
    saved = db.session.scalar(select(ColumnMapping).where(ColumnMapping.name == "Mosaic"))
    assert saved is not None
    assert saved.columns["reference"] == "Person ID"
    assert saved.columns["team"] == "Allocated Team"
    assert saved.values["category"] == {"LAC": "looked_after"}
    assert saved.values["team"] == {"North": "CIN North"}
    listing = page_text(admin.get("/imports/mappings"))
    assert "Mosaic" in listing and "Case reference: Person ID" in listing
    edit = admin.get(f"/imports/mappings/{saved.id}").get_data(as_text=True)
    assert 'value="Person ID"' in edit and 'value="LAC"' in edit


def test_a_mapping_with_errors_keeps_every_value_typed(admin: FlaskClient, borough: Borough):
    data = {
        "action": "save",
        "name": "",
        "column-reference": "Person ID",
        "column-team": "",
        "column-category": "Primary Category",
        "column-worker": "Worker Email",
        "rows-category": "1",
        "source-category-0": "LAC",
        "typed-category-0": "yes",
        "target-category-0": "",
    }
    response = admin.post("/imports/mappings/new", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter a name for the mapping" in text
    assert "Choose the column that holds the team" in text
    assert "Choose what “LAC” means in careaudit" in text
    html = response.get_data(as_text=True)
    for kept in (
        'value="Person ID"',
        'value="Primary Category"',
        'value="Worker Email"',
        'value="LAC"',
    ):
        assert kept in html
    assert count(ColumnMapping) == 0


def test_a_mapping_name_must_be_unique(admin: FlaskClient, borough: Borough):
    save_mapping("Mosaic", {"reference": "Person ID", "team": "Team", "category": "Category"})
    db.session.commit()
    data = {
        "action": "save",
        "name": "mosaic",
        "column-reference": "ID",
        "column-team": "Team",
        "column-category": "Category",
    }
    response = admin.post("/imports/mappings/new", data=data)
    assert response.status_code == 400
    assert "A mapping called “Mosaic” already exists" in page_text(response)
    assert 'value="ID"' in response.get_data(as_text=True)
    saved = db.session.scalar(select(ColumnMapping))
    assert saved.columns["reference"] == "Person ID"  # not replaced


def test_a_mapping_can_be_renamed_and_changed(admin: FlaskClient, borough: Borough):
    saved = save_mapping(
        "Mosaic", {"reference": "Person ID", "team": "Team", "category": "Category"}
    )
    db.session.commit()
    data = {
        "action": "save",
        "name": "Mosaic nightly",
        "column-reference": "Person ID",
        "column-team": "Allocated Team",
        "column-category": "Category",
    }
    assert admin.post(f"/imports/mappings/{saved.id}", data=data).status_code == 302
    db.session.expire_all()
    assert count(ColumnMapping) == 1
    renamed = db.session.get(ColumnMapping, saved.id)
    assert renamed.name == "Mosaic nightly" and renamed.columns["team"] == "Allocated Team"


def test_a_sample_that_cannot_be_read_says_why(admin: FlaskClient):
    response = admin.post(
        "/imports/mappings/new",
        data={"action": "read", "name": "X", "sample": (io.BytesIO(b"\x00\x01binary"), "s.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This is not a CSV file" in page_text(response)


def form_values(html: str) -> dict[str, str]:
    """What a browser would post from the page's form: inputs and each select's choice."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag or 'type="checkbox"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        values[name] = _unescape(chosen.group(1)) if chosen else ""
    values.pop("csrf_token", None)
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_an_import_that_finds_new_problems_when_importing_writes_nothing(
    admin: FlaskClient, borough: Borough
):
    """Importing checks again: a team removed since the check stops the whole import."""
    content = staff_csv(["ann@test.example", "Ann Ash", "Social worker", "CIN South", "", ""])
    run = run_of(upload(admin, "staff", {"file": (content, "staff.csv")}))
    assert run.problem_count == 0
    borough.south.name = "CIN South (closed)"  # renamed after the check
    db.session.commit()
    page = admin.post(f"/imports/{run.id}/import", follow_redirects=True)
    run = latest_run()
    assert run.status is ImportStatus.REJECTED
    assert not user_exists("ann@test.example")
    assert "nothing was imported" in page_text(page)
