"""A council's first day: a fresh install filled from its own extracts, then audited.

No demo data: an administrator, the services they set up, and then the staff
file, an Excel case list read through a saved mapping, the CIN census and the
SSDA903 return, by command and by upload. A team manager then audits one of
the imported cases.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from core.cases.categories import ensure_defaults
from core.extensions import db
from core.imports.mapping import save_mapping
from core.imports.synthetic import (
    CASE_LIST_COLUMNS,
    CASE_LIST_VALUES,
    CareEpisode,
    CaseRow,
    CensusChild,
    CensusReferral,
    StaffRow,
    case_list_xlsx,
    census_xml,
    ssda903_csvs,
    staff_csv,
)
from core.models import (
    Audit,
    AuditStatus,
    Case,
    Directorate,
    ImportRun,
    ImportStatus,
    Referral,
    Service,
    User,
)
from core.passwords import hash_password
from core.testing import complete_audit
from core.tools.registry import get_registry
from tests.core.imports.test_views import form_values, upload
from tests.helpers import children_answers

PASSWORD = "a long enough password"
TODAY = date(2026, 11, 30)

STAFF = [
    StaffRow(
        "S1", "tm@council.example", "Tia Moss", "Team manager", "Family Support 1", "Family Support"
    ),
    StaffRow(
        "S2",
        "sw1@council.example",
        "Sam Wren",
        "Social worker",
        "Family Support 1",
        "Family Support",
    ),
    StaffRow(
        "S3", "sw2@council.example", "Ola Fenn", "SW", "Looked After Team", "Corporate Parenting"
    ),
    StaffRow("S4", "iro@council.example", "Ida Rowe", "IRO"),
]
CASES = [
    CaseRow(
        "M1001",
        "AB",
        "Family Support 1",
        "sw1@council.example",
        "child_in_need",
        True,
        date(2026, 2, 1),
    ),
    CaseRow(
        "M1002",
        "CD",
        "Family Support 1",
        "sw1@council.example",
        "child_in_need",
        True,
        date(2025, 9, 9),
    ),
    CaseRow(
        "M2001",
        "EF",
        "Looked After Team",
        "sw2@council.example",
        "child_in_need",
        True,
        date(2024, 5, 1),
    ),
]
CENSUS = census_xml(
    TODAY,
    [
        CensusChild(
            "M1002",
            date(2017, 4, 2),
            [
                CensusReferral(
                    date(2025, 3, 1), closure_date=date(2025, 4, 1), closure_reason="RC8"
                ),
                CensusReferral(date(2025, 9, 9), plans=[(date(2025, 10, 1), None)]),
            ],
        ),
        CensusChild("M9999", date(2012, 1, 1), [CensusReferral(date(2026, 1, 5))]),
    ],
)
HEADER_903, EPISODES_903 = ssda903_csvs(
    {"M2001": date(2012, 6, 1)}, [CareEpisode("M2001", date(2024, 5, 1))]
)


def set_up_the_council(client: FlaskClient, runner: FlaskCliRunner) -> None:
    """What an administrator does before any import: their account and the services."""
    ensure_defaults()  # the migrations write the directorates and categories
    db.session.commit()
    created = runner.invoke(
        args=[
            "create-user",
            "--email",
            "admin@council.example",
            "--name",
            "Ada Min",
            "--role",
            "administrator",
            "--password",
            PASSWORD,
        ]
    )
    assert created.exit_code == 0, created.output
    assert (
        client.post(
            "/sign-in", data={"email": "admin@council.example", "password": PASSWORD}
        ).status_code
        == 302
    )
    children = db.session.scalar(select(Directorate.id).where(Directorate.code == "children"))
    for name in ("Family Support", "Corporate Parenting"):
        response = client.post(
            "/admin/services/new", data={"name": name, "directorate": str(children), "active": "y"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    for service in db.session.scalars(select(Service)):
        get_registry().set_switch("children_audit", service.id, True)
    db.session.commit()


def audit_an_imported_case(client: FlaskClient) -> None:
    """The imported team manager (given a password) audits an imported case."""
    manager = db.session.scalar(select(User).where(User.email == "tm@council.example"))
    manager.password_hash = hash_password(PASSWORD)  # their own, set on first sign-in
    db.session.commit()
    client.post("/sign-out")
    assert (
        client.post(
            "/sign-in", data={"email": "tm@council.example", "password": PASSWORD}
        ).status_code
        == 302
    )
    case = db.session.scalar(select(Case).where(Case.reference == "M1001"))
    started = client.post(
        f"/audits/start/{case.id}", data={"tool": "children_audit", "token": "first-audit"}
    )
    assert started.status_code == 302, started.get_data(as_text=True)
    data: dict[str, Any] = {}
    for key, answer in children_answers(overall="partially_met", grade="adequate").items():
        if answer.rating is not None:
            data[key] = answer.rating.value
            data[f"{key}__comment"] = answer.comment or ""
        else:
            data[key] = answer.value
    submitted = complete_audit(client, int(started.location.split("/")[2]), data)
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    audit = db.session.scalar(select(Audit))
    db.session.refresh(audit)
    assert audit.status is AuditStatus.SUBMITTED
    assert audit.worker.email == "sw1@council.example"  # credited to the worker at the time


def what_was_imported() -> None:
    staff = {u.email: u for u in db.session.scalars(select(User))}
    assert set(staff) == {r.email for r in STAFF} | {"admin@council.example"}
    assert staff["sw2@council.example"].team.name == "Looked After Team"
    cases = {c.reference: c for c in db.session.scalars(select(Case))}
    assert set(cases) == {"M1001", "M1002", "M2001"}
    assert cases["M1002"].category == "child_protection"  # a plan open at the census date
    assert cases["M2001"].category == "looked_after"  # an open episode of care
    referrals = db.session.scalar(select(func.count()).select_from(Referral))
    assert referrals == 3
    unlinked = db.session.scalar(select(Referral).where(Referral.child_reference == "M9999"))
    assert unlinked.case_id is None  # kept as a referral record only
    statuses = db.session.scalars(select(ImportRun.status)).all()
    assert statuses and all(s is ImportStatus.IMPORTED for s in statuses)


def test_a_fresh_install_is_filled_by_command(
    client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    set_up_the_council(client, runner)
    files = {
        "staff.csv": staff_csv(STAFF),
        "cases.xlsx": case_list_xlsx(CASES),
        "census.xml": CENSUS,
        "header.csv": HEADER_903,
        "episodes.csv": EPISODES_903,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    save_mapping("Mosaic case list", CASE_LIST_COLUMNS, CASE_LIST_VALUES)
    db.session.commit()

    def cli(*args: str) -> None:
        result = runner.invoke(args=["import", *args, "--quiet"])
        assert result.exit_code == 0, result.output

    cli("staff", str(tmp_path / "staff.csv"), "--full", "--create-teams")
    cli("cases", str(tmp_path / "cases.xlsx"), "--mapping", "Mosaic case list", "--full")
    cli("cin-census", str(tmp_path / "census.xml"))
    cli(
        "ssda903",
        "--header",
        str(tmp_path / "header.csv"),
        "--episodes",
        str(tmp_path / "episodes.csv"),
    )
    what_was_imported()

    # The same files again, the next night, change nothing.
    cli("cases", str(tmp_path / "cases.xlsx"), "--mapping", "Mosaic case list", "--full")
    again = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert again.counts["unchanged"] == 3 and again.counts["updated"] == 0

    audit_an_imported_case(client)


def test_a_fresh_install_is_filled_by_upload(client: FlaskClient, runner: FlaskCliRunner) -> None:
    set_up_the_council(client, runner)

    def check_and_import(slug: str, files: dict[str, tuple[bytes, str]], **form: str) -> None:
        checked = upload(client, slug, files, **form)
        assert checked.status_code == 302, checked.get_data(as_text=True)
        run_page = checked.location
        page = client.get(run_page).get_data(as_text=True)
        assert "What would change" in page, page
        assert client.post(f"{run_page}/import").status_code == 302
        done = client.get(run_page).get_data(as_text=True)
        assert "What changed" in done, " ".join(re.sub(r"<[^>]+>", " ", done).split())

    check_and_import("staff", {"file": (staff_csv(STAFF), "staff.csv")}, create_teams="yes")

    # The case list's mapping, made once from a sample of the file.
    workbook = case_list_xlsx(CASES)
    read = client.post(
        "/imports/mappings/new",
        data={
            "action": "read",
            "name": "Mosaic case list",
            "sample": (io.BytesIO(workbook), "cases.xlsx"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    form = form_values(read)
    form.update(action="save")
    for key, value in list(form.items()):
        if key.startswith("source-category-") and value == "CIN":
            form[key.replace("source", "target")] = "child_in_need"
        if key.startswith("source-status-") and value == "Current":
            form[key.replace("source", "target")] = "open"
    saved = client.post("/imports/mappings/new", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)

    check_and_import("cases", {"file": (workbook, "cases.xlsx")}, mapping="Mosaic case list")
    check_and_import("cin-census", {"file": (CENSUS, "census.xml")})
    check_and_import(
        "ssda903",
        {"header": (HEADER_903, "header.csv"), "episodes": (EPISODES_903, "episodes.csv")},
    )
    what_was_imported()
    audit_an_imported_case(client)
