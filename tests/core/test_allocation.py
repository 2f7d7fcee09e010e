"""`careaudit allocate`: the programme allocates itself, once, reproducibly."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import event, func, insert, select, update

from core.extensions import db
from core.models import (
    Allocation,
    AllocationRun,
    AllocationStatus,
    AuditKind,
    AuditRule,
    Case,
    Category,
    Role,
)
from core.programme import periods
from core.programme.allocation import allocate
from core.programme.rules import default_rules
from core.programme.selection import select_cases
from core.testing import complete_audit
from core.tools.registry import get_registry
from tests.factories import Borough, add_programme, children_form

DECEMBER = periods.month("2026-12")


@pytest.fixture
def programme(borough: Borough) -> Borough:
    """The borough with the report's default rules and a fuller CIN North team."""
    add_programme(borough)
    return borough


def allocations(**where: object) -> list[Allocation]:
    statement = select(Allocation).order_by(Allocation.id)
    for name, value in where.items():
        statement = statement.where(getattr(Allocation, name) == value)
    return list(db.session.scalars(statement))


def test_default_rules_follow_the_report(programme: Borough):
    rules = db.session.scalars(select(AuditRule)).all()
    tm = next(
        r for r in rules if r.auditor_role is Role.TEAM_MANAGER and r.service_id == programme.cin.id
    )
    assert (tm.quantity, tm.pool.value, tm.frequency.value) == (3, "team", "monthly")
    iro = next(r for r in rules if r.auditor_role is Role.INDEPENDENT_REVIEWER)
    assert (iro.quantity, iro.service_id, iro.independent) == (4, None, True)
    self_audit = next(r for r in rules if r.auditor_role is Role.SOCIAL_WORKER)
    assert not self_audit.active  # self-audit is off by default
    assert default_rules(get_registry()) == []  # nothing added twice


def test_allocation_follows_the_rules_and_is_idempotent(programme: Borough):
    run = allocate(get_registry(), DECEMBER, seed=11)
    tm = programme.user("team_manager")
    mine = allocations(auditor_id=tm.id)
    assert len(mine) == 3
    assert all(a.case.team_id == programme.north.id and a.case.is_open for a in mine)
    assert all(
        a.due_date == date(2026, 12, 31) and a.kind is AuditKind.LINE_MANAGEMENT for a in mine
    )
    iro = allocations(auditor_id=programme.user("iro").id)
    assert len(iro) == 4 and all(a.kind is AuditKind.INDEPENDENT for a in iro)
    assert len({a.case_id for a in allocations()}) == len(allocations())  # no case twice
    assert run.seed == 11 and run.allocated == len(allocations())

    again = allocate(get_registry(), DECEMBER, seed=99)
    assert again.allocated == 0
    assert any("already allocated" in line for line in again.log)
    assert db.session.scalar(select(func.count()).select_from(AllocationRun)) == 2


def test_same_seed_gives_the_same_allocation(programme: Borough):
    first = [
        (a.auditor_id, a.case_id)
        for a in (allocate(get_registry(), DECEMBER, seed=5) and allocations())
    ]
    db.session.execute(Allocation.__table__.delete())
    db.session.commit()
    second = [
        (a.auditor_id, a.case_id)
        for a in (allocate(get_registry(), DECEMBER, seed=5) and allocations())
    ]
    assert first == second


def test_pool_too_small_is_said_in_the_log(programme: Borough):
    run = allocate(get_registry(), DECEMBER, seed=3)
    south = next(line for line in run.log if "South Manager" in line)
    assert "pool too small: 3 wanted, 1 eligible, so 1 allocated" in south


def test_six_monthly_rules_run_in_april_and_october_only(programme: Borough):
    senior = programme.user("senior")
    november = allocate(get_registry(), periods.month("2026-11"), seed=1)
    assert not allocations(auditor_id=senior.id)
    assert any("every six months, not due in November 2026" in line for line in november.log)
    for rule in db.session.scalars(select(AuditRule)):
        rule.active = rule.auditor_role is Role.SENIOR_MANAGER  # leave cases for the sample
    db.session.commit()
    allocate(get_registry(), periods.month("2027-04"), seed=1)
    sample = allocations(auditor_id=senior.id)
    assert sample and all(a.kind is AuditKind.SENIOR_SAMPLE for a in sample)


def test_an_allocated_audit_counts_when_submitted(client, auth, programme: Borough):
    """Starting an audit of an allocated case ties it to the allocation; submitting completes it."""
    allocate(get_registry(), DECEMBER, seed=2)
    tm = programme.user("team_manager")
    allocation = allocations(auditor_id=tm.id)[0]
    auth.login("team_manager@test.example")
    home = client.get("/").get_data(as_text=True)
    assert allocation.case.reference in home and "31 December 2026" in home
    started = client.post(
        f"/audits/start/{allocation.case_id}", data={"tool": "children_audit", "token": "t"}
    )
    db.session.expire_all()
    assert allocation.audit_id is not None
    complete_audit(client, int(started.location.split("/")[2]), children_form())
    db.session.expire_all()
    assert allocation.status is AllocationStatus.COMPLETED


def test_allocate_command(runner, programme: Borough):
    result = runner.invoke(args=["allocate", "--period", "2026-12", "--seed", "8"])
    assert result.exit_code == 0, result.output
    assert "seed 8" in result.output and "audits allocated" in result.output
    bad = runner.invoke(args=["allocate", "--period", "2026-13"])
    assert bad.exit_code != 0 and "is not a month like 2026-12" in bad.output


def test_two_servers_allocating_at_once_allocate_once(
    programme: Borough, database_url: str, tmp_path
):
    """Two processes on one PostgreSQL database: no duplicates, nothing lost."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "concurrent allocation is tested on PostgreSQL (set CAREAUDIT_TEST_DATABASE_URL)"
        )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "CAREAUDIT_INSTANCE_PATH": str(tmp_path),
        "CAREAUDIT_LOAD_ENTRY_POINTS": "0",
    }
    command = [
        sys.executable,
        "-c",
        "from core.cli import main; main()",
        "allocate",
        "--period",
        "2026-12",
        "--seed",
    ]
    processes = [
        subprocess.Popen(
            [*command, seed], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for seed in ("1", "2")
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    db.session.expire_all()
    rows = allocations()
    assert len({(a.rule_id, a.auditor_id, a.slot) for a in rows}) == len(rows)
    assert len({a.case_id for a in rows}) == len(rows)
    totals = sorted(
        int(out.split(" audits allocated")[0].rsplit("\n", 1)[-1]) for out, _ in outputs
    )
    assert totals[0] == 0 and totals[1] == len(rows)  # one did the work, one found it done


def test_service_managers_edit_their_rules_and_mistakes_are_shown(client, auth, programme: Borough):
    auth.login("service_manager@test.example")
    page = client.get("/programme/rules").get_data(as_text=True)
    assert "Children in Need" in page and "All services" not in page  # own service only
    rule = db.session.scalar(
        select(AuditRule).where(
            AuditRule.service_id == programme.cin.id, AuditRule.auditor_role == Role.TEAM_MANAGER
        )
    )
    bad = client.post(
        f"/programme/rules/{rule.id}",
        data={
            "quantity": "lots",
            "frequency": "monthly",
            "pool": "team",
            "tool": "children_audit",
            "months": "forty",
            "active": "y",
        },
    )
    assert bad.status_code == 400
    assert b"Enter how many files" in bad.data and b"Enter a number of months" in bad.data
    assert b'value="lots"' in bad.data and b'value="forty"' in bad.data
    good = client.post(
        f"/programme/rules/{rule.id}",
        data={
            "quantity": "4",
            "frequency": "monthly",
            "pool": "team",
            "tool": "children_audit",
            "months": "12",
            "active": "y",
        },
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert rule.quantity == 4
    other = db.session.scalar(select(AuditRule).where(AuditRule.service_id.is_(None)))
    assert client.get(f"/programme/rules/{other.id}").status_code == 404
    auth.logout()
    auth.login("team_manager@test.example")
    assert client.get("/programme/rules").status_code == 403


def test_allocation_log_page_shows_seed_and_reasons(client, auth, programme: Borough):
    allocate(get_registry(), DECEMBER, seed=77)
    auth.login("iro@test.example")
    page = client.get("/programme/runs").get_data(as_text=True)
    assert "seed 77" in page and "pool too small" in page


def test_the_draw_weighs_each_case_by_its_category(programme: Borough, monkeypatch):
    """Allocation draws with the risk weights administrators set on the case categories."""
    import core.programme.allocation as allocation_module

    early_help = Category(
        directorate_id=programme.children.id, code="early_help", label="Early help", risk_weight=0.5
    )
    db.session.add(early_help)
    db.session.execute(
        update(Category).where(Category.code == "child_in_need").values(risk_weight=3.0)
    )
    db.session.commit()
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs["weights"])
        return select_cases(*args, **kwargs)

    monkeypatch.setattr(allocation_module, "select_cases", spy)
    run = allocate(get_registry(), DECEMBER, seed=4)
    assert seen and all(
        w["child_in_need"] == 3.0 and w["early_help"] == 0.5 and w["looked_after"] == 2.0
        for w in seen
    )
    # The log says which drawn cases weighed more or less than ordinary, and by how much.
    assert any("(child_in_need, weight 3)" in line for line in run.log)


def test_the_rule_page_shows_the_category_weights_it_draws_with(client, auth, programme: Borough):
    """The weights live on the categories: the rule page says what they are, not asks."""
    auth.login("service_manager@test.example")
    rule = db.session.scalar(
        select(AuditRule).where(
            AuditRule.service_id == programme.cin.id, AuditRule.auditor_role == Role.TEAM_MANAGER
        )
    )
    page = client.get(f"/programme/rules/{rule.id}").get_data(as_text=True)
    assert 'name="weight"' not in page
    assert "Child protection: 2 times as likely" in page
    assert "Looked after: 2 times as likely" in page
    assert "Care and support" not in page  # an adults' category: not this rule's draw
    assert "administrators set for each case category" in page


def _bulk_cases(borough: Borough, team_key: str, count: int, prefix: str) -> list[int]:
    """``count`` open children's cases in a team, written in one bulk insert (seconds at 70,000)."""
    team = getattr(borough, team_key)
    worker = borough.user("worker" if team_key == "north" else "other_worker")
    db.session.execute(
        insert(Case),
        [
            {
                "reference": f"{prefix}{n:07d}",
                "initials": "AB",
                "service_id": team.service_id,
                "team_id": team.id,
                "allocated_worker_id": worker.id,
                "category": "child_in_need",
                "is_open": True,
            }
            for n in range(count)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(Case.id).where(Case.reference.startswith(prefix))))


def test_a_pool_beyond_postgresqls_bind_parameter_limit_allocates(programme: Borough):
    """70,000 open cases in the independent reviewer's pool: more than the 65,535 bind
    parameters PostgreSQL takes in one statement, so no statement may list the pool."""
    big = _bulk_cases(programme, "north", 70_000, "BIG")
    # Allocated in November: recent history the 12-month rule must still see at this size.
    recent = big[:100]
    iro = programme.user("iro")
    db.session.execute(
        insert(Allocation),
        [
            {
                "period": "2026-11",
                "rule_id": None,
                "auditor_id": iro.id,
                "slot": slot,
                "case_id": case_id,
                "tool": "children_audit",
                "kind": AuditKind.INDEPENDENT,
                "due_date": date(2026, 11, 30),
            }
            for slot, case_id in enumerate(recent, start=1)
        ],
    )
    db.session.commit()

    run = allocate(get_registry(), DECEMBER, seed=12)

    mine = allocations(auditor_id=iro.id, period="2026-12")
    assert len(mine) == 4 and not {a.case_id for a in mine} & set(recent)
    line = next(line for line in run.log if line.startswith("Iro (") and "rule" in line)
    pool = int(line.split("pool of ")[1].split(" ")[0])
    assert pool > 70_000
    excluded = int(line.split(" excluded: audited in the last 12 months")[0].rsplit(" ", 1)[1])
    assert excluded >= len(recent)


def test_allocation_statements_do_not_grow_with_the_cases(programme: Borough):
    """Allocation reads and writes in sets: as many SQL statements for 500 more cases,
    and for the allocations they let it make, as without them."""

    def statements(seed: int) -> tuple[int, int]:
        counted = [0]

        def count(*_: object) -> None:
            counted[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            run = allocate(get_registry(), DECEMBER, seed=seed)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.execute(Allocation.__table__.delete())
        db.session.commit()
        return counted[0], run.allocated

    small, small_allocated = statements(21)
    # CIN South's pool was too small; now every team's draw has plenty.
    _bulk_cases(programme, "south", 250, "SOUTH")
    _bulk_cases(programme, "north", 250, "NORTH")
    large, large_allocated = statements(21)
    assert large_allocated > small_allocated
    assert large == small
    assert small <= 60  # per rule and tool, never per case or per allocation
