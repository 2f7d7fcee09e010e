"""The 14 standards of the Children's Social Work Audit Form, in its own words.

Source: the council's Quality Assurance and Audit Framework report, Appendix 1B.
Question texts and guidance notes are the form's, word for word; only the
answer options (the three-point scale, Not applicable, yes/no) are ours.
"""

from __future__ import annotations

from core.models import CaseCategory
from core.tools.standards import Standard

_CHILDREN = set(CaseCategory.for_directorate("children"))
_NOT_LOOKED_AFTER = frozenset(_CHILDREN - {CaseCategory.LOOKED_AFTER})

STANDARDS: tuple[Standard, ...] = (
    Standard(1, "Is there an up to date chronology on file? Comment on quality."),
    Standard(
        2,
        "Where child is deemed a child in need but not on CP plan or looked after or care "
        "leaver, is there a child in need plan in place which is up to date and kept under "
        "review?",
        (
            "Comment on quality of plan and whether child’s wishes and feelings are sought "
            "and whether plan is realistic and understood by parents/carers.",
            "Also where there is a support package in place for a child with disabilities or "
            "additional needs, or where parenting support is being offered comment on the "
            "likelihood of the additional support promoting a positive outcome for the child "
            "and minimising any risk of harm.",
        ),
        not_applicable_for=frozenset(
            {CaseCategory.CHILD_PROTECTION, CaseCategory.LOOKED_AFTER, CaseCategory.CARE_LEAVER}
        ),
        not_applicable_reason="this standard is for children in need who are not on a CP "
        "plan, looked after or care leavers",
    ),
    Standard(
        3,
        "Are statutory requirements being met? If not are reasons identified?",
        ("If statutory requirements are persistently unmet case should be rated as inadequate.",),
    ),
    Standard(
        4,
        "Have Court/Panel filing dates been met? If not are reasons identified.",
        (
            "Drift in care proceedings is likely to have an adverse impact on the child. This "
            "will become a new performance indicator once baseline established across legal "
            "and children’s services. Meanwhile audit should be used to help identify areas "
            "where practice can be improved.",
        ),
    ),
    Standard(
        5,
        "Is the plan up to date and clearly focused on the child’s needs and any risk of "
        "harm? Is there a clear picture of the child’s needs, any risks and the actions being "
        "taken to meet needs and reduce risks? Is there a proper focus on health and "
        "education?",
        (
            "This question applies to young people over 16 including care leavers. It also "
            "applies to children with disabilities in receipt of services from CWD.",
            "With care leavers auditors should ensure there is an up to date pathway plan "
            "which has clearly been drawn up with the young person and which is tailored to "
            "their needs. If it is the final review ensure that there is a clear support plan "
            "especially with education, training and employment.",
        ),
    ),
    Standard(
        6,
        "If child is looked after is there: 1. an up to date PEP and 2. a current health "
        "assessment? 3.a current SDQ",
        (
            "Yes or no to each question will suffice but please comment on quality if it is "
            "either poor or good.",
        ),
        not_applicable_for=_NOT_LOOKED_AFTER,
        not_applicable_reason="the child is not looked after",
    ),
    Standard(
        7,
        "Are ethnicity, religion and culture taken into account in assessment and work with "
        "the child and family?",
        ("Some supporting evidence should be provided to back up your judgement",),
    ),
    Standard(
        8,
        "Is the work with the parents/carers focused on the child's needs and their improving "
        "their capacity to meet those needs? Are the day to day and longer term risks being "
        "adequately addressed? If child on CP plan comment on the quality of the core groups.",
        (
            "This section will mainly apply to CIN and CP but may also apply to some LAC. For CP "
            "cases, the functioning of core groups should be commented on here",
        ),
    ),
    Standard(
        9,
        "Where the main risk to a child is outside the home or extra familial – e.g. "
        "involvement in gangs, sexual exploitation or a trafficked child, is the plan likely "
        "to reduce the risk of harm?",
        (
            "Comment here whether the plan is appropriate and whether it is being implemented and "
            "reviewed as necessary and whether there is any evidence of reduction of harm Also "
            "with care leavers this section should be used to identify areas of risk and steps "
            "being taken to attempt to reduce harm",
        ),
    ),
    Standard(
        10,
        "If the child is looked after, is there a focus on working with and supporting the "
        "carers to meet the child's needs and improve outcomes? If the child is at risk – e.g. "
        "running away, involved in risky behaviours, is this being addressed proactively?",
        not_applicable_for=_NOT_LOOKED_AFTER,
        not_applicable_reason="the child is not looked after",
    ),
    Standard(
        11,
        "Are the reasons for any changes to the care plan clearly identified? Are changes "
        "soundly based on a thorough assessment of the child's needs and the best ways of "
        "meeting them?",
        (
            "Care plans should be kept under constant review so changes are often appropriate. "
            "However, they should be well considered and there should be evidence of this in the "
            "records.",
        ),
    ),
    Standard(
        12,
        "Comment on the frequency and quality of supervision.",
        (
            "It is especially important here to ensure supervision is addressing the plan for "
            "the child and focussing on reducing harm and improving positive outcomes",
        ),
    ),
    Standard(
        13,
        "Changes of social worker.",
        (
            "There is a correlation with 'drift' and looked after children particularly are "
            "adversely affected by social worker turnover and changes.",
        ),
    ),
)

#: Standard 14, the summary: its label and key, and the overall rating's own words.
OVERALL_LABEL = "Standard 14"
OVERALL_KEY = "standard_14"
OVERALL_QUESTION = "Can you give an overall rating"
OVERALL_GUIDANCE = (
    "An overall score should be given where possible – if you want to qualify it you can do "
    "so but please try and use the 3 point scale.",
)
#: The principle the council applies to every audit (report, "Scope of Report").
RECORDING_PRINCIPLE = (
    "If it isn’t recorded on the file, it didn’t happen: practice that is not recorded or "
    "otherwise evidenced on the electronic case file is deemed not to have happened."
)

#: Standard 6's three items, answered yes / no / not applicable.
STANDARD_6_ITEMS = (
    ("standard_6_pep", "An up to date PEP (Personal Education Plan)", "the PEP"),
    ("standard_6_health", "A current health assessment", "the health assessment"),
    ("standard_6_sdq", "A current SDQ (Strengths and Difficulties Questionnaire)", "the SDQ"),
)

STATUTORY_STANDARD = "standard_3"
RATED_STANDARDS = tuple(s.key for s in STANDARDS)
