"""The audit list's markup and rating tags, written in Python.

Every home page shows two or three lists of up to 20 audits, and the case and staff
pages one each; a row's eleven Jinja expressions and two ``rating_tag`` macro calls (each
building its table of colours again) were a third of a home page's time (issue 12). This
writes the same markup directly, every value escaped. Templates keep calling the
``audit_table`` and ``rating_tag`` macros (``templates/_macros.html``), which call this.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_login import current_user
from markupsafe import Markup, escape

from core.models import Audit
from core.templating import format_date, iso_date, label_of, tool_title
from core.tools.questions import AnswerValue, Question, QuestionKind
from core.urls import url_for

#: The GOV.UK tag colour of each rating, grade and status; grey for anything else.
TAG_COLOURS = {
    "met": "green",
    "partially_met": "yellow",
    "not_met": "red",
    "not_applicable": "grey",
    "good": "green",
    "outstanding": "turquoise",
    "adequate": "yellow",
    "requires_improvement": "yellow",
    "inadequate": "red",
    "draft": "grey",
    "submitted": "blue",
}


def rating_tag(value: object) -> Markup:
    """A rating, grade or status as a coloured tag in words; nothing for no value."""
    if not value:
        return Markup("")
    code = str(getattr(value, "value", value))
    colour = TAG_COLOURS.get(code, "grey")
    return Markup(
        f'<strong class="govuk-tag govuk-tag--{colour}">{escape(label_of(code))}</strong>'
    )


def audit_table(
    audits: Sequence[Audit], caption: str, show_auditor: bool = False, empty: str = "None yet."
) -> Markup:
    """A scrolling, labelled table of audits (what, tool, kind, auditor, date, outcome),
    each linked to its page (a draft of one's own: to its form); or ``empty`` under the
    caption as a heading when there are none."""
    named = escape(caption)
    if not audits:
        return Markup(
            f'<h2 class="govuk-heading-m">{named}</h2>\n<p class="govuk-body">{escape(empty)}</p>\n'
        )
    me = current_user.id if current_user.is_authenticated else None
    auditor_header = (
        '    <th scope="col" class="govuk-table__header">Auditor</th>\n' if show_auditor else ""
    )
    out = [
        f'<div class="careaudit-table-scroll" tabindex="0" role="region" aria-label="{named}">\n'
        '<table class="govuk-table">\n'
        f'  <caption class="govuk-table__caption govuk-table__caption--m">{named}</caption>\n'
        '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n'
        '    <th scope="col" class="govuk-table__header">Audit of</th>\n'
        '    <th scope="col" class="govuk-table__header">Tool</th>\n'
        '    <th scope="col" class="govuk-table__header">Kind</th>\n'
        f"{auditor_header}"
        '    <th scope="col" class="govuk-table__header">Date</th>\n'
        '    <th scope="col" class="govuk-table__header">Outcome</th>\n'
        '  </tr></thead>\n  <tbody class="govuk-table__body">\n'
    ]
    cell = '      <td class="govuk-table__cell">'
    for audit in audits:
        submitted = audit.is_submitted
        endpoint = "audits.show" if submitted or audit.auditor_id != me else "audits.edit"
        if submitted:
            outcome = f"{rating_tag(audit.overall_rating)} {rating_tag(audit.grade)}"
        else:
            outcome = str(rating_tag("draft"))
        auditor = (
            f"{cell}{escape(audit.auditor.name if audit.auditor else '')}</td>\n"
            if show_auditor
            else ""
        )
        out.append(
            '    <tr class="govuk-table__row">\n'
            f'{cell}<a class="govuk-link" href="{escape(url_for(endpoint, audit_id=audit.id))}">'
            f"{escape(audit.subject_label)}</a></td>\n"
            f"{cell}{escape(tool_title(audit.tool))}</td>\n"
            f"{cell}{escape(audit.kind.label)}</td>\n"
            f"{auditor}"
            f"{cell}{escape(format_date(audit.submitted_at or audit.updated_at))}</td>\n"
            f"{cell}{outcome}</td>\n"
            "    </tr>\n"
        )
    out.append("  </tbody>\n</table>\n</div>\n")
    return Markup("".join(out))


def answer_text(question: Question, answer: AnswerValue | None) -> Markup:
    """One stored answer read back in words, as the audit's page and "check your answers"
    show it (the ``answer_text`` macro of ``templates/audits/_answer.html`` calls this:
    a form of 60 questions made 60 macro calls a page). Byte for byte what the macro
    wrote, newlines included."""
    if not answer:
        return Markup('<span class="govuk-hint">Not answered</span>\n')
    kind = question.kind
    if kind is QuestionKind.RATING:
        comment = (
            f'<p class="govuk-body careaudit-prewrap govuk-!-margin-top-2">'
            f"{escape(answer.comment)}</p>"
            if answer.comment
            else ""
        )
        return Markup(f"{rating_tag(answer.rating.value if answer.rating else None)}{comment}")
    if kind is QuestionKind.CHOICE or question.computed:
        return Markup(f"{escape(question.option_label(answer.value))}\n")
    if kind is QuestionKind.DATE:
        return Markup(f"{escape(iso_date(answer.value))}\n")
    if kind is QuestionKind.MULTI_CHOICE:
        return Markup(", ".join(str(escape(question.option_label(v))) for v in answer.values))
    return Markup(f'<span class="careaudit-prewrap">{escape(answer.value)}</span>')
