"""The two audits side by side, and the moderator's agreement with the line audit.

Per standard (each rated question of the tool's form apart from the overall rating)
the line auditor's rating beside the moderator's; then the overall rating and grade.
The moderator records, for each standard and overall, whether they agree with the
line audit, with a reason where they do not. Submitted audits never change, so the
ratings are read from the audits whenever the comparison is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select

from core import notify, trail
from core.access import SEES_EVERYTHING
from core.audits.answering import stored_answers
from core.extensions import db
from core.models import (
    Audit,
    Moderation,
    ModerationJudgement,
    ModerationStatus,
    Rating,
    Role,
    User,
)
from core.models._types import utcnow
from core.tools.questions import FormDefinition, QuestionKind
from core.tools.standards import OVERALL_RATING

#: The judgement key for the overall rating and grade.
OVERALL = "overall"
#: Longest reason kept (a reason is a few sentences, not a report).
REASON_LENGTH = 2000


@dataclass(frozen=True)
class StandardRow:
    key: str
    label: str
    text: str
    line: Rating | None
    moderator: Rating | None
    line_comment: str | None = None
    moderator_comment: str | None = None

    @property
    def same(self) -> bool:
        return self.line == self.moderator


@dataclass(frozen=True)
class Comparison:
    rows: list[StandardRow]
    line_overall: str | None
    moderator_overall: str | None
    line_grade: str | None
    moderator_grade: str | None
    line_version: str
    moderator_version: str

    @property
    def same_overall(self) -> bool:
        return (self.line_overall, self.line_grade) == (
            self.moderator_overall,
            self.moderator_grade,
        )

    @property
    def same_version(self) -> bool:
        return self.line_version == self.moderator_version

    @property
    def keys(self) -> list[str]:
        """Every judgement the moderator records: each standard, then overall."""
        return [row.key for row in self.rows] + [OVERALL]


def standard_questions(definition: FormDefinition) -> list[tuple[str, str, str]]:
    """(key, short label, question) of each rated standard in the form, in order."""
    out = []
    for section in definition.sections:
        for question in section.questions:
            if question.kind is QuestionKind.RATING and question.key != OVERALL_RATING:
                out.append((question.key, section.label or question.display_name, question.text))
    return out


def compare(line: Audit, moderation: Audit, definition: FormDefinition) -> Comparison:
    """Both audits' ratings per standard and overall (questions matched by key)."""
    first, second = stored_answers(line), stored_answers(moderation)
    rows = []
    for key, label, text in standard_questions(definition):
        a, b = first.get(key), second.get(key)
        rows.append(
            StandardRow(
                key=key,
                label=label,
                text=text,
                line=a.rating if a else None,
                moderator=b.rating if b else None,
                line_comment=a.comment if a else None,
                moderator_comment=b.comment if b else None,
            )
        )
    return Comparison(
        rows=rows,
        line_overall=line.overall_rating,
        moderator_overall=moderation.overall_rating,
        line_grade=line.grade,
        moderator_grade=moderation.grade,
        line_version=line.form_version,
        moderator_version=moderation.form_version,
    )


@dataclass(frozen=True)
class Judgement:
    agrees: bool
    reason: str | None


def read_judgements(
    form: Mapping[str, str], comparison: Comparison
) -> tuple[dict[str, Judgement], dict[str, str], dict[str, dict[str, str]]]:
    """The moderator's judgements from the form: (judgements, errors, what was typed).

    Each key needs agree or disagree; a disagreement needs its reason.
    """
    labels = {row.key: row.label for row in comparison.rows} | {OVERALL: "the overall judgement"}
    judgements: dict[str, Judgement] = {}
    errors: dict[str, str] = {}
    typed: dict[str, dict[str, str]] = {}
    for key in comparison.keys:
        choice = (form.get(f"agree-{key}") or "").strip()
        reason = (form.get(f"reason-{key}") or "").strip()
        typed[key] = {"choice": choice, "reason": reason}
        if choice not in {"yes", "no"}:
            errors[f"agree-{key}"] = f"Say whether you agree with the line audit on {labels[key]}"
        elif choice == "no" and not reason:
            errors[f"reason-{key}"] = f"Give the reason you disagree on {labels[key]}"
        elif len(reason) > REASON_LENGTH:
            errors[f"reason-{key}"] = (
                f"The reason for {labels[key]} must be {REASON_LENGTH} characters or fewer"
            )
        else:
            judgements[key] = Judgement(choice == "yes", reason or None)
    return judgements, errors, typed


def initial_choices(comparison: Comparison) -> dict[str, dict[str, str]]:
    """The form as first shown: agree where the ratings are the same, else disagree."""
    typed = {
        row.key: {"choice": "yes" if row.same else "no", "reason": ""} for row in comparison.rows
    }
    typed[OVERALL] = {"choice": "yes" if comparison.same_overall else "no", "reason": ""}
    return typed


@dataclass(frozen=True)
class Summary:
    judged: int
    agreed: int
    disagreed: int
    overall_agrees: bool | None


def summary(moderation: Moderation) -> Summary:
    """How the recorded judgements came out (standards, and overall)."""
    standards = [j for j in moderation.judgements if j.question != OVERALL]
    overall = next((j for j in moderation.judgements if j.question == OVERALL), None)
    agreed = sum(j.agrees for j in standards)
    return Summary(
        judged=len(standards),
        agreed=agreed,
        disagreed=len(standards) - agreed,
        overall_agrees=overall.agrees if overall else None,
    )


def record_agreement(
    moderation: Moderation, judgements: Mapping[str, Judgement], comment: str | None, link: str
) -> None:
    """Store the judgements, complete the moderation and tell the line auditor and their
    managers. The caller has checked the moderation is waiting for them; commits nothing."""
    for key, judgement in judgements.items():
        moderation.judgements.append(
            ModerationJudgement(question=key, agrees=judgement.agrees, reason=judgement.reason)
        )
    moderation.comment = comment or None
    moderation.status = ModerationStatus.COMPLETED
    moderation.completed_at = utcnow()
    result = summary(moderation)
    line = moderation.line_audit
    trail.record(
        "moderation.completed",
        line,
        summary=f"Moderated {trail.audit_label(line)}: agreed on {result.agreed} of "
        f"{result.judged} standards; overall "
        + ("agreed" if result.overall_agrees else "disagreed"),
        before={"status": ModerationStatus.AUDITED.value},
        after={
            "status": ModerationStatus.COMPLETED.value,
            "moderation_id": moderation.id,
            "agreed": result.agreed,
            "disagreed": result.disagreed,
            "overall_agrees": result.overall_agrees,
        },
    )
    for user in told_of_result(line):
        notify.notify(
            user,
            kind="moderation",
            topic=f"moderated:{moderation.id}",
            subject=f"Moderation of the audit of {line.subject_label}",
            template="emails/moderation_result.txt",
            moderation=moderation,
            line_audit=line,
            summary=result,
            link=link,
        )


def line_managers(audit: Audit) -> list[User]:
    """The line auditor's managers for this audit: the audit's team's team managers and
    its service's service managers."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                or_(
                    (User.role == Role.TEAM_MANAGER) & (User.team_id == (audit.team_id or -1)),
                    (User.role == Role.SERVICE_MANAGER) & (User.service_id == audit.service_id),
                ),
            )
            .order_by(User.id)
        )
    )


def told_of_result(audit: Audit) -> list[User]:
    """The line auditor, then their managers (each once)."""
    people: dict[int, User] = {audit.auditor.id: audit.auditor}
    for manager in line_managers(audit):
        people.setdefault(manager.id, manager)
    return list(people.values())


def may_see_result(user: User, moderation: Moderation) -> bool:
    """Who sees a moderation's outcome: the moderator, the line auditor, the audit's team
    and service managers, QA (independent reviewers) and senior managers."""
    line = moderation.line_audit
    if user.id in {moderation.moderator_id, line.auditor_id} or user.role in SEES_EVERYTHING:
        return True
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}:
        return user.team_id is not None and user.team_id == line.team_id
    if user.role is Role.SERVICE_MANAGER:
        return user.service_id is not None and user.service_id == line.service_id
    return False
