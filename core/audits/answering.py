"""Between a tool's form definition, the web form, and stored answers.

Core, not the tools, turns a ``FormDefinition`` into a WTForms form, reads
typed values back, and applies the rules every form shares (required
answers, evidence for Partially met / Not met, whole numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import bindparam, inspect, select
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from core import memo
from core.extensions import db
from core.inputs import whole_number
from core.models import Answer, Audit, Rating
from core.tools.questions import AnswerValue, FormDefinition, Question, QuestionKind
from core.tools.results import AnswerProblem

COMMENT_SUFFIX = "__comment"


def _blank_to_none(value: Any) -> str | None:
    # WTForms' default ``coerce=str`` turns "nothing chosen" into "None".
    if value is None or value == "":
        return None
    return str(value)


def comment_field(question: Question) -> str:
    return question.key + COMMENT_SUFFIX


DATE_PARTS = ("day", "month", "year")


def field_name(problem: AnswerProblem) -> str:
    """The form field a problem belongs to (``key``, ``key__comment``, ``key__day`` ...)."""
    return problem.question + (f"__{problem.part}" if problem.part else "")


def _allowed(question: Question) -> list[str]:
    if question.kind is QuestionKind.RATING:
        return [r.value for r in question.rating_choices()]
    return [o.value for o in question.options]


def build_form_class(definition: FormDefinition) -> type[FlaskForm]:
    """A new WTForms class for this form definition (never a shared, mutated one)."""
    attrs: dict[str, Any] = {"version": HiddenField()}
    for question in definition.questions():
        if question.computed:
            continue  # shown read-only; never read from the form
        choices = [SelectChoice(value) for value in _allowed(question)]
        if question.kind in (QuestionKind.RATING, QuestionKind.CHOICE):
            attrs[question.key] = RadioField(
                choices=choices, coerce=_blank_to_none, validate_choice=False
            )
        elif question.kind is QuestionKind.MULTI_CHOICE:
            attrs[question.key] = SelectMultipleField(choices=choices, validate_choice=False)
        elif question.kind is QuestionKind.TEXT:
            attrs[question.key] = TextAreaField()
        elif question.kind is QuestionKind.NUMBER:
            # A text box, so whatever was typed comes back even when it is not a number.
            attrs[question.key] = StringField()
        elif question.kind is QuestionKind.DATE:
            for part in DATE_PARTS:
                attrs[f"{question.key}__{part}"] = StringField()
        if question.kind is QuestionKind.RATING and question.has_comment:
            attrs[comment_field(question)] = TextAreaField()
    return type(f"{definition.tool.title().replace('_', '')}Form", (FlaskForm,), attrs)


#: An audit's stored answers as plain values, in the order they were first saved.
_ANSWERS = (
    select(Answer.question, Answer.rating, Answer.value, Answer.comment)
    .where(Answer.audit_id == bindparam("audit_id"))
    .order_by(Answer.id)
)


def stored_answers(audit: Audit) -> dict[str, AnswerValue]:
    """The audit's answers by question. Read as plain values (no ``Answer`` objects to
    build: a form of 60 questions made the audit's page build 60, issue 12) and once per
    transaction, unless the audit's answers are loaded already: then as they stand."""
    if audit.id is None or "answers" not in inspect(audit).unloaded:
        return {
            answer.question: AnswerValue(answer.rating, answer.value, answer.comment)
            for answer in audit.answers
        }
    read = memo.remember(
        ("stored answers", audit.id),
        lambda: {
            question: AnswerValue(rating, value, comment)
            for question, rating, value, comment in db.session.execute(
                _ANSWERS, {"audit_id": audit.id}
            )
        },
    )
    return dict(read)  # the caller's own: what is kept stays as read


def form_data(definition: FormDefinition, answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
    """Initial form data: stored answers, else the tool's pre-set values."""
    data: dict[str, Any] = {}
    for question in definition.questions():
        answer = answers.get(question.key)
        if question.kind is QuestionKind.RATING:
            if answer is not None and answer.rating is not None:
                data[question.key] = answer.rating.value
            elif answer is None:
                data[question.key] = question.initial
            if question.has_comment:
                data[comment_field(question)] = answer.comment if answer else None
        elif question.kind is QuestionKind.MULTI_CHOICE:
            data[question.key] = answer.values if answer else []
        elif question.kind is QuestionKind.DATE:
            value = (answer.value if answer else None) or question.initial or ""
            year, month, day = [*value.split("-"), "", "", ""][:3] if value else ("", "", "")
            data.update(
                {
                    f"{question.key}__day": day.lstrip("0"),
                    f"{question.key}__month": month.lstrip("0"),
                    f"{question.key}__year": year,
                }
            )
        else:
            value = answer.value if answer else None
            data[question.key] = value if value is not None else question.initial
    return data


def _read_date(question: Question, form: FlaskForm) -> tuple[str | None, AnswerProblem | None]:
    parts = {p: (form[f"{question.key}__{p}"].data or "").strip() for p in DATE_PARTS}
    name = question.display_name.capitalize()
    if not any(parts.values()):
        return None, None
    missing = [p for p in DATE_PARTS if not parts[p]]
    if missing:
        return None, AnswerProblem(
            question.key, f"{name} must include a {' and '.join(missing)}", part=missing[0]
        )
    if any(whole_number(parts[p]) is None for p in DATE_PARTS) or len(parts["year"]) != 4:
        return None, AnswerProblem(question.key, f"{name} must be a real date", part="day")
    try:
        value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None, AnswerProblem(question.key, f"{name} must be a real date", part="day")
    return value.isoformat(), None


def read_answers(
    definition: FormDefinition,
    form: FlaskForm,
    stored: Mapping[str, AnswerValue] | None = None,
) -> tuple[dict[str, AnswerValue], list[AnswerProblem]]:
    """Answers typed into ``form``, and problems with values that cannot be stored.

    Only impossible values (an unknown option, a number that is not a number,
    a date that does not exist) are problems here; missing answers are checked
    by :func:`completeness_problems`. Computed answers are carried over from
    ``stored``: they are the tool's, never the form's.
    """
    answers: dict[str, AnswerValue] = {}
    problems: list[AnswerProblem] = []
    for question in definition.questions():
        if question.computed:
            if stored and question.key in stored:
                answers[question.key] = stored[question.key]
            continue
        if question.kind is QuestionKind.DATE:
            value, problem = _read_date(question, form)
            if problem:
                problems.append(problem)
            if value:
                answers[question.key] = AnswerValue(None, value)
            continue
        field = form[question.key]
        allowed = _allowed(question)
        if question.kind is QuestionKind.RATING:
            raw = _blank_to_none(field.data)
            comment = None
            if question.has_comment:
                comment = (form[comment_field(question)].data or "").strip() or None
            if raw is not None and raw not in allowed:
                problems.append(AnswerProblem(question.key, "Select one of the options"))
                raw = None
            answer = AnswerValue(Rating(raw) if raw else None, None, comment)
        elif question.kind is QuestionKind.CHOICE:
            raw = _blank_to_none(field.data)
            if raw is not None and raw not in allowed:
                problems.append(AnswerProblem(question.key, "Select one of the options"))
                raw = None
            answer = AnswerValue(None, raw)
        elif question.kind is QuestionKind.MULTI_CHOICE:
            chosen = [v for v in (field.data or []) if v]
            if any(v not in allowed for v in chosen):
                problems.append(AnswerProblem(question.key, "Select from the options shown"))
                chosen = [v for v in chosen if v in allowed]
            answer = AnswerValue(None, ",".join(v for v in allowed if v in chosen) or None)
        elif question.kind is QuestionKind.NUMBER:
            raw = (field.data or "").strip()
            value = None
            if raw:
                number = whole_number(raw)
                if number is None:
                    problems.append(
                        AnswerProblem(
                            question.key,
                            f"{question.display_name.capitalize()} must be a whole number, like 3",
                        )
                    )
                elif question.minimum is not None and number < question.minimum:
                    problems.append(
                        AnswerProblem(
                            question.key,
                            f"{question.display_name.capitalize()} must be "
                            f"{question.minimum} or more",
                        )
                    )
                else:
                    value = str(number)
            answer = AnswerValue(None, value)
        else:
            answer = AnswerValue(None, (field.data or "").strip() or None)
        if not answer.is_empty:
            answers[question.key] = answer
    return answers, problems


#: A name that is only a numbered label ("standard 1", "question 3b"): it says where the
#: question is, not what it asks.
_BARE_LABEL = re.compile(r"[A-Za-z]+ \d+[a-z]?")
#: At most this many characters of the question's words go into an error message.
WORDS_IN_MESSAGE = 60


#: A sentence ends at ?, ! or a full stop followed by a space or the end, but not the full
#: stop of a list number ("there: 1. an up to date PEP") or of "e.g." / "i.e.".
_FIRST_SENTENCE = re.compile(r".+?(?:[?!]|(?<![\d.])(?<!e\.g)(?<!i\.e)\.)(?=\s|$)")


def question_words(text: str, limit: int = WORDS_IN_MESSAGE) -> str:
    """The start of a question, short enough for an error message, cut at a whole word.

    The first sentence if it fits ("Is there an up to date chronology on file?"), otherwise
    as many whole words as fit in ``limit`` characters followed by an ellipsis.
    """
    text = " ".join(text.split())
    first = _FIRST_SENTENCE.match(text)
    if first and len(first.group()) <= limit:
        return first.group()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    if cut.count("(") > cut.count(")"):
        cut = cut[: cut.rindex("(")]  # the message puts the words in brackets: none left open
    return cut.rstrip(" ,;:-–") + "…"


def message_name(question: Question) -> str:
    """How an error message names a question.

    A bare label such as "standard 1" gets the question's own words after it, so the person
    reading the error summary knows which standard is meant without scrolling:
    "standard 1 (Is there an up to date chronology on file?)". Names that already say what
    the question is about ("the supervision agreement") are used as they are.
    """
    name = question.display_name
    if question.text and _BARE_LABEL.fullmatch(name):
        return f"{name} ({question_words(question.text)})"
    return name


def completeness_problems(
    definition: FormDefinition, answers: Mapping[str, AnswerValue]
) -> list[AnswerProblem]:
    """What every form requires before submission."""
    problems: list[AnswerProblem] = []
    for question in definition.questions():
        if question.computed:
            continue  # the tool's to fill in, never the auditor's
        answer = answers.get(question.key, AnswerValue())
        name = message_name(question)
        if question.kind is QuestionKind.RATING:
            if answer.rating is None and question.required:
                options = "met, partially met, not met" + (
                    " or not applicable" if question.allow_not_applicable else ""
                )
                message = f"Select whether {name} is {options}"
                if question.initial and question.key not in answers:
                    # Shown already chosen on its page, but the auditor has not saved it.
                    offered = Rating(question.initial).label.lower()
                    message += f": it is offered as {offered}, so open it and save it to confirm"
                problems.append(AnswerProblem(question.key, message))
            elif (
                question.has_comment
                and answer.rating in question.comment_required_for
                and not answer.comment
            ):
                problems.append(
                    AnswerProblem(
                        question.key,
                        f"Enter the evidence for {name}: it is needed when the rating is "
                        f"{answer.rating.label.lower()}",  # type: ignore[union-attr]
                        part="comment",
                    )
                )
        elif question.required and not answer.value:
            typed = question.kind in (QuestionKind.TEXT, QuestionKind.NUMBER, QuestionKind.DATE)
            verb = "Enter" if typed else "Select"
            part = "day" if question.kind is QuestionKind.DATE else ""
            problems.append(AnswerProblem(question.key, f"{verb} {name}", part=part))
    return problems


def order_problems(
    definition: FormDefinition, problems: list[AnswerProblem]
) -> list[AnswerProblem]:
    """Problems in the order the questions appear, one per field (the first)."""
    position = {q.key: i for i, q in enumerate(definition.questions())}
    seen: set[str] = set()
    ordered = []
    for problem in sorted(
        problems, key=lambda p: (position.get(p.question, len(position)), p.part)
    ):
        name = field_name(problem)
        if name not in seen:
            seen.add(name)
            ordered.append(problem)
    return ordered


def apply_answers(audit: Audit, answers: Mapping[str, AnswerValue]) -> None:
    """Write answers to the audit's rows: one row per answered question."""
    existing = {answer.question: answer for answer in audit.answers}
    for key, row in existing.items():
        if key not in answers:
            audit.answers.remove(row)
    for key, value in answers.items():
        row = existing.get(key)
        if row is None:
            row = Answer(question=key)
            audit.answers.append(row)
        row.rating = value.rating
        row.value = value.value
        row.comment = value.comment
