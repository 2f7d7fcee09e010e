"""Audit lists and rating tags (core/audits/markup.py): what a home, case or staff page
lists of each audit, where each row leads, every value escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Flask
from flask_login import login_user

from core.audits import workflow
from core.audits.markup import answer_text, audit_table, rating_tag
from core.extensions import db
from core.models import Rating
from core.tools.questions import AnswerValue, Option, Question, QuestionKind
from core.tools.registry import get_registry
from tests.factories import Borough
from tests.helpers import submitted_audit


def parse(markup: object) -> ET.Element:
    return ET.fromstring(f"<page>{markup}</page>")


def test_a_rating_tag_is_coloured_and_in_words() -> None:
    tag = parse(rating_tag(Rating.NOT_MET)).find("strong")
    assert tag is not None
    assert tag.get("class") == "govuk-tag govuk-tag--red" and tag.text == "Not met"
    assert parse(rating_tag("draft")).find("strong").get("class").endswith("--grey")
    assert str(rating_tag(None)) == "" and str(rating_tag("")) == ""


def test_an_unknown_value_is_a_grey_tag_and_escaped() -> None:
    markup = str(rating_tag("<b>odd</b>"))
    assert "<b>" not in markup and "govuk-tag--grey" in markup


def test_rows_lead_to_the_audit_and_ones_own_draft_to_its_form(app: Flask, borough: Borough):
    manager = borough.user("team_manager")
    registry = get_registry()
    draft = workflow.start_audit(registry, borough.cases["cin"], manager, "children_audit", "m")
    done = submitted_audit(borough.cases["cp"], manager, {})
    db.session.commit()
    with app.test_request_context():
        login_user(manager)
        table = parse(audit_table([draft, done], "Your audits", show_auditor=True))
    region = table.find("div")
    assert region is not None and region.get("role") == "region"
    assert region.get("aria-label") == "Your audits" and region.get("tabindex") == "0"
    headers = [th.text for th in table.iter("th")]
    assert headers == ["Audit of", "Tool", "Kind", "Auditor", "Date", "Outcome"]
    rows = table.findall(".//tbody/tr")
    links = [row.find(".//a").get("href") for row in rows]
    assert links == [f"/audits/{draft.id}/edit", f"/audits/{done.id}"]
    first = [("".join(td.itertext())).strip() for td in rows[0].iter("td")]
    assert first[0] == borough.cases["cin"].reference
    assert first[1] == registry.get("children_audit").title
    assert first[3] == manager.name
    assert first[5] == "Draft"


def test_someone_elses_draft_leads_to_its_page(app: Flask, borough: Borough):
    registry = get_registry()
    draft = workflow.start_audit(
        registry, borough.cases["cin"], borough.user("team_manager"), "children_audit", "o"
    )
    db.session.commit()
    with app.test_request_context():
        login_user(borough.user("service_manager"))
        table = parse(audit_table([draft], "Audits"))
    assert table.find(".//a").get("href") == f"/audits/{draft.id}"
    assert "Auditor" not in [th.text for th in table.iter("th")]


def test_no_audits_show_the_caption_and_what_to_say(app: Flask):
    with app.test_request_context():
        page = parse(audit_table([], "Drafts to finish", empty="You have <none>."))
    assert page.find("h2").text == "Drafts to finish"
    assert page.find("p").text == "You have <none>."  # escaped in the markup, text here


#: The macro ``answer_text`` was before it was written in Python: its output is the
#: specification, byte for byte.
_ANSWER_MACRO = """{% from "_macros.html" import rating_tag %}
{% macro answer_text(q, answer) -%}
  {% if not answer %}<span class="govuk-hint">Not answered</span>
  {% elif q.kind.value == "rating" %}{{ rating_tag(answer.rating.value if answer.rating else none) }}{% if answer.comment %}<p class="govuk-body careaudit-prewrap govuk-!-margin-top-2">{{ answer.comment }}</p>{% endif %}
  {% elif q.kind.value == "choice" or q.computed %}{{ q.option_label(answer.value) }}
  {% elif q.kind.value == "date" %}{{ answer.value|iso_date }}
  {% elif q.kind.value == "multi_choice" %}{% for v in answer.values %}{{ q.option_label(v) }}{% if not loop.last %}, {% endif %}{% endfor %}
  {% else %}<span class="careaudit-prewrap">{{ answer.value }}</span>{% endif %}
{%- endmacro %}
{{ answer_text(q, answer) }}"""  # noqa: E501


def test_an_answer_reads_back_as_the_macro_wrote_it(app: Flask) -> None:
    options = (Option("a", "Apples & <pears>"), Option("b", "Bananas"))
    rating = Question("r", "Rated?", QuestionKind.RATING)
    cases = [
        (rating, None),
        (rating, AnswerValue(rating=Rating.MET)),
        (rating, AnswerValue(rating=Rating.NOT_MET, comment="Late <visits>\nand more")),
        (rating, AnswerValue(comment="A comment, no rating")),
        (Question("c", "Choice?", QuestionKind.CHOICE, options=options), AnswerValue(value="a")),
        (Question("c", "Choice?", QuestionKind.CHOICE, options=options), AnswerValue(value="zz")),
        (Question("d", "When?", QuestionKind.DATE), AnswerValue(value="2026-03-09")),
        (Question("d", "When?", QuestionKind.DATE), AnswerValue(value="not a date")),
        (
            Question("m", "Which?", QuestionKind.MULTI_CHOICE, options=options),
            AnswerValue(value="a,b"),
        ),
        (Question("m", "Which?", QuestionKind.MULTI_CHOICE, options=options), AnswerValue()),
        (Question("t", "Why?", QuestionKind.TEXT), AnswerValue(value="Because <b>so</b> &c")),
        (Question("n", "How many?", QuestionKind.NUMBER), AnswerValue(value="12")),
        (
            Question("x", "Worked out", QuestionKind.TEXT, options=options, computed=True),
            AnswerValue(value="b"),
        ),
    ]
    macro = app.jinja_env.from_string(_ANSWER_MACRO)
    with app.test_request_context():
        for question, answer in cases:
            assert str(answer_text(question, answer)) == macro.render(q=question, answer=answer)
