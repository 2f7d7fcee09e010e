"""Each audit form, task list to confirmation, by keyboard alone and by mouse (issue 11).

"Done when": the children's, adults', supervision and re-referral forms each go task list
-> sections -> check your answers -> submit -> confirmation, by mouse and by keyboard.

The audit is started the way its auditor starts it (the case's or the staff member's
Start button, or an allocation from a themed audit's sample); from the task list on,
every step is a key press (see ``tests/browser/keyboard.py``) or, in the mouse run, a
click. Then the database must hold a submitted audit with exactly the answers given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from core.audits.views import definition_of
from core.extensions import db
from core.models import Answer, Audit, AuditStatus, Role
from core.tools.registry import get_registry
from tests.browser import keyboard
from tests.browser.test_browser_journey import sign_in
from tests.factories import Borough, make_user

try:
    from playwright.sync_api import expect
except ImportError:  # the ``chromium`` fixture skips, or fails in CI
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

# -- what the auditor does on a section page ---------------------------------------------


@dataclass(frozen=True)
class Choose:
    """Select the radio ``value`` of the question ``name``."""

    name: str
    value: str


@dataclass(frozen=True)
class Tick:
    """Tick one checkbox of a "select all that apply" question."""

    name: str
    value: str


@dataclass(frozen=True)
class Type:
    """Type ``text`` into the box ``id`` (a question's box, or a rating's comment)."""

    id: str
    text: str


@dataclass(frozen=True)
class TypeDate:
    key: str
    day: date


Step = Choose | Tick | Type | TypeDate


class Keyboard:
    """Answers with Tab, arrow keys, Space, typing and Enter."""

    name = "keyboard"

    def __init__(self, page: Page) -> None:
        self.page = page

    def do(self, step: Step) -> None:
        page = self.page
        if isinstance(step, Choose):
            keyboard.choose(page, step.name, step.value)
        elif isinstance(step, Tick):
            keyboard.tick(page, step.name, step.value)
        elif isinstance(step, Type):
            keyboard.type_into(page, step.id, step.text)
        else:
            keyboard.type_date(page, step.key, step.day.day, step.day.month, step.day.year)

    def button(self, text: str | re.Pattern[str]) -> None:
        wanted = (
            (lambda f: f.tag == "button" and bool(text.search(f.text)))
            if isinstance(text, re.Pattern)
            else (lambda f: f.is_button(text))
        )
        keyboard.tab_to(self.page, wanted, f"the button {text}")
        with keyboard.navigating(self.page):
            self.page.keyboard.press("Enter")

    def link(self, text: str) -> None:
        keyboard.press_link(self.page, text)

    def change(self, field: str) -> None:
        """Follow the "Change" link of a question on check your answers."""
        keyboard.tab_to(
            self.page,
            lambda f: f.tag == "a" and f.href.endswith(f"#{field}"),
            f"the Change link of {field}",
        )
        with keyboard.navigating(self.page):
            self.page.keyboard.press("Enter")


class Mouse:
    """Answers by clicking and filling, as most auditors do."""

    name = "mouse"

    def __init__(self, page: Page) -> None:
        self.page = page

    def do(self, step: Step) -> None:
        page = self.page
        if isinstance(step, Choose | Tick):
            page.locator(f'input[name="{step.name}"][value="{step.value}"]').check()
        elif isinstance(step, Type):
            page.locator(f"#{step.id}").fill(step.text)
        else:
            for part, number in (("day", step.day.day), ("month", step.day.month)):
                page.locator(f"#{step.key}__{part}").fill(str(number))
            page.locator(f"#{step.key}__year").fill(str(step.day.year))

    def button(self, text: str | re.Pattern[str]) -> None:
        with keyboard.navigating(self.page):
            self.page.get_by_role("button", name=text).click()

    def link(self, text: str) -> None:
        with keyboard.navigating(self.page):
            self.page.get_by_role("link", name=text, exact=True).first.click()

    def change(self, field: str) -> None:
        with keyboard.navigating(self.page):
            self.page.locator(f'a[href$="#{field}"]').click()


Driver = Keyboard | Mouse


# -- the four forms ------------------------------------------------------------------------


def standard(number: int, rating: str, comment: str | None = None) -> list[Step]:
    steps: list[Step] = [Choose(f"standard_{number}", rating)]
    if comment is not None:
        steps.append(Type(f"standard_{number}__comment", comment))
    return steps


def overall(rating: str, grade: str) -> list[Step]:
    return [
        Choose("overall_rating", rating),
        Choose("overall_grade", grade),
        Type("strengths", "Clear, child-focused recording."),
        Type("areas_for_development", "Update the chronology monthly."),
    ]


def children_sections() -> dict[str, list[Step]]:
    """A child-in-need case: standards 6 and 10 (looked-after children) not applicable;
    one Partially met still suggests Met, Good."""
    sections: dict[str, list[Step]] = {}
    for number in range(1, 14):
        if number in (6, 10):
            sections[f"standard_{number}"] = standard(number, "not_applicable")
        elif number == 2:
            sections["standard_2"] = standard(2, "partially_met", "The plan is a year old.")
        else:
            sections[f"standard_{number}"] = standard(number, "met", f"Seen on file ({number}).")
    sections["standard_6"] += [
        Choose(f"standard_6_{item}", "not_applicable") for item in ("pep", "health", "sdq")
    ]
    sections["standard_14"] = overall("met", "good")
    return sections


def adult_sections() -> dict[str, list[Step]]:
    sections: dict[str, list[Step]] = {
        f"standard_{number}": standard(number, "met", f"Evidence {number}.")
        for number in range(1, 14)
    }
    sections["standard_9"] = standard(9, "partially_met", "Carer's assessment offered late.")
    sections["standard_14"] = overall("met", "good")
    return sections


def supervision_sections() -> dict[str, list[Step]]:
    rated = (
        "supervision_agreement",
        "recorded_on_system",
        "decisions_actions_timescales",
        "actions_followed_up",
        "reflective_practice",
        "plan_focus",
        "caseload_workload",
        "wellbeing_development",
    )
    sections: dict[str, list[Step]] = {
        "period": [
            TypeDate("period_start", date(2026, 4, 1)),
            TypeDate("period_end", date(2026, 6, 30)),
        ],
        "frequency": [Type("sessions_recorded", "6"), Type("sessions_expected", "6")],
    }
    for key in rated:
        sections[key] = [Choose(key, "met"), Type(f"{key}__comment", f"Seen: {key}.")]
    sections["summary"] = overall("met", "good")
    return sections


def rereferral_sections() -> dict[str, list[Step]]:
    return {
        "history": [Type("previous_referrals", "5"), Type("migrated_contacts", "1")],
        "concern": [
            Tick("main_concern", "domestic_violence"),
            Tick("main_concern", "chronic_neglect"),
            Choose("level_of_need", "level_2"),
        ],
        "response": [
            Choose("previous_outcome", "initial_assessment_closed"),
            Choose("dealt_with_appropriately", "partly"),
            Type("appropriateness_reason", "Neglect was assessed one referral at a time."),
            Choose("should_have_triggered_cp", "yes"),
        ],
        "outcome": [Tick("later_escalation", "cp_plan"), Choose("missed_opportunity", "yes")],
        "practice": [
            Choose("chronology", "no"),
            Choose("referrals_connected", "no"),
            Choose("mobile_family", "no"),
            Choose("other_la_information", "not_applicable"),
            Choose("prebirth_closed", "not_applicable"),
            Choose("referrer_feedback", "no"),
            Type("learning_points", "Connect earlier referrals."),
        ],
    }


# -- starting each audit the way its auditor does -------------------------------------------


def press_start(driver: Driver, text: str | re.Pattern[str]) -> None:
    driver.button(text)
    expect(driver.page).to_have_url(re.compile(r"/audits/\d+/edit$"))


def start_children(driver: Driver, borough: Borough) -> None:
    sign_in(driver.page, "team_manager@test.example")
    driver.page.goto(f"/cases/{borough.cases['cin'].id}")
    press_start(driver, "Start the children’s case file audit")


def start_adults(driver: Driver, borough: Borough) -> None:
    make_user("adult_manager", Role.TEAM_MANAGER, team=borough.older_team)
    get_registry().set_switch("adult_audit", borough.older.id, True)
    db.session.commit()
    sign_in(driver.page, "adult_manager@test.example")
    driver.page.goto(f"/cases/{borough.cases['adult'].id}")
    press_start(driver, re.compile(r"^Start the adult"))


def start_supervision(driver: Driver, borough: Borough) -> None:
    get_registry().set_switch("supervision_audit", borough.cin.id, True)
    db.session.commit()
    sign_in(driver.page, "service_manager@test.example")
    driver.page.goto(f"/staff/{borough.user('worker').id}")
    press_start(driver, re.compile(r"^Start (a|the) supervision audit$"))


def start_rereferral(driver: Driver, borough: Borough) -> None:
    """A re-referrals themed audit with its population loaded, a sample of one drawn and
    allocated to the IRO (server-side: only the form is the browser's part here)."""
    from plugins.themed_audits import service
    from plugins.themed_audits.models import ThemedAudit
    from plugins.themed_audits.views import installed_themes
    from tests.plugins.themed_audits.helpers import population_csv

    registry = get_registry()
    registry.set_switch("rereferral_theme", borough.cin.id, True)
    iro = borough.user("iro")
    themed = ThemedAudit(
        theme="rereferral_theme",
        title="Re-referrals April to October 2026",
        rationale="Partner agencies are worried about repeat referrals.",
        commissioned_by="Local Safeguarding Children Board",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 10, 31),
        lead_id=iro.id,
    )
    db.session.add(themed)
    db.session.commit()
    theme = installed_themes()["rereferral_theme"]
    service.import_population(themed, service.parse(theme, themed, population_csv(3)).rows)
    service.draw(themed, 1, 42, iro)
    assert service.allocate(registry, theme, themed, iro, 1) == (1, [])
    audit_id = themed.draw.items[0].audit_id
    sign_in(driver.page, "iro@test.example")
    driver.page.goto(f"/audits/{audit_id}/edit")


@dataclass(frozen=True)
class Form:
    tool: str
    start: Callable[[Driver, Borough], None]
    sections: Callable[[], dict[str, list[Step]]]


FORMS = {
    "children": Form("children_audit", start_children, children_sections),
    "adults": Form("adult_audit", start_adults, adult_sections),
    "supervision": Form("supervision_audit", start_supervision, supervision_sections),
    "rereferral": Form("rereferral_theme", start_rereferral, rereferral_sections),
}


# -- the journey -----------------------------------------------------------------------------


def the_draft(tool: str) -> Audit:
    db.session.expire_all()  # the live server committed it from its own thread
    audit = db.session.scalars(select(Audit).where(Audit.tool == tool)).one()
    assert audit.status is AuditStatus.DRAFT
    return audit


def stored(audit_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    return {
        answer.question: answer
        for answer in db.session.scalars(select(Answer).where(Answer.audit_id == audit_id))
    }


def expect_stored(answers: dict[str, Answer], steps: Sequence[Step]) -> None:
    """Every answer given is stored as given."""
    for step in steps:
        if isinstance(step, Choose):
            answer = answers[step.name]
            held = answer.rating.value if answer.rating is not None else answer.value
            assert held == step.value, f"{step.name}: stored {held!r}, chose {step.value!r}"
        elif isinstance(step, Tick):
            assert step.value in (answers[step.name].value or "").split(","), step
        elif isinstance(step, TypeDate):
            assert answers[step.key].value == step.day.isoformat(), step
        elif step.id.endswith("__comment"):
            question = step.id.removesuffix("__comment")
            assert answers[question].comment == step.text, step
        else:
            assert answers[step.id].value == step.text, step


def complete_and_submit(driver: Driver, form: Form, borough: Borough) -> None:
    page = driver.page
    form.start(driver, borough)
    audit = the_draft(form.tool)
    definition = definition_of(audit)
    answers = form.sections()
    keys = [section.key for section in definition.sections]
    assert sorted(keys) == sorted(answers), "every section of the form has its answers here"

    # The task list: nothing done yet, submitting not possible.
    expect(page.locator("#progress")).to_have_text(f"You have completed 0 of {len(keys)} sections.")
    first = definition.sections[0]
    driver.link(first.label or first.title)

    for key in keys:
        expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/{key}$"))
        for step in answers[key]:
            driver.do(step)
        driver.button("Save and continue")

    # "Save and continue" after the last section leads to check your answers.
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/check$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the audit"
    )
    expect(page.locator("#still-to-do")).to_have_count(0)
    assert the_draft(form.tool).status is AuditStatus.DRAFT, "nothing submitted before Submit"

    # Change one answer from check your answers: its section opens at the question, and
    # saving the last section comes back here with the new answer.
    last = keys[-1]
    typed = next(step for step in reversed(answers[last]) if isinstance(step, Type))
    changed = Type(typed.id, f"{typed.text} Changed after checking.")
    driver.change(typed.id)
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/sections/{last}#{typed.id}$"))
    if isinstance(driver, Keyboard):
        # The focus is on the question to change, not one Tab past it.
        now = keyboard.focused(page)
        assert now is not None and now.id == typed.id, f"Change left the focus on {now}"
        keyboard.replace_text(page, changed.text)
    else:
        driver.do(changed)
    driver.button("Save and continue")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/check$"))
    expect(page.get_by_text(changed.text)).to_be_visible()
    answers[last] = [changed if step == typed else step for step in answers[last]]
    driver.button("Submit audit")

    expect(page).to_have_url(re.compile(rf"/audits/{audit.id}/submitted$"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Audit submitted")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()

    db.session.expire_all()
    submitted = db.session.get(Audit, audit.id)
    assert submitted is not None and submitted.status is AuditStatus.SUBMITTED
    expect_stored(stored(audit.id), [step for steps in answers.values() for step in steps])


@pytest.mark.browser
@pytest.mark.parametrize("form", list(FORMS))
def test_an_audit_is_completed_and_submitted_by_keyboard_alone(
    page: Page, borough: Borough, form: str
) -> None:
    """Tab, arrow keys, Space, typing and Enter: no click, no fill, from task list to
    confirmation."""
    complete_and_submit(Keyboard(page), FORMS[form], borough)


@pytest.mark.browser
@pytest.mark.parametrize("form", list(FORMS))
def test_an_audit_is_completed_and_submitted_by_mouse(
    page: Page, borough: Borough, form: str
) -> None:
    complete_and_submit(Mouse(page), FORMS[form], borough)
