"""Report reads of the tally are kept across requests under the tally's version token
(core.tools.reporting), and every transaction that changes the tally commits a new
token with the new counts (core.reports.summary): a kept read is never a stale one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from core.extensions import db
from core.lru import SizedLRU
from core.models import ReportTally, ReportTallyVersion, TallyAxis
from core.reports import summary
from core.tools.reporting import ALL_KINDS, CountRow, ReportScope, audit_counts_by_kind
from tests.factories import Borough
from tests.helpers import children_answers, statements_run, submitted_audit

TOOL = "children_audit"
TALLY_READ = re.compile(r"FROM report_tally\b(?!_)")


@contextmanager
def tally_reads() -> Iterator[list[str]]:
    """The statements that read the tally itself (not its version) inside the block,
    there once it ends."""
    reads: list[str] = []
    with statements_run() as seen:
        yield reads
    reads.extend(statement for statement in seen if TALLY_READ.search(statement))


def token() -> str | None:
    return db.session.scalar(select(ReportTallyVersion.token))


def whole_months(first: date) -> ReportScope:
    """The year to the end of ``first``'s month: whole months, read from the tally."""
    start = first.replace(day=1) - timedelta(days=330)
    end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return ReportScope(TOOL, start.replace(day=1), end)


def test_a_read_is_kept_across_requests_until_an_audit_is_submitted(borough: Borough):
    b = borough
    first = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    scope = whole_months(first.audit_date)
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 1
    db.session.commit()  # the request ends

    with tally_reads() as reads:
        assert audit_counts_by_kind(scope)[ALL_KINDS] == 1
    assert reads == []  # the next request: kept, not read again
    db.session.commit()

    submitted_audit(b.cases["cp"], b.user("team_manager"), children_answers())
    with tally_reads() as reads:
        assert audit_counts_by_kind(scope)[ALL_KINDS] == 2
    assert len(reads) == 1


def test_the_token_changes_with_the_tally_and_only_with_it(borough: Borough):
    b = borough
    audit = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    after_submission = token()
    assert after_submission is not None

    b.user("worker").name = "Renamed Worker"  # not counted by the tally
    db.session.commit()
    assert token() == after_submission

    audit.audit_date = audit.audit_date - timedelta(days=40)  # moved: counted elsewhere
    db.session.commit()
    after_move = token()
    assert after_move not in (None, after_submission)

    summary.rebuild()
    assert token() not in (None, after_move)


def test_a_transaction_reads_its_own_counts_and_a_rollback_keeps_the_token(
    borough: Borough,
):
    b = borough
    first = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    scope = whole_months(first.audit_date)
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 1  # kept under the committed token
    db.session.commit()
    before = token()

    # Counted again (as a faulty import would), not committed: the token is as it was,
    # but this transaction must see its own counts, not the kept read.
    summary.record_many([first.id])
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 2

    db.session.rollback()
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 1
    db.session.commit()  # a later transaction that counts nothing
    assert token() == before


def test_a_directorate_report_follows_a_service_moved_to_another_directorate(
    borough: Borough,
):
    """Which services a directorate has is not in the tally: its reads are not kept."""
    b = borough
    first = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    scope = whole_months(first.audit_date)
    children = ReportScope(TOOL, scope.start, scope.end, directorate_id=b.children.id)
    adults = ReportScope(TOOL, scope.start, scope.end, directorate_id=b.adults.id)
    assert audit_counts_by_kind(children)[ALL_KINDS] == 1
    assert audit_counts_by_kind(adults)[ALL_KINDS] == 0
    db.session.commit()

    b.cin.directorate_id = b.adults.id
    db.session.commit()
    assert audit_counts_by_kind(children)[ALL_KINDS] == 0
    assert audit_counts_by_kind(adults)[ALL_KINDS] == 1


def test_rows_written_to_the_tally_through_the_session_are_a_change(borough: Borough):
    b = borough
    first = submitted_audit(b.cases["cin"], b.user("team_manager"), children_answers())
    scope = whole_months(first.audit_date)
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 1
    db.session.commit()
    before = token()

    db.session.execute(delete(ReportTally))
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 0  # not the kept read
    db.session.commit()
    assert token() != before
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 0


def test_kept_reads_stay_within_their_row_limit(monkeypatch: pytest.MonkeyPatch):
    """Least recently used reads go first; a read too big to share the room is not kept."""
    from core.tools import reporting

    monkeypatch.setattr(reporting, "_kept", SizedLRU(8, len))
    two = (CountRow(None, ALL_KINDS, TallyAxis.AUDIT, "", "", 1),) * 2
    for key in "abcd":
        reporting._kept.put(key, two)
    reporting._kept.put("e", two)
    assert list(reporting._kept) == ["b", "c", "d", "e"]
    assert reporting._kept.held == 8
    reporting._kept.put("big", two + two[:1])  # over a quarter of the room
    assert "big" not in reporting._kept


def test_emptying_every_table_leaves_no_token(borough: Borough):
    """As tests and ``demo --reset`` do: with no token, nothing is kept until a count."""
    from core.testing.database import empty_tables

    first = submitted_audit(borough.cases["cin"], borough.user("team_manager"), children_answers())
    assert token() is not None
    scope = whole_months(first.audit_date)
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 1
    empty_tables()
    assert token() is None
    assert audit_counts_by_kind(scope)[ALL_KINDS] == 0
