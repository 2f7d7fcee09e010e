"""How the messages of an incomplete audit name its questions (core.audits.answering)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from core.audits.answering import (
    completeness_problems,
    message_name,
    question_words,
    stored_answers,
)
from core.extensions import db
from core.models import Answer, Audit, Rating
from core.tools.questions import AnswerValue, FormDefinition, Question, QuestionKind, Section
from tests.factories import Borough
from tests.helpers import statements_run, submitted_audit


def rating(key: str, text: str, name: str = "") -> Question:
    return Question(key=key, text=text, kind=QuestionKind.RATING, name=name)


def test_a_short_first_sentence_is_quoted_whole() -> None:
    text = "Is there an up to date chronology on file? Comment on quality."
    assert question_words(text) == "Is there an up to date chronology on file?"


def test_a_long_question_is_cut_at_a_whole_word_with_an_ellipsis() -> None:
    text = (
        "Where child is deemed a child in need but not on CP plan or looked after or care "
        "leaver, is there a child in need plan in place?"
    )
    words = question_words(text)
    assert words == "Where child is deemed a child in need but not on CP plan or…"
    assert len(words) <= 61


def test_the_cut_never_leaves_a_bracket_open() -> None:
    text = "The eligibility decision is recorded with reasons (Care Act 2014 s13)."
    assert question_words(text, limit=60) == "The eligibility decision is recorded with reasons…"


def test_a_bare_label_gets_the_question_words_after_it() -> None:
    question = rating("standard_1", "Is there an up to date chronology on file?", "standard 1")
    assert message_name(question) == "standard 1 (Is there an up to date chronology on file?)"


def test_a_name_that_says_what_it_is_stays_as_it_is() -> None:
    question = rating("agreement", "Is there a signed supervision agreement?", "the agreement")
    assert message_name(question) == "the agreement"


def test_an_unanswered_standard_is_named_with_its_words() -> None:
    definition = FormDefinition(
        tool="example",
        version="1",
        title="Example audit",
        sections=(
            Section(
                key="s1",
                title="Chronology",
                label="Standard 1",
                questions=(rating("standard_1", "Is there a chronology?", "standard 1"),),
            ),
        ),
    )
    [problem] = completeness_problems(definition, {})
    assert problem.message == (
        "Select whether standard 1 (Is there a chronology?) is met, partially met, not met or "
        "not applicable"
    )


def test_a_list_number_or_an_abbreviation_does_not_end_the_sentence():
    """Standard 6 numbers its items ("there: 1. an up to date PEP"), standard 9 says "e.g.":
    neither full stop ends the question's first sentence."""
    six = "If child is looked after is there: 1. an up to date PEP and 2. a health assessment?"
    assert question_words(six, limit=100) == six
    nine = "Where the main risk is outside the home – e.g. gangs or exploitation."
    assert question_words(nine, limit=100) == nine


def test_a_pre_set_answer_not_yet_saved_says_it_needs_confirming():
    """A standard offered as Not applicable shows that choice on its page; until the auditor
    saves it, the check page says why it is still listed."""
    from core.tools.questions import FormDefinition, Question, QuestionKind, Section

    offered = Question(
        "standard_10",
        "Are the carers supported?",
        QuestionKind.RATING,
        name="standard 10",
        initial="not_applicable",
    )
    form = FormDefinition("t", "1", "T", (Section("s", "S", (offered,)),))
    [problem] = completeness_problems(form, {})
    assert problem.message.endswith(
        "it is offered as not applicable, so open it and save it to confirm"
    )


def test_stored_answers_are_read_once_a_transaction_and_follow_a_change(
    app: Flask, borough: Borough
):
    """The audit's page, its follow-up panel and its feedback each ask for the answers:
    one statement serves them all, until something is written."""
    audit = submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        {"standard_1": AnswerValue(Rating.NOT_MET, comment="No plan on file.")},
    )
    db.session.commit()
    audit = db.session.get(Audit, audit.id)  # its answers not loaded
    try:
        with statements_run() as statements:
            first = stored_answers(audit)
            first["standard_1"] = AnswerValue(Rating.MET)  # the caller's own copy
            again = stored_answers(audit)
            db.session.execute(
                update(Answer)
                .where(Answer.audit_id == audit.id, Answer.question == "standard_1")
                .values(rating=Rating.PARTIALLY_MET)
            )
            changed = stored_answers(audit)
    finally:
        db.session.rollback()

    assert again["standard_1"] == AnswerValue(Rating.NOT_MET, comment="No plan on file.")
    assert changed["standard_1"].rating is Rating.PARTIALLY_MET
    assert len([s for s in statements if "FROM answer" in s and s.startswith("SELECT")]) == 2
