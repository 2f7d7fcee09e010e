"""Who may do what with an audit's follow-up, and what it needs before sign-off."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from core.access import SEES_EVERYTHING, Permission, audit_kind_for, can_view_audit, has_permission
from core.audits.answering import stored_answers
from core.audits.views import definition_of
from core.extensions import db
from core.grading.council import grade_label
from core.models import Audit, Grade, Rating, RemedialAction, Role, Team, User
from core.tools.questions import QuestionKind
from core.tools.registry import get_registry
from core.tools.results import ActionNeed
from core.tools.standards import OVERALL_RATING

#: The per-service tool setting (``core.tools.registry.CORE_SETTINGS``).
SETTING = "actions_before_sign_off"
WHOLE_FILE = "The whole file"


def is_manager(user: User, audit: Audit) -> bool:
    """The audited worker's manager: the team manager or deputy of the audit's team, the
    service manager of its service, or QA / a senior manager (within what they may see)."""
    if not audit.is_submitted or not can_view_audit(user, audit):
        return False
    if user.role in SEES_EVERYTHING:
        return True
    if user.role in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER}:
        return user.team_id is not None and user.team_id == audit.team_id
    if user.role is Role.SERVICE_MANAGER:
        return user.service_id is not None and user.service_id == audit.service_id
    return False


def may_follow_up(user: User, audit: Audit) -> bool:
    """May set actions, sign off and ask for a re-audit: the auditor or a manager."""
    if not audit.is_submitted or not has_permission(user, Permission.CONDUCT_AUDITS):
        return False
    return user.id == audit.auditor_id or is_manager(user, audit)


def may_confirm(user: User, action: RemedialAction) -> bool:
    """A manager confirms or reopens; the owner only if they are a manager too."""
    return is_manager(user, action.audit)


def rated_questions(audit: Audit) -> list[tuple[str, str]]:
    """(key, name) of the audit's rated questions, in the form's order."""
    registry = get_registry()
    if audit.tool not in registry:
        return []
    definition = definition_of(audit)
    out = []
    for section in definition.sections:
        rated = [
            q
            for q in section.questions
            if q.kind is QuestionKind.RATING and not q.computed and q.key != OVERALL_RATING
        ]
        for index, question in enumerate(rated):
            name = section.label or question.display_name.capitalize()
            # "Standard 3", or "Standard 3: the PEP" for a second rated question in it.
            label = name if index == 0 and section.label else f"{name}: {question.display_name}"
            if not section.label:
                label = name
            out.append((question.key, label[:200]))
    return out


def owner_choices(audit: Audit) -> list[User]:
    """Active staff of the audit's service (and its auditor) who may see the audit."""
    in_service = select(Team.id).where(Team.service_id == audit.service_id)
    candidates = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            or_(
                User.team_id.in_(in_service),
                User.service_id == audit.service_id,
                User.id == audit.auditor_id,
                User.id == audit.worker_id,
                User.id == audit.subject_user_id,
            ),
        )
        .order_by(User.name)
    ).all()
    return [u for u in candidates if can_view_audit(u, audit)]


def reaudit_auditors(audit: Audit) -> list[User]:
    """Who may carry out the re-audit: the auditor, or anyone who may do the same kind of
    audit of the case (the rule for reassigning an allocation)."""
    if audit.case is None:
        return []
    candidates = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name)
    ).all()
    return [
        u
        for u in candidates
        if (kind := audit_kind_for(u, audit.case)) is not None
        and (u.id == audit.auditor_id or kind is audit.kind)
    ]


def default_needs(audit: Audit, labels: dict[str, str]) -> list[ActionNeed]:
    """Core's rule: every rated question Not met, and an overall grade of Inadequate."""
    needs = [
        ActionNeed(question, f"{labels.get(question, question)} is Not met")
        for question, answer in stored_answers(audit).items()
        if answer.rating is Rating.NOT_MET and question in labels
    ]
    if audit.grade == Grade.INADEQUATE.value:
        needs.append(ActionNeed(None, f"The overall grade is {grade_label(audit.grade)}"))
    return needs


def outcomes_needing_action(audit: Audit) -> list[ActionNeed]:
    """What needs an action, by the tool's hook or core's rule; nothing if the service's
    setting is off, the tool is no longer installed or the audit was imported."""
    registry = get_registry()
    if audit.tool not in registry or audit.imported_run_id is not None:
        # A past audit imported from a spreadsheet: its follow-up was done (or not)
        # before careaudit, so it asks for no action now.
        return []
    if not registry.settings(audit.tool, audit.service_id).get(SETTING, True):
        return []
    needs = registry.outcomes_needing_action(
        audit.tool, stored_answers(audit), audit, audit.service_id
    )
    if needs is None:
        needs = default_needs(audit, dict(rated_questions(audit)))
    return needs


@dataclass(frozen=True)
class Readiness:
    needs: list[ActionNeed]
    unmet: list[ActionNeed]

    @property
    def ready(self) -> bool:
        return not self.unmet


def readiness(audit: Audit, actions: list[RemedialAction]) -> Readiness:
    """Which needs have no action yet: a standard needs one for it, the file any."""
    needs = outcomes_needing_action(audit)
    answered = {a.question for a in actions}
    unmet = [
        need
        for need in needs
        if (need.question is None and not actions)
        or (need.question is not None and need.question not in answered)
    ]
    return Readiness(needs, unmet)
