"""Signing in and registering a tool for one test: the plugin's helpers, also importable."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.extensions import db
from core.models import Role, User
from core.testing.borough import PASSWORD

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

    from core.models import Service
    from core.tools.registry import ToolRegistry


def find_user(who: User | Role | str) -> User:
    """The user meant by ``who``: a user, an email, a role (``Role.TEAM_MANAGER`` or
    ``"team_manager"``: the first user of that role) or a borough key (``"iro"``)."""
    if isinstance(who, User):
        return who
    if isinstance(who, str) and "@" in who:
        user = db.session.scalar(select(User).where(User.email == who.lower()))
        if user is None:
            raise LookupError(f"no user has the email {who!r}")
        return user
    role = who if isinstance(who, Role) else Role._value2member_map_.get(who)
    if isinstance(role, Role):
        user = db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()
        if user is None:
            raise LookupError(f"no user has the role {role.value!r}: build a borough first")
        return user
    user = db.session.scalar(select(User).where(User.email == f"{who}@test.example"))
    if user is None:
        roles = ", ".join(r.value for r in Role)
        raise LookupError(
            f"no user {who!r}: give an email, a user, a role ({roles}) or a borough key "
            "(admin, iro, team_manager, worker...)"
        )
    return user


def sign_in(client: FlaskClient, who: User | Role | str, password: str = PASSWORD) -> TestResponse:
    """Sign ``client`` in as ``who`` (see :func:`find_user`) through the sign-in page.

    Fails the test with the reason when the sign-in page does not let the user in."""
    user = find_user(who)
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    if response.status_code != 302:
        raise AssertionError(
            f"could not sign in as {user.email}: the sign-in page answered "
            f"{response.status_code} (wrong password, or a locked or inactive account?)"
        )
    return response


class RegisteredTool:
    """A plugin registered with the app's tool registry until :meth:`unregister`, the end
    of a ``with`` block or the end of the test, whichever comes first."""

    def __init__(
        self,
        registry: ToolRegistry,
        plugin: object,
        name: str | None = None,
        services: Iterable[Service] = (),
    ) -> None:
        self.registry = registry
        self.plugin = plugin
        self.slug = name or _slug_of(plugin)
        registry.register(plugin, name=self.slug)
        self.registered = True
        for service in services:
            registry.set_switch(self.slug, service.id, True)
        if services:
            db.session.commit()

    def unregister(self) -> None:
        if self.registered:
            self.registered = False
            self.registry.unregister(self.plugin)

    def __enter__(self) -> object:
        return self.plugin

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.unregister()


def _slug_of(plugin: object) -> str:
    slug = getattr(plugin, "slug", None)
    if isinstance(slug, str) and slug:
        return slug
    declare = getattr(plugin, "careaudit_tool", None)
    if declare is None:
        raise TypeError(f"{plugin!r} has no slug and no careaudit_tool hook: pass name='your_slug'")
    return declare().slug


def save_section(
    client: FlaskClient, audit_id: int, key: str, data: Mapping[str, object]
) -> TestResponse:
    """Save one section of a draft audit as its page does ("Save and continue").

    ``data`` is form data (``standard_1``, ``standard_1__comment`` ...); fields of other
    sections are ignored, as the page ignores them. The audit's current version is sent.
    """
    from core.models import Audit

    audit = db.session.get(Audit, audit_id)
    assert audit is not None, f"no audit {audit_id}"
    db.session.refresh(audit)
    fields = {k: v for k, v in data.items() if k not in ("version", "action")}
    return client.post(
        f"/audits/{audit_id}/sections/{key}",
        data={**fields, "version": audit.version, "action": "save"},
    )


def complete_audit(
    client: FlaskClient, audit_id: int, data: Mapping[str, object], submit: bool = True
) -> TestResponse:
    """Answer a draft audit through its pages: every section saved with ``data``, then
    submitted from *Check your answers* (unless ``submit`` is False).

    Returns the last response: the submit's (a redirect to the confirmation when the
    audit went in, the check page with its problems when it did not), or the failing
    section's when a section could not be saved.
    """
    from core.audits.views import definition_of
    from core.models import Audit

    audit = db.session.get(Audit, audit_id)
    assert audit is not None, f"no audit {audit_id}"
    for section in definition_of(audit).sections:
        response = save_section(client, audit_id, section.key, data)
        if response.status_code != 302:
            return response
    if not submit:
        return response
    db.session.refresh(audit)
    return client.post(f"/audits/{audit_id}/check", data={"version": audit.version})
