"""The 14 standards of the adult social care case file audit.

The wording is ours, written from current adult social care law and practice:
the Care Act 2014 and its statutory guidance, the Mental Capacity Act 2005 and
Making Safeguarding Personal. Each standard's guidance note tells the auditor
what the law asks for, so the rating can be checked against it.
"""

from __future__ import annotations

from core.models import CaseCategory
from core.tools.standards import Standard

STANDARDS: tuple[Standard, ...] = (
    Standard(
        1,
        "An up-to-date chronology or case summary is on file.",
        (
            "Look for a chronology of significant events, or a case summary, that is current "
            "and lets someone new to the file understand the person’s history quickly. A "
            "chronology helps workers and managers see patterns of risk or deterioration that "
            "single entries hide.",
        ),
    ),
    Standard(
        2,
        "The needs assessment is timely, proportionate and person-centred (Care Act 2014 s9; "
        "s10 for a carer’s assessment).",
        (
            "Section 9 requires an assessment wherever it appears the adult may have needs for "
            "care and support, whatever the level of those needs or their finances; it must "
            "involve the person, any carer and anyone they ask for, and consider the outcomes "
            "they want and their wellbeing (s1). The statutory guidance (chapter 6) expects it "
            "to be proportionate and carried out over an appropriate and reasonable timescale, "
            "given the urgency of the needs.",
        ),
    ),
    Standard(
        3,
        "The eligibility decision is recorded with reasons (Care Act 2014 s13).",
        (
            "Under s13 and the Care and Support (Eligibility Criteria) Regulations 2015 the "
            "authority must decide whether the needs are eligible and give the person a written "
            "record of the decision and the reasons for it. The record should show which "
            "outcomes the person cannot achieve and the significant impact on their wellbeing, "
            "and what advice was given on needs that are not eligible (s13(5)).",
        ),
    ),
    Standard(
        4,
        "A care and support plan is in place, up to date, outcome-focused and agreed with the "
        "person (Care Act 2014 s25); a personal budget is stated where one applies.",
        (
            "Section 25 requires the plan (a support plan, for a carer) to set out the needs, "
            "what will be done to meet them and the personal budget (s26), and the authority "
            "must involve the person and take all reasonable steps to agree the plan with them. "
            "Check the person was given a copy and that direct payments were considered "
            "(ss31-32).",
        ),
    ),
    Standard(
        5,
        "The plan has been reviewed within 12 months or when needs changed (Care Act 2014 s27).",
        (
            "Section 27 requires plans to be kept under review and revised when circumstances "
            "change or the person reasonably asks for a review. The statutory guidance "
            "(chapter 13) expects a review at least every 12 months, with a light-touch review "
            "considered 6 to 8 weeks after the plan is agreed.",
        ),
        hint="Rate Not applicable only if no review was due yet.",
    ),
    Standard(
        6,
        "Mental capacity was considered, and assessments and best-interests decisions are "
        "recorded where needed (Mental Capacity Act 2005).",
        (
            "The Act presumes capacity (s1); where there is reason to doubt it, a "
            "decision-specific assessment (ss2-3) should be recorded and, if the person lacks "
            "capacity, a best-interests decision (s4) weighing their wishes and feelings and the "
            "less restrictive options (s1(6)). Check that an IMCA was instructed where the Act "
            "requires one (ss37-39) and that any deprivation of liberty is authorised.",
        ),
    ),
    Standard(
        7,
        "Safeguarding concerns were recognised and acted on, and the person’s wishes sought "
        "(Care Act 2014 s42; Making Safeguarding Personal).",
        (
            "Where there is reasonable cause to suspect that an adult with care and support "
            "needs is experiencing or at risk of abuse or neglect and, because of those needs, "
            "cannot protect themselves, s42 requires the authority to make (or cause to be made) "
            "the enquiries needed to decide what action to take and by whom. Making Safeguarding "
            "Personal expects the person to be asked what outcomes they want at the start and "
            "whether they were achieved at the end, with an independent advocate where s68 "
            "requires one.",
        ),
        hint="Not met caps the overall grade at Inadequate. Rate Not applicable only if nothing "
        "on the file suggests abuse or neglect.",
    ),
    Standard(
        8,
        "Risks are assessed and managed with the person.",
        (
            "Look for a current risk assessment and a plan agreed with the person that balances "
            "their safety with their right to make their own choices: wellbeing (Care Act 2014 "
            "s1) includes both protection from abuse and neglect and control over day-to-day "
            "life. Under the Mental Capacity Act 2005 (s1(4)) an unwise decision is not, on its "
            "own, a reason to treat someone as lacking capacity.",
        ),
    ),
    Standard(
        9,
        "Carers were identified and offered a carer’s assessment (Care Act 2014 s10).",
        (
            "Section 10 requires a carer’s assessment wherever it appears a carer may have needs "
            "for support, now or in the future, whatever the level of those needs or anyone’s "
            "finances; the offer, any refusal and the outcome should be recorded. Think of the "
            "whole family: a child who cares should be referred for a young carer’s needs "
            "assessment (Children Act 1989 s17ZA).",
        ),
        not_applicable_for=frozenset({CaseCategory.ADULT_CARER}),
        not_applicable_reason="this is the carer’s own file, and their carer’s assessment is "
        "rated under standards 2 to 5; another carer in the family, such as a young carer, "
        "would still count here",
    ),
    Standard(
        10,
        "The person’s voice is evident; advocacy offered where required (Care Act 2014 s67).",
        (
            "The file should show the person’s own views, wishes and feelings, in their words "
            "where possible, and how they shaped the assessment and plan (s1(3)). Section 67 "
            "requires an independent advocate for assessment, planning and review where the "
            "person would have substantial difficulty being involved and no appropriate person "
            "can support them.",
        ),
    ),
    Standard(
        11,
        "Ethnicity, religion, culture, language and communication needs are taken into account.",
        (
            "Wellbeing (Care Act 2014 s1) means regard to the person’s views, wishes, feelings "
            "and beliefs, and the Equality Act 2010 protects race, religion or belief and "
            "disability among other characteristics. Look for interpreters or communication "
            "support where needed (the Accessible Information Standard applies to publicly "
            "funded adult social care) and for culture and faith shaping the plan.",
        ),
    ),
    Standard(
        12,
        "Management oversight and supervision are evident on the file.",
        (
            "Look for recorded management decisions, with reasons, at key points such as "
            "eligibility, funding, safeguarding and closure. Supervision notes should reflect on "
            "the person’s outcomes and risks and set actions with timescales, not only list "
            "cases.",
        ),
    ),
    Standard(
        13,
        "Recording is timely, clear and in the right place on the system.",
        (
            "Records should be made promptly, separate fact from opinion and be written so the "
            "person could read and understand them. People have a right to see their records "
            "(UK GDPR Article 15), so write as if they will.",
        ),
    ),
)

#: Standard 14, the summary: its label and key, and the overall rating's own words.
OVERALL_LABEL = "Standard 14"
OVERALL_KEY = "standard_14"
OVERALL_QUESTION = "What is your overall rating of this case file?"
OVERALL_GUIDANCE = (
    "Use the three-point scale. The suggestion shown above the form comes from standards 1 to "
    "13; if your rating or grade differs from it, say why below.",
)
#: The principle the council applies to every audit.
RECORDING_PRINCIPLE = (
    "If it isn’t recorded on the file, it didn’t happen: practice that is not recorded or "
    "otherwise evidenced on the electronic case file is deemed not to have happened."
)

#: Standard 7: Not met caps the grade at Inadequate and forces the suggestion to Not met.
SAFEGUARDING_STANDARD = "standard_7"
RATED_STANDARDS = tuple(s.key for s in STANDARDS)
