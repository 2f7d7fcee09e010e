"""Messages: the reminders emailed to the signed-in user, newest first."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from core.access import Permission, requires
from core.extensions import db
from core.models import Reminder

bp = Blueprint("messages", __name__, url_prefix="/messages")

#: How many emails the page lists.
SHOWN = 100


@bp.route("/")
@requires(Permission.SIGNED_IN)
def index() -> str:
    # An email about several allocations is kept as one row per allocation; the rows
    # share subject, body and sent_at, so DISTINCT gives one line per email.
    emails = db.session.execute(
        select(Reminder.sent_at, Reminder.kind, Reminder.subject, Reminder.body)
        .where(Reminder.user_id == current_user.id)
        .distinct()
        .order_by(Reminder.sent_at.desc(), Reminder.kind, Reminder.subject)
        .limit(SHOWN)
    ).all()
    return render_template(
        "messages/index.html",
        emails=emails,
        shown=SHOWN,
        reminder_days=current_app.config["REMINDER_DAYS"],
    )
