"""The report tally: kept as audits are submitted, rebuilt exactly, read by every report.

Every figure read from the tally must equal the raw ``GROUP BY`` over the audit
and answer tables (``ReportScope(tally=False)``), for any scope, filter and period.
"""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from core.audits import workflow
from core.extensions import db
from core.models import (
    Answer,
    Audit,
    AuditKind,
    AuditStatus,
    Case,
    CaseCategory,
    Grade,
    Rating,
    ReportTally,
)
from core.reports import summary
from core.tools.registry import get_registry
from core.tools.reporting import (
    ALL_KINDS,
    ReportScope,
    audit_counts_by_kind,
    outcome_distributions,
    rating_tables,
    tallied_questions,
    tools_with_audits,
    value_tables,
)
from tests.factories import Borough
from tests.helpers import children_answers, statements_run, submitted_audit

TOOL = "children_audit"
QUESTIONS = [(f"standard_{n}", f"Standard {n}", f"Question {n}") for n in range(1, 14)]
#: A fixed month to build the random audits around (never "today": results must not drift).
ANCHOR = date(2026, 6, 1)
CATEGORIES = [c.value for c in CaseCategory][:5]
#: The children's audit's choice questions (standard 6's items): the tally counts their values.
CHOICES = ["standard_6_pep", "standard_6_health", "standard_6_sdq"]
#: The supervision audit's sessions recorded: a whole number, tallied by value.
NUMBER = "sessions_recorded"


def tally_rows() -> set[tuple[object, ...]]:
    """The tally's counts, zeros left by moved audits aside."""
    rows = db.session.execute(select(ReportTally).where(ReportTally.n != 0)).scalars()
    return {
        (
            r.tool,
            r.team_id,
            r.service_id,
            r.month,
            r.kind,
            r.category,
            r.axis,
            r.measure,
            r.value,
            r.n,
        )
        for r in rows
    }


def random_audits(b: Borough, rng: random.Random, count: int) -> list[int]:
    """``count`` audits of random tool, place, kind, category, month and ratings, some drafts.

    Inserted directly (as an import would) and counted with ``record_many``.
    """
    auditor = b.user("iro")
    places = [
        (b.cin.id, b.north.id),
        (b.cin.id, b.south.id),
        (b.cin.id, None),  # an audit without a team
        (b.cic.id, b.care.id),
        (b.older.id, b.older_team.id),
    ]
    ratings = [*Rating, None]
    submitted: list[int] = []
    for _ in range(count):
        service_id, team_id = rng.choice(places)
        is_submitted = rng.random() < 0.85
        day = ANCHOR + timedelta(days=rng.randint(-400, 200))
        audit = Audit(
            tool=rng.choice([TOOL, TOOL, TOOL, "adult_audit", "supervision_audit"]),
            form_version="1",
            service_id=service_id,
            team_id=team_id,
            auditor_id=auditor.id,
            kind=rng.choice(list(AuditKind)),
            status=AuditStatus.SUBMITTED if is_submitted else AuditStatus.DRAFT,
            audit_date=day,
            category=rng.choice([*CATEGORIES, None]),
            overall_rating=rng.choice([None, "met", "partially_met", "not_met"]),
            grade=rng.choice([None, *(g.value for g in Grade)]),
        )
        db.session.add(audit)
        db.session.flush()
        for key, _, _ in rng.sample(QUESTIONS, rng.randint(0, len(QUESTIONS))):
            rating = rng.choice(ratings)
            value = None if rating is not None else rng.choice([None, "yes", "no"])
            db.session.add(Answer(audit_id=audit.id, question=key, rating=rating, value=value))
        if audit.tool == "supervision_audit" and rng.random() < 0.9:
            recorded = str(rng.randint(0, 6))  # a whole number: tallied by value too
            db.session.add(Answer(audit_id=audit.id, question=NUMBER, value=recorded))
        for key in rng.sample(CHOICES, rng.randint(0, len(CHOICES))):
            value = rng.choice(["yes", "no", "not_applicable"])
            db.session.add(Answer(audit_id=audit.id, question=key, value=value))
        if is_submitted:
            submitted.append(audit.id)
    db.session.flush()
    summary.record_many(submitted)
    db.session.commit()
    return submitted


def scopes(b: Borough) -> list[ReportScope]:
    """Places, filters and periods: whole months, part months, one day, a long range."""
    quarter = ReportScope(TOOL, date(2026, 4, 1), date(2026, 6, 30))
    places = [
        {},
        {"directorate_id": b.children.id},
        {"service_id": b.cin.id},
        {"team_id": b.north.id},
        {"team_id": b.care.id},
    ]
    filters: list[dict[str, object]] = [
        {},
        {"kinds": ("independent",)},
        {"kinds": ("line_management", "self_audit")},
        {"categories": (CATEGORIES[0],)},
        {"categories": (CATEGORIES[1], CATEGORIES[2]), "kinds": ("senior_sample",)},
        {"kinds": ("not-a-kind",)},
    ]
    periods = [
        (date(2026, 4, 1), date(2026, 6, 30)),  # a quarter
        (date(2025, 6, 15), date(2026, 6, 14)),  # twelve months, part months at each end
        (date(2026, 3, 10), date(2026, 3, 20)),  # part of one month
        (date(2025, 1, 1), date(2027, 3, 31)),  # everything
        (date(2026, 12, 10), date(2027, 1, 20)),  # part months, the last with nothing after
    ]
    result = []
    for place in places:
        for where in filters:
            for start, end in periods:
                result.append(dataclasses.replace(quarter, start=start, end=end, **place, **where))
    result.append(dataclasses.replace(quarter, tool="adult_audit", service_id=b.older.id))
    return result


def raw(scope: ReportScope) -> ReportScope:
    return dataclasses.replace(scope, tally=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_aggregation_from_the_tally_equals_the_raw_count(borough: Borough, seed: int):
    random_audits(borough, random.Random(seed), 120)
    for scope in scopes(borough):
        assert audit_counts_by_kind(scope) == audit_counts_by_kind(raw(scope)), scope
        assert rating_tables(scope, QUESTIONS) == rating_tables(raw(scope), QUESTIONS), scope
        assert outcome_distributions(scope) == outcome_distributions(raw(scope)), scope
        assert value_tables(scope, CHOICES) == value_tables(raw(scope), CHOICES), scope
        # A question that is not a choice (a rating here) is counted from the answers.
        mixed = [CHOICES[0], "standard_1"]
        assert value_tables(scope, mixed) == value_tables(raw(scope), mixed), scope
        supervision = dataclasses.replace(scope, tool="supervision_audit")
        assert value_tables(supervision, [NUMBER]) == value_tables(raw(supervision), [NUMBER])


def test_the_tally_counts_the_values_of_choice_and_number_questions_only(app: Flask):
    tallied = tallied_questions()
    assert set(CHOICES) <= tallied[TOOL]
    assert "standard_1" not in tallied[TOOL]  # a rating
    assert "strengths" not in tallied[TOOL]  # free text, which may hold names
    assert "sessions_recorded" in tallied["supervision_audit"]  # a whole number
    assert "period_start" not in tallied["supervision_audit"]  # a date


def test_which_tools_have_audits_in_scope_agrees_with_the_raw_count(borough: Borough):
    random_audits(borough, random.Random(9), 60)
    tools = [TOOL, "adult_audit", "supervision_audit"]
    for scope in scopes(borough):
        assert tools_with_audits(scope, tools) == tools_with_audits(raw(scope), tools), scope
        expected = {
            tool
            for tool in tools
            if audit_counts_by_kind(raw(dataclasses.replace(scope, tool=tool)))[ALL_KINDS]
        }
        assert tools_with_audits(scope, tools) == expected, scope


def test_trends_month_by_month_equal_the_raw_count_of_each_month(borough: Borough):
    random_audits(borough, random.Random(7), 150)
    for scope in scopes(borough)[::7]:
        ratings = summary.monthly_rating_counts(scope, QUESTIONS)
        outcomes = summary.monthly_outcomes(scope)
        months = list(ratings)
        assert months == list(outcomes) == sorted(months)
        assert months[0] == scope.start.replace(day=1)
        for month in months:
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            one = dataclasses.replace(
                raw(scope), start=max(month, scope.start), end=min(last, scope.end)
            )
            assert ratings[month] == rating_tables(one, QUESTIONS), (scope, month)
            assert outcomes[month] == outcome_distributions(one), (scope, month)


def test_whole_months_are_read_from_the_tally(borough: Borough):
    """The tally is really read: emptied, a quarter shows nothing while the raw count does."""
    random_audits(borough, random.Random(4), 40)
    scope = ReportScope(TOOL, date(2025, 1, 1), date(2027, 3, 31))
    assert audit_counts_by_kind(raw(scope))[ALL_KINDS] > 0
    db.session.execute(delete(ReportTally))
    assert audit_counts_by_kind(scope) == {ALL_KINDS: 0}


def test_the_month_to_date_is_read_from_the_tally(borough: Borough):
    """No audit is dated after today, so this month's tally counts the month to date."""
    b = borough
    audit = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    today = audit.audit_date
    to_date = ReportScope(TOOL, today.replace(day=1), today)
    assert audit_counts_by_kind(to_date)[ALL_KINDS] == 1
    db.session.execute(delete(ReportTally))
    assert audit_counts_by_kind(to_date) == {ALL_KINDS: 0}
    assert audit_counts_by_kind(raw(to_date))[ALL_KINDS] == 1


def test_record_many_and_rebuild_agree_and_rebuild_is_idempotent(borough: Borough):
    submitted = random_audits(borough, random.Random(5), 80)
    kept = tally_rows()
    assert summary.rebuild() == len(submitted)
    assert tally_rows() == kept
    assert summary.rebuild() == len(submitted)
    assert tally_rows() == kept


def test_the_tally_counts_each_audit_once_at_every_grain(borough: Borough):
    """Team rows, service rows and the council's rows each add up to the audits."""
    submitted = random_audits(borough, random.Random(6), 60)

    def audits(*where: object) -> int:
        total = select(func.sum(ReportTally.n)).where(ReportTally.axis == "audit", *where)
        return db.session.scalar(total) or 0

    assert audits(ReportTally.team_id >= 0) == len(submitted)
    assert audits(ReportTally.team_id == -1, ReportTally.service_id > 0) == len(submitted)
    assert audits(ReportTally.team_id == -1, ReportTally.service_id == 0) == len(submitted)


def test_submitting_an_audit_counts_it_in_the_same_transaction(borough: Borough):
    b = borough
    audit = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers({1: "met"}))
    scope = ReportScope(TOOL, audit.audit_date.replace(day=1), audit.audit_date)
    month = dataclasses.replace(scope, end=(scope.start + timedelta(days=32)).replace(day=1))
    month = dataclasses.replace(month, end=month.end - timedelta(days=1))
    assert audit_counts_by_kind(month) == {"line_management": 1, ALL_KINDS: 1}
    assert rating_tables(month, QUESTIONS)[ALL_KINDS][0].counts[Rating.MET] == 1


def test_a_submission_that_fails_leaves_the_tally_unchanged(
    borough: Borough, monkeypatch: pytest.MonkeyPatch
):
    b = borough
    registry = get_registry()
    audit = workflow.start_audit(registry, b.cases["cin"], b.user("team_manager"), TOOL, "t1")
    answers = children_answers({1: "met"}, overall="met", grade="good")
    seen: list[int] = []

    def failing_commit() -> None:
        # The counts are there inside the transaction, just before the commit...
        seen.append(db.session.scalar(select(func.count()).select_from(ReportTally)) or 0)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        workflow.submit(audit, answers, registry.score(TOOL, answers, audit.service_id))
    monkeypatch.undo()
    db.session.rollback()
    # ... and go with the submission when it fails.
    assert seen and seen[0] > 0
    assert db.session.scalar(select(func.count()).select_from(ReportTally)) == 0
    assert db.session.get(Audit, audit.id).status is AuditStatus.DRAFT


def test_moving_or_deleting_a_submitted_audit_moves_its_counts(borough: Borough):
    b = borough
    audit = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    audit.audit_date = date(2025, 5, 20)
    audit.kind = AuditKind.INDEPENDENT
    db.session.commit()
    may = ReportScope(TOOL, date(2025, 5, 1), date(2025, 5, 31))
    assert audit_counts_by_kind(may) == {"independent": 1, ALL_KINDS: 1}
    kept = tally_rows()
    summary.rebuild()
    assert tally_rows() == kept
    db.session.delete(audit)
    db.session.commit()
    assert audit_counts_by_kind(may) == {ALL_KINDS: 0}
    assert tally_rows() == set()


def test_an_audit_keeps_the_category_its_case_had_when_it_was_submitted(borough: Borough):
    b = borough
    case = b.cases["cin"]
    audit = submitted_audit(case, b.user("team_manager"), children_answers())
    assert audit.category == CaseCategory.CHILD_IN_NEED.value
    case.category = CaseCategory.CHILD_PROTECTION.value
    db.session.commit()
    day = audit.audit_date
    this_month = ReportScope(TOOL, day.replace(day=1), day)
    for scope in (this_month, ReportScope(TOOL, date(2000, 1, 1), date(2099, 12, 31))):
        in_need = dataclasses.replace(scope, categories=(CaseCategory.CHILD_IN_NEED.value,))
        protection = dataclasses.replace(scope, categories=(CaseCategory.CHILD_PROTECTION.value,))
        assert audit_counts_by_kind(in_need)[ALL_KINDS] == 1
        assert audit_counts_by_kind(protection)[ALL_KINDS] == 0
        assert audit_counts_by_kind(raw(in_need))[ALL_KINDS] == 1


def test_audits_made_directly_take_their_case_category(borough: Borough):
    """Audits not made by the workflow (the demo, imports) still get the category."""
    b = borough
    case = db.session.get(Case, b.cases["lac"].id)
    audit = Audit(
        tool=TOOL,
        form_version="1",
        case_id=case.id,
        service_id=case.service_id,
        team_id=case.team_id,
        auditor_id=b.user("iro").id,
        kind=AuditKind.INDEPENDENT,
        audit_date=ANCHOR,
    )
    db.session.add(audit)
    db.session.commit()
    assert audit.category == CaseCategory.LOOKED_AFTER.value


def test_careaudit_reports_rebuild(app: Flask, borough: Borough):
    submitted = random_audits(borough, random.Random(8), 30)
    kept = tally_rows()
    db.session.execute(delete(ReportTally))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"Rebuilt the report tally: {len(submitted)} submitted audits counted" in result.output
    assert tally_rows() == kept


def test_the_demo_borough_reports_the_same_from_the_tally(demo_borough: Flask):
    """The demo inserts audits directly, moves some and submits others: all counted right."""
    from core.reports import periods

    today = date.today()
    year = periods.financial_year_of(today)
    chosen = [
        periods.last_12_months(today),
        periods.financial_year(year),
        periods.financial_year(year - 1),
    ]
    for tool in get_registry().all():
        asked = select(Answer.question).join(Audit).where(Audit.tool == tool.slug).distinct()
        keys = sorted(db.session.scalars(asked))
        questions = [(key, key, key) for key in keys]
        choices = sorted(tallied_questions().get(tool.slug, ()))
        for period in chosen:
            scope = ReportScope(tool.slug, period.start, period.end)
            assert audit_counts_by_kind(scope) == audit_counts_by_kind(raw(scope))
            assert rating_tables(scope, questions) == rating_tables(raw(scope), questions)
            assert outcome_distributions(scope) == outcome_distributions(raw(scope))
            assert value_tables(scope, choices) == value_tables(raw(scope), choices)
            assert value_tables(scope, keys) == value_tables(raw(scope), keys)
    assert audit_counts_by_kind(ReportScope(TOOL, date(2000, 1, 1), today))[ALL_KINDS] > 0


def test_audits_submitted_at_the_same_time_both_count(app: Flask, borough: Borough):
    """Two submissions upsert the same tally rows at once: the second waits, both count.

    PostgreSQL only: SQLite lets one writer at a time in, so nothing can interleave.
    """
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent writers")
    import threading
    import time

    b = borough
    registry = get_registry()
    ids = [
        workflow.start_audit(registry, b.cases["cin"], b.user("team_manager"), TOOL, f"c{n}").id
        for n in range(2)
    ]
    first_recorded, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def submit(audit_id: int, first: bool) -> None:
        try:
            with app.app_context():
                if not first:
                    first_recorded.wait(10)
                audit = db.session.get(Audit, audit_id)
                assert audit is not None
                audit.status = AuditStatus.SUBMITTED
                summary.record(audit)  # the second blocks here until the first commits
                if first:
                    first_recorded.set()
                    go.wait(10)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(i, i == ids[0])) for i in ids]
    for thread in threads:
        thread.start()
    first_recorded.wait(10)
    time.sleep(0.5)  # the second submission reaches the rows the first holds, and waits
    go.set()
    for thread in threads:
        thread.join(30)
    assert not errors
    db.session.expire_all()
    council = select(ReportTally.n).where(
        ReportTally.axis == "audit", ReportTally.team_id == -1, ReportTally.service_id == 0
    )
    assert db.session.scalars(council).all() == [2]


def test_a_page_reads_the_tally_once_and_sees_a_submission_made_since(borough: Borough):
    """A report page asks for the same scope many times: the tally is read once per
    transaction (core.memo), and an audit submitted in between is counted at once."""
    b = borough
    first = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    start = first.audit_date.replace(day=1)
    year = ReportScope(TOOL, start - timedelta(days=400), start - timedelta(days=1))
    whole = dataclasses.replace(year, start=year.start.replace(day=1))
    random_audits(b, random.Random(8), 30)
    with statements_run() as statements:
        counts = audit_counts_by_kind(whole)
        tables = rating_tables(whole, QUESTIONS)
        assert audit_counts_by_kind(whole) == counts
        assert rating_tables(whole, QUESTIONS) == tables
    tally = [s for s in statements if re.search(r"FROM report_tally\b(?!_)", s)]
    assert len(tally) == 1
    assert counts == audit_counts_by_kind(raw(whole))
    moved = db.session.get(Audit, first.id)
    moved.audit_date = whole.start + timedelta(days=40)  # into the year: counted at once
    assert audit_counts_by_kind(whole)[ALL_KINDS] == counts[ALL_KINDS] + 1
    assert audit_counts_by_kind(whole) == audit_counts_by_kind(raw(whole))
