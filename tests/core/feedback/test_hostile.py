"""Hostile values sent to the feedback pages by the people who may use them: no 500."""

from __future__ import annotations

import pytest

from tests.core.feedback.helpers import feedback_of, submit_through_pages
from tests.core.test_hostile_input import HOSTILE

REPLY_FIELDS = ("agreement", "comment", "reason__standard_1", "reason__standard_3", "csrf_token")
DATE_FIELDS = ("discussed_day", "discussed_month", "discussed_year")


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_values_are_messages_never_a_500(client, auth, borough, label):
    audit = submit_through_pages(client, borough)
    value = HOSTILE[label]
    auth.login("worker@test.example")
    for data in (dict.fromkeys(REPLY_FIELDS, value), {"agreement": "disagree", "comment": value}):
        response = client.post(f"/feedback/{audit.id}/reply", data=data)
        assert response.status_code < 500, label
    assert client.post(f"/feedback/{audit.id}/acknowledge", data={"x": value}).status_code < 500
    assert client.get(f"/feedback/{audit.id}/reply", query_string={"x": value}).status_code < 500
    auth.logout()
    auth.login("team_manager@test.example")
    response = client.post(
        f"/feedback/{audit.id}/supervision", data=dict.fromkeys(DATE_FIELDS, value)
    )
    assert response.status_code in (400, 302), label
    assert feedback_of(audit).discussed_on is None
    assert client.post(f"/feedback/{10**25}/supervision").status_code == 404
