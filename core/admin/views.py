"""Administration: users, services and teams, case categories, per-service tool switches."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from core import trail
from core.access import Permission, requires
from core.admin.forms import (
    CategoryForm,
    ServiceForm,
    TeamForm,
    UserForm,
    code_from_label,
    parse_risk_weight,
)
from core.extensions import db
from core.grading import council as grading
from core.grading.scales import SCALES
from core.imports.staff import NO_PASSWORD
from core.inputs import whole_number
from core.models import (
    Case,
    CaseCategory,
    Category,
    Directorate,
    Grade,
    Role,
    Service,
    Team,
    User,
)
from core.oidc import local_passwords
from core.passwords import hash_password
from core.sessions import end_sessions
from core.tools.registry import get_registry

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: What the audit trail records of a change to each kind of record.
USER_FIELDS = ("name", "email", "role", "team_id", "service_id", "active")
SERVICE_FIELDS = ("name", "directorate_id", "active")
TEAM_FIELDS = ("name", "active")
CATEGORY_FIELDS = ("label", "treat_as", "risk_weight", "active")


@bp.route("/")
@requires(Permission.ADMINISTER)
def index() -> str:
    counts = {
        "users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        "services": db.session.scalar(select(func.count(Service.id))),
        "teams": db.session.scalar(select(func.count(Team.id))),
        "tools": len(get_registry().all()),
        "categories": db.session.scalar(
            select(func.count(Category.id)).where(Category.active.is_(True))
        ),
    }
    return render_template("admin/index.html", counts=counts)


# -- users ------------------------------------------------------------------


def _team_choices() -> list[SelectChoice]:
    teams = db.session.scalars(select(Team).join(Service).order_by(Service.name, Team.name))
    return [SelectChoice("", "No team")] + [
        SelectChoice(str(t.id), f"{t.name} ({t.service.name})") for t in teams
    ]


def _service_choices(empty: str = "No service") -> list[SelectChoice]:
    services = db.session.scalars(select(Service).order_by(Service.name))
    return [SelectChoice("", empty)] + [SelectChoice(str(s.id), s.name) for s in services]


#: Users listed on a page: a borough has a couple of thousand staff (issue 12).
USERS_PAGE_SIZE = 100


@bp.route("/users")
@requires(Permission.ADMINISTER)
def users() -> str:
    query = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    statement = select(User)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(
            func.lower(User.name).like(like) | func.lower(User.email).like(like)
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max((total + USERS_PAGE_SIZE - 1) // USERS_PAGE_SIZE, 1)
    page = min(page, pages)
    listed = db.session.scalars(
        statement.order_by(User.active.desc(), User.name, User.id)
        # The team or service column: loaded with the page, in the same statement.
        .options(joinedload(User.team), joinedload(User.own_service))
        .offset((page - 1) * USERS_PAGE_SIZE)
        .limit(USERS_PAGE_SIZE)
    ).all()
    return render_template(
        "admin/users.html",
        users=listed,
        query=query,
        page=page,
        pages=pages,
        total=total,
        first=(page - 1) * USERS_PAGE_SIZE + 1,
    )


def _email_taken(email: str, except_id: int | None = None) -> bool:
    statement = select(User.id).where(func.lower(User.email) == email.lower())
    if except_id is not None:
        statement = statement.where(User.id != except_id)
    return db.session.scalar(statement) is not None


def _save_user(form: UserForm, user: User) -> None:
    role = Role(form.role.data)
    user.name = (form.name.data or "").strip()
    user.email = (form.email.data or "").strip().lower()
    user.role = role
    # Only keep the team or service the role needs, so access follows the role.
    user.team_id = form.team.data if role.needs_team else None
    user.service_id = form.service.data if role.needs_service else None
    if form.password.data and local_passwords():
        user.password_hash = hash_password(form.password.data)
    elif not user.password_hash:
        # Passwords are off: a new account holds the "no password" marker, never a hash.
        user.password_hash = NO_PASSWORD


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_user() -> Any:
    form = UserForm(creating=True)
    form.team.choices = _team_choices()
    form.service.choices = _service_choices()
    if form.validate_on_submit():
        if _email_taken(form.email.data or ""):
            form.email.errors = ["A user with this email address already exists"]
        else:
            user = User(active=True)
            _save_user(form, user)
            db.session.add(user)
            trail.record(
                "user.created",
                user,
                summary=f"Added {user.name} as a {user.role.label.lower()}",
                after=trail.snapshot(user, *USER_FIELDS),
            )
            db.session.commit()
            flash(f"{user.name} has been added as a {user.role.label.lower()}.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.errors or (request.method == "POST" and form.email.errors) else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_user(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    # Plain values, not obj=user: WTForms would read user.team (an object)
    # where the select wants the team's id. On POST the typed values win.
    form = UserForm(
        data={
            "name": user.name,
            "email": user.email,
            "role": user.role.value,
            "team": user.team_id,
            "service": user.service_id,
            "active": user.active,
        }
    )
    form.team.choices = _team_choices()
    form.service.choices = _service_choices()
    if form.validate_on_submit():
        if _email_taken(form.email.data or "", except_id=user.id):
            form.email.errors = ["A user with this email address already exists"]
        elif user.id == current_user.id and (
            not form.active.data or form.role.data != Role.ADMINISTRATOR.value
        ):
            form.active.errors = [
                "You cannot deactivate your own account or remove your own administrator role"
            ]
        else:
            was = trail.snapshot(user, *USER_FIELDS, "password_hash")
            access_before = (user.role, user.active, user.password_hash)
            _save_user(form, user)
            user.active = bool(form.active.data)
            now = trail.snapshot(user, *USER_FIELDS, "password_hash")
            before, after = trail.changes(was, now)
            trail.record(
                "user.updated",
                user,
                summary=f"Changed {user.name}"
                + ("; a new password was set" if "password_hash" in after else ""),
                before=before,
                after=after,
            )
            reason = _sessions_end_reason(access_before, user)
            if reason:
                end_sessions(user.id, reason)
            db.session.commit()
            flash(f"Changes to {user.name} have been saved.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.errors or (request.method == "POST") else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/users/<int:user_id>/setup-link", methods=["POST"])
@requires(Permission.ADMINISTER)
def send_setup_link(user_id: int) -> Response:
    """Email the user a one-time link to set their password (no password is typed here)."""
    from core.accounts.emails import send_setup_link as send

    user = db.get_or_404(User, user_id)
    if not local_passwords():
        flash(
            f"Passwords are not used, so no link was sent. {user.name} signs in with their "
            "council account.",
            "error",
        )
    elif not user.active:
        flash(f"{user.name}'s account is not active, so no link was sent.", "error")
    elif send(user):
        flash(f"A link to set a password has been emailed to {user.email}.", "success")
    else:
        flash("The email could not be sent. Check the mail settings and try again.", "error")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _sessions_end_reason(before: tuple[Role, bool, str], user: User) -> str | None:
    """Why the user's sessions must end after this edit: a leaver, or access that changed."""
    role, active, password_hash = before
    if active and not user.active:
        return "deactivated"
    if role is not user.role:
        return "role changed"
    if password_hash != user.password_hash:
        return "password changed"
    return None


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@requires(Permission.ADMINISTER)
def end_user_sessions(user_id: int) -> Any:
    """Sign a user out on every device at once (a lost laptop, a suspected misuse)."""
    user = db.get_or_404(User, user_id)
    count = end_sessions(user.id, "ended by an administrator")
    db.session.commit()
    noun = "session" if count == 1 else "sessions"
    flash(f"{user.name} has been signed out everywhere ({count} {noun} ended).", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# -- services and teams -----------------------------------------------------


@bp.route("/services")
@requires(Permission.ADMINISTER)
def services() -> str:
    directorates = db.session.scalars(
        select(Directorate)
        .order_by(Directorate.name)
        # Every service and its teams are listed: loaded with the page, not one by one.
        .options(selectinload(Directorate.services).selectinload(Service.teams))
    ).all()
    return render_template("admin/services.html", directorates=directorates)


def _directorate_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a directorate")] + [
        SelectChoice(str(d.id), d.name)
        for d in db.session.scalars(select(Directorate).order_by(Directorate.name))
    ]


def _service_name_taken(name: str, except_id: int | None = None) -> bool:
    statement = select(Service.id).where(func.lower(Service.name) == name.lower())
    if except_id is not None:
        statement = statement.where(Service.id != except_id)
    return db.session.scalar(statement) is not None


def _service_data(service: Service | None) -> dict[str, Any] | None:
    """A service's values for its form (ids, not objects: see edit_user)."""
    if service is None:
        return None
    return {"name": service.name, "directorate": service.directorate_id, "active": service.active}


@bp.route("/services/new", methods=["GET", "POST"])
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_service(service_id: int | None = None) -> Any:
    service = db.session.get(Service, service_id) if service_id else None
    if service_id and service is None:
        abort(404)
    form = ServiceForm(data=_service_data(service))
    form.directorate.choices = _directorate_choices()
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        if _service_name_taken(name, service.id if service else None):
            form.name.errors = ["A service with this name already exists"]
        else:
            created = service is None
            if service is None:
                service = Service()
                db.session.add(service)
            was = {} if created else trail.snapshot(service, *SERVICE_FIELDS)
            service.name = name
            service.directorate_id = form.directorate.data  # type: ignore[assignment]
            service.active = bool(form.active.data)
            before, after = trail.changes(was, trail.snapshot(service, *SERVICE_FIELDS))
            trail.record(
                "service.created" if created else "service.updated",
                service,
                summary=f"{'Added' if created else 'Changed'} service {service.name}",
                before=before or None,
                after=after,
            )
            db.session.commit()
            flash(f"{service.name} has been saved.", "success")
            return redirect(url_for("admin.services"))
    teams = service.teams if service else []
    # ?team=<id> opens that team's details for changing, below the service's.
    editing_team = next((t for t in teams if t.id == request.args.get("team", type=int)), None)
    team_data = {"name": editing_team.name, "active": editing_team.active} if editing_team else None
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/service_form.html",
        form=form,
        service=service,
        teams=teams,
        team_form=TeamForm(formdata=None, prefix="team", data=team_data),
        editing_team=editing_team,
    ), status


@bp.route("/services/<int:service_id>/teams", methods=["POST"])
@bp.route("/services/<int:service_id>/teams/<int:team_id>", methods=["POST"])
@requires(Permission.ADMINISTER)
def save_team(service_id: int, team_id: int | None = None) -> Any:
    service = db.session.get(Service, service_id)
    team = db.session.get(Team, team_id) if team_id else None
    if service is None or (team_id and (team is None or team.service_id != service.id)):
        abort(404)
    form = TeamForm(prefix="team")
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        clash = db.session.scalar(
            select(Team.id).where(
                Team.service_id == service.id,
                func.lower(Team.name) == name.lower(),
                Team.id != (team.id if team else -1),
            )
        )
        if clash:
            form.name.errors = [f"{service.name} already has a team with this name"]
        else:
            created = team is None
            if team is None:
                team = Team(service_id=service.id)
                db.session.add(team)
            was = {} if created else trail.snapshot(team, *TEAM_FIELDS)
            team.name = name
            team.active = bool(form.active.data)
            before, after = trail.changes(was, trail.snapshot(team, *TEAM_FIELDS))
            trail.record(
                "team.created" if created else "team.updated",
                team,
                summary=f"{'Added' if created else 'Changed'} team {team.name} in {service.name}",
                before=before or None,
                after=after,
            )
            db.session.commit()
            flash(f"{team.name} has been saved.", "success")
            return redirect(url_for("admin.edit_service", service_id=service.id))
    service_form = ServiceForm(formdata=None, data=_service_data(service))
    service_form.directorate.choices = _directorate_choices()
    return render_template(
        "admin/service_form.html",
        form=service_form,
        service=service,
        teams=service.teams,
        team_form=form,
        editing_team=team,
    ), 400


# -- tool switches ----------------------------------------------------------


@bp.route("/tools")
@requires(Permission.ADMINISTER)
def tools() -> str:
    registry = get_registry()
    services = db.session.scalars(select(Service).order_by(Service.name)).all()
    switches = {(s.service_id, s.tool): s for s in registry.switches()}
    return render_template(
        "admin/tools.html",
        services=services,
        tools=registry.all(),
        switches=switches,
        errors={},
    )


@bp.route("/tools/<int:service_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def service_tools(service_id: int) -> Any:
    """Switch tools on and off for one service, and set their settings there.

    A POST changes only the tools it names, so a script can switch one tool and leave
    the others alone. The page sends a hidden ``present-<slug>`` for each tool it shows:
    for those an unticked checkbox means off, as a person expects. Without it, a tool is
    changed only by the fields sent for it (``tool-<slug>=on`` or ``off``, and
    ``setting-<slug>-<key>``); a setting not sent keeps its value.
    """
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    registry = get_registry()
    tools = registry.for_directorate(service.directorate.code)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for tool in tools:
        values[f"tool-{tool.slug}"] = registry.is_enabled(tool.slug, service.id)
        for key, value in registry.settings(tool.slug, service.id).items():
            values[f"setting-{tool.slug}-{key}"] = value
    if request.method == "POST":
        form = request.form
        parsed: dict[str, tuple[bool, dict[str, Any]]] = {}
        for tool in tools:
            specs = registry.setting_specs(tool.slug)
            shown = f"present-{tool.slug}" in form
            switch_field = f"tool-{tool.slug}"
            setting_fields = {spec.key: f"setting-{tool.slug}-{spec.key}" for spec in specs}
            named = shown or switch_field in form
            if not named and not any(name in form for name in setting_fields.values()):
                continue  # not named in this POST: left as it is
            stored = registry.settings(tool.slug, service.id)
            # Without a switch field, the switch stays as it is (pre-filled in values).
            enabled = form.get(switch_field) == "on" if named else values[switch_field]
            values[switch_field] = enabled
            settings: dict[str, Any] = {}
            for spec in specs:
                name = setting_fields[spec.key]
                if name not in form and not (shown and spec.kind == "bool"):
                    settings[spec.key] = stored[spec.key]
                    continue
                raw = form.get(name, "")
                values[name] = raw
                if spec.kind == "bool":
                    settings[spec.key] = raw == "on"
                    values[name] = raw == "on"
                else:
                    text = raw.strip()
                    if not text and not enabled:
                        # A switched-off tool keeps its setting; nothing to check.
                        settings[spec.key] = stored[spec.key]
                    elif (number := whole_number(text)) is None:
                        errors[name] = f"{spec.label} must be a whole number, like 3"
                    elif spec.minimum is not None and number < spec.minimum:
                        errors[name] = f"{spec.label} must be {spec.minimum} or more"
                    else:
                        settings[spec.key] = number
            parsed[tool.slug] = (enabled, settings)
        if not errors:
            was = {
                slug: {"on": registry.is_enabled(slug, service.id)}
                | registry.settings(slug, service.id)
                for slug in parsed
            }
            now = {slug: {"on": on} | settings for slug, (on, settings) in parsed.items()}
            for slug, (enabled, settings) in parsed.items():
                registry.set_switch(slug, service.id, enabled, settings, current_user.id)
            before, after = trail.changes(was, now)
            if after:
                trail.record(
                    "tools.updated",
                    service,
                    summary=f"Changed audit tools for {service.name}: {', '.join(after)}",
                    before=before,
                    after=after,
                )
            db.session.commit()
            flash(
                f"Audit tools for {service.name} have been saved. The change applies "
                "straight away.",
                "success",
            )
            return redirect(url_for("admin.tools"))
    return render_template(
        "admin/service_tools.html",
        service=service,
        tools=tools,
        specs={tool.slug: registry.setting_specs(tool.slug) for tool in tools},
        values=values,
        errors=errors,
    ), (400 if errors else 200)


# -- the council's grade scale ------------------------------------------------------


@bp.route("/grades", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def grades() -> Any:
    """Choose the grade scale every audit tool grades on, its order and the council's words.

    Audits already submitted keep the grade they were given (and show it in the
    council's words); drafts and new audits are offered the new scale at once.
    """
    values = grading.form_values()
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors, choice = grading.read_form(request.form)
        if choice is not None:
            scale, labels, best_first = choice
            grading.save_choice(scale, labels, best_first, current_user)
            db.session.commit()
            flash(
                "The grade scale has been saved. Audits from now on are graded on it; "
                "audits already submitted keep the grade they were given.",
                "success",
            )
            return redirect(url_for("admin.grades"))
    page = render_template(
        "admin/grades.html",
        values=values,
        errors=errors,
        scales=SCALES.values(),
        each_tool=grading.EACH_TOOL,
        grades=list(Grade),
        in_use=grading.grades_in_use(),
        tools=get_registry().all(),
        max_label=grading.MAX_LABEL,
    )
    return (page, 400) if errors else page


# -- case categories ----------------------------------------------------------

#: The stable codes audit tools key on; a council's category may be treated as one.
WELL_KNOWN = frozenset(c.value for c in CaseCategory)


@bp.route("/categories")
@requires(Permission.ADMINISTER)
def categories() -> str:
    """Each directorate's case categories, with how many case files have each."""
    directorates = db.session.scalars(select(Directorate).order_by(Directorate.name)).all()
    by_directorate: dict[int, list[Category]] = {d.id: [] for d in directorates}
    for category in db.session.scalars(select(Category).order_by(Category.label)):
        by_directorate.setdefault(category.directorate_id, []).append(category)
    cases = dict(
        db.session.execute(select(Case.category, func.count(Case.id)).group_by(Case.category)).all()
    )
    labels = {c.code: c.label for rows in by_directorate.values() for c in rows}
    return render_template(
        "admin/categories.html",
        directorates=directorates,
        by_directorate=by_directorate,
        cases=cases,
        labels=labels,
        well_known=WELL_KNOWN,
    )


def _treat_as_choices(directorate: Directorate) -> list[SelectChoice]:
    """None, or one of the well-known categories of the same directorate (by today's label)."""
    labels = dict(
        db.session.execute(
            select(Category.code, Category.label).where(Category.code.in_(WELL_KNOWN))
        ).all()
    )
    return [SelectChoice("", "None: a category of its own")] + [
        SelectChoice(member.value, labels.get(member.value, member.label))
        for member in CaseCategory.for_directorate(directorate.code)
    ]


def _new_code(form: CategoryForm) -> str | None:
    """The new category's code, typed or made from the name; None with the reason on the form."""
    typed = (form.code.data or "").strip()
    label = (form.label.data or "").strip()
    if form.code.errors or not (typed or label):
        return None  # already explained: the code's format, or the missing name
    code = typed or code_from_label(label)
    if not code:
        reason = "Enter a code, like early_help: the name has no letters to make one"
    elif db.session.scalar(select(Category.id).where(Category.code == code)) is not None:
        reason = f"A category with the code {code} already exists: enter another code"
    elif code in WELL_KNOWN:
        reason = f"{code} is one of careaudit’s own codes: enter another code"
    else:
        return code
    form.code.errors = [*form.code.errors, reason]
    return None


def _check_label(form: CategoryForm, directorate: Directorate, except_id: int | None) -> bool:
    """False, with the reason on the form, when the directorate has a category of that name.

    Names are unique within a directorate because the case import accepts a
    category by its name as well as its code.
    """
    label = (form.label.data or "").strip()
    if not label:
        return False
    statement = select(Category.id).where(
        Category.directorate_id == directorate.id, func.lower(Category.label) == label.lower()
    )
    if except_id is not None:
        statement = statement.where(Category.id != except_id)
    if db.session.scalar(statement) is None:
        return True
    form.label.errors = [
        *form.label.errors,
        f"{directorate.name} already has a category called {label}",
    ]
    return False


def _save_category(form: CategoryForm, category: Category) -> None:
    category.label = (form.label.data or "").strip()
    if "treat_as" in form:
        category.treat_as = form.treat_as.data or None
    category.risk_weight = parse_risk_weight(form.risk_weight.data or "")
    category.active = bool(form.active.data)


@bp.route("/categories/new/<int:directorate_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def new_category(directorate_id: int) -> Any:
    directorate = db.session.get(Directorate, directorate_id)
    if directorate is None:
        abort(404)
    form = CategoryForm(data={"risk_weight": "1", "treat_as": "", "active": True})
    form.treat_as.choices = _treat_as_choices(directorate)
    if request.method == "POST":
        # Every check runs, so the error summary lists every problem at once.
        valid = form.validate_on_submit()
        name_free = _check_label(form, directorate, except_id=None)
        code = _new_code(form)
        if valid and name_free and code is not None:
            category = Category(directorate_id=directorate.id, code=code)
            _save_category(form, category)
            db.session.add(category)
            trail.record(
                "category.created",
                category,
                summary=f"Added case category {category.label} ({category.code})",
                after=trail.snapshot(category, "code", *CATEGORY_FIELDS),
            )
            db.session.commit()
            flash(f"{category.label} has been added, with the code {category.code}.", "success")
            return redirect(url_for("admin.categories"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/category_form.html", form=form, directorate=directorate, category=None
    ), status


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit_category(category_id: int) -> Any:
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    form = CategoryForm(
        data={
            "label": category.label,
            "treat_as": category.treat_as or "",
            "risk_weight": f"{category.risk_weight:g}",
            "active": category.active,
        }
    )
    del form.code  # fixed once created: imports and tools refer to it
    if category.code in WELL_KNOWN:
        # A well-known category *is* what the tools key on; it is treated as nothing else.
        del form.treat_as
    else:
        form.treat_as.choices = _treat_as_choices(category.directorate)
    if request.method == "POST":
        valid = form.validate_on_submit()
        if _check_label(form, category.directorate, except_id=category.id) and valid:
            was = trail.snapshot(category, *CATEGORY_FIELDS)
            _save_category(form, category)
            before, after = trail.changes(was, trail.snapshot(category, *CATEGORY_FIELDS))
            trail.record(
                "category.updated",
                category,
                summary=f"Changed case category {category.label} ({category.code})",
                before=before,
                after=after,
            )
            db.session.commit()
            flash(f"Changes to {category.label} have been saved.", "success")
            return redirect(url_for("admin.categories"))
    in_use = db.session.scalar(select(func.count(Case.id)).where(Case.category == category.code))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/category_form.html",
        form=form,
        directorate=category.directorate,
        category=category,
        in_use=in_use,
    ), status
