"""Re-referrals: children referred again and again (report, lines 188-234).

The questions follow the report's themed audit: the previous referrals, the
concerns, what happened before, whether it was dealt with appropriately, what
happened next, chronologies, mobile families, pre-birth referrals and feedback
to referrers. Two answers are worked out from the population (a file, or the
CIN census referrals) rather than typed: days since the previous referral, and
the child's age band at referral (the date of birth is used for that and dropped).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from typing import Any

from core.cases.referrals import AGE_BAND_LABELS, age_band
from core.tools import AnswerProblem, AnswerSet, AnswerValue, Option, Question, Section
from core.tools import QuestionKind as K
from plugins.themed_audits.rereferral.census import census_referrals, rereferral_population
from plugins.themed_audits.theme import (
    CensusSource,
    CrossTab,
    Finding,
    PopulationColumn,
    RowError,
    Theme,
)

__all__ = ["AGE_BANDS", "ReReferralTheme", "age_band", "theme"]

YES_NO = (Option("yes", "Yes"), Option("no", "No"))
YES_NO_NA = (*YES_NO, Option("not_applicable", "Not applicable"))
YES_PARTLY_NO = (Option("yes", "Yes"), Option("partly", "Partly"), Option("no", "No"))
#: The bands are core's (the CIN census import stores them on each referral).
AGE_BANDS = tuple(Option(code, label) for code, label in AGE_BAND_LABELS.items())


def q(key: str, text: str, kind: K, name: str, **extra: Any) -> Question:
    return Question(key=key, text=text, kind=kind, name=name, **extra)


SECTIONS = (
    Section(
        "history",
        "The referral history",
        label="History",
        questions=(
            q(
                "days_since_previous",
                "Days since the previous referral",
                K.NUMBER,
                "the days since the previous referral",
                computed=True,
                hint="Worked out from the referral dates in the population.",
            ),
            q(
                "age_band",
                "Child's age at referral",
                K.CHOICE,
                "the age band",
                options=AGE_BANDS,
                computed=True,
                hint="Worked out from the date of birth, which is not kept.",
            ),
            q(
                "previous_referrals",
                "How many previous referrals are on the system?",
                K.NUMBER,
                "the number of previous referrals",
                minimum=0,
            ),
            q(
                "migrated_contacts",
                "How many of them are “contacts” migrated from the legacy system?",
                K.NUMBER,
                "the number of migrated contacts",
                minimum=0,
                hint="Referrals cut over from the old system that would now be recorded "
                "as contacts.",
            ),
        ),
    ),
    Section(
        "concern",
        "The concern",
        label="Concern",
        questions=(
            q(
                "main_concern",
                "What was the main concern?",
                K.MULTI_CHOICE,
                "the main concern",
                options=(
                    Option("domestic_violence", "Domestic violence"),
                    Option("chronic_neglect", "Chronic neglect"),
                    Option("other", "Other"),
                ),
                hint="Select all that apply: both domestic violence and chronic neglect may apply.",
            ),
            q(
                "level_of_need",
                "Level of need at referral",
                K.CHOICE,
                "the level of need",
                options=(
                    Option("level_1", "Level 1: additional needs"),
                    Option("level_2", "Level 2: child in need"),
                    Option("level_3", "Level 3: child in need of protection"),
                ),
                guidance=("Levels of need as in the threshold document (Appendix 2).",),
            ),
        ),
    ),
    Section(
        "response",
        "The response to the previous referral",
        label="Response",
        questions=(
            q(
                "previous_outcome",
                "What happened to the previous referral?",
                K.CHOICE,
                "what happened to the previous referral",
                options=(
                    Option("no_further_action", "No further action"),
                    Option("signposted", "Signposted to other services"),
                    Option("initial_assessment_closed", "Initial assessment, then closed"),
                    Option(
                        "core_assessment_closed",
                        "Core assessment, then closed after time-limited work",
                    ),
                    Option("child_protection_enquiry", "Child protection enquiry"),
                ),
            ),
            q(
                "dealt_with_appropriately",
                "Was it dealt with appropriately?",
                K.CHOICE,
                "whether it was dealt with appropriately",
                options=YES_PARTLY_NO,
            ),
            q(
                "appropriateness_reason",
                "Why not, or only partly?",
                K.TEXT,
                "why it was not dealt with appropriately",
                required=False,
                hint="Needed when the answer above is partly or no.",
            ),
            q(
                "should_have_triggered_cp",
                "Should the repeated pattern have triggered a child protection enquiry?",
                K.CHOICE,
                "whether the pattern should have triggered a child protection enquiry",
                options=YES_NO,
            ),
        ),
    ),
    Section(
        "outcome",
        "What happened next",
        label="Outcome",
        questions=(
            q(
                "later_escalation",
                "Did the case later escalate?",
                K.MULTI_CHOICE,
                "whether the case later escalated",
                options=(
                    Option("cp_plan", "Child protection plan"),
                    Option("came_into_care", "Came into care"),
                    Option("neither", "Neither"),
                ),
            ),
            q(
                "missed_opportunity",
                "Was an earlier referral a missed opportunity?",
                K.CHOICE,
                "whether an earlier referral was a missed opportunity",
                options=YES_NO,
            ),
        ),
    ),
    Section(
        "practice",
        "Recording and practice",
        label="Practice",
        questions=(
            q(
                "chronology",
                "Is the chronology up to date and easy to read?",
                K.CHOICE,
                "whether the chronology is up to date and easy to read",
                options=YES_PARTLY_NO,
            ),
            q(
                "referrals_connected",
                "Were the previous referrals connected in the assessment?",
                K.CHOICE,
                "whether the previous referrals were connected",
                options=YES_NO_NA,
            ),
            q(
                "mobile_family",
                "Is this a mobile family (moved between local authorities)?",
                K.CHOICE,
                "whether this is a mobile family",
                options=YES_NO,
            ),
            q(
                "other_la_information",
                "Was information sought from other local authorities?",
                K.CHOICE,
                "whether information was sought from other local authorities",
                options=YES_NO_NA,
            ),
            q(
                "prebirth_closed",
                "Was a pre-birth referral closed because the due date was more "
                "than three months away?",
                K.CHOICE,
                "whether a pre-birth referral was closed early",
                options=YES_NO_NA,
            ),
            q(
                "referrer_feedback",
                "Did the referrer get feedback on the outcome?",
                K.CHOICE,
                "whether the referrer got feedback",
                options=YES_NO,
            ),
            q("learning_points", "Learning points", K.TEXT, "the learning points"),
        ),
    ),
)


#: "More than four" is strictly more: five or more. The auditor counts the
#: *previous* referrals, so the referral being audited is not in the number; the
#: label says "previous" so the committee reads what was counted.
MORE_THAN_FOUR = Finding(
    "More than four previous referrals on the system", "previous_referrals", at_least=5
)
#: Referrals cut over from the old system that would now be recorded as contacts.
MIGRATED_CONTACTS = Finding(
    "Some referrals are contacts migrated from the old system", "migrated_contacts", at_least=1
)
DOMESTIC_VIOLENCE_OR_NEGLECT = Finding(
    "Involving domestic violence or chronic neglect",
    "main_concern",
    ("domestic_violence", "chronic_neglect"),
)
SHOULD_HAVE_TRIGGERED_CP = Finding(
    "Should have triggered a child protection enquiry", "should_have_triggered_cp", ("yes",)
)
MOBILE_FAMILY = Finding("Mobile family", "mobile_family", ("yes",))


class ReReferralTheme(Theme):
    slug = "rereferral_theme"
    title = "Re-referrals themed audit"
    version = "1.0"
    description = (
        "Children referred again and again: a random sample of re-referrals, as "
        "commissioned with the Local Safeguarding Children Board."
    )
    directorates = ("children",)
    item_label = "re-referral"
    columns = (
        PopulationColumn(
            "previous_referral_date",
            "Previous referral date",
            kind="date",
            hint="Date of the referral before this one",
        ),
        PopulationColumn(
            "date_of_birth",
            "Child's date of birth",
            kind="date",
            keep=False,
            hint="Used to work out the age band, then dropped",
        ),
    )
    sections = SECTIONS
    census_population = CensusSource(
        label="Take the population from the CIN census referrals",
        explanation=(
            "careaudit works out the re-referrals dated in the audit's period from the "
            "referrals imported from the CIN census: a referral within 12 months of the "
            "same child's previous referral, as the Department for Education defines it. "
            "No spreadsheet is needed."
        ),
        build=rereferral_population,
        available=census_referrals,
    )
    findings = (
        Finding("Dealt with appropriately", "dealt_with_appropriately", ("yes",)),
        DOMESTIC_VIOLENCE_OR_NEGLECT,
        MORE_THAN_FOUR,
        SHOULD_HAVE_TRIGGERED_CP,
        Finding(
            "Later on a child protection plan or in care",
            "later_escalation",
            ("cp_plan", "came_into_care"),
        ),
        Finding("An earlier referral was a missed opportunity", "missed_opportunity", ("yes",)),
        Finding("Chronology up to date and easy to read", "chronology", ("yes",)),
        MOBILE_FAMILY,
        Finding("Referrer got feedback on the outcome", "referrer_feedback", ("yes",)),
        Finding("Aged 4 to 10 at referral", "age_band", ("4_to_10",)),
    )
    #: The report's own cross-readings of the themes (lines 203-221).
    cross_tabs = (
        CrossTab(
            "Of the re-referrals with more than four previous referrals on the system, how "
            "many had contacts migrated from the old system",
            given=MORE_THAN_FOUR,
            then=MIGRATED_CONTACTS,
        ),
        CrossTab(
            "Of the re-referrals involving domestic violence or chronic neglect, how many "
            "should have triggered a child protection enquiry",
            given=DOMESTIC_VIOLENCE_OR_NEGLECT,
            then=SHOULD_HAVE_TRIGGERED_CP,
        ),
        CrossTab(
            "Of the mobile families, how many had information sought from other local authorities",
            given=MOBILE_FAMILY,
            then=Finding(
                "Information sought from other local authorities", "other_la_information", ("yes",)
            ),
        ),
    )

    def derive(self, row: Mapping[str, Any]) -> dict[str, Any]:
        referral_date: date = row["referral_date"]
        previous: date | None = row.get("previous_referral_date")
        facts: dict[str, Any] = {}
        if previous is not None:
            if previous > referral_date:
                raise RowError("Previous referral date is after the referral date")
            facts["previous_referral_date"] = previous.isoformat()
            facts["days_since_previous"] = (referral_date - previous).days
        band = age_band(row.get("date_of_birth"), referral_date)
        if band is not None:
            facts["age_band"] = band
        return facts

    def fact_labels(self) -> dict[str, str]:
        return {"previous_referral_date": "Previous referral date"}

    def check(self, answers: AnswerSet) -> list[AnswerProblem]:
        problems = []
        dealt = answers.get("dealt_with_appropriately")
        reason = answers.get("appropriateness_reason")
        if dealt and dealt.value in {"partly", "no"} and not (reason and reason.value):
            problems.append(
                AnswerProblem(
                    "appropriateness_reason",
                    "Enter why the referral was not, or only partly, dealt with appropriately",
                )
            )
        previous, migrated = answers.get("previous_referrals"), answers.get("migrated_contacts")
        if (
            previous
            and migrated
            and previous.value
            and migrated.value
            and (int(migrated.value) > int(previous.value))
        ):
            problems.append(
                AnswerProblem(
                    "migrated_contacts",
                    "Migrated contacts cannot be more than the number of previous referrals",
                )
            )
        mobile, asked = answers.get("mobile_family"), answers.get("other_la_information")
        if mobile and mobile.value == "yes" and asked and asked.value == "not_applicable":
            problems.append(
                AnswerProblem(
                    "other_la_information",
                    "Say whether information was sought from other local authorities: "
                    "this is a mobile family",
                )
            )
        concern = answers.get("later_escalation")
        if concern and "neither" in concern.values and len(concern.values) > 1:
            problems.append(
                AnswerProblem(
                    "later_escalation", "Select “Neither” on its own, or the ways it escalated"
                )
            )
        return problems

    def demo_answers(self, rng: random.Random, facts: Mapping[str, Any]) -> dict[str, AnswerValue]:
        """The report's picture: ~60% dealt with appropriately, ~40% DV or neglect."""
        previous = rng.choices([1, 2, 3, 4, 5, 6, 8], [20, 20, 15, 10, 15, 10, 10])[0]
        concern = rng.choices(
            ["domestic_violence", "chronic_neglect", "domestic_violence,chronic_neglect", "other"],
            [15, 15, 10, 60],
        )[0]
        dealt = rng.choices(["yes", "partly", "no"], [60, 25, 15])[0]
        escalation = rng.choices(["neither", "cp_plan", "came_into_care"], [85, 12, 3])[0]
        mobile = rng.choices(["yes", "no"], [15, 85])[0]
        answers = {
            "previous_referrals": AnswerValue(None, str(previous)),
            "migrated_contacts": AnswerValue(None, str(rng.randint(0, min(previous, 2)))),
            "main_concern": AnswerValue(None, concern),
            "level_of_need": AnswerValue(None, rng.choice(["level_1", "level_2", "level_3"])),
            "previous_outcome": AnswerValue(
                None,
                rng.choices(
                    [
                        "no_further_action",
                        "signposted",
                        "initial_assessment_closed",
                        "core_assessment_closed",
                        "child_protection_enquiry",
                    ],
                    [15, 25, 40, 12, 8],
                )[0],
            ),
            "dealt_with_appropriately": AnswerValue(None, dealt),
            "should_have_triggered_cp": AnswerValue(
                None, "yes" if concern != "other" and rng.random() < 0.3 else "no"
            ),
            "later_escalation": AnswerValue(None, escalation),
            "missed_opportunity": AnswerValue(
                None, "yes" if escalation != "neither" and rng.random() < 0.6 else "no"
            ),
            "chronology": AnswerValue(None, rng.choices(["yes", "partly", "no"], [30, 40, 30])[0]),
            "referrals_connected": AnswerValue(None, rng.choice(["yes", "no"])),
            "mobile_family": AnswerValue(None, mobile),
            "other_la_information": AnswerValue(
                None, rng.choice(["yes", "no"]) if mobile == "yes" else "not_applicable"
            ),
            "prebirth_closed": AnswerValue(
                None, rng.choices(["yes", "no", "not_applicable"], [5, 5, 90])[0]
            ),
            "referrer_feedback": AnswerValue(None, rng.choices(["yes", "no"], [55, 45])[0]),
            "learning_points": AnswerValue(
                None,
                rng.choice(
                    [
                        "Earlier core assessment would have shown the pattern.",
                        "Chronology needed to connect the earlier referrals.",
                        "Good use of signposting; feedback to the school was missing.",
                    ]
                ),
            ),
        }
        if dealt != "yes":
            answers["appropriateness_reason"] = AnswerValue(
                None, "Repeat referrals for the same concern were assessed in isolation."
            )
        return answers


#: The plugin registered by core (one plugin, one tool).
theme = ReReferralTheme()
