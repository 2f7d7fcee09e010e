"""Pages of a themed audit: set up, population, sample, allocation, findings."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from core.access import SEES_EVERYTHING, Permission, requires
from core.extensions import db
from core.inputs import whole_number
from core.models import Audit, AuditStatus, User
from core.tools import ReportScope, Subject
from core.tools.registry import get_registry
from core.trail import record_view
from plugins.themed_audits import service
from plugins.themed_audits.findings import analyse
from plugins.themed_audits.forms import ThemedAuditForm
from plugins.themed_audits.models import PopulationUpload, SampleItem, ThemedAudit
from plugins.themed_audits.population import CensusPopulation, decode
from plugins.themed_audits.theme import Theme

bp = Blueprint("themed_audits", __name__, url_prefix="/themed-audits", template_folder="templates")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def installed_themes() -> dict[str, Theme]:
    """Theme plugins by slug (a theme is a tool whose plugin is a ``Theme``)."""
    registry = get_registry()
    themes = {}
    for tool in registry.all():
        if tool.subject == Subject.SAMPLE:
            plugin = registry.plugin_of(tool.slug)
            if isinstance(plugin, Theme):
                themes[tool.slug] = plugin
    return themes


def _themed_or_404(themed_id: int) -> tuple[ThemedAudit, Theme]:
    themed = db.session.get(ThemedAudit, themed_id)
    if themed is None or not _may_see(themed):
        abort(404)
    theme = installed_themes().get(themed.theme)
    if theme is None:
        abort(404)
    return themed, theme


def _may_see(themed: ThemedAudit) -> bool:
    # The quality assurance service and senior managers see every themed audit;
    # a service manager sees the ones they lead.
    return current_user.role in SEES_EVERYTHING or themed.lead_id == current_user.id


@bp.route("/")
@requires(Permission.MANAGE_PROGRAMME)
def index() -> str:
    statement = select(ThemedAudit).order_by(ThemedAudit.created_at.desc())
    if current_user.role not in SEES_EVERYTHING:
        statement = statement.where(ThemedAudit.lead_id == current_user.id)
    return render_template(
        "themed_audits/index.html",
        themed_audits=db.session.scalars(statement).all(),
        themes=installed_themes(),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_PROGRAMME)
def new() -> Any:
    themes = installed_themes()
    form = ThemedAuditForm()
    form.theme.choices = [SelectChoice("", "Choose a theme")] + [
        SelectChoice(slug, theme.title) for slug, theme in themes.items()
    ]
    errors: dict[str, str] = {}
    if request.method == "POST":
        form.validate()
        errors = {
            name: messages[0] for name, messages in form.errors.items() if name != "csrf_token"
        }
        if form.theme.data not in themes:
            errors["theme"] = "Choose the theme of the audit"
        start, end, date_errors = form.period()
        errors.update(date_errors)
        if not errors and start and end:
            themed = ThemedAudit(
                theme=form.theme.data,
                title=(form.title.data or "").strip(),
                rationale=(form.rationale.data or "").strip(),
                commissioned_by=(form.commissioned_by.data or "").strip(),
                period_start=start,
                period_end=end,
                lead_id=current_user.id,
            )
            db.session.add(themed)
            db.session.commit()
            flash("Themed audit created. Add its population next.", "success")
            return redirect(url_for("themed_audits.show", themed_id=themed.id))
    order = ["theme", "title", "rationale", "commissioned_by", "start_day", "end_day"]
    error_list = [{"text": errors[k], "href": f"#{k}"} for k in order if k in errors]
    return render_template(
        "themed_audits/new.html", form=form, errors=errors, error_list=error_list
    ), (400 if errors else 200)


def _progress(themed: ThemedAudit) -> list[dict[str, Any]]:
    """Allocated and submitted audits per auditor."""
    if themed.draw is None:
        return []
    rows = db.session.execute(
        select(
            User.name,
            func.count(Audit.id),
            func.sum(case((Audit.status == AuditStatus.SUBMITTED, 1), else_=0)),
        )
        .join(Audit, Audit.auditor_id == User.id)
        .join(SampleItem, SampleItem.audit_id == Audit.id)
        .where(SampleItem.draw_id == themed.draw.id)
        .group_by(User.name)
        .order_by(User.name)
    ).all()
    return [
        {"auditor": name, "allocated": n, "submitted": int(done or 0)} for name, n, done in rows
    ]


def _show(themed: ThemedAudit, theme: Theme, status: int = 200, **extra: Any) -> Any:
    unallocated = (
        sum(1 for item in themed.draw.items if item.audit_id is None) if themed.draw else 0
    )
    census = theme.census_population
    page = render_template(
        "themed_audits/show.html",
        themed=themed,
        theme=theme,
        census=census,
        census_held=(
            census.available(themed.period_start, themed.period_end)
            if census is not None and themed.draw is None
            else None
        ),
        population_size=len(themed.population),
        unallocated=unallocated,
        progress=_progress(themed),
        auditors=service.auditors(),
        columns=theme.population_columns(),
        errors=extra.pop("errors", {}),
        **extra,
    )
    return page, status


@bp.route("/<int:themed_id>")
@requires(Permission.MANAGE_PROGRAMME)
def show(themed_id: int) -> Any:
    themed, theme = _themed_or_404(themed_id)
    # The population and sample list items about people: a view of personal data.
    record_view("themed_audit.viewed", themed, summary=f"Viewed themed audit {themed.title}")
    return _show(themed, theme)


@bp.route("/<int:themed_id>/population", methods=["POST"])
@requires(Permission.MANAGE_PROGRAMME)
def upload(themed_id: int) -> Any:
    """Check an uploaded CSV: import it if clean, else list every bad row."""
    themed, theme = _themed_or_404(themed_id)
    if themed.draw is not None:
        return _show(
            themed,
            theme,
            400,
            errors={
                "population-heading": "The sample has been drawn, so the population cannot change"
            },
        )
    file = request.files.get("population")
    if file is None or not file.filename:
        return _show(themed, theme, 400, errors={"population": "Choose a CSV file to upload"})
    content = file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _show(
            themed, theme, 400, errors={"population": "The file must be smaller than 5 MB"}
        )
    if not file.filename.lower().endswith(".csv"):
        return _show(themed, theme, 400, errors={"population": "The file must be a CSV file"})
    text = decode(content)
    result = service.parse(theme, themed, text)
    if result.file_error:
        return _show(themed, theme, 400, errors={"population": result.file_error})
    # Only the newest file waits for a decision; older ones are forgotten (the raw
    # file can hold more than is kept, such as dates of birth).
    for earlier in db.session.scalars(
        select(PopulationUpload).where(PopulationUpload.themed_audit_id == themed.id)
    ):
        earlier.content = ""
    upload_record = PopulationUpload(
        themed_audit_id=themed.id,
        filename=file.filename[:255],  # the column's length; the name is only shown
        content=text,
        uploaded_by_id=current_user.id,
    )
    db.session.add(upload_record)
    db.session.commit()
    if result.is_clean:
        return _import(themed, upload_record, result.rows)
    return render_template(
        "themed_audits/upload_errors.html", themed=themed, upload=upload_record, result=result
    ), 400


def _import(themed: ThemedAudit, upload_record: PopulationUpload, rows: list[Any]) -> Response:
    try:
        count = service.import_population(themed, rows)
    except service.ThemedAuditError as error:
        flash(str(error), "error")
        return redirect(url_for("themed_audits.show", themed_id=themed.id))
    upload_record.imported_rows = count
    upload_record.content = ""  # imported: what is kept now lives in the population
    db.session.commit()
    flash(f"Imported {count} rows from {upload_record.filename}.", "success")
    return redirect(url_for("themed_audits.show", themed_id=themed.id))


def census_summary(theme: Theme, result: CensusPopulation) -> str:
    """What was imported, what was found, and what was left out and why, in one sentence."""

    def items(n: int) -> str:
        return f"{n} {theme.item_label_for(n)}"

    text = (
        f"Imported {items(len(result.rows))} from the CIN census: {result.considered} "
        f"referral{'' if result.considered == 1 else 's'} dated in the period, "
        f"{items(result.found)} found"
    )
    left_out = sum(result.left_out.values())
    if left_out:
        reasons = "; ".join(f"{n} because {reason}" for reason, n in result.left_out.items())
        text += f", {left_out} left out ({reasons})"
    return text + "."


@bp.route("/<int:themed_id>/population/census", methods=["POST"])
@requires(Permission.MANAGE_PROGRAMME)
def from_census(themed_id: int) -> Any:
    """Take the population from the imported census, for a theme that offers it."""
    themed, theme = _themed_or_404(themed_id)
    if theme.census_population is None:
        abort(404)
    try:
        result = service.population_from_census(theme, themed, current_user)
    except service.ThemedAuditError as error:
        return _show(themed, theme, 400, errors={"census": str(error)})
    flash(census_summary(theme, result), "success")
    return redirect(url_for("themed_audits.show", themed_id=themed.id))


@bp.route("/<int:themed_id>/population/<int:upload_id>/import", methods=["POST"])
@requires(Permission.MANAGE_PROGRAMME)
def import_valid_rows(themed_id: int, upload_id: int) -> Response:
    """The user chose to import the valid rows of a file that had bad ones."""
    themed, theme = _themed_or_404(themed_id)
    upload_record = db.session.get(PopulationUpload, upload_id)
    if upload_record is None or upload_record.themed_audit_id != themed.id:
        abort(404)
    if not upload_record.content:
        flash("That file has been replaced or already imported. Upload it again.", "error")
        return redirect(url_for("themed_audits.show", themed_id=themed.id))
    result = service.parse(theme, themed, upload_record.content)
    return _import(themed, upload_record, result.rows)


@bp.route("/<int:themed_id>/sample", methods=["POST"])
@requires(Permission.MANAGE_PROGRAMME)
def sample(themed_id: int) -> Any:
    themed, theme = _themed_or_404(themed_id)
    size_text = (request.form.get("size") or "").strip()
    seed_text = (request.form.get("seed") or "").strip()
    errors = {}
    size, seed = whole_number(size_text), whole_number(seed_text)
    if size is None:
        errors["size"] = "Enter the sample size as a whole number, like 125"
    if seed_text and seed is None:
        # Seeds are drawn below 2**31 and stored as such: any recorded seed fits.
        errors["seed"] = "The seed must be a whole number up to 2147483647, or leave it blank"
    if not errors:
        try:
            service.draw(themed, size, seed, current_user)
        except service.ThemedAuditError as error:
            errors["size"] = str(error)
    if errors:
        return _show(
            themed, theme, 400, errors=errors, typed={"size": size_text, "seed": seed_text}
        )
    flash(f"Sample of {themed.draw.sample_size} drawn with seed {themed.draw.seed}.", "success")
    return redirect(url_for("themed_audits.show", themed_id=themed.id))


@bp.route("/<int:themed_id>/allocate", methods=["POST"])
@requires(Permission.MANAGE_PROGRAMME)
def allocate(themed_id: int) -> Any:
    themed, theme = _themed_or_404(themed_id)
    auditor = db.session.get(User, request.form.get("auditor", type=int) or 0)
    count_text = (request.form.get("count") or "").strip()
    errors = {}
    if auditor is None or auditor not in service.auditors():
        errors["auditor"] = "Choose who will audit these items"
    count = whole_number(count_text)
    if count is None:
        errors["count"] = "Enter how many items to allocate, like 75"
    if not errors:
        try:
            allocated, passed_over = service.allocate(get_registry(), theme, themed, auditor, count)
        except service.ThemedAuditError as error:
            errors["count"] = str(error)
    if errors:
        return _show(
            themed,
            theme,
            400,
            errors=errors,
            typed={"auditor": request.form.get("auditor"), "count": count_text},
        )
    flash(
        f"{allocated} items allocated to {auditor.name}. They appear on their home page.", "success"
    )
    for reason in passed_over[:10]:
        flash(f"Not allocated: {reason}", "error")
    return redirect(url_for("themed_audits.show", themed_id=themed.id))


@bp.route("/<int:themed_id>/findings")
@requires(Permission.MANAGE_PROGRAMME)
def findings(themed_id: int) -> str:
    themed, theme = _themed_or_404(themed_id)
    sampled = select(SampleItem.audit_id).where(
        SampleItem.draw_id == (themed.draw.id if themed.draw else -1),
        SampleItem.audit_id.is_not(None),
    )
    scope = ReportScope(
        tool=theme.slug,
        start=date(1900, 1, 1),
        end=date(9999, 12, 31),
        label=themed.title,
        only_audits=sampled,
    )
    return render_template(
        "themed_audits/findings.html", themed=themed, scope=scope, **analyse(theme, scope)
    )
