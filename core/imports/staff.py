"""``careaudit import staff``: staff from an HR or case system extract (CSV or XLSX).

Columns, matched by heading in any case:

* ``Email`` (required): who the row is; matched to careaudit's staff
  case-insensitively and stored lower-cased.
* ``Name`` (required).
* ``Role`` (required): a careaudit role's value (``social_worker``) or label
  ("Social worker", "Independent reviewer (IRO / QA officer)"), or a common
  short form: see ``ROLE_ALIASES``.
* ``Team``: required for team managers, deputy team managers and social workers.
* ``Service``: required for service managers; narrows a team name two services
  share; the service of a team created with ``create_teams``.
* ``Active``: yes or no; blank is yes.
* ``Staff ID`` (optional): the council's staff number, which case lists may use
  to name the allocated worker. Blank keeps the number careaudit holds.

New staff get no usable password (``NO_PASSWORD``): they cannot sign in until
they set one (the sign-in journey of the security work) or sign in by SSO.
With ``full``, active staff missing from the file are deactivated, never
deleted; administrators never are, because an HR extract does not hold the
system's own administrator accounts and losing them would lock the council out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select, update

from core.extensions import db
from core.imports.files import read_table
from core.imports.plan import FileProblem, ImportFileData, ImportPlan, Progress
from core.imports.teams import NewTeamKey, TeamLookup, TeamRef, team_id
from core.imports.values import ValueProblem, parse_flag
from core.models import ImportRun, Role, User
from core.models.users import ROLE_LABELS

#: The password hash of staff created by an import. Argon2 cannot read it, so
#: ``verify_password`` refuses every password: the account exists (and can be
#: allocated cases) but nobody can sign in to it until a password is set.
NO_PASSWORD = "!no-password: set through the sign-in journey"

#: Each column and the headings accepted for it (lower-cased).
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "email address", "e-mail", "work email"),
    "name": ("name", "full name", "staff name"),
    "role": ("role", "careaudit role"),
    "team": ("team", "team name"),
    "service": ("service", "service name"),
    "active": ("active",),
    "staff_id": ("staff id", "staff number", "staff no", "employee id", "employee number"),
}
REQUIRED = ("email", "name", "role")
LABELS = {
    "email": "Email",
    "name": "Name",
    "role": "Role",
    "team": "Team",
    "service": "Service",
    "active": "Active",
    "staff_id": "Staff ID",
}

#: Short forms of roles people write in HR extracts, beyond each role's value and label.
ROLE_ALIASES: dict[str, Role] = {
    "admin": Role.ADMINISTRATOR,
    "administrator": Role.ADMINISTRATOR,
    "system admin": Role.ADMINISTRATOR,
    "senior management": Role.SENIOR_MANAGER,
    "tm": Role.TEAM_MANAGER,
    "deputy": Role.DEPUTY_TEAM_MANAGER,
    "deputy manager": Role.DEPUTY_TEAM_MANAGER,
    "assistant team manager": Role.DEPUTY_TEAM_MANAGER,
    "iro": Role.INDEPENDENT_REVIEWER,
    "independent reviewer": Role.INDEPENDENT_REVIEWER,
    "independent reviewing officer": Role.INDEPENDENT_REVIEWER,
    "qa officer": Role.INDEPENDENT_REVIEWER,
    "quality assurance officer": Role.INDEPENDENT_REVIEWER,
    "sw": Role.SOCIAL_WORKER,
    "senior social worker": Role.SOCIAL_WORKER,
    "analyst": Role.PERFORMANCE_ANALYST,
}

MAX_NAME, MAX_EMAIL, MAX_STAFF_ID = 120, 254, 40
#: How many deactivated staff the plan names for the dry run page.
LISTED = 200


def _words(text: str) -> str:
    """Lower-case words only: "Independent reviewer (IRO / QA officer)" -> "independent ..."."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


ROLES: dict[str, Role] = {
    **{_words(role.value): role for role in Role},
    **{_words(label): role for role, label in ROLE_LABELS.items()},
    **{_words(alias): role for alias, role in ROLE_ALIASES.items()},
}


def parse_role(text: str) -> Role | None:
    return ROLES.get(_words(text))


@dataclass(slots=True)
class StaffRow:
    """One valid row, ready to compare with careaudit's record."""

    row: int
    email: str
    name: str
    role: Role
    team: TeamRef | None
    service_id: int | None
    active: bool
    #: None: the file gives none, so careaudit's is kept.
    staff_id: str | None


@dataclass(slots=True)
class Existing:
    id: int
    email: str
    name: str
    role: Role
    team_id: int | None
    service_id: int | None
    active: bool
    staff_id: str | None


@dataclass
class StaffChanges:
    create: list[StaffRow] = field(default_factory=list)
    update: list[tuple[Existing, StaffRow]] = field(default_factory=list)
    deactivate: list[int] = field(default_factory=list)
    teams: TeamLookup = field(default_factory=TeamLookup)
    new_teams: set[NewTeamKey] = field(default_factory=set)


def _columns(headings: list[str]) -> dict[str, str]:
    by_lower = {h.lower(): h for h in headings}
    found = {}
    for key, names in STAFF_COLUMNS.items():
        heading = next((by_lower[n] for n in names if n in by_lower), None)
        if heading is not None:
            found[key] = heading
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise FileProblem(
            f"The file has no {', '.join(missing)} column. A staff file needs columns headed "
            "Email, Name and Role, and Team or Service where the role needs one."
        )
    return found


class StaffImporter:
    """Check a staff file into a plan; apply the plan with bulk statements."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan:
        file = files["file"]
        expected = [name for names in STAFF_COLUMNS.values() for name in names]
        table = read_table(file.content, file.filename, expected=expected)
        if not table.rows:
            raise FileProblem("The file has headings but no staff")
        columns = _columns(table.headings)
        plan = ImportPlan()
        teams = TeamLookup.load(create_teams=bool(options.get("create_teams")))
        existing = {
            r.email.lower(): r
            for r in (
                Existing(*row)
                for row in db.session.execute(
                    select(
                        User.id,
                        User.email,
                        User.name,
                        User.role,
                        User.team_id,
                        User.service_id,
                        User.active,
                        User.staff_id,
                    )
                )
            )
        }
        progress.stage("Checking the staff", total=len(table.rows))
        rows: dict[str, StaffRow] = {}
        seen_emails: dict[str, int] = {}
        seen_staff_ids: dict[str, int] = {}
        for number, cells in table.rows:
            row = self._row(plan, number, cells, columns, teams, seen_emails, seen_staff_ids)
            if row is not None:
                rows[row.email] = row
            progress.advance()
        self._check_staff_ids(plan, rows, existing, columns.get("staff_id", "Staff ID"))
        self._keep_an_administrator(plan, rows, existing, columns["role"])

        changes = StaffChanges(teams=teams)
        for email, row in rows.items():
            if row.team is not None and row.team.id is None:
                changes.new_teams.add(row.team.new_key)
            record = existing.get(email)
            if record is None:
                changes.create.append(row)
            elif _differs(record, row):
                changes.update.append((record, row))
            else:
                plan.count("unchanged")
        if options.get("full"):
            # Staff on a rejected row are in the file too: never deactivate them.
            changes.deactivate = [
                r.id
                for email, r in existing.items()
                if r.active and r.role is not Role.ADMINISTRATOR and email not in seen_emails
            ]
            leaving = set(changes.deactivate)
            plan.details["deactivated"] = sorted(
                r.email for r in existing.values() if r.id in leaving
            )[:LISTED]
        plan.count("created", len(changes.create))
        plan.count("updated", len(changes.update))
        plan.count("closed", len(changes.deactivate))
        plan.details["unknown_teams"] = teams.unknown_names()
        plan.details["created_teams"] = [
            name
            for key, name in zip(teams.new_teams, teams.created_names(), strict=True)
            if key in changes.new_teams
        ]
        plan.changes = changes
        return plan

    def _row(
        self,
        plan: ImportPlan,
        number: int,
        cells: dict[str, str],
        columns: dict[str, str],
        teams: TeamLookup,
        seen_emails: dict[str, int],
        seen_staff_ids: dict[str, int],
    ) -> StaffRow | None:
        problems = len(plan.problems)

        def cell(key: str) -> str:
            return cells.get(columns[key], "").strip() if key in columns else ""

        def column(key: str) -> str:
            return columns.get(key, LABELS[key])

        email_text = cell("email")
        email = email_text.lower()
        if not email_text:
            plan.problem(number, column("email"), "The email address is missing")
        elif len(email_text) > MAX_EMAIL:
            plan.problem(number, column("email"), "The email address is too long")
        else:
            try:
                validate_email(email_text, check_deliverability=False)
            except EmailNotValidError:
                plan.problem(
                    number,
                    column("email"),
                    f"“{email_text}” is not an email address in the correct format, "
                    "like name@example.com",
                )
        if email:
            if email in seen_emails:
                plan.problem(
                    number, column("email"), f"{email_text} is also on row {seen_emails[email]}"
                )
            else:
                seen_emails[email] = number

        name = " ".join(cell("name").split())
        if not name:
            plan.problem(number, column("name"), "The name is missing")
        elif len(name) > MAX_NAME:
            plan.problem(number, column("name"), f"The name is longer than {MAX_NAME} characters")

        role_text = cell("role")
        role = parse_role(role_text) if role_text else None
        if not role_text:
            plan.problem(number, column("role"), "The role is missing")
        elif role is None:
            plan.problem(
                number,
                column("role"),
                f"“{role_text}” is not a careaudit role. Use one of: "
                + ", ".join(ROLE_LABELS[r] for r in Role),
            )

        team: TeamRef | None = None
        service_id: int | None = None
        if role is not None and role.needs_team:
            team, reason = teams.find(cell("team"), cell("service"))
            if team is None:
                if not cell("team"):
                    reason = f"A {ROLE_LABELS[role].lower()} needs a team"
                plan.problem(number, column("team"), reason)
        elif role is not None and role.needs_service:
            service = teams.service(cell("service")) if cell("service") else None
            if not cell("service"):
                plan.problem(number, column("service"), "A service manager needs a service")
            elif service is None:
                plan.problem(
                    number, column("service"), f"Service “{cell('service')}” is not in careaudit"
                )
            else:
                service_id = service.id

        try:
            active = parse_flag(cell("active"), "Active", default=True)
        except ValueProblem as problem:
            plan.problem(number, column("active"), str(problem))
            active = True

        staff_id = cell("staff_id") or None
        if staff_id is not None:
            if len(staff_id) > MAX_STAFF_ID:
                plan.problem(
                    number,
                    column("staff_id"),
                    f"The staff ID is longer than {MAX_STAFF_ID} characters",
                )
            elif staff_id.lower() in seen_staff_ids:
                plan.problem(
                    number,
                    column("staff_id"),
                    f"Staff ID {staff_id} is also on row {seen_staff_ids[staff_id.lower()]}",
                )
            else:
                seen_staff_ids[staff_id.lower()] = number

        if len(plan.problems) > problems or role is None:
            return None
        return StaffRow(number, email, name, role, team, service_id, active, staff_id)

    def _check_staff_ids(
        self,
        plan: ImportPlan,
        rows: dict[str, StaffRow],
        existing: dict[str, Existing],
        column: str,
    ) -> None:
        """A staff ID careaudit gives someone else stays theirs unless the file moves it."""
        holders = {r.staff_id.lower(): r for r in existing.values() if r.staff_id}
        for email, row in list(rows.items()):
            if row.staff_id is None:
                continue
            holder = holders.get(row.staff_id.lower())
            if holder is None or holder.email.lower() == email:
                continue
            moved = rows.get(holder.email.lower())
            if (
                moved is not None
                and moved.staff_id
                and moved.staff_id.lower() != row.staff_id.lower()
            ):
                continue
            plan.problem(
                row.row,
                column,
                f"Staff ID {row.staff_id} belongs to {holder.name} ({holder.email}) in careaudit",
            )
            del rows[email]

    def _keep_an_administrator(
        self,
        plan: ImportPlan,
        rows: dict[str, StaffRow],
        existing: dict[str, Existing],
        column: str,
    ) -> None:
        """Refuse rows that would leave careaudit with no active administrator.

        HR extracts know people's jobs, not who administers careaudit: a file
        calling the only administrator a social worker must not lock the
        council out of its own system.
        """
        admins = {e for e, r in existing.items() if r.active and r.role is Role.ADMINISTRATOR}
        if not admins:
            return  # a fresh install: the file may create the first ones
        after = {e for e in admins if e not in rows} | {
            e for e, r in rows.items() if r.active and r.role is Role.ADMINISTRATOR
        }
        if after:
            return
        for email in sorted(admins & set(rows)):
            row = rows.pop(email)
            plan.problem(
                row.row,
                column,
                f"{row.email} is careaudit's last active administrator, so the file cannot "
                f"make them {'inactive' if not row.active else 'a ' + row.role.label.lower()}. "
                "Make someone else an administrator first, under Administration",
            )

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None:
        changes: StaffChanges = plan.changes
        created = changes.teams.create(only=changes.new_teams)

        def place(row: StaffRow) -> dict[str, Any]:
            return {
                "team_id": team_id(row.team, created) if row.team is not None else None,
                "service_id": row.service_id,
            }

        # Free the staff IDs that move first: the unique constraint is checked per row.
        moving = [
            {"id": record.id, "staff_id": None}
            for record, row in changes.update
            if row.staff_id is not None and row.staff_id != record.staff_id and record.staff_id
        ]
        if moving:
            db.session.execute(update(User), moving)
        if changes.update:
            db.session.execute(
                update(User),
                [
                    {
                        "id": record.id,
                        "name": row.name,
                        "role": row.role,
                        "active": row.active,
                        "staff_id": row.staff_id if row.staff_id is not None else record.staff_id,
                        **place(row),
                    }
                    for record, row in changes.update
                ],
            )
        if changes.create:
            db.session.execute(
                insert(User),
                [
                    {
                        "email": row.email,
                        "name": row.name,
                        "role": row.role,
                        "active": row.active,
                        "staff_id": row.staff_id,
                        "password_hash": NO_PASSWORD,
                        **place(row),
                    }
                    for row in changes.create
                ],
            )
        for start in range(0, len(changes.deactivate), 10_000):
            chunk = changes.deactivate[start : start + 10_000]
            db.session.execute(update(User).where(User.id.in_(chunk)).values(active=False))
        # Leavers and changed roles are signed out at once, on every server.
        from core.sessions import end_sessions

        for record, row in changes.update:
            if record.active and not row.active:
                end_sessions(record.id, "deactivated by the staff import")
            elif record.role is not row.role:
                end_sessions(record.id, "role changed by the staff import")
        for user_id in changes.deactivate:
            end_sessions(user_id, "deactivated by the staff import")
        progress.advance(len(changes.create) + len(changes.update) + len(changes.deactivate))


def _differs(record: Existing, row: StaffRow) -> bool:
    """Whether the file changes anything careaudit holds about this member of staff."""
    team = row.team.id if row.team is not None else None
    return (
        record.name != row.name
        or record.role is not row.role
        or (row.team is not None and team is None)  # a team the import creates
        or record.team_id != team
        or record.service_id != row.service_id
        or record.active != row.active
        or (row.staff_id is not None and row.staff_id != record.staff_id)
    )
