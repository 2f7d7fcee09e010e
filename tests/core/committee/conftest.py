"""Audits with known comments, for the narrative and committee report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from core.audits import workflow
from core.extensions import db
from core.models import Audit, AuditKind, Rating
from core.tools.questions import AnswerValue
from core.tools.registry import get_registry
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit

TODAY = date.today()
IN_PERIOD = TODAY - timedelta(days=3)
LONG_AGO = TODAY - timedelta(days=800)


def answers_with(comments: dict[int, tuple[str, str]], **text: str) -> dict[str, AnswerValue]:
    """A complete children's audit; ``comments`` sets (rating, evidence) by standard number."""
    answers = children_answers(overall="partially_met", grade="adequate")
    for number, (rating, comment) in comments.items():
        answers[f"standard_{number}"] = AnswerValue(Rating(rating), None, comment)
    for key, value in text.items():
        answers[key] = AnswerValue(None, value)
    return answers


@dataclass
class Known:
    borough: Borough
    line: Audit  # CIN North, team manager, this period
    independent: Audit  # CIN North, independent reviewer, this period
    south: Audit  # CIN South, this period
    old: Audit  # CIN North, two years ago


@pytest.fixture
def known(borough: Borough) -> Known:
    """Four submitted audits with recognisable comments, and a draft.

    Every other standard's evidence is "Evidence."; strengths "Good visits.".
    """
    b = borough
    line = submitted_audit(
        b.cases["cin"],
        b.user("team_manager"),
        answers_with(
            {
                1: ("met", "Visits recorded 100% of the time"),
                3: ("not_met", "Chronology MISSING since the transfer"),
            },
            areas_for_development="Chronology needs a full rewrite",
        ),
        on=IN_PERIOD,
    )
    independent = submitted_audit(
        b.cases["cp"],
        b.user("iro"),
        answers_with({3: ("partially_met", "Plan_review overdue by a month")}),
        on=IN_PERIOD,
    )
    south = submitted_audit(
        b.cases["south"],
        b.user("south_manager"),
        answers_with({3: ("not_met", "South team chronology absent")}),
        on=IN_PERIOD,
    )
    old = submitted_audit(
        b.cases["cin"],
        b.user("team_manager"),
        answers_with({3: ("not_met", "An old chronology comment")}),
        on=LONG_AGO,
    )
    # A draft's comments are work in progress: never shown.
    draft = workflow.start_audit(
        get_registry(), b.cases["cp"], b.user("team_manager"), "children_audit", "draft-1"
    )
    workflow.save_draft(draft, answers_with({3: ("not_met", "Draft chronology note")}))
    db.session.commit()
    assert line.kind is AuditKind.LINE_MANAGEMENT and independent.kind is AuditKind.INDEPENDENT
    return Known(b, line, independent, south, old)
