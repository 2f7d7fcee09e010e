"""Jinja set-up: app templates, each tool's templates, and the GOV.UK macros."""

from __future__ import annotations

import contextlib
import os
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    TemplateNotFound,
)

from core.access import Permission, has_permission
from core.grading.council import grade_label
from core.models import AuditKind, AuditStatus, CaseCategory, Grade, Rating, Role
from core.programme.periods import month
from core.tools.registry import get_registry

#: Every grade code of every scale.
GRADE_CODES = frozenset(grade.value for grade in Grade)


class ToolTemplateLoader(BaseLoader):
    """Finds ``<slug>/...`` templates in each installed tool's template folder.

    Looked up per call, so a tool registered after start-up (in a test) is found.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def get_source(self, environment: Environment, template: str) -> Any:
        for tool in get_registry(self.app).all():
            if tool.template_folder is None or not template.startswith(tool.slug + "/"):
                continue
            try:
                return FileSystemLoader(str(tool.template_folder)).get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)


def format_date(value: date | datetime | None) -> str:
    """GOV.UK style dates: 5 January 2026."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def iso_date(value: str | None) -> str:
    """A stored YYYY-MM-DD answer in GOV.UK style."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return value


def tool_title(slug: str) -> str:
    """A tool's title, or its slug if it is no longer installed (an old audit's tool)."""
    tool = get_registry().get(slug)
    return tool.title if tool else slug


def month_label(value: str | None) -> str:
    """An allocation period key such as ``2026-11`` as people say it: "November 2026"."""
    try:
        return month(value or "").label
    except ValueError:
        return value or ""


def label_of(value: Any) -> str:
    """Human label of a stored enum value (rating, grade, kind, category, role).

    A grade is named in the council's words (``core.grading``), whichever scale it
    was given on, so an old audit's grade reads as it did.
    """
    if value is None or value == "":
        return ""
    if str(value) in GRADE_CODES:
        return grade_label(str(value))
    return _ENUM_LABELS.get(str(value), str(value))


#: Each stored enum value's label; the first enum in this order wins a shared value.
_ENUM_LABELS: dict[str, str] = {}
for _enum in reversed((Rating, AuditKind, AuditStatus, CaseCategory, Role)):
    _ENUM_LABELS.update({member.value: member.label for member in _enum})


def init_templating(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [
            FileSystemLoader(app.template_folder),  # type: ignore[arg-type]
            ToolTemplateLoader(app),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Compiled templates kept in the instance folder: each gunicorn worker (and each app
    # a test builds) loads them instead of parsing and compiling them again, some 30 ms
    # a template. Jinja keys them by file and source, so an edited template is compiled
    # afresh; the options above are the same for every careaudit app using the folder.
    # A read-only instance folder only means compiling as before (Jinja would fail the
    # page on a cache it cannot write).
    folder = Path(app.instance_path) / "template-cache"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    if os.access(folder, os.W_OK):
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    app.jinja_env.filters["govuk_date"] = format_date
    app.jinja_env.filters["label"] = label_of
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["month_label"] = month_label
    WTFormsHelpers(app)
    # Addresses built once per worker (core.urls).
    from core import urls

    urls.init_app(app)
    # The report document's block macros (templates/exports/_blocks.html) need these.
    from core.exports.html import register_template_helpers

    register_template_helpers(app)
    # Audit lists and rating tags (templates/_macros.html's macros).
    from core.audits.markup import answer_text, audit_table, rating_tag

    app.jinja_env.globals["audit_table_markup"] = audit_table
    app.jinja_env.globals["rating_tag_markup"] = rating_tag
    app.jinja_env.globals["answer_text_markup"] = answer_text
    # The report sections' tables (templates/reports/_tables.html's macros).
    from core.reports.markup import distribution_table, rating_table

    app.jinja_env.globals["rating_table_markup"] = rating_table
    app.jinja_env.globals["distribution_table_markup"] = partial(distribution_table, label=label_of)

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        # The signed-in user once, not through the proxy at every check of the page.
        user = current_user._get_current_object()

        def can(permission: str) -> bool:
            return user.is_authenticated and has_permission(user, Permission(permission))

        def plugin_menu_links() -> list[Any]:
            if not user.is_authenticated:
                return []
            return [
                link
                for link in get_registry().menu_links(user)
                if has_permission(user, Permission(link.permission))
            ]

        return {
            "plugin_menu_links": plugin_menu_links,
            "tool_title": tool_title,
            "rating_enum": Rating,
            "council_name": current_app.config["COUNCIL_NAME"],
            "service_name": current_app.config["SERVICE_NAME"],
            "feedback_url": current_app.config.get("FEEDBACK_URL"),
            "can": can,
        }
