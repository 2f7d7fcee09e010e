"""Standard 3's cap: any Not met (the default), or only a persistent one (the setting)."""

from __future__ import annotations

from core.models import Grade, Rating
from core.tools import AnswerValue
from plugins.children_audit import hooks
from plugins.children_audit.scoring import check_answers, score_audit
from tests.helpers import children_answers

PERSISTENTLY = {"cap_persistently": True}


def test_the_service_can_choose_the_persistently_rule_and_it_is_off_by_default():
    settings = {spec.key: spec for spec in hooks.careaudit_tool().settings}
    spec = settings["cap_persistently"]
    assert (spec.kind, spec.default) == ("bool", False)
    assert spec.label == "Cap the grade only when standard 3 is persistently not met"
    assert "persistently unmet" in spec.hint


def test_a_second_audit_running_with_standard_3_not_met_caps_the_grade():
    answers = children_answers({3: "not_met"}, overall="partially_met", grade="adequate")
    previous = {"standard_3": AnswerValue(Rating.NOT_MET, None, "No visits recorded.")}
    score = score_audit(answers, PERSISTENTLY, previous)
    assert score.highest_grade is Grade.INADEQUATE
    assert score.notes[0].startswith("Standard 3 is not met in this audit and was not met in")
    assert "Statutory requirements are not met (standard 3), so the grade must be Inadequate" in [
        p.message for p in check_answers(answers, score, PERSISTENTLY)
    ]


def test_a_first_not_met_is_not_persistent_and_says_so():
    answers = children_answers({3: "not_met"}, overall="partially_met", grade="adequate")
    for previous in (None, {"standard_3": AnswerValue(Rating.MET)}):
        score = score_audit(answers, PERSISTENTLY, previous)
        assert score.highest_grade is None
        assert score.suggested_rating is Rating.PARTIALLY_MET
        assert score.notes[0].startswith("Standard 3 is not met, but not persistently")
        assert check_answers(answers, score, PERSISTENTLY) == []


def test_without_the_setting_any_not_met_caps_as_the_form_has_always_been_read():
    answers = children_answers({3: "not_met"}, overall="partially_met", grade="adequate")
    score = score_audit(answers, {}, {"standard_3": AnswerValue(Rating.MET)})
    assert score.highest_grade is Grade.INADEQUATE
    assert score.suggested_rating is Rating.NOT_MET


def test_through_the_pages_the_cap_looks_back_at_the_cases_previous_audit(client, auth, borough):
    """With the setting on, a first Not met of standard 3 lets an Adequate grade through;
    the next audit of the same case with standard 3 Not met again is capped."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Audit, AuditStatus
    from core.testing import complete_audit
    from core.tools.registry import get_registry
    from tests.factories import children_form

    get_registry().set_switch(
        "children_audit", borough.cin.id, True, settings={"cap_persistently": True}
    )
    db.session.commit()
    auth.login("team_manager@test.example")
    data = children_form(ratings={3: "not_met"}, overall="partially_met", grade="adequate")

    def audit_case(token: str):
        client.post(
            f"/audits/start/{borough.cases['cin'].id}",
            data={"tool": "children_audit", "token": token},
        )
        audit = db.session.scalar(select(Audit).where(Audit.request_token == token))
        return audit, complete_audit(client, audit.id, data)

    _, done = audit_case("first")
    assert done.status_code == 302, "a first Not met is not persistent: Adequate is allowed"
    second, refused = audit_case("second")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert (
        "Statutory requirements are not met (standard 3), so the grade must be Inadequate" in text
    )
    assert "not met in this audit and was not met in the previous" in text
    db.session.refresh(second)
    assert second.status is AuditStatus.DRAFT
