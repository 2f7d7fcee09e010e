"""Drawing a month's line audits for moderation: seeded, logged, idempotent, fair."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from sqlalchemy import delete, func, select

from core.audits import workflow
from core.extensions import db
from core.models import (
    Allocation,
    AuditKind,
    Moderation,
    ModerationRun,
    Reminder,
    Role,
    TrailEntry,
)
from core.moderation.draw import (
    LineAudit,
    Moderator,
    choose,
    draw,
    due_date,
    may_moderate,
    pick_moderator,
    sample_size,
)
from core.moderation.rule import current_rule, save_rule
from core.programme import periods
from core.programme.allocation import allocate
from core.tools.registry import get_registry
from tests.core.moderation.helpers import submitted_audit
from tests.factories import Borough, add_programme, make_case, make_user

NOVEMBER = periods.month("2026-11")
IN_NOVEMBER = date(2026, 11, 12)
DECEMBER_1 = date(2026, 12, 1)


def line_audits(borough: Borough, count: int) -> list:
    """``count`` submitted line audits by the CIN North team manager in November."""
    manager = borough.user("team_manager")
    audits = []
    for n in range(count):
        case = make_case(f"C9{n:05d}", borough.north, "child_in_need", borough.user("worker"))
        db.session.commit()
        audits.append(submitted_audit(case, manager, f"line-{n}", IN_NOVEMBER))
    return audits


def moderations() -> list[Moderation]:
    return list(db.session.scalars(select(Moderation).order_by(Moderation.line_audit_id)))


def test_the_rule_defaults_to_ten_percent_and_rounds_up(borough: Borough):
    rule = current_rule()
    assert (rule.share_percent, rule.active) == (10, True)
    assert sample_size(10, 0) == 0
    assert sample_size(10, 3) == 1
    assert sample_size(10, 20) == 2
    assert sample_size(10, 21) == 3


def test_a_draw_takes_the_share_of_the_months_line_audits_and_logs_it(borough: Borough):
    """21 line audits at 10%: 3 drawn, each to the IRO, due at the end of December."""
    line_audits(borough, 21)
    run = draw(NOVEMBER, seed=42, started_by="test", today=DECEMBER_1)
    drawn = moderations()
    assert run.drawn == len(drawn) == 3
    assert {m.moderator_id for m in drawn} == {borough.user("iro").id}
    assert {m.due_date for m in drawn} == {date(2026, 12, 31)}
    assert {m.period for m in drawn} == {"2026-11"}
    assert run.log[0] == "Moderation draw for November 2026, seed 42"
    assert "21 submitted in November 2026" in run.log[1]
    assert "Sample of 3; 0 already drawn; 3 to draw" in run.log
    assert run.log[-1] == "3 audits drawn for moderation"
    # Each draw is in the audit trail against the line audit, and the run itself.
    entries = db.session.scalars(
        select(TrailEntry).where(TrailEntry.action == "moderation.drawn")
    ).all()
    assert sorted(int(e.object_id) for e in entries) == sorted(m.line_audit_id for m in drawn)
    assert {e.object_type for e in entries} == {"audit"}
    # The moderator is told once, listing the three files.
    told = db.session.scalars(select(Reminder).where(Reminder.kind == "moderation")).all()
    assert len(told) == 1 and told[0].user_id == borough.user("iro").id
    assert all(m.case.reference in told[0].body for m in drawn)


def test_the_same_seed_draws_the_same_sample(borough: Borough):
    line_audits(borough, 30)
    make_user("iro_two", Role.INDEPENDENT_REVIEWER)
    db.session.commit()
    first = draw(NOVEMBER, seed=7, today=DECEMBER_1)
    chosen = [(m.line_audit_id, m.moderator_id) for m in moderations()]
    db.session.execute(delete(Moderation))
    db.session.execute(delete(ModerationRun).where(ModerationRun.id == first.id))
    db.session.commit()
    draw(NOVEMBER, seed=7, today=DECEMBER_1)
    assert [(m.line_audit_id, m.moderator_id) for m in moderations()] == chosen
    db.session.execute(delete(Moderation))
    db.session.commit()
    draw(NOVEMBER, seed=8, today=DECEMBER_1)
    assert [(m.line_audit_id, m.moderator_id) for m in moderations()] != chosen


def test_drawing_twice_for_a_month_does_not_double(borough: Borough):
    """A second run draws nothing; after more audits are submitted it only tops up."""
    audits = line_audits(borough, 20)
    draw(NOVEMBER, seed=1, today=DECEMBER_1)
    assert len(moderations()) == 2
    again = draw(NOVEMBER, seed=2, today=DECEMBER_1)
    assert again.drawn == 0 and len(moderations()) == 2
    assert "Sample of 2; 2 already drawn; 0 to draw" in again.log
    # A late submission dated in November makes 21: the share is now 3, so one more.
    late = submitted_audit(borough.cases["cp"], borough.user("team_manager"), "late", IN_NOVEMBER)
    top_up = draw(NOVEMBER, seed=3, today=DECEMBER_1)
    assert top_up.drawn == 1 and len(moderations()) == 3
    assert len({m.line_audit_id for m in moderations()}) == 3
    assert {m.line_audit_id for m in moderations()} <= {a.id for a in [*audits, late]}


def test_only_submitted_line_audits_of_case_files_in_the_month_are_drawn(borough: Borough):
    """Independent audits, drafts, and other months' audits are never drawn."""
    line = submitted_audit(borough.cases["cin"], borough.user("team_manager"), "line", IN_NOVEMBER)
    submitted_audit(borough.cases["cp"], borough.user("iro"), "independent", IN_NOVEMBER)
    october = date(2026, 10, 30)
    submitted_audit(borough.cases["south"], borough.user("south_manager"), "oct", october)
    workflow.start_audit(
        get_registry(), borough.cases["lac"], borough.user("care_manager"), "children_audit", "d"
    )
    save_rule(100, True, None)
    db.session.commit()
    draw(NOVEMBER, seed=5, today=DECEMBER_1)
    assert [m.line_audit_id for m in moderations()] == [line.id]
    assert moderations()[0].line_audit.kind is AuditKind.LINE_MANAGEMENT


def test_a_case_audited_in_the_last_12_months_is_still_drawn(borough: Borough):
    """The programme's "not audited in the last 12 months" exclusion does not apply."""
    borough = add_programme(borough)
    case = borough.cases["cin"]
    # The case was audited independently in the summer, then by its team manager in November.
    submitted_audit(case, borough.user("iro"), "summer", date(2026, 7, 1))
    line = submitted_audit(case, borough.user("team_manager"), "line", IN_NOVEMBER)
    # And allocation now treats it as recently audited: it would not be drawn there.
    allocation = allocate(get_registry(), periods.month("2026-12"), seed=1)
    assert "audited in the last 12 months" in " ".join(allocation.log)
    allocated = db.session.scalars(select(Allocation.case_id)).all()
    assert case.id not in allocated
    draw(NOVEMBER, seed=9, today=DECEMBER_1)
    assert [m.line_audit_id for m in moderations()] == [line.id]


def test_moderators_are_spread_evenly_and_never_hold_or_manage_the_case(borough: Borough):
    line_audits(borough, 40)
    second = make_user("iro_two", Role.INDEPENDENT_REVIEWER)
    # An IRO placed in CIN North manages its files: never theirs to moderate.
    make_user("iro_north", Role.INDEPENDENT_REVIEWER, team=borough.north)
    db.session.commit()
    save_rule(25, True, None)
    db.session.commit()
    draw(NOVEMBER, seed=11, today=DECEMBER_1)
    load = Counter(m.moderator_id for m in moderations())
    assert sum(load.values()) == 10
    assert load == {borough.user("iro").id: 5, second.id: 5}


def test_the_pure_rules_of_who_may_moderate():
    audit = LineAudit(
        1, "C1", auditor_id=10, worker_id=20, team_id=3, case_team_id=4, case_worker_id=21
    )
    assert not may_moderate(Moderator(10), audit)  # the line auditor
    assert not may_moderate(Moderator(20), audit)  # held it when audited
    assert not may_moderate(Moderator(21), audit)  # holds it now
    assert not may_moderate(Moderator(30, team_id=3), audit)  # manages the audit's team
    assert not may_moderate(Moderator(30, team_id=4), audit)  # manages the case's team now
    assert may_moderate(Moderator(30), audit)
    load: Counter[int] = Counter({30: 2, 31: 1})
    assert pick_moderator(audit, [Moderator(30), Moderator(31)], load, random.Random(1)) == (
        Moderator(31)
    )
    assert pick_moderator(audit, [Moderator(10)], load, random.Random(1)) is None
    candidates = [LineAudit(n, f"C{n}", 1, None, None, 1, None) for n in range(10)]
    assert choose(candidates, 3, random.Random("s")) == choose(
        list(reversed(candidates)), 3, random.Random("s")
    )
    assert len(choose(candidates, 30, random.Random(1))) == 10


def test_due_at_the_end_of_the_month_after_or_this_month_if_late():
    assert due_date(NOVEMBER, date(2026, 12, 1)) == date(2026, 12, 31)
    assert due_date(NOVEMBER, date(2027, 2, 3)) == date(2027, 2, 28)


def test_a_switched_off_rule_draws_nothing(borough: Borough):
    line_audits(borough, 3)
    save_rule(10, False, None)
    db.session.commit()
    run = draw(NOVEMBER, seed=1, today=DECEMBER_1)
    assert run.drawn == 0 and not moderations()
    assert "switched off" in run.log[1]


def test_no_eligible_moderator_is_logged_and_nothing_drawn(borough: Borough):
    line_audits(borough, 2)
    borough.user("iro").active = False
    db.session.commit()
    run = draw(NOVEMBER, seed=1, today=DECEMBER_1)
    assert run.drawn == 0
    assert any("no independent reviewer" in line for line in run.log)


def test_the_moderate_command(runner, borough: Borough):
    line_audits(borough, 10)
    result = runner.invoke(args=["moderate", "--month", "2026-11", "--seed", "3", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "Moderation draw for November 2026, seed 3" in result.output
    assert "1 audits drawn for moderation" in result.output
    again = runner.invoke(args=["moderate", "--month", "2026-11"])
    assert "0 audits drawn" in again.output
    assert db.session.scalar(select(func.count(Moderation.id))) == 1
    bad = runner.invoke(args=["moderate", "--month", "2026-13"])
    assert bad.exit_code != 0 and "like 2026-12" in bad.output
