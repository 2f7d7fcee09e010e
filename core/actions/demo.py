"""The demo borough's follow-up: actions open, overdue, done and confirmed, sign-offs,
and a re-audit compared with its audit (plus one waiting for its actions to close).

Rows are written directly, dated in the past like the demo's audits, so nobody is
emailed and the trail is not filled with entries dated today.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from core.actions import rules
from core.actions.followup import REAUDIT_DAYS, _free_period
from core.audits.answering import stored_answers
from core.audits.workflow import record_outcome
from core.extensions import db
from core.models import (
    ActionStatus,
    Allocation,
    AllocationStatus,
    Answer,
    Audit,
    AuditStatus,
    FollowUp,
    Grade,
    Rating,
    ReAudit,
    RemedialAction,
    User,
)
from core.tools.questions import AnswerValue
from core.tools.registry import get_registry
from core.tools.standards import GRADE_FOR_RATING, OVERALL_GRADE, OVERALL_RATING

#: The share of audits needing actions that get them in the demo: most, not all, so the
#: audit pages show both a signed-off follow-up and one still waiting.
SHARE_FOLLOWED_UP = 0.6
MONTHS_BACK = 9
MOST_PER_AUDIT = 3

WHAT = {
    "standard": [
        "Update the chronology with every significant event since the last review.",
        "Record the child's views in their own words at the next visit.",
        "Complete the overdue assessment and record the analysis of risk.",
        "Bring the plan up to date with SMART actions, owners and timescales.",
        "Record management oversight and the rationale for the decision.",
        "Make the statutory visits on time and record that the child was seen alone.",
        "Invite partner agencies to the next review and record their contributions.",
        "Add the case summary and the genogram to the file.",
    ],
    "file": [
        "Discuss the audit in supervision and agree a plan to bring the file up to standard.",
        "Review the whole file with the team manager within four weeks.",
    ],
}
EVIDENCE = [
    "Chronology updated on the file; see the case notes of this week.",
    "Visit completed, child seen alone; case note recorded the same day.",
    "Plan reviewed with the family; updated plan uploaded to the file.",
    "Discussed in supervision; the supervision record is on the file.",
    "Assessment completed and authorised by the team manager.",
]
REOPEN = [
    "The chronology still stops in March.",
    "The plan has no timescales yet.",
    "The case note does not say the child was seen alone.",
]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour=rng.randint(9, 17), minute=rng.randint(0, 59)))


def _step(step: str, by: User, at: datetime, text: str = "") -> dict[str, str]:
    return {"at": at.isoformat(timespec="minutes"), "by": by.name, "step": step, "text": text}


def _candidates(today: date) -> list[Audit]:
    """Submitted case audits of the last months with a Not met or an Inadequate grade."""
    not_met = select(Answer.audit_id).where(Answer.rating == Rating.NOT_MET)
    return list(
        db.session.scalars(
            select(Audit)
            .where(
                Audit.status == AuditStatus.SUBMITTED,
                Audit.case_id.is_not(None),
                Audit.audit_date >= today - timedelta(days=MONTHS_BACK * 31),
                or_(Audit.id.in_(not_met), Audit.grade == Grade.INADEQUATE.value),
            )
            .order_by(Audit.audit_date, Audit.id)
        )
    )


def _status(due: date, today: date, rng: random.Random) -> ActionStatus:
    """Older actions are mostly confirmed; recent ones mostly open."""
    roll = rng.random()
    if due < today - timedelta(days=30):
        weights = (0.06, 0.1)  # open (overdue), done; the rest confirmed
    elif due < today:
        weights = (0.3, 0.25)
    else:
        weights = (0.6, 0.3)
    if roll < weights[0]:
        return ActionStatus.OPEN
    return ActionStatus.DONE if roll < weights[0] + weights[1] else ActionStatus.CONFIRMED


def _actions_for(audit: Audit, rng: random.Random, today: date) -> list[RemedialAction]:
    needs = rules.outcomes_needing_action(audit)
    if not needs:
        return []
    owner = audit.worker if audit.worker is not None and audit.worker.active else audit.auditor
    manager = audit.auditor
    made = []
    set_day = audit.audit_date + timedelta(days=rng.randint(0, 6))
    standard_needs = [n for n in needs if n.question is not None]
    # At most three: a file failing on many standards gets its worst addressed first and
    # waits, not signed off, for the rest.
    chosen = standard_needs[:MOST_PER_AUDIT] or [needs[0]]
    labels = dict(rules.rated_questions(audit))
    for need in chosen:
        due = set_day + timedelta(days=rng.choice([14, 21, 28, 42]))
        status = _status(due, today, rng)
        set_at = _moment(set_day, rng)
        description = rng.choice(WHAT["standard" if need.question else "file"])
        action = RemedialAction(
            audit_id=audit.id,
            question=need.question,
            question_label=labels.get(need.question or "", rules.WHOLE_FILE),
            description=description,
            owner_id=owner.id,
            due_date=due,
            status=status,
            set_by_id=manager.id,
            set_at=set_at,
            history=[_step("set", manager, set_at, description)],
        )
        if status is not ActionStatus.OPEN or rng.random() < 0.15:
            # Done at some point; some were reopened once before being done again.
            done_day = min(today, due - timedelta(days=rng.randint(-5, 10)))
            done_day = max(done_day, set_day)
            evidence = rng.choice(EVIDENCE)
            history = [*action.history, _step("done", owner, _moment(done_day, rng), evidence)]
            reopened = rng.random() < 0.15 or status is ActionStatus.OPEN
            if reopened:
                again = min(today, done_day + timedelta(days=rng.randint(1, 5)))
                history.append(_step("reopened", manager, _moment(again, rng), rng.choice(REOPEN)))
                action.reopened = 1
                if status is not ActionStatus.OPEN:
                    done_day = min(today, again + timedelta(days=rng.randint(1, 7)))
                    history.append(_step("done", owner, _moment(done_day, rng), evidence))
            if status is not ActionStatus.OPEN:
                action.done_at = _moment(done_day, rng)
                action.evidence = evidence
            if status is ActionStatus.CONFIRMED:
                confirmed = min(today, done_day + timedelta(days=rng.randint(0, 7)))
                action.confirmed_at = _moment(confirmed, rng)
                action.confirmed_by_id = manager.id
                history.append(_step("confirmed", manager, action.confirmed_at))
            action.history = history
        db.session.add(action)
        made.append(action)
    return made


def _better(answers: dict[str, AnswerValue], keys: Sequence[str], rng: random.Random):
    """The re-audit's answers: the standards that needed actions improved, a few moved."""
    improved = dict(answers)
    for key in keys:
        old = improved.get(key)
        if old is not None and old.rating is not None:
            rating = Rating.MET if rng.random() < 0.6 else Rating.PARTIALLY_MET
            improved[key] = AnswerValue(rating, old.value, "Improved since the last audit.")
    others = [k for k, a in improved.items() if a.rating is Rating.PARTIALLY_MET and k not in keys]
    for key in rng.sample(others, min(2, len(others))):
        improved[key] = AnswerValue(Rating.MET, None, "Now met.")
    return improved


def _reaudit(original: Audit, actions: list[RemedialAction], rng: random.Random, today: date):
    """Allocate and carry out the re-audit of ``original``, once its actions were confirmed."""
    registry = get_registry()
    case = original.case
    due_from = max(a.confirmed_at.date() for a in actions if a.confirmed_at)
    audit_day = min(today, due_from + timedelta(days=rng.randint(7, 20)))
    answers = _better(stored_answers(original), [a.question for a in actions if a.question], rng)
    score = registry.score(original.tool, answers, original.service_id)
    if score is not None and score.suggested_rating is not None:
        answers[OVERALL_RATING] = AnswerValue(score.suggested_rating)
        grade = score.suggested_grade or GRADE_FOR_RATING[score.suggested_rating]
        answers[OVERALL_GRADE] = AnswerValue(None, grade.value)
        score = registry.score(original.tool, answers, original.service_id)
    moment = _moment(audit_day, rng)
    second = Audit(
        tool=original.tool,
        form_version=original.form_version,
        case_id=case.id,
        service_id=case.service_id,
        team_id=case.team_id,
        auditor_id=original.auditor_id,
        worker_id=case.allocated_worker_id,
        kind=original.kind,
        status=AuditStatus.SUBMITTED,
        audit_date=audit_day,
        created_at=moment - timedelta(days=1),
        updated_at=moment,
        submitted_at=moment,
    )
    record_outcome(second, score)
    db.session.add(second)
    db.session.flush()
    for key, value in answers.items():
        rating = value.rating
        db.session.add(
            Answer(
                audit_id=second.id,
                question=key,
                rating=rating,
                value=value.value,
                comment=value.comment,
            )
        )
    allocation = Allocation(
        period=_free_period(original.tool, case.id, due_from),
        rule_id=None,
        auditor_id=original.auditor_id,
        slot=0,
        case_id=case.id,
        tool=original.tool,
        kind=original.kind,
        due_date=due_from + timedelta(days=REAUDIT_DAYS),
        status=AllocationStatus.COMPLETED,
        audit_id=second.id,
        completed_at=moment,
        note=f"Re-audit of audit {original.id}",
        created_at=_moment(due_from, rng),
    )
    db.session.add(allocation)
    db.session.flush()
    db.session.add(
        ReAudit(
            audit_id=original.id,
            auditor_id=original.auditor_id,
            requested_by_id=original.auditor_id,
            requested_at=_moment(original.audit_date + timedelta(days=2), rng),
            after_actions=True,
            became_due_on=due_from,
            allocation_id=allocation.id,
        )
    )


def demo(rng: random.Random, today: date) -> None:
    """Add the follow-up of the demo's audits; commits."""
    followed: list[tuple[Audit, list[RemedialAction]]] = []
    for audit in _candidates(today):
        if rng.random() > SHARE_FOLLOWED_UP:
            continue
        actions = _actions_for(audit, rng, today)
        if not actions:
            continue
        followed.append((audit, actions))
        # Signed off once the actions it needs were set, except some recent ones.
        recent = audit.audit_date >= today - timedelta(days=14) and rng.random() < 0.5
        if not recent and rules.readiness(audit, actions).ready:
            db.session.add(
                FollowUp(
                    audit_id=audit.id,
                    signed_off_by_id=audit.auditor_id,
                    signed_off_at=min(a.set_at for a in actions) + timedelta(hours=1),
                )
            )
    db.session.flush()
    # One re-audit done and compared: an older audit whose actions were all confirmed.
    done = [
        (audit, actions)
        for audit, actions in followed
        if all(a.status is ActionStatus.CONFIRMED for a in actions)
        and audit.case is not None
        and audit.case.is_open
        and audit.auditor.active
        and any(a.question for a in actions)
        and audit.audit_date < today - timedelta(days=60)
    ]
    if done:
        _reaudit(*done[len(done) // 2], rng, today)
    # One waiting for its actions to close.
    waiting = [
        audit
        for audit, actions in followed
        if any(a.status is not ActionStatus.CONFIRMED for a in actions) and audit.auditor.active
    ]
    if waiting:
        audit = waiting[-1]
        db.session.add(
            ReAudit(
                audit_id=audit.id,
                auditor_id=audit.auditor_id,
                requested_by_id=audit.auditor_id,
                requested_at=_moment(audit.audit_date + timedelta(days=1), rng),
                after_actions=True,
            )
        )
    db.session.commit()
