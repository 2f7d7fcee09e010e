"""The committee and narrative pages, walked with hostile input against real reports."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.models import CommitteeExport, PinnedComment
from tests.core.committee.conftest import Known
from tests.core.committee.test_reports import build
from tests.core.test_hostile_input import HOSTILE

FIELDS = [
    "period",
    "scope",
    "kind",
    "category",
    "tool",
    "unit",
    "length",
    "from",
    "to",
    "title",
    "sections",
    "narrative-summary",
    "answer",
    "section",
    "back",
    "confirm",
    "format",
    "question",
    "rating",
    "q",
    "page",
    "report",
]


def test_no_committee_or_narrative_page_gives_a_500(app, client, auth, known: Known):
    auth.login("iro@test.example")
    draft = build(client)
    client.post(
        f"/committee/{draft.id}/pins",
        data={"answer": str(known.line.answers[4].id), "section": "summary"},
    )
    client.post(f"/committee/{draft.id}/exports", data={"format": "csv"})
    issued = build(client)
    client.post(f"/committee/{issued.id}/issue", data={"confirm": "yes"})
    ids = {
        "report_id": draft.id,
        "pin_id": db.session.scalar(select(PinnedComment.id)),
        "export_id": db.session.scalar(select(CommitteeExport.id)),
    }
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("committee", "narrative"):
            continue
        for report_id in (draft.id, issued.id):
            url = rule.build({**ids, "report_id": report_id}, append_unknown=False)[1]
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                for label, value in HOSTILE.items():
                    fields = dict.fromkeys(FIELDS, value)
                    response = (
                        client.get(url, query_string=fields)
                        if method == "GET"
                        else client.post(url, data=fields)
                    )
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} with {label}")
                    db.session.rollback()
    assert not failures, "\n".join(failures)
