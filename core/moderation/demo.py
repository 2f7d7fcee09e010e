"""The demo borough's moderation: six months drawn, most moderated, some disagreement.

Each of the six months before this one is drawn as ``careaudit moderate`` would have
on the 1st of the month after, at a share of 15% so the agreement page has enough
pairs to show figures. Moderators agree with most ratings; where they differ it is
usually by one step and more often below the line auditor (line managers grade their
own teams a little generously). Last month's sample is still being moderated: some
files not started (blind), one or two waiting for the comparison.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from core import trail
from core.audits.answering import stored_answers
from core.audits.workflow import record_outcome
from core.extensions import db
from core.models import (
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Moderation,
    ModerationJudgement,
    ModerationStatus,
    Rating,
)
from core.models._types import utcnow
from core.moderation.comparison import OVERALL, standard_questions
from core.moderation.draw import draw
from core.moderation.rule import save_rule
from core.programme import periods
from core.tools.questions import AnswerValue
from core.tools.registry import ToolRegistry, get_registry
from core.tools.standards import GRADE_FOR_RATING, OVERALL_GRADE, OVERALL_RATING, parse_grade

MONTHS = 6
DEMO_SHARE = 15
DEMO_SEED = 9011
#: Why a demo moderator disagrees with a standard's rating.
REASONS = (
    "The chronology stops in the spring; the rating should reflect that.",
    "The plan is on file but its actions have no dates or owners.",
    "Management oversight is recorded but gives no direction.",
    "The child's views are recorded in the worker's words only.",
    "The evidence cited is on the file; I would rate this higher.",
)
OVERALL_REASONS = (
    "Several standards rated Met are only partly evidenced: the overall grade is generous.",
    "The file is better than the line audit found; the grade should be higher.",
)


def _moderator_rating(rng: random.Random, line: Rating | None) -> Rating | None:
    """The moderator's rating of a standard: usually the same, else one step, mostly lower."""
    if line not in (Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET):
        return line
    scale = [Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET]
    index = scale.index(line)
    roll = rng.random()
    if roll < 0.72:
        return line
    if roll < 0.92:
        return scale[min(index + 1, 2)]  # a step lower
    if roll < 0.985:
        return scale[max(index - 1, 0)]  # a step higher
    return scale[2 if index == 0 else 0]  # two steps apart, rarely


def demo(rng: random.Random, today: date) -> None:
    """Draw and moderate the last six months' line audits; commits its own work."""
    registry = get_registry()
    save_rule(DEMO_SHARE, True, None)
    db.session.commit()
    this_month = periods.month_of(today)
    for back in range(MONTHS, 0, -1):
        period = periods.previous(this_month, back)
        drawn_on = min(period.end + timedelta(days=1), today)
        draw(
            period,
            seed=DEMO_SEED + back,
            started_by="careaudit demo",
            today=drawn_on,
            tell=False,
        )
        moderations = db.session.scalars(
            select(Moderation).where(Moderation.period == period.key).order_by(Moderation.id)
        ).all()
        for index, moderation in enumerate(moderations):
            latest = back == 1
            if latest and index % 3 != 0:
                continue  # still to do: blind
            if not latest and rng.random() < 0.05:
                continue  # one left overdue now and then
            _moderate(registry, rng, moderation, drawn_on, today, compare_only=latest)
    db.session.commit()


def _moderate(
    registry: ToolRegistry,
    rng: random.Random,
    moderation: Moderation,
    drawn_on: date,
    today: date,
    *,
    compare_only: bool,
) -> None:
    line = moderation.line_audit
    info = registry.get(line.tool)
    if info is None:
        return
    answers = dict(stored_answers(line))
    definition = registry.form(line.tool, line.case, line.service_id)
    keys = [key for key, _, _ in standard_questions(definition)]
    for key in keys:
        given = answers.get(key)
        if given is not None and given.rating is not None:
            rating = _moderator_rating(rng, given.rating)
            comment = given.comment or (
                None if rating is Rating.MET else "Evidence checked on the file."
            )
            answers[key] = AnswerValue(rating, given.value, comment)
    score = registry.score(line.tool, answers, line.service_id)
    if score is not None and score.suggested_rating is not None:
        overall = score.suggested_rating
        grade = score.suggested_grade or GRADE_FOR_RATING[overall]
        answers[OVERALL_RATING] = AnswerValue(overall)
        answers[OVERALL_GRADE] = AnswerValue(None, grade.value)
        score = registry.score(line.tool, answers, line.service_id)
    day = min(drawn_on + timedelta(days=rng.randint(3, 25)), today)
    moment = datetime.combine(day, time(hour=rng.randint(9, 17)))
    audit = Audit(
        tool=line.tool,
        form_version=info.version,
        case_id=line.case_id,
        service_id=moderation.case.service_id,
        team_id=moderation.case.team_id,
        auditor_id=moderation.moderator_id,
        worker_id=moderation.case.allocated_worker_id,
        kind=AuditKind.INDEPENDENT,
        status=AuditStatus.SUBMITTED,
        audit_date=day,
        created_at=moment - timedelta(days=1),
        updated_at=moment,
        submitted_at=moment,
    )
    record_outcome(audit, score)
    db.session.add(audit)
    db.session.flush()
    db.session.execute(
        insert(Answer),
        [
            {
                "audit_id": audit.id,
                "question": key,
                "rating": value.rating.value if value.rating else None,
                "value": value.value,
                "comment": value.comment,
            }
            for key, value in answers.items()
        ],
    )
    moderation.moderation_audit_id = audit.id
    moderation.status = ModerationStatus.AUDITED
    moderation.audited_at = moment
    trail.record(
        "moderation.audited",
        line,
        summary=f"The moderator submitted their audit {audit.id} of the file of "
        f"{trail.audit_label(line)}",
        after={"status": ModerationStatus.AUDITED.value, "moderation_audit_id": audit.id},
    )
    if compare_only:
        return
    line_answers = stored_answers(line)
    for key in keys:
        first, second = line_answers.get(key), answers.get(key)
        same = (first.rating if first else None) == (second.rating if second else None)
        moderation.judgements.append(
            ModerationJudgement(
                question=key, agrees=same, reason=None if same else rng.choice(REASONS)
            )
        )
    same_overall = (line.overall_rating, line.grade) == (audit.overall_rating, audit.grade)
    moderator_grade, line_grade = parse_grade(audit.grade), parse_grade(line.grade)
    lower = bool(moderator_grade and line_grade and moderator_grade.rank < line_grade.rank)
    moderation.judgements.append(
        ModerationJudgement(
            question=OVERALL,
            agrees=same_overall,
            reason=None if same_overall else OVERALL_REASONS[0 if lower else 1],
        )
    )
    moderation.status = ModerationStatus.COMPLETED
    moderation.completed_at = min(moment + timedelta(days=rng.randint(0, 3)), utcnow())
    agreed = sum(j.agrees for j in moderation.judgements if j.question != OVERALL)
    trail.record(
        "moderation.completed",
        line,
        summary=f"Moderated {trail.audit_label(line)}: agreed on {agreed} of {len(keys)} "
        "standards; overall " + ("agreed" if same_overall else "disagreed"),
        after={"status": ModerationStatus.COMPLETED.value, "moderation_id": moderation.id},
    )
