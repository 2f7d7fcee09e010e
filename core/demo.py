"""The demo borough: a fictional council with synthetic staff, cases and audits.

Nothing here is real. Case references are invented, initials random, staff
names made up, and every email address is on the reserved ``.example`` domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, insert, select, update

from core.audits.workflow import record_outcome
from core.cases.categories import ensure_defaults
from core.extensions import db
from core.imports.plan import ImportFileData
from core.imports.runner import run_import
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
    Allocation,
    AllocationStatus,
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Case,
    CaseCategory,
    ColumnMapping,
    Directorate,
    ImportKind,
    ImportStatus,
    Role,
    Service,
    Team,
    User,
)
from core.passwords import hash_password
from core.programme import periods
from core.programme.allocation import allocate
from core.programme.rules import default_rules
from core.tools.info import Subject, ToolInfo
from core.tools.registry import get_registry

DEMO_PASSWORD = "demo-only-password"
DOMAIN = "northwick.example"
MONTHS_OF_AUDITS = 12
#: The first months of the year were audited by hand; the programme allocates since.
HAND_PICKED_MONTHS = 6
PROGRAMME_SEED = 4460
#: The name the demo council saved its case list's column mapping under.
CASE_LIST_MAPPING = "Northwick case list"

#: directorate code -> (name, {service: ([teams], [(category, weight)])})
ORGANISATION: dict[str, tuple[str, dict[str, tuple[list[str], list[tuple[CaseCategory, int]]]]]] = {
    "children": (
        "Children’s social care",
        {
            "Referral and Assessment": (
                ["Referral and Assessment Team 1", "Referral and Assessment Team 2"],
                [(CaseCategory.CHILD_IN_NEED, 6), (CaseCategory.CHILD_PROTECTION, 4)],
            ),
            "Children in Need": (
                ["Children in Need North", "Children in Need South"],
                [(CaseCategory.CHILD_IN_NEED, 5), (CaseCategory.CHILD_PROTECTION, 5)],
            ),
            "Children in Care": (
                ["Children in Care Team A", "Children in Care Team B"],
                [(CaseCategory.LOOKED_AFTER, 1)],
            ),
            "Children with Disabilities": (
                ["Children with Disabilities Team"],
                [(CaseCategory.CHILDREN_WITH_DISABILITIES, 4), (CaseCategory.LOOKED_AFTER, 1)],
            ),
            "Sixteen Plus": (["Sixteen Plus Team"], [(CaseCategory.CARE_LEAVER, 1)]),
            "Asylum": (
                ["Asylum Team"],
                [(CaseCategory.UNACCOMPANIED_ASYLUM_SEEKING, 3), (CaseCategory.LOOKED_AFTER, 1)],
            ),
            "Social Work Practice pilot": (
                ["Social Work Practice"],
                [(CaseCategory.LOOKED_AFTER, 1)],
            ),
            "Targeted Youth Support": (
                ["Targeted Youth Support Team"],
                [(CaseCategory.CHILD_IN_NEED, 1)],
            ),
        },
    ),
    "adults": (
        "Adults’ social care",
        {
            "Older People’s Social Work": (
                ["Older People North", "Older People South"],
                [
                    (CaseCategory.ADULT_CARE_AND_SUPPORT, 6),
                    (CaseCategory.ADULT_SAFEGUARDING, 2),
                    (CaseCategory.ADULT_CARER, 2),
                ],
            ),
            "Mental Health Social Work": (
                ["Community Mental Health Team"],
                [(CaseCategory.ADULT_MENTAL_HEALTH, 4), (CaseCategory.ADULT_SAFEGUARDING, 1)],
            ),
            "Learning Disability Social Work": (
                ["Learning Disability Team"],
                [(CaseCategory.ADULT_LEARNING_DISABILITY, 4), (CaseCategory.ADULT_SAFEGUARDING, 1)],
            ),
        },
    ),
}

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Eilidh",
    "Femi",
    "Grace",
    "Hamza",
    "Isla",
    "Jonah",
    "Kiran",
    "Leah",
    "Marek",
    "Nadia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Victor",
    "Wren",
    "Yusuf",
    "Zara",
    "Aled",
    "Bea",
    "Callum",
    "Dana",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Idris",
    "Jade",
    "Kofi",
    "Lena",
    "Milo",
    "Noor",
    "Olu",
]
SURNAMES = [
    "Adeyemi",
    "Baxter",
    "Chowdhury",
    "Doyle",
    "Evans",
    "Fraser",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Nolan",
    "Okafor",
    "Patel",
    "Quigley",
    "Reid",
    "Shah",
    "Thomas",
    "Usman",
    "Vaughan",
    "Walsh",
    "Young",
    "Zielinski",
]

#: The sign-ins printed for the demo: one per role.
DEMO_SIGN_INS = (
    (Role.TEAM_MANAGER, "team.manager", "Children in Need North"),
    (Role.DEPUTY_TEAM_MANAGER, "deputy.manager", "Children in Need North"),
    (Role.SOCIAL_WORKER, "social.worker", "Children in Need North"),
    (Role.SERVICE_MANAGER, "service.manager", "Children in Need"),
    (Role.INDEPENDENT_REVIEWER, "iro", None),
    (Role.SENIOR_MANAGER, "senior.manager", None),
    (Role.PERFORMANCE_ANALYST, "analyst", None),
    (Role.ADMINISTRATOR, "admin", None),
)


@dataclass
class _Names:
    rng: random.Random
    used: set[str]

    def next(self) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            email = f"{first}.{last}@{DOMAIN}".lower()
            if email not in self.used:
                self.used.add(email)
                return f"{first} {last}", email


def is_demo_database() -> bool:
    return db.session.scalar(select(User.id).where(User.email == f"admin@{DOMAIN}")) is not None


def delete_everything() -> None:
    """Delete every row of every table (the schema stays), the audit trail too."""
    from core.trail.chain import allow_deletes

    allow_deletes(db.session.connection())  # PostgreSQL's trigger lets prune, and this, delete
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def sign_in_table() -> str:
    lines = ["", f"Demo sign-ins (password for all: {DEMO_PASSWORD} — for the demo only):"]
    for role, local, _ in DEMO_SIGN_INS:
        lines.append(f"  {role.label:<42} {local}@{DOMAIN}")
    lines.append(
        "The administrator sets up two-step verification at first sign-in: have an "
        "authenticator app ready (e.g. Microsoft or Google Authenticator)."
    )
    return "\n".join(lines)


def _month_starts(today: date, months: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        starts.append(date(year, month, 1))
    return list(reversed(starts))


def _import(kind: ImportKind, filename: str, content: bytes, options: dict[str, object]) -> None:
    """Import one synthetic extract as a council would; the demo stops if it is refused."""
    _import_files(kind, [ImportFileData("file", filename, content)], options)


def _import_files(
    kind: ImportKind, files: list[ImportFileData], options: dict[str, object]
) -> None:
    run = run_import(kind, files, options, started_by="careaudit demo")
    if run.status is not ImportStatus.IMPORTED:
        problems = "; ".join(
            f"{p['row']} {p['column']}: {p['reason']}" for p in (run.problems or [])[:5]
        )
        raise RuntimeError(f"The demo's {kind.label} import failed: {run.error or problems}")


def _import_returns(rng: random.Random, today: date, cases: list[CaseRow]) -> None:
    """The CIN census and SSDA903 extracts for the children's cases, imported.

    Each child has one to three referrals over the last three years, some within
    a year of the one before (re-referrals); children on a plan have an open
    child protection plan; looked-after children an open episode of care. Some
    children referred in the census never had a case file here.
    """
    children: list[CensusChild] = []
    births: dict[str, date] = {}
    episodes: list[CareEpisode] = []
    for row in cases:
        if not row.reference.startswith("C"):
            continue
        born = today - timedelta(days=rng.randint(200, 17 * 365))
        latest = max(row.opened_on or today, born + timedelta(days=30))
        dates = [latest]
        for _ in range(rng.choices([0, 1, 2], [55, 30, 15])[0]):
            earlier = dates[-1] - timedelta(days=rng.choice([20, 45, 90, 150, 240, 330, 500]))
            if earlier > born:
                dates.append(earlier)
        referrals = []
        for index, referred in enumerate(sorted(dates)):
            last = index == len(dates) - 1
            closed = row.closed_on if last else referred + timedelta(days=rng.randint(10, 60))
            referral = CensusReferral(
                referral_date=referred,
                source=rng.choice(["1A", "1B", "2A", "3A", "5A", "5D", "6"]),
                need=rng.choice(["N1", "N1", "N2", "N4", "N5", "N8"]),
                closure_date=closed,
                closure_reason=("RC8" if not last else "RC1") if closed else None,
                section47=1 if row.category == CaseCategory.CHILD_PROTECTION and last else 0,
            )
            if last and row.category == CaseCategory.CHILD_PROTECTION:
                start = referred + timedelta(days=rng.randint(10, 30))
                end = None if row.is_open else row.closed_on
                referral.plans.append((min(start, end or start), end))
            referrals.append(referral)
        children.append(CensusChild(row.reference, born, referrals))
        if row.category == CaseCategory.LOOKED_AFTER and row.is_open:
            births[row.reference] = born
            episodes.append(CareEpisode(row.reference, row.opened_on or today))
    for number in range(120):  # referred, assessed, closed: never a case file here
        referred = today - timedelta(days=rng.randint(20, 900))
        children.append(
            CensusChild(
                f"C{rng.randint(100000, 999999)}-R{number:03d}",
                referred - timedelta(days=rng.randint(200, 15 * 365)),
                [
                    CensusReferral(
                        referred,
                        closure_date=referred + timedelta(days=rng.randint(5, 40)),
                        closure_reason="RC8",
                    )
                ],
            )
        )
    _import(ImportKind.CIN_CENSUS, "northwick-cin-census.xml", census_xml(today, children), {})
    header, body = ssda903_csvs(births, episodes)
    _import_files(
        ImportKind.SSDA903,
        [
            ImportFileData("header", "northwick-903-header.csv", header),
            ImportFileData("episodes", "northwick-903-episodes.csv", body),
        ],
        {},
    )


def load(seed: int = 2011, today: date | None = None) -> str:
    """Build the demo borough. Returns a one-paragraph summary."""
    rng = random.Random(seed)
    today = today or date.today()
    registry = get_registry()
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: one demo password
    names = _Names(rng, set())
    staff_rows: list[StaffRow] = []

    def person(
        role: Role,
        team: Team | None = None,
        service: Service | None = None,
        local: str | None = None,
    ) -> str:
        """A member of staff for the HR extract; returns their email."""
        name, email = names.next()
        if local:
            email = f"{local}@{DOMAIN}"
        staff_rows.append(
            StaffRow(
                staff_id=f"NW{len(staff_rows) + 1:05d}",
                email=email,
                name=name,
                role=role.label,
                team=team.name if team else "",
                service=(team.service.name if team else service.name if service else ""),
            )
        )
        return email

    fixed = {(role, team): local for role, local, team in DEMO_SIGN_INS}
    teams_by_name: dict[str, Team] = {}
    workers_by_team: dict[int, list[str]] = {}
    case_weights: dict[int, list[tuple[CaseCategory, int]]] = {}
    manager_emails: list[str] = []

    # The organisation, as an administrator sets it up on the Services pages.
    directorates = ensure_defaults()
    for code, (_directorate_name, services) in ORGANISATION.items():
        directorate = directorates[code]
        for service_name, (team_names, weights) in services.items():
            service = Service(name=service_name, directorate=directorate)
            db.session.add(service)
            person(
                Role.SERVICE_MANAGER,
                service=service,
                local=fixed.get((Role.SERVICE_MANAGER, service_name)),
            )
            for team_name in team_names:
                team = Team(name=team_name, service=service)
                db.session.add(team)
                db.session.flush()
                teams_by_name[team_name] = team
                case_weights[team.id] = weights
                manager_emails.append(
                    person(Role.TEAM_MANAGER, team, local=fixed.get((Role.TEAM_MANAGER, team_name)))
                )
                if team_name in {
                    "Children in Need North",
                    "Children in Care Team A",
                    "Referral and Assessment Team 1",
                }:
                    manager_emails.append(
                        person(
                            Role.DEPUTY_TEAM_MANAGER,
                            team,
                            local=fixed.get((Role.DEPUTY_TEAM_MANAGER, team_name)),
                        )
                    )
                big = service_name in {
                    "Referral and Assessment",
                    "Children in Need",
                    "Children in Care",
                    "Older People’s Social Work",
                }
                workers_by_team[team.id] = [
                    person(
                        Role.SOCIAL_WORKER,
                        team,
                        local=fixed.get((Role.SOCIAL_WORKER, team_name)) if i == 0 else None,
                    )
                    for i in range(2 if big else 1)
                ]
    reviewer_emails = [
        person(Role.INDEPENDENT_REVIEWER, local="iro" if i == 0 else None) for i in range(4)
    ]
    senior_emails = [
        person(Role.SENIOR_MANAGER, local="senior.manager" if i == 0 else None) for i in range(2)
    ]
    person(Role.PERFORMANCE_ANALYST, local="analyst")
    person(Role.ADMINISTRATOR, local="admin")
    db.session.commit()

    # Staff arrive as a council's do: the HR extract, imported.
    _import(ImportKind.STAFF, "northwick-staff.csv", staff_csv(staff_rows), {"full": True})
    # New staff have no password until they set one; the demo gives everyone its own.
    db.session.execute(update(User).values(password_hash=password_hash))
    users = {u.email: u for u in db.session.scalars(select(User))}
    managers = [users[e] for e in manager_emails]
    reviewers = [users[e] for e in reviewer_emails]
    seniors = [users[e] for e in senior_emails]

    # Tools on where they belong, as an administrator would set them.
    for tool in registry.all():
        if not tool.default_on:
            continue
        for service in db.session.scalars(
            select(Service).join(Directorate).where(Directorate.code.in_(tool.directorates))
        ):
            registry.set_switch(tool.slug, service.id, True)
    db.session.commit()

    # About 600 cases, shared across teams, most open: the case recording system's
    # case list as an Excel report, read through the council's saved column mapping.
    teams = list(teams_by_name.values())
    case_rows: list[CaseRow] = []
    for number in range(600):
        team = teams[number % len(teams)] if number < len(teams) * 20 else rng.choice(teams)
        categories, weights = zip(*case_weights[team.id], strict=True)
        category = rng.choices(categories, weights)[0]
        prefix = "A" if category.directorate_code == "adults" else "C"
        opened = today - timedelta(days=rng.randint(30, 1500))
        is_open = rng.random() < 0.85
        case_rows.append(
            CaseRow(
                reference=f"{prefix}{rng.randint(100000, 999999)}-{number:03d}",
                initials="".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)),
                team=team.name,
                worker_email=rng.choice(workers_by_team[team.id]),
                category=category.value,
                is_open=is_open,
                opened_on=opened,
                closed_on=None if is_open else today - timedelta(days=rng.randint(1, 25)),
            )
        )
    db.session.add(
        ColumnMapping(
            name=CASE_LIST_MAPPING,
            kind=ImportKind.CASES,
            columns=CASE_LIST_COLUMNS,
            values=CASE_LIST_VALUES,
        )
    )
    db.session.commit()
    _import(
        ImportKind.CASES,
        "northwick-case-list.xlsx",
        case_list_xlsx(case_rows),
        {"mapping": CASE_LIST_MAPPING, "full": True},
    )
    # The statutory returns: referrals from the CIN census, care from the SSDA903.
    _import_returns(rng, today, case_rows)
    cases_by_team: dict[int, list[Case]] = {team.id: [] for team in teams}
    for case in db.session.scalars(select(Case).order_by(Case.reference)):
        cases_by_team[case.team_id].append(case)

    audits = 0
    answer_rows: list[dict[str, object]] = []

    def audit(
        tool_slug: str,
        case: Case | None,
        auditor: User,
        kind: AuditKind,
        day: date,
        submitted: bool = True,
        staff: User | None = None,
    ) -> Audit | None:
        nonlocal audits
        info = registry.get(tool_slug)
        assert info is not None
        service_id = case.service_id if case else staff.team.service_id  # type: ignore[union-attr]
        team_id = case.team_id if case else staff.team_id  # type: ignore[union-attr]
        answers = registry.demo_answers(tool_slug, case, rng, service_id)
        if answers is None:
            return None
        score = registry.score(tool_slug, answers, service_id)
        if score is not None and score.derived:
            answers = {**answers, **score.derived}
        moment = datetime.combine(day, time(hour=rng.randint(9, 17)))
        record = Audit(
            tool=tool_slug,
            form_version=info.version,
            case_id=case.id if case else None,
            subject_user_id=staff.id if staff else None,
            service_id=service_id,
            team_id=team_id,
            auditor_id=auditor.id,
            worker_id=case.allocated_worker_id if case else None,
            kind=kind,
            audit_date=day,
            created_at=moment - timedelta(days=rng.randint(0, 6)),
            updated_at=moment,
        )
        if submitted and score is not None:
            record.status = AuditStatus.SUBMITTED
            record.submitted_at = moment
            record_outcome(record, score)
        else:
            record.status = AuditStatus.DRAFT
            # A draft is half done: keep the first standards only.
            answers = dict(list(answers.items())[: rng.randint(3, 9)])
        db.session.add(record)
        db.session.flush()
        for key, value in answers.items():
            answer_rows.append(
                {
                    "audit_id": record.id,
                    "question": key,
                    "rating": value.rating.value if value.rating else None,
                    "value": value.value,
                    "comment": value.comment,
                }
            )
        audits += 1
        return record

    # The services' tools are switched on above and not changed below: ask once each.
    enabled: dict[int, list[ToolInfo]] = {}

    def tools_for(case: Case, subject: str = Subject.CASE) -> list[str]:
        if case.service_id not in enabled:
            enabled[case.service_id] = registry.enabled_for(case.service_id)
        return [t.slug for t in enabled[case.service_id] if t.subject == subject]

    def day_in(month_start: date) -> date:
        last = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
        return min(month_start + timedelta(days=rng.randint(0, last.day - 1)), today)

    all_cases = [c for cs in cases_by_team.values() for c in cs]
    # Before the programme: the first half of the year, audited by hand.
    for month_start in _month_starts(today, MONTHS_OF_AUDITS)[:HAND_PICKED_MONTHS]:
        # Team managers and deputies: three files a month in their own team.
        for manager in managers:
            candidates = [c for c in cases_by_team[manager.team_id] if tools_for(c)]
            for case in rng.sample(candidates, min(3, len(candidates))):
                for slug in tools_for(case)[:1]:
                    audit(slug, case, manager, AuditKind.LINE_MANAGEMENT, day_in(month_start))
        # Independent reviewers: four random files a month across services.
        auditable = [c for c in all_cases if tools_for(c)]
        for reviewer in reviewers:
            for case in rng.sample(auditable, 4):
                audit(
                    tools_for(case)[0], case, reviewer, AuditKind.INDEPENDENT, day_in(month_start)
                )
        # Senior managers: a sample every six months.
        if month_start.month in (4, 10):
            for senior in seniors:
                for case in rng.sample(auditable, 3):
                    audit(
                        tools_for(case)[0],
                        case,
                        senior,
                        AuditKind.SENIOR_SAMPLE,
                        day_in(month_start),
                    )

    # Service managers: the supervision record of one supervisee a month.
    supervisees = {
        service.id: [users[w] for t in service.teams for w in workers_by_team.get(t.id, [])]
        for service in db.session.scalars(select(Service))
    }
    service_managers = db.session.scalars(select(User).where(User.role == Role.SERVICE_MANAGER))
    for manager in service_managers:
        staff_tools = [
            t.slug
            for t in registry.enabled_for(manager.service_id or 0)
            if t.subject == Subject.STAFF
        ]
        pool = supervisees.get(manager.service_id or 0, [])
        for index, month_start in enumerate(_month_starts(today, MONTHS_OF_AUDITS)):
            if staff_tools and pool:
                audit(
                    staff_tools[0],
                    None,
                    manager,
                    AuditKind.LINE_MANAGEMENT,
                    day_in(month_start),
                    staff=pool[index % len(pool)],
                )

    # Some drafts in progress this month.
    this_month = today.replace(day=1)
    for manager in rng.sample(managers, 8):
        candidates = [c for c in cases_by_team[manager.team_id] if c.is_open and tools_for(c)]
        if candidates:
            case = rng.choice(candidates)
            audit(
                tools_for(case)[0],
                case,
                manager,
                AuditKind.LINE_MANAGEMENT,
                max(this_month, today - timedelta(days=3)),
                submitted=False,
            )

    # Since then the programme allocates: the last months mostly done, some overdue,
    # and the current month under way.
    # The demo borough has about 600 cases for some 100 audits a month, so its rules
    # let a case be chosen again after 3 months (the report's practice is 12).
    for rule in default_rules(registry):
        rule.months_between = 3
    programme_months = _month_starts(today, MONTHS_OF_AUDITS)[HAND_PICKED_MONTHS:]
    allocations = 0
    for index, month_start in enumerate([*programme_months, today.replace(day=1)]):
        period = periods.month_of(month_start)
        run = allocate(registry, period, seed=PROGRAMME_SEED + index, started_by="careaudit demo")
        current = month_start == today.replace(day=1)
        for allocation in db.session.scalars(
            select(Allocation).where(Allocation.run_id == run.id).order_by(Allocation.id)
        ):
            allocations += 1
            if rng.random() > (0.3 if current else 0.88):
                continue  # still to do, or overdue
            record = audit(
                allocation.tool,
                allocation.case,
                allocation.auditor,
                allocation.kind,
                day_in(month_start),
            )
            if record is not None:
                allocation.audit_id = record.id
                allocation.status = AllocationStatus.COMPLETED
                allocation.completed_at = record.submitted_at

    if answer_rows:
        db.session.execute(insert(Answer), answer_rows)
    db.session.commit()
    # Safeguarding concerns raised during some of those audits: answered, escalated, open.
    from core.concerns.demo import demo as concerns_demo

    concerns_demo(rng, today)
    # A moderation sample of line audits for the last six months, with some disagreement.
    from core.moderation.demo import demo as moderation_demo

    moderation_demo(rng, today)
    # Feedback on the last three months' audits: read, replied to, discussed, overdue.
    from core.feedback.demo import demo as feedback_demo

    feedback_demo(rng, today)
    # Actions set after audits with a Not met or Inadequate: open, overdue, done,
    # confirmed; follow-ups signed off; one re-audit compared with its audit.
    from core.actions.demo import demo as actions_demo

    actions_demo(rng, today)
    # Plugins' own demo records (e.g. a themed audit with its sample drawn).
    extras = [text for text in registry.pm.hook.careaudit_demo_data(rng=rng, today=today) if text]
    # The demo writes submitted audits directly (and backdates some): recount the
    # report tally from them all.
    from core.reports.summary import rebuild

    rebuild()
    staff = db.session.scalar(select(func.count(User.id)))
    summary = (
        f"Loaded the demo borough: {len(teams)} teams in "
        f"{db.session.scalar(select(func.count(Service.id)))} services, {staff} staff, "
        f"{len(all_cases)} cases and {audits} audits over the last {MONTHS_OF_AUDITS} months; "
        f"the audit programme's rules and {allocations} allocations since "
        f"{programme_months[0]:%B %Y}."
    )
    return " ".join([summary, _follow_up_summary(), *extras])


def _follow_up_summary() -> str:
    from core.models import Concern, Feedback, Moderation, RemedialAction

    def count(model: type) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return (
        f"Follow-up: {count(Feedback)} audits fed back to workers, "
        f"{count(RemedialAction)} remedial actions, {count(Moderation)} line audits drawn "
        f"for moderation, {count(Concern)} safeguarding concerns."
    )
