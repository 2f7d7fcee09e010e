"""The report tables' markup, written in Python.

A report shows a rating table per tool and kind of audit, a row per standard, and two
distribution tables (overall rating and grade) beside it: on a council-wide report some
130 rating tables and 50 distributions. Written by Jinja macros, each cell's
expressions and escapes took half of the page's time; this writes the same markup
directly, every value escaped. Tools keep calling the ``rating_table`` and
``distribution_table`` macros (``templates/reports/_tables.html``), which call this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup, escape

from core.models import Rating
from core.tools.reporting import Distribution, RatingRow

_HEADERS = ("Met", "Partially met", "Not met", "N (applicable)", "Not applicable")
_NUMERIC = "govuk-table__cell govuk-table__cell--numeric"


def _head(caption: str, first_header: str, numeric_headers: Sequence[str]) -> list[str]:
    """A report table's opening, up to its body: the scrolling region named after the
    caption, the caption, and the header row (the first column's, then numeric ones)."""
    label = escape(caption)
    return [
        f'<div class="careaudit-table-scroll" role="region" aria-label="{label}" tabindex="0">'
        '\n<table class="govuk-table">\n'
        f'  <caption class="govuk-table__caption govuk-table__caption--s">{label}</caption>\n'
        '  <thead class="govuk-table__head"><tr class="govuk-table__row">\n'
        f'    <th scope="col" class="govuk-table__header">{escape(first_header)}</th>\n',
        *(
            '    <th scope="col" class="govuk-table__header govuk-table__header--numeric">'
            f"{header}</th>\n"
            for header in numeric_headers
        ),
        '  </tr></thead>\n  <tbody class="govuk-table__body">\n',
    ]


def rating_table(
    rows: Iterable[RatingRow], caption: str, first_header: str, scale: Sequence[Rating]
) -> Markup:
    """A scrolling, labelled region holding the table: a row per question, its counts and
    shares on ``scale``, then N (applicable) and not applicable."""
    out = _head(caption, first_header, _HEADERS)
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


def distribution_table(
    distribution: Distribution,
    caption: str,
    keys: Iterable[str],
    first_header: str,
    label: Callable[[str], str],
) -> Markup:
    """A scrolling, labelled region holding the table: a row per key (named by
    ``label``), how many audits and their share."""
    out = _head(caption, first_header, ("Audits", "Share"))
    counts = distribution.counts
    for key in keys:
        share = distribution.percent(key)
        out.append(
            f'  <tr class="govuk-table__row" data-outcome="{escape(key)}">\n'
            f'    <th scope="row" class="govuk-table__header">{escape(label(key))}</th>\n'
            f'    <td class="{_NUMERIC}">{counts.get(key, 0)}</td>\n'
            f'    <td class="{_NUMERIC}">{"–" if share is None else f"{share}%"}</td>\n'
            "  </tr>\n"
        )
    out.append("  </tbody>\n</table>\n</div>\n")
    return Markup("".join(out))
