"""Shortcuts for the follow-up's tests: submit an audit through the client, fill forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient

from core.testing import complete_audit
from tests.factories import children_form


def submit_audit(client: FlaskClient, case_id: int, token: str, **form: object) -> int:
    """Start and submit a children's audit as the signed-in user; returns its id."""
    started = client.post(
        f"/audits/start/{case_id}", data={"tool": "children_audit", "token": token}
    )
    assert started.status_code == 302, started.data
    audit_id = int(started.location.split("/")[2])
    done = complete_audit(client, audit_id, children_form(**form))
    problems = re.findall(r"<li><a [^>]*href=\"[^\"]+\">([^<]+)<", done.get_data(as_text=True))
    assert done.status_code == 302, problems
    return audit_id


def due_fields(day: date, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}due_day": str(day.day),
        f"{prefix}due_month": str(day.month),
        f"{prefix}due_year": str(day.year),
    }


def in_days(days: int) -> date:
    return date.today() + timedelta(days=days)


def outbox(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def emails_to(app: Flask, email: str) -> list:
    return [m for m in outbox(app) if any(email in to for to in m.to)]
