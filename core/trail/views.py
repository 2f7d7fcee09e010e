"""The administrators' audit trail page: search, page through, export as CSV."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request

from core.access import Permission, requires
from core.exports import csv_download
from core.extensions import db
from core.trail import record_view
from core.trail.search import EXPORT_LIMIT, PAGE_SIZE, TrailSearch, actions

bp = Blueprint("trail", __name__)

CSV_HEADER = (
    "Entry",
    "When (UTC)",
    "Who",
    "User id",
    "Action",
    "Object",
    "Object id",
    "Case reference",
    "Summary",
    "Before",
    "After",
    "Address",
    "Request id",
    "Hash",
)


@bp.route("/admin/trail")
@requires(Permission.ADMINISTER)
def index() -> tuple[str, int]:
    search = TrailSearch.from_args(request.args)
    total = search.count()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(search.page, pages)
    rows = db.session.execute(
        search.statement().offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return render_template(
        "trail/index.html",
        search=search,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        actions=actions(),
    ), (400 if search.errors else 200)


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


@bp.route("/admin/trail.csv")
@requires(Permission.ADMINISTER)
def export() -> Response:
    """The search's entries (newest first, at most EXPORT_LIMIT) as CSV; the export is recorded."""
    search = TrailSearch.from_args(request.args)
    record_view(
        "export.downloaded", summary=f"Downloaded the audit trail CSV ({search.describe()})"
    )
    result = db.session.execute(
        search.statement().limit(EXPORT_LIMIT).execution_options(yield_per=1000)
    )
    rows = (
        (
            entry.id,
            entry.at.isoformat(sep=" ", timespec="seconds"),
            entry.actor_label,
            entry.actor_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            reference,
            entry.summary,
            _json(entry.before),
            _json(entry.after),
            entry.ip_address,
            entry.request_id,
            entry.hash,
        )
        for entry, reference in result
    )
    return csv_download("audit-trail.csv", CSV_HEADER, rows)
