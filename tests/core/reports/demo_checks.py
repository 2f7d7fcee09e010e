"""What the demo borough's report must show: every view, and follow-up figures that add up.

Called from tests/core/test_demo.py, which loads the demo once for every feature."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.demo import DEMO_PASSWORD
from core.extensions import db
from core.models import Audit, AuditStatus, Concern, RemedialAction, User
from core.reports import content, periods
from core.reports.views import VIEWS


def check_demo_report(client, auth) -> None:
    """The whole council's last 12 months: every view opens, and actions and concerns
    counted by the report equal a count of the rows themselves."""
    today = date.today()
    senior = db.session.scalar(select(User).where(User.email.like("senior.manager%")))
    assert senior is not None
    auth.login(senior.email, DEMO_PASSWORD)
    for view in VIEWS:
        page = client.get("/reports/", query_string={"view": view})
        assert page.status_code == 200, view
    auth.logout()

    period = periods.last_12_months(today)
    request = content.ReportRequest(period=period.key, scope="all")
    resolved = content.resolve(request, senior, today)

    def in_scope(audit: Audit) -> bool:
        return (
            audit.status is AuditStatus.SUBMITTED and period.start <= audit.audit_date <= period.end
        )

    actions = [a for a in db.session.scalars(select(RemedialAction)) if in_scope(a.audit)]
    section = content.build_section(resolved, "actions", "Actions")
    table = next(b for b in section.blocks if getattr(b, "key", "") == "actions")
    totals = table.rows[-1]
    assert totals[0] == "All standards"
    assert totals[1] == len(actions) > 0
    assert totals[3] == sum(1 for a in actions if a.is_overdue(today))

    concerns = [c for c in db.session.scalars(select(Concern)) if in_scope(c.audit)]
    section = content.build_section(resolved, "concerns", "Concerns")
    if concerns:
        table = next(b for b in section.blocks if getattr(b, "key", "") == "concerns")
        assert dict(table.rows)["Raised"] == len(concerns)
