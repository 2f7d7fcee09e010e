"""Administrators' pages for imports: upload, check, decide, and the record of every run.

The web always checks first: an upload is stored with its run and checked in
the background (a dry run). The run's page then shows what would change and
every problem, and offers "Import" (or "Import the N valid rows") and
"Cancel". Importing runs the check again against the data as it is then, and
writes. Pages refresh themselves while a job runs; no JavaScript is needed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from core import jobs
from core.access import Permission, has_permission, requires
from core.cases.categories import categories_for
from core.exports.csv import csv_download
from core.extensions import db
from core.imports import audits as past_audits
from core.imports import mapping as mappings
from core.imports.files import read_table
from core.imports.jobs import queue_run
from core.imports.plan import COUNT_NAMES, FileProblem, ImportFileData
from core.imports.runner import start_run, stored_files
from core.models import (
    ColumnMapping,
    ImportFile,
    ImportKind,
    ImportRun,
    ImportStatus,
    Job,
    JobStatus,
    Service,
    Team,
)
from core.models._types import utcnow
from core.tools.info import Subject, ToolInfo
from core.tools.registry import get_registry

bp = Blueprint("imports", __name__, url_prefix="/imports")

PER_PAGE = 50
AUDIT_COUNT_NAMES = ("created", "unchanged", "rejected")
#: A heading with more distinct values than this (a reference, a date) lists none.
MAX_DISTINCT_VALUES = 100
#: Blank rows under each mappable field, for values the sample file does not show.
EXTRA_VALUE_ROWS = 2
#: The most value rows one field's form may post (a bound on what is read back).
MAX_VALUE_ROWS = 500


# -- what each upload page asks for ----------------------------------------------


@dataclass(frozen=True)
class FileSlot:
    role: str
    label: str
    #: "table" (CSV or XLSX), "csv" or "xml".
    accepts: str


@dataclass(frozen=True)
class Upload:
    slug: str
    kind: ImportKind
    title: str
    files: tuple[FileSlot, ...]
    #: Option name -> the checkbox's words.
    options: dict[str, str] = field(default_factory=dict)
    mapping: bool = False
    #: Asks which audit tool the file's audits were done with (past audits).
    tool: bool = False


UPLOADS: dict[str, Upload] = {
    u.slug: u
    for u in (
        Upload(
            "staff",
            ImportKind.STAFF,
            "Import staff",
            (FileSlot("file", "Staff file", "table"),),
            {
                "full": "This is a full extract: deactivate staff who are not in the file",
                "create_teams": "Create teams the file names that careaudit does not have",
            },
        ),
        Upload(
            "cases",
            ImportKind.CASES,
            "Import the case list",
            (FileSlot("file", "Case list", "table"),),
            {
                "full": "This is a full extract: close case files that are not in the file",
                "create_teams": "Create teams the file names that careaudit does not have",
            },
            mapping=True,
        ),
        Upload(
            "cin-census",
            ImportKind.CIN_CENSUS,
            "Import the CIN census",
            (FileSlot("file", "CIN census file", "xml"),),
        ),
        Upload(
            "ssda903",
            ImportKind.SSDA903,
            "Import the SSDA903 return",
            (
                FileSlot("header", "Header file", "csv"),
                FileSlot("episodes", "Episodes file", "csv"),
            ),
        ),
        Upload(
            "audits",
            ImportKind.AUDITS,
            "Import past audits",
            (FileSlot("file", "Audits file", "table"),),
            tool=True,
        ),
    )
}
SLUG_OF_KIND = {u.kind: u.slug for u in UPLOADS.values()}

ACCEPT = {
    "table": ".csv,.xlsx,.xlsm,text/csv,application/vnd.openxmlformats-officedocument"
    ".spreadsheetml.sheet",
    "csv": ".csv,text/csv",
    "xml": ".xml,text/xml,application/xml",
}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _noun(label: str) -> str:
    """A label inside a sentence: "Staff file" -> "staff file", "CIN census file" as it is."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _file_error(file: FileStorage | None, slot: FileSlot, limit: int) -> tuple[str, bytes]:
    """Why an uploaded file cannot be taken (GOV.UK wording), or "" and its bytes."""
    noun = _noun(slot.label)
    if file is None or not file.filename:
        return f"Select the {noun}", b""
    content = file.stream.read(limit + 1)
    if len(content) > limit:
        return f"The {noun} must be smaller than {_mb(limit)}", b""
    if not content.strip():
        return f"The {noun} is empty", b""
    name = file.filename.lower()
    binary = b"\x00" in content[:4096]
    if slot.accepts == "xml":
        starts = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if not name.endswith(".xml") or binary or starts != b"<":
            return f"The {noun} must be an XML file", b""
        return "", content
    if name.endswith(".xls"):
        return (
            f"The {noun} is an old Excel file (.xls): save it as .xlsx or CSV",
            b"",
        )
    if slot.accepts == "table" and name.endswith((".xlsx", ".xlsm")):
        if not content.startswith(b"PK"):
            return f"The {noun} is not an Excel workbook", b""
        return "", content
    if not name.endswith((".csv", ".txt")) or binary:
        wanted = "a CSV or Excel (.xlsx) file" if slot.accepts == "table" else "a CSV file"
        return f"The {noun} must be {wanted}", b""
    return "", content


def _plain_name(filename: str) -> str:
    """The file's own name (some browsers send the whole path)."""
    return os.path.basename(filename.replace("\\", "/")).strip() or "upload"


# -- the list of runs ------------------------------------------------------------------


def _page_number(pages: int) -> int:
    """The page asked for, whatever was typed: not a number is page 1, past the end the last."""
    page = request.args.get("page", default=1, type=int)
    return max(1, min(page, pages))


@bp.route("/")
@requires(Permission.IMPORT_DATA)
def index() -> str:
    allowed = allowed_kinds()
    visible = [] if allowed is None else [ImportRun.kind.in_(allowed)]
    total = db.session.scalar(select(func.count(ImportRun.id)).where(*visible)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = _page_number(pages)
    runs = db.session.scalars(
        select(ImportRun)
        .where(*visible)
        .options(selectinload(ImportRun.files))
        .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return render_template(
        "imports/index.html",
        runs=runs,
        page=page,
        pages=pages,
        total=total,
        uploads=[u for u in UPLOADS.values() if _may_run(u.kind)],
        count_names=COUNT_NAMES,
    )


# -- uploading ----------------------------------------------------------------------------


def allowed_kinds() -> set[ImportKind] | None:
    """The kinds of import the user may run: every kind (None) for administrators; past
    audits only for QA, who hold the council's audit history but not its staff or cases."""
    if has_permission(current_user, Permission.ADMINISTER):
        return None
    return {ImportKind.AUDITS}


def _may_run(kind: ImportKind) -> bool:
    allowed = allowed_kinds()
    return allowed is None or kind in allowed


def _upload_or_404(slug: str) -> Upload:
    upload = UPLOADS.get(slug)
    if upload is None or not _may_run(upload.kind):
        abort(404)
    return upload


@bp.route("/upload/<slug>", methods=["GET", "POST"])
@requires(Permission.IMPORT_DATA)
def upload(slug: str) -> Any:
    spec = _upload_or_404(slug)
    saved = mappings.mappings() if spec.mapping else []
    errors: dict[str, str] = {}
    tools = importable_tools() if spec.tool else []
    typed: dict[str, Any] = {"mapping": "", "tool": "", **dict.fromkeys(spec.options, False)}
    if request.method == "POST":
        typed = {name: request.form.get(name) == "yes" for name in spec.options}
        typed["mapping"] = (request.form.get("mapping") or "").strip()
        typed["tool"] = (request.form.get("tool") or "").strip()
        limit = current_app.config["IMPORT_MAX_BYTES"]
        files: list[ImportFileData] = []
        for slot in spec.files:
            file = request.files.get(slot.role)
            error, content = _file_error(file, slot, limit)
            if error:
                errors[slot.role] = error
            else:
                assert file is not None and file.filename
                files.append(ImportFileData(slot.role, _plain_name(file.filename)[:255], content))
        chosen_mapping = None
        if spec.mapping and typed["mapping"]:
            chosen_mapping = mappings.find_mapping(typed["mapping"])
            if chosen_mapping is None:
                errors["mapping"] = "Choose a saved mapping, or the headings careaudit uses"
        if spec.tool and typed["tool"] not in {t.slug for t in tools}:
            errors["tool"] = "Select the audit tool the audits were done with"
        if not errors:
            options: dict[str, Any] = {name: typed[name] for name in spec.options}
            options["skip_invalid"] = False
            if chosen_mapping is not None:
                options["mapping"] = chosen_mapping.name
            if spec.tool:
                options["tool"] = typed["tool"]
            run = start_run(
                spec.kind,
                files,
                options,
                started_by=current_user.name,
                user=current_user,
                keep_content=True,
            )
            queue_run(run, current_user, dry_run=True)
            return redirect(url_for("imports.show", run_id=run.id))
    return render_template(
        "imports/upload.html",
        spec=spec,
        saved=saved,
        errors=errors,
        error_list=[{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        typed=typed,
        accept=ACCEPT,
        limit=_mb(current_app.config["IMPORT_MAX_BYTES"]),
        tools=tools,
        tool_columns=_tool_columns(tools),
    ), (400 if errors else 200)


# -- past audits: which tools, their columns, an example file -------------------------------


def importable_tools() -> list[ToolInfo]:
    """Tools whose past audits can be imported: every case and staff tool, by title."""
    return sorted(
        (t for t in get_registry().all() if t.subject != Subject.SAMPLE), key=lambda t: t.title
    )


def _tool_columns(tools: list[ToolInfo]) -> dict[str, list[Any]]:
    """Each tool's columns for the help text; a tool whose form cannot be read has none."""
    columns = {}
    for info in tools:
        try:
            definition = get_registry().form(info.slug, None, None, None)
        except Exception:  # a broken third-party tool must not take the page down
            current_app.logger.exception("tool %s gave no form", info.slug)
            continue
        columns[info.slug] = past_audits.column_help(info, definition)
    return columns


@bp.route("/upload/audits/example/<slug>.csv")
@requires(Permission.IMPORT_DATA)
def audits_example(slug: str) -> Response:
    """An example file of a tool's past audits: its headings and one invented row."""
    info = next((t for t in importable_tools() if t.slug == slug), None)
    if info is None:
        abort(404)
    columns = _tool_columns([info]).get(slug)
    if columns is None:
        abort(404)
    return csv_download(
        f"past-audits-{slug}.csv", [c.heading for c in columns], [[c.example for c in columns]]
    )


# -- one run ---------------------------------------------------------------------------------


def _run_or_404(run_id: int) -> ImportRun:
    run = db.session.scalar(
        select(ImportRun).options(selectinload(ImportRun.files)).where(ImportRun.id == run_id)
    )
    if run is None or not _may_run(run.kind):
        abort(404)
    return run


def valid_rows(run: ImportRun) -> int:
    """The rows that would be imported: created, updated and unchanged ones."""
    counts = run.counts or {}
    return sum(int(counts.get(name, 0) or 0) for name in ("created", "updated", "unchanged"))


def _details(run: ImportRun) -> list[tuple[str, Any]]:
    """Facts the importer reported, in words, for the page (known ones first)."""
    labels = {
        "unknown_teams": "Teams careaudit does not have",
        "created_teams": "Teams the import creates" if run.dry_run else "Teams created",
        "unknown_workers": "Workers careaudit does not have",
        "deactivated": "Staff deactivated (not in the full extract)",
        "reference_date": "Census reference date",
        "children": "Children in the file",
        "without_case_file": "Children with no case file in careaudit",
        "without_case_file_references": "Their references",
        "child_protection": "Children on a child protection plan",
        "tool": "Audit tool",
        "first_audit_date": "Earliest audit",
        "last_audit_date": "Latest audit",
        "questions_not_in_file": "Rated questions the file has no column for",
        "ignored_columns": "Columns not read",
    }
    skip = {"same_file_as", "checked_again_as"}
    details = run.details or {}
    keys = [k for k in labels if k in details] + sorted(set(details) - set(labels) - skip)
    return [
        (labels.get(key) or key.replace("_", " ").capitalize(), details[key])
        for key in keys
        if details[key] not in (None, "", [], {})
    ]


@bp.route("/<int:run_id>")
@requires(Permission.IMPORT_DATA)
def show(run_id: int) -> str:
    # A run whose worker died must not wait for ever: report it failed first.
    jobs.fail_stale_jobs()
    run = _run_or_404(run_id)
    job = db.session.get(Job, run.job_id) if run.job_id else None
    working = not run.status.finished and run.status is not ImportStatus.CHECKED
    waited = (utcnow() - job.created_at).total_seconds() if job is not None else 0
    return render_template(
        "imports/show.html",
        run=run,
        job=job,
        working=working,
        worker_may_be_down=bool(job is not None and job.status is JobStatus.QUEUED and waited > 60),
        slug=SLUG_OF_KIND.get(run.kind),
        # Past audits are only ever added: no column for updated or closed ones.
        count_names=AUDIT_COUNT_NAMES if run.kind is ImportKind.AUDITS else COUNT_NAMES,
        valid_rows=valid_rows(run),
        facts=_details(run),
        can_create_teams=_can_create_teams(run),
    )


def _can_create_teams(run: ImportRun) -> bool:
    return bool(
        run.status is ImportStatus.CHECKED
        and run.kind in (ImportKind.STAFF, ImportKind.CASES)
        and (run.details or {}).get("unknown_teams")
        and not (run.options or {}).get("create_teams")
    )


def _claim(run_id: int, *statuses: ImportStatus, **values: Any) -> bool:
    """Move a run on from one of ``statuses``, once: a second click finds it moved already."""
    claimed = db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.status.in_(statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def _drop_content(run_id: int) -> None:
    db.session.execute(
        update(ImportFile)
        .where(ImportFile.run_id == run_id)
        .values(content=None)
        .execution_options(synchronize_session=False)
    )


@bp.route("/<int:run_id>/import", methods=["POST"])
@requires(Permission.IMPORT_DATA)
def confirm(run_id: int) -> Response:
    """The user has seen the check and chose to import (all, or the valid rows)."""
    run = _run_or_404(run_id)
    only_valid = request.form.get("valid_rows") == "yes"
    back = redirect(url_for("imports.show", run_id=run_id))
    if run.status is not ImportStatus.CHECKED:
        flash(_already(run), "error")
        return back
    if run.problem_count and not only_valid:
        flash(
            "The file has problems, so it cannot all be imported. Fix the file and upload it "
            "again, or import the valid rows.",
            "error",
        )
        return back
    if only_valid and valid_rows(run) == 0:
        flash("No row of the file can be imported. Fix the file and upload it again.", "error")
        return back
    if not _claim(run_id, ImportStatus.CHECKED, status=ImportStatus.WAITING, dry_run=False):
        db.session.rollback()
        flash(_already(_run_or_404(run_id)), "error")
        return back
    db.session.expire(run)
    run.options = {**(run.options or {}), "skip_invalid": only_valid}
    queue_run(run, current_user, dry_run=False)
    return back


def _already(run: ImportRun) -> str:
    if run.status is ImportStatus.CANCELLED:
        return "This import was cancelled. Upload the file again to import it."
    if run.status.finished:
        return "This import has finished; it cannot be imported again."
    return "This import has already been started."


@bp.route("/<int:run_id>/cancel", methods=["POST"])
@requires(Permission.IMPORT_DATA)
def cancel(run_id: int) -> Response:
    """Nothing is imported; the stored upload is dropped."""
    run = _run_or_404(run_id)
    back = redirect(url_for("imports.show", run_id=run_id))
    cancellable = (ImportStatus.CHECKED,)
    # A check still in the queue can be called off too; one already running cannot.
    if run.status is ImportStatus.WAITING and run.job and run.job.status is JobStatus.QUEUED:
        cancellable = (ImportStatus.CHECKED, ImportStatus.WAITING)
    if not _claim(run_id, *cancellable, status=ImportStatus.CANCELLED, finished_at=utcnow()):
        db.session.rollback()
        flash("This import can no longer be cancelled: " + _already(run).lower(), "error")
        return back
    _drop_content(run_id)
    db.session.commit()
    flash("The import was cancelled. Nothing was changed.", "success")
    return back


@bp.route("/<int:run_id>/create-teams", methods=["POST"])
@requires(Permission.ADMINISTER)
def create_teams(run_id: int) -> Response:
    """Check the same file again, this time creating the teams careaudit does not have."""
    run = _run_or_404(run_id)
    if not _can_create_teams(run):
        flash("This import can no longer be checked again. Upload the file again.", "error")
        return redirect(url_for("imports.show", run_id=run_id))
    try:
        files = list(stored_files(run).values())
    except FileProblem as problem:
        flash(str(problem), "error")
        return redirect(url_for("imports.show", run_id=run_id))
    cancelled = {"status": ImportStatus.CANCELLED, "finished_at": utcnow()}
    if not _claim(run_id, ImportStatus.CHECKED, **cancelled):
        db.session.rollback()
        flash(_already(_run_or_404(run_id)), "error")
        return redirect(url_for("imports.show", run_id=run_id))
    _drop_content(run_id)
    again = start_run(  # commits the old run's cancellation with the new run
        run.kind,
        files,
        {**(run.options or {}), "create_teams": True, "skip_invalid": False},
        started_by=current_user.name,
        user=current_user,
        keep_content=True,
    )
    old = db.session.get(ImportRun, run_id)
    assert old is not None
    old.details = {**(old.details or {}), "checked_again_as": again.id}
    queue_run(again, current_user, dry_run=True)
    flash(f"Checking the file again (import {again.id}), creating the teams it names.", "success")
    return redirect(url_for("imports.show", run_id=again.id))


# -- case list mappings -------------------------------------------------------------------------


@bp.route("/mappings")
@requires(Permission.ADMINISTER)
def mapping_list() -> str:
    return render_template(
        "imports/mappings.html", mappings=mappings.mappings(), fields=mappings.CASE_FIELDS
    )


def _value_choices(key: str) -> list[tuple[str, str]]:
    """careaudit's values a file's value of ``key`` can map to (value, label)."""
    if key == "status":
        return [("open", "Open"), ("closed", "Closed")]
    if key == "category":
        return [(c.code, c.label) for c in categories_for()]
    if key == "team":
        teams = db.session.execute(
            select(Team.name, Service.name)
            .join(Service, Team.service_id == Service.id)
            .where(Team.active.is_(True))
            .order_by(Team.name, Service.name)
        ).all()
        return [(team, f"{team} ({service})") for team, service in teams]
    return []


def _json_form(name: str, kind: type) -> Any:
    """A hidden field carrying the sample's headings or values from one post to the next."""
    try:
        value = json.loads(request.form.get(name) or "null")
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


def _sample(file: FileStorage) -> tuple[list[str], dict[str, list[str]]]:
    """A sample file's headings and, per heading, its distinct values (if few)."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    content = file.stream.read(limit + 1)
    if len(content) > limit:
        raise FileProblem(f"The sample file must be smaller than {_mb(limit)}")
    # Headings case systems use help find the heading row below any title rows.
    expected = [f.label for f in mappings.CASE_FIELDS] + [
        name.strip() for names in mappings.COMMON_HEADINGS.values() for name in names.split(";")
    ]
    table = read_table(content, file.filename or "sample.csv", expected=expected)
    distinct: dict[str, list[str]] = {}
    for heading in table.headings:
        seen: dict[str, None] = {}
        for _, cells in table.rows:
            value = cells.get(heading, "").strip()
            if value:
                seen.setdefault(value, None)
                if len(seen) > MAX_DISTINCT_VALUES:
                    break
        if len(seen) <= MAX_DISTINCT_VALUES:
            distinct[heading] = sorted(seen, key=str.lower)
    return table.headings, distinct


def _suggest_target(key: str, value: str, choices: list[tuple[str, str]]) -> str:
    """A file value that already is a careaudit value (by code or label) maps to it."""
    lowered = value.strip().lower()
    for code, label in choices:
        if lowered in (code.lower(), label.lower()):
            return code
    if key == "status":
        if lowered in {"open", "current", "active", "y", "yes"}:
            return "open"
        if lowered in {"closed", "ended", "inactive", "n", "no"}:
            return "closed"
    return ""


@dataclass
class ValueRow:
    source: str
    target: str
    #: Typed by the user (a text box), rather than a value seen in the sample or saved.
    typed: bool = False


def _posted_rows(key: str) -> list[ValueRow]:
    count = min(request.form.get(f"rows-{key}", default=0, type=int) or 0, MAX_VALUE_ROWS)
    rows = []
    for i in range(count):
        source = (request.form.get(f"source-{key}-{i}") or "").strip()
        target = (request.form.get(f"target-{key}-{i}") or "").strip()
        typed = request.form.get(f"typed-{key}-{i}") == "yes"
        if source or target or not typed:
            rows.append(ValueRow(source, target, typed))
    return rows


def _value_rows(
    key: str,
    heading: str,
    distinct: dict[str, list[str]],
    earlier: list[ValueRow],
    choices: list[tuple[str, str]],
) -> list[ValueRow]:
    """The rows of one field's value table: what was posted or saved, then the sample's
    values of the chosen column, then blank rows to type more."""
    rows = [r for r in earlier if r.source or r.target]
    known = {r.source.lower() for r in rows}
    for value in distinct.get(heading, []):
        if value.lower() not in known:
            rows.append(ValueRow(value, _suggest_target(key, value, choices)))
            known.add(value.lower())
    rows.extend(ValueRow("", "", typed=True) for _ in range(EXTRA_VALUE_ROWS))
    return rows


@bp.route("/mappings/new", methods=["GET", "POST"])
@bp.route("/mappings/<int:mapping_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_mapping(mapping_id: int | None = None) -> Any:
    """Choose each field's column and map values; with a sample file to read headings from."""
    saved = db.session.get(ColumnMapping, mapping_id) if mapping_id else None
    if mapping_id and saved is None:
        abort(404)
    fields = mappings.CASE_FIELDS
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "save")
        name = (request.form.get("name") or "").strip()
        headings = [h for h in _json_form("headings", list) if isinstance(h, str)]
        distinct = {
            h: [v for v in values if isinstance(v, str)]
            for h, values in _json_form("distinct", dict).items()
            if isinstance(h, str) and isinstance(values, list)
        }
        columns = {f.key: (request.form.get(f"column-{f.key}") or "").strip() for f in fields}
        earlier = {f.key: _posted_rows(f.key) for f in fields if f.mappable}
        sample = request.files.get("sample")
        if action == "read":
            if sample is None or not sample.filename:
                errors["sample"] = "Select a sample of the case list"
            else:
                try:
                    headings, distinct = _sample(sample)
                except FileProblem as problem:
                    errors["sample"] = str(problem)
                else:
                    # A fresh sample: fill the columns nobody has chosen yet.
                    suggested = mappings.suggest_columns(headings)
                    for key, heading in suggested.items():
                        if not columns.get(key) or columns[key] not in headings:
                            columns[key] = heading
        if action == "save":
            values = {
                key: {
                    r.source: r.target
                    for r in rows
                    # A value that already is careaudit's needs no mapping.
                    if r.source and r.target and r.source.lower() != r.target.lower()
                }
                for key, rows in earlier.items()
            }
            for key, rows in earlier.items():
                label = mappings.FIELDS_BY_KEY[key].label.lower()
                for row in rows:
                    if row.typed and row.source and not row.target:
                        errors[f"values_{key}"] = f"Choose what “{row.source}” means in careaudit"
                    elif row.typed and row.target and not row.source:
                        errors[f"values_{key}"] = (
                            f"Enter the {label} as the file writes it, for each value you map"
                        )
            try:
                kept = _save(saved, name, columns, {k: v for k, v in values.items() if v}, errors)
            except mappings.MappingInvalid as invalid:
                errors = invalid.errors
            else:
                db.session.commit()
                flash(f"The mapping “{kept.name}” has been saved.", "success")
                return redirect(url_for("imports.mapping_list"))
    else:
        name = saved.name if saved else ""
        headings, distinct = [], {}
        columns = {f.key: (saved.columns or {}).get(f.key, "") if saved else "" for f in fields}
        earlier = {
            f.key: [
                ValueRow(source, target)
                for source, target in ((saved.values or {}).get(f.key) or {}).items()
            ]
            if saved
            else []
            for f in fields
            if f.mappable
        }
    choices = {f.key: _value_choices(f.key) for f in fields if f.mappable}
    value_rows = {
        key: _value_rows(key, columns.get(key, ""), distinct, rows, choices[key])
        for key, rows in earlier.items()
    }
    error_list = [{"text": message, "href": f"#{_anchor(key)}"} for key, message in errors.items()]
    return render_template(
        "imports/mapping_form.html",
        saved=saved,
        name=name,
        fields=fields,
        headings=headings,
        distinct=distinct,
        columns=columns,
        value_rows=value_rows,
        choices=choices,
        errors=errors,
        error_list=error_list,
    ), (400 if errors else 200)


def _anchor(error_key: str) -> str:
    if error_key in mappings.FIELDS_BY_KEY:
        return f"column-{error_key}"
    if error_key.startswith("values_"):
        return f"values-{error_key.removeprefix('values_')}"
    return {"columns": "columns", "name": "name", "sample": "sample"}.get(error_key, error_key)


def _save(
    saved: ColumnMapping | None,
    name: str,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
    errors: dict[str, str],
) -> ColumnMapping:
    """Save the mapping, or raise ``MappingInvalid`` with every error, the page's own too.

    ``save_mapping`` saves by name (the command line's way); here the row being
    edited keeps its id when renamed, and a new mapping never replaces another.
    """
    mapping_id = saved.id if saved is not None else None
    errors = {**mappings.check_mapping(name, columns, values, mapping_id=mapping_id), **errors}
    if errors:
        raise mappings.MappingInvalid(errors)
    if saved is not None and name.lower() != saved.name.lower():
        saved.name = name
        db.session.flush()
    return mappings.save_mapping(name, columns, values, current_user)


def file_size(size: int | None) -> str:
    """Bytes in words: 812 bytes, 14 KB, 3.2 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@bp.app_template_filter("file_size")
def _file_size_filter(size: int | None) -> str:
    return file_size(size)


def mapping_summary(columns: dict[str, str], fields: Iterable[mappings.Field]) -> str:
    return "; ".join(f"{f.label}: {columns[f.key]}" for f in fields if columns.get(f.key))


@bp.app_template_global("mapping_summary")
def _mapping_summary(columns: dict[str, str]) -> str:
    return mapping_summary(columns or {}, mappings.CASE_FIELDS)
