"""Version tokens read with the session's own statement, so a kept read costs nothing.

Two things are kept by each worker across requests under a version token that
changes, as it commits, with every transaction that changes them: the council's
set-up (``core.setup_cache``, token in ``SetupVersion``) and the report tally
(``core.tools.reporting``, token in ``ReportTallyVersion``). Asking for a token is a
statement of its own; the session's lookup (``core.sessions.store.find``), which every
signed-in request makes first, carries both as columns instead (:func:`columns`) and
notes them for the request (:func:`note`).

A token noted at the start of a request may be older than what the request reads
later (a change committed meanwhile): values read later are then kept under the
older token, so a request that started before the change may see the change, never
one that started after it see the old values. A request that commits a change of its
own calls :func:`forget`, and reads the new token afresh.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import g, has_request_context
from sqlalchemy import ScalarSelect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.models import ReportTallyVersion, SetupVersion

__all__ = ["SETUP", "TALLY", "UNREAD", "columns", "forget", "keep", "note", "noted", "renew"]

SETUP = "setup"
TALLY = "tally"
_MODELS: dict[str, Any] = {SETUP: SetupVersion, TALLY: ReportTallyVersion}
#: Not noted for this request: the caller reads the token itself.
UNREAD = object()
_G_KEY = "careaudit_version_tokens"


#: Built once: a statement is immutable, and building one costs more than running it.
_COLUMNS = tuple(
    select(model.token).where(model.id == 1).scalar_subquery() for model in _MODELS.values()
)


def renew(session: Session, name: str) -> None:
    """Give ``name``'s token a new random value in ``session``'s transaction (at commit,
    with the change it versions), and read it afresh in this request from then on."""
    forget(name)
    model = _MODELS[name]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(id=1, token=secrets.token_hex(16))
    session.execute(
        statement.on_conflict_do_update(  # type: ignore[attr-defined]
            index_elements=["id"],
            set_={"token": statement.excluded.token},  # type: ignore[attr-defined]
        )
    )


def columns() -> tuple[ScalarSelect[str], ...]:
    """Each token as a column, in the order :func:`note` takes them."""
    return _COLUMNS


def note(tokens: tuple[str | None, ...] | list[str | None]) -> None:
    """Remember for this request the tokens :func:`columns` read (None: no token)."""
    if has_request_context():
        setattr(g, _G_KEY, dict(zip(_MODELS, tokens, strict=True)))


def keep(name: str, token: str | None) -> None:
    """Remember one token read on its own (sessions in Redis have no lookup to carry it)."""
    if has_request_context():
        if _G_KEY not in g:
            setattr(g, _G_KEY, {})
        g.get(_G_KEY)[name] = token


def noted(name: str) -> str | object | None:
    """The token noted for this request, None if there is none, or :data:`UNREAD`."""
    if not has_request_context():
        return UNREAD
    return g.get(_G_KEY, {}).get(name, UNREAD)


def forget(name: str) -> None:
    """This request changed what ``name`` versions: read its token afresh from now on."""
    if has_request_context():
        g.get(_G_KEY, {}).pop(name, None)
