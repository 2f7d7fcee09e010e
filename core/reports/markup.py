"""The rating table's markup, written in Python.

A report shows a rating table per tool and kind of audit, a row per standard: on a
council-wide report some 130 tables. Written by a Jinja macro, each cell's expressions
and escapes took half of the page's time; this writes the same markup directly, every
value escaped. Tools keep calling the ``rating_table`` macro
(``templates/reports/_tables.html``), which calls this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from core.models import Rating
from core.tools.reporting import RatingRow

_HEADERS = ("Met", "Partially met", "Not met", "N (applicable)", "Not applicable")
_NUMERIC = "govuk-table__cell govuk-table__cell--numeric"


def rating_table(
    rows: Iterable[RatingRow], caption: str, first_header: str, scale: Sequence[Rating]
) -> Markup:
    """A scrolling, labelled region holding the table: a row per question, its counts and
    shares on ``scale``, then N (applicable) and not applicable."""
    label = escape(caption)
    out = [
        f'<div class="careaudit-table-scroll" role="region" aria-label="{label}" tabindex="0">'
        '\n<table class="govuk-table">\n'
        f'  <caption class="govuk-table__caption govuk-table__caption--s">{label}</caption>\n'
        '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n'
        f'    <th scope="col" class="govuk-table__header">{escape(first_header)}</th>\n'
    ]
    out += [
        f'    <th scope="col" class="govuk-table__header govuk-table__header--numeric">'
        f"{header}</th>\n"
        for header in _HEADERS
    ]
    out.append('  </tr></thead>\n  <tbody class="govuk-table__body">\n')
    for row in rows:
        out.append(
            f'  <tr class="govuk-table__row" data-question="{escape(row.key)}">\n'
            f'    <th scope="row" class="govuk-table__header">{escape(row.label)}<br>'
            '<span class="govuk-body-s govuk-!-font-weight-regular">'
            f"{escape(row.text)}</span></th>\n"
        )
        for rating in scale:
            share = row.percent(rating)
            shown = "" if share is None else f' <span class="govuk-body-s">({share}%)</span>'
            out.append(
                f'    <td class="{_NUMERIC}" data-rating="{escape(rating.value)}">'
                f"{row.counts[rating]}{shown}</td>\n"
            )
        out.append(
            f'    <td class="{_NUMERIC}" data-rating="applicable">{row.applicable}</td>\n'
            f'    <td class="{_NUMERIC}" data-rating="not_applicable">{row.not_applicable}</td>\n'
            "  </tr>\n"
        )
    out.append("  </tbody>\n</table>\n</div>\n")
    return Markup("".join(out))
