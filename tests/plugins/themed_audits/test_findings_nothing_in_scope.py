"""A report whose scope holds no audit of a theme asks nothing more of the database (issue 12).

Most reports (a team, a month) include no themed audit at all; their findings section
shows zeros, and must not run one query per finding and question to find them.
"""

from __future__ import annotations

from datetime import timedelta

from core.tools import QuestionKind, ReportScope
from plugins.themed_audits.findings import analyse
from plugins.themed_audits.rereferral.theme import theme as rereferral
from tests.factories import Borough
from tests.plugins.themed_audits.test_findings import (
    TODAY,
    counted_queries,
    rereferral_answers,
    scope,
    submit,
)


def test_nothing_in_scope_shows_zeros_without_reading_answers(borough: Borough):
    submit(borough, rereferral, rereferral_answers(5, 2, "domestic_violence", "yes", "yes", "yes"))
    elsewhere = ReportScope(
        tool=rereferral.slug,
        start=TODAY - timedelta(days=365),
        end=TODAY,
        service_id=borough.care.id,  # the audit above is in Children in Need
    )
    with counted_queries() as statements:
        context = analyse(rereferral, elsewhere)
    assert context["total"] == 0
    assert [s.count for s in context["headline"]] == [0] * len(rereferral.findings)
    assert context["cross_tabs"] == []
    numbers = {q.key for q in rereferral.questions() if q.kind is QuestionKind.NUMBER}
    assert numbers  # the theme has number questions, whose summaries are empty
    for question in context["questions"]:
        assert all(share.count == 0 for share in question.shares)
        if question.key in numbers:
            assert (question.answered, question.average, question.largest) == (0, None, None)
    assert statements, "the total is still counted"
    assert not [s for s in statements if "answer" in s.lower()], statements


def test_with_audits_in_scope_the_answers_are_still_counted(borough: Borough):
    submit(borough, rereferral, rereferral_answers(5, 2, "domestic_violence", "yes", "yes", "yes"))
    context = analyse(rereferral, scope(borough))
    assert context["total"] == 1
    headline = {s.label: s.count for s in context["headline"]}
    assert headline["More than four previous referrals on the system"] == 1
