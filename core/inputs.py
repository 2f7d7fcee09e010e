"""Input that could never be right is refused before it reaches the database.

Three checks for every request, so no view has to remember them:

* a NUL character anywhere in the query string, form or path is refused with a
  400 page: PostgreSQL cannot store it in text, and nobody types one. Refused
  rather than stripped, so what is stored is always what was sent;
* an id in the path beyond PostgreSQL's ``integer`` is "not found", as any other
  id that does not exist;
* ``request.args.get(..., type=int)`` (and the same on forms) gives the default for
  a number outside ``integer``, as it does for text that is not a number.

:func:`whole_number` is the one way to read a number a person typed: ASCII
digits only (``str.isdigit`` also takes ``²`` and ``٣``), bounded before
``int()`` so 5,000 digits cannot raise.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, abort, render_template, request
from werkzeug.datastructures import ImmutableMultiDict

#: PostgreSQL's ``integer``: the type of every id and count column.
MAX_INTEGER = 2**31 - 1

_DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(text: str | None, maximum: int = MAX_INTEGER) -> int | None:
    """``text`` as a whole number from 0 to ``maximum``, or None."""
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def _in_integer_range(value: object) -> bool:
    return not isinstance(value, int) or -MAX_INTEGER - 1 <= value <= MAX_INTEGER


class BoundedMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query strings and forms whose ``get(type=int)`` stays within ``integer``."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        value = super().get(key, default, type)
        if type is int and value is not default and not _in_integer_range(value):
            return default
        return value


class CareauditRequest(Request):
    parameter_storage_class = BoundedMultiDict


def _has_nul(values: ImmutableMultiDict) -> bool:  # type: ignore[type-arg]
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_impossible_input() -> Any:
    """``before_request``, first of all: NUL characters and ids out of range."""
    if "\x00" in request.path or _has_nul(request.args) or _has_nul(request.form):
        return (
            render_template(
                "errors/error.html",
                title="There is a problem with what you sent",
                message="What you sent contains a character that cannot be stored (a null "
                "character). Go back, remove it and try again.",
            ),
            400,
        )
    if not all(_in_integer_range(value) for value in (request.view_args or {}).values()):
        abort(404)
    return None


def init_app(app: Flask) -> None:
    app.request_class = CareauditRequest
    # First of all the before_request functions: the session, the trail and the
    # permission check must not meet a NUL either.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_impossible_input)
