"""``careaudit moderate``: draw a month's line-management audits for moderation.

Like allocation: a seeded, logged draw (``ModerationRun``), idempotent (an audit is
drawn once, ``moderation.line_audit_id`` is unique, and a second run for the month
only tops the sample up to the share of what has been submitted since) and safe on two
servers (a PostgreSQL advisory lock per month).

The programme's selection rules do not apply: a drawn file has just been audited, so
"not audited in the last 12 months" would exclude every one of them. What is drawn is
the line manager's *audit*, and its file is audited again on purpose.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from core import notify, trail
from core.extensions import db
from core.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Moderation,
    ModerationRun,
    Role,
    User,
)
from core.moderation.rule import current_rule
from core.programme.periods import Month, month_of

SEED_LIMIT = 2**31


@dataclass(frozen=True)
class LineAudit:
    """A submitted line-management audit of a case file that could be moderated."""

    audit_id: int
    reference: str
    auditor_id: int
    #: Who held the case, and in which team, when audited; and who holds it now.
    worker_id: int | None
    team_id: int | None
    case_team_id: int
    case_worker_id: int | None


@dataclass(frozen=True)
class Moderator:
    user_id: int
    team_id: int | None = None


def sample_size(share_percent: int, submitted: int) -> int:
    """How many of ``submitted`` audits the share asks for: rounded up, so a month with
    any line audits has at least one moderated."""
    return math.ceil(submitted * share_percent / 100)


def choose(candidates: Sequence[LineAudit], wanted: int, rng: random.Random) -> list[LineAudit]:
    """A simple random sample of ``wanted`` candidates (all of them if fewer)."""
    ordered = sorted(candidates, key=lambda c: c.audit_id)
    return rng.sample(ordered, min(max(wanted, 0), len(ordered)))


def may_moderate(moderator: Moderator, audit: LineAudit) -> bool:
    """Never the line auditor, nor anyone who holds the case or manages its team."""
    if moderator.user_id in {audit.auditor_id, audit.worker_id, audit.case_worker_id}:
        return False
    return moderator.team_id is None or moderator.team_id not in {
        audit.team_id,
        audit.case_team_id,
    }


def pick_moderator(
    audit: LineAudit, moderators: Sequence[Moderator], load: Counter[int], rng: random.Random
) -> Moderator | None:
    """The eligible moderator with the fewest moderations this month (ties by the draw)."""
    eligible = [m for m in sorted(moderators, key=lambda m: m.user_id) if may_moderate(m, audit)]
    if not eligible:
        return None
    fewest = min(load[m.user_id] for m in eligible)
    return rng.choice([m for m in eligible if load[m.user_id] == fewest])


def due_date(period: Month, today: date) -> date:
    """The end of the month after the period (or of this month, if drawn late)."""
    return month_of(max(period.end + timedelta(days=1), today)).end


def _lock(period: Month) -> None:
    if db.engine.dialect.name == "postgresql":
        key = zlib.crc32(f"careaudit-moderate-{period.key}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _submitted_in(period: Month) -> list[Audit]:
    return list(
        db.session.scalars(
            select(Audit)
            .where(
                Audit.kind == AuditKind.LINE_MANAGEMENT,
                Audit.status == AuditStatus.SUBMITTED,
                # Past audits imported from a spreadsheet are history, not work to moderate.
                Audit.imported_run_id.is_(None),
                Audit.audit_date >= period.start,
                Audit.audit_date <= period.end,
            )
            .order_by(Audit.id)
        )
    )


def draw(
    period: Month,
    *,
    seed: int | None = None,
    started_by: str = "cli",
    today: date | None = None,
    tell: bool = True,
) -> ModerationRun:
    """Draw ``period``'s moderation sample by the rule and commit; returns the logged run.

    The moderators are told by a message (and email: call ``notify.deliver()`` after,
    outside a request), unless ``tell`` is False (the demo, drawing past months).
    """
    today = today or date.today()
    _lock(period)
    rule = current_rule()
    run = ModerationRun(
        period=period.key,
        started_by=started_by[:120],
        seed=seed if seed is not None else random.SystemRandom().randrange(SEED_LIMIT),
        log=[],
    )
    db.session.add(run)
    db.session.flush()
    log = [f"Moderation draw for {period.label}, seed {run.seed}"]
    made: list[Moderation] = []
    if not rule.active:
        log.append("The moderation rule is switched off: nothing drawn")
    else:
        made = _draw(period, rule.share_percent, run, log, today)
    run.drawn = len(made)
    log.append(f"{len(made)} audits drawn for moderation")
    run.log = log
    if tell:
        _tell_moderators(made, period)
    trail.record(
        "moderation.run",
        run,
        summary=f"Drew {len(made)} line audits of {period.label} for moderation (seed {run.seed})",
        after={"period": period.key, "drawn": len(made), "seed": run.seed},
    )
    db.session.commit()
    return run


def _draw(
    period: Month, share: int, run: ModerationRun, log: list[str], today: date
) -> list[Moderation]:
    submitted = _submitted_in(period)
    of_cases = [a for a in submitted if a.case_id is not None]
    log.append(
        f"Rule: {share}% of line-management audits of case files; {len(of_cases)} submitted "
        f"in {period.label}"
        + (
            f" ({len(submitted) - len(of_cases)} of staff records or samples are not moderated)"
            if len(of_cases) < len(submitted)
            else ""
        )
    )
    drawn_ids = set(
        db.session.scalars(
            select(Moderation.line_audit_id).where(
                Moderation.line_audit_id.in_([a.id for a in of_cases])
            )
        )
    )
    target = sample_size(share, len(of_cases))
    wanted = target - len(drawn_ids)
    log.append(f"Sample of {target}; {len(drawn_ids)} already drawn; {max(wanted, 0)} to draw")
    if wanted <= 0:
        return []
    candidates = [
        LineAudit(
            audit_id=a.id,
            reference=a.case.reference,  # type: ignore[union-attr]
            auditor_id=a.auditor_id,
            worker_id=a.worker_id,
            team_id=a.team_id,
            case_team_id=a.case.team_id,  # type: ignore[union-attr]
            case_worker_id=a.case.allocated_worker_id,  # type: ignore[union-attr]
        )
        for a in of_cases
        if a.id not in drawn_ids
    ]
    rng = random.Random(f"{run.seed}:{period.key}")
    chosen = choose(candidates, wanted, rng)
    moderators = [
        Moderator(u.id, u.team_id)
        for u in db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role == Role.INDEPENDENT_REVIEWER)
            .order_by(User.id)
        )
    ]
    load: Counter[int] = Counter(
        dict(
            db.session.execute(
                select(Moderation.moderator_id, func.count(Moderation.id))
                .where(Moderation.period == period.key)
                .group_by(Moderation.moderator_id)
            ).all()
        )
    )
    audits = {a.id: a for a in of_cases}
    due = due_date(period, today)
    made: list[Moderation] = []
    for candidate in chosen:
        audit = audits[candidate.audit_id]
        head = f"{candidate.reference} (audit {audit.id} by {audit.auditor.name})"
        moderator = pick_moderator(candidate, moderators, load, rng)
        if moderator is None:
            log.append(f"{head}: no independent reviewer who does not hold or manage it; skipped")
            continue
        moderation = Moderation(
            period=period.key,
            run_id=run.id,
            line_audit_id=audit.id,
            moderator_id=moderator.user_id,
            case_id=audit.case_id,
            tool=audit.tool,
            due_date=due,
        )
        try:
            with db.session.begin_nested():
                db.session.add(moderation)
        except IntegrityError:
            # Another run drew it first: the database keeps one.
            log.append(f"{head}: already drawn")
            continue
        had = load[moderator.user_id]
        load[moderator.user_id] += 1
        name = moderation.moderator.name
        log.append(f"{head}: to {name} ({had} already this month), due {due:%d/%m/%Y}")
        trail.record(
            "moderation.drawn",
            audit,
            summary=f"Drew {trail.audit_label(audit)} for moderation by {name} (seed {run.seed})",
            after={"moderation_id": moderation.id, "moderator_id": moderator.user_id},
        )
        made.append(moderation)
    return made


def _tell_moderators(made: list[Moderation], period: Month) -> None:
    by_moderator: dict[int, list[Moderation]] = {}
    for moderation in made:
        by_moderator.setdefault(moderation.moderator_id, []).append(moderation)
    for moderator_id, moderations in by_moderator.items():
        moderator = db.session.get(User, moderator_id)
        if moderator is None:
            continue
        notify.notify(
            moderator,
            kind="moderation",
            topic=f"moderation-drawn:{period.key}",
            subject=f"Line audits to moderate from {period.label}",
            template="emails/moderation_drawn.txt",
            moderations=moderations,
            period=period,
        )
