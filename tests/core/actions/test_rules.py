"""What an audit needs before its follow-up is signed off, and who may follow it up."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from core.actions import followup, rules
from core.actions.comparison import BETTER, SAME, WORSE, grade_change, rating_change
from core.extensions import db
from core.models import FollowUp
from core.tools.registry import get_registry
from tests.factories import Borough
from tests.helpers import children_answers, submitted_audit


def _failed_audit(borough: Borough):
    return submitted_audit(
        borough.cases["cin"],
        borough.user("team_manager"),
        children_answers({3: "not_met", 5: "not_met"}, overall="not_met", grade="inadequate"),
    )


def _set(audit, borough: Borough, question: str | None):
    return followup.set_action(
        audit,
        question=question,
        label=question or rules.WHOLE_FILE,
        description="Do it.",
        owner=borough.user("worker"),
        due=date.today() + timedelta(days=7),
        by=borough.user("team_manager"),
    )


def test_each_not_met_standard_needs_its_own_action_and_the_grade_any(app, borough: Borough):
    audit = _failed_audit(borough)
    ready = rules.readiness(audit, [])
    assert [n.question for n in ready.unmet] == ["standard_3", "standard_5", None]
    first = _set(audit, borough, "standard_3")
    ready = rules.readiness(audit, [first])
    # The action for standard 3 answers the grade's need too, but not standard 5's.
    assert [n.question for n in ready.unmet] == ["standard_5"]
    second = _set(audit, borough, "standard_5")
    assert rules.readiness(audit, [first, second]).ready


def test_a_whole_file_action_does_not_answer_a_standard(app, borough: Borough):
    audit = _failed_audit(borough)
    whole = _set(audit, borough, None)
    assert [n.question for n in rules.readiness(audit, [whole]).unmet] == [
        "standard_3",
        "standard_5",
    ]


def test_the_setting_off_lets_the_follow_up_be_signed_off_without_actions(
    client, auth, borough: Borough
):
    """Administrators switch the rule per service, with the tool's own settings."""
    auth.login("admin@test.example")
    page = client.get(f"/admin/tools/{borough.cin.id}").get_data(as_text=True)
    name = "setting-children_audit-actions_before_sign_off"
    assert re.search(rf'name="{name}"[^>]* checked', page), "on by default"
    client.post(
        f"/admin/tools/{borough.cin.id}",
        data={"present-children_audit": "1", "tool-children_audit": "on"},  # setting unticked
    )
    settings = get_registry().settings("children_audit", borough.cin.id)
    assert settings["actions_before_sign_off"] is False
    auth.logout()

    audit = _failed_audit(borough)
    assert rules.outcomes_needing_action(audit) == []
    auth.login("team_manager@test.example")
    assert client.post(f"/actions/audit/{audit.id}/sign-off").status_code == 302
    assert db.session.scalar(select(FollowUp.audit_id)) == audit.id


def test_a_good_audit_needs_nothing_and_is_signed_off_once(client, auth, borough: Borough):
    audit = submitted_audit(
        borough.cases["cin"], borough.user("team_manager"), children_answers(default="met")
    )
    assert rules.outcomes_needing_action(audit) == []
    auth.login("deputy@test.example")  # the worker's manager, not the auditor
    assert client.post(f"/actions/audit/{audit.id}/sign-off").status_code == 302
    again = client.post(f"/actions/audit/{audit.id}/sign-off", follow_redirects=True)
    assert "already been signed off" in again.get_data(as_text=True)


def test_who_may_follow_up_and_confirm(app, borough: Borough):
    audit = _failed_audit(borough)
    allowed = {key for key in borough.users if rules.may_follow_up(borough.user(key), audit)}
    assert allowed == {"team_manager", "deputy", "service_manager", "iro", "senior"}
    confirmers = {key for key in borough.users if rules.is_manager(borough.user(key), audit)}
    # The auditor here is also the team's manager; the worker never confirms.
    assert "worker" not in confirmers and "south_manager" not in confirmers
    owners = {u.email.split("@")[0] for u in rules.owner_choices(audit)}
    assert {"worker", "team_manager", "deputy", "service_manager"} <= owners
    assert not owners & {"other_worker", "south_manager", "care_manager", "analyst", "admin"}


def test_ratings_and_grades_compare_in_order():
    assert rating_change("not_met", "met") == BETTER
    assert rating_change("met", "partially_met") == WORSE
    assert rating_change("partially_met", "partially_met") == SAME
    assert rating_change("not_applicable", "met") is None
    assert rating_change("met", None) is None
    assert grade_change("inadequate", "good") == BETTER
    assert grade_change("outstanding", "adequate") == WORSE
    assert grade_change(None, "good") is None


def test_a_staff_audit_offers_its_subject_as_the_usual_owner(client, auth, borough: Borough):
    """A supervision audit: the supervisee, not a case's worker, is who usually acts."""
    import random

    from core.audits import workflow

    registry = get_registry()
    registry.set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    manager, worker = borough.user("service_manager"), borough.user("worker")
    audit = workflow.start_staff_audit(registry, worker, manager, "supervision_audit", "s1")
    answers = registry.demo_answers("supervision_audit", None, random.Random(3), borough.cin.id)
    workflow.submit(audit, answers, registry.score("supervision_audit", answers, borough.cin.id))
    auth.login("service_manager@test.example")
    form = client.get(f"/actions/audit/{audit.id}/new").get_data(as_text=True)
    assert f'<option value="{worker.id}" selected>' in form
