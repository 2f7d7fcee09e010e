"""The supervision audit's questions, in one place.

Source: the council's Quality Assurance and Audit Framework report: "a separate
audit tool has been devised to enable service managers to routinely audit the
regularity and the quality of supervision". Independent reviewers found
supervision "too infrequent or not evidenced as robust enough", with "no
supervision recorded at all on protocol, or less than 3 sessions in the past 12
months". The questions below are ours, written from those findings and the
framework's expectations of supervision; the report prints no form for this tool.

Keys are stored on every answer row: never rename one without bumping the
tool's version.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.tools import standards

# -- the period and the frequency of supervision -----------------------------

PERIOD_START = "period_start"
PERIOD_END = "period_end"
SESSIONS_RECORDED = "sessions_recorded"
SESSIONS_EXPECTED = "sessions_expected"
#: Computed: sessions recorded as a whole-number percentage of those expected (max 100).
FREQUENCY_COMPLIANCE = "frequency_compliance"
#: Computed: Met / Partially met / Not met for the frequency of supervision.
FREQUENCY_RATING = "frequency_rating"

#: The report's flag: fewer than this many sessions in 12 months (pro rata).
MINIMUM_SESSIONS_A_YEAR = 3
#: The default period audited, in months, ending on the day the audit is done.
DEFAULT_PERIOD_MONTHS = 12

# -- the summary: core's keys, shared by every standards tool ----------------------

OVERALL_RATING = standards.OVERALL_RATING
OVERALL_GRADE = standards.OVERALL_GRADE
JUDGEMENT_REASON = standards.JUDGEMENT_REASON
STRENGTHS = standards.STRENGTHS
AREAS_FOR_DEVELOPMENT = standards.AREAS_FOR_DEVELOPMENT

#: What "{person}" becomes in question texts when the directorate is not known.
EITHER_PERSON = "child’s or adult’s"
PERSON_BY_DIRECTORATE = {"children": "child’s", "adults": "adult’s"}

RECORDING_PRINCIPLE = (
    "If it isn’t recorded, it didn’t happen: supervision that is not recorded or otherwise "
    "evidenced is deemed not to have happened."
)


@dataclass(frozen=True)
class QualityQuestion:
    """One question about the quality of supervision, rated on the three-point scale."""

    key: str
    #: Short heading for the form section and the report table.
    label: str
    #: The question and guidance; ``{person}`` becomes "child’s", "adult’s" or
    #: "child’s or adult’s" by the directorate of the member of staff audited.
    text: str
    #: Name used in error messages ("Select whether {name} is met ...").
    name: str
    guidance: tuple[str, ...]

    def question(self, person: str = EITHER_PERSON) -> str:
        return self.text.format(person=person)

    def guidance_for(self, person: str = EITHER_PERSON) -> tuple[str, ...]:
        return tuple(paragraph.format(person=person) for paragraph in self.guidance)


QUALITY_QUESTIONS: tuple[QualityQuestion, ...] = (
    QualityQuestion(
        key="supervision_agreement",
        label="Supervision agreement",
        text="Is a supervision agreement in place?",
        name="the supervision agreement",
        guidance=(
            "Look for a signed agreement, reviewed in the last year, setting out how often "
            "supervision happens, how it is recorded and what each person can expect.",
        ),
    ),
    QualityQuestion(
        key="recorded_on_system",
        label="Recorded on the case recording system",
        text="Are supervision sessions recorded on the case recording system, not only on paper?",
        name="recording on the case recording system",
        guidance=(
            "Case discussions and decisions should be on each {person} electronic file. Notes "
            "kept only on paper or in a notebook count as not recorded.",
        ),
    ),
    QualityQuestion(
        key="decisions_actions_timescales",
        label="Decisions, actions and timescales",
        text="Do case discussions record decisions, actions and timescales?",
        name="recording of decisions, actions and timescales",
        guidance=(
            "Each case discussed should end with a clear decision, who will do what, and "
            "by when. A note that a case was discussed is not enough.",
        ),
    ),
    QualityQuestion(
        key="actions_followed_up",
        label="Actions followed up",
        text="Are actions followed up at the next session?",
        name="following up actions",
        guidance=(
            "Check that actions from one session are reviewed at the next, and that drift "
            "is challenged when timescales are missed.",
        ),
    ),
    QualityQuestion(
        key="reflective_practice",
        label="Reflective, evidence-based supervision",
        text="Is supervision reflective, and does it use evidence-based practice?",
        name="reflective, evidence-based supervision",
        guidance=(
            "Look for analysis and challenge, not just a list of tasks: hypotheses "
            "tested, research or practice frameworks referred to, and learning recorded.",
        ),
    ),
    QualityQuestion(
        key="plan_focus",
        label="Focus on the plan and outcomes",
        text="Does supervision focus on the {person} plan, reducing harm and improving outcomes?",
        name="the focus on the plan, reducing harm and improving outcomes",
        guidance=(
            "Discussion should test whether each plan is working: risks reducing, needs "
            "being met, and what will change if it is not.",
        ),
    ),
    QualityQuestion(
        key="caseload_workload",
        label="Caseload and workload",
        text="Are caseload and workload discussed?",
        name="the discussion of caseload and workload",
        guidance=(
            "Look for a regular review of the number and complexity of cases, unallocated "
            "work and anything overdue, with decisions where the workload is too high.",
        ),
    ),
    QualityQuestion(
        key="wellbeing_development",
        label="Wellbeing and professional development",
        text="Are the staff member’s wellbeing and professional development discussed?",
        name="the discussion of wellbeing and professional development",
        guidance=(
            "Look for attention to the emotional impact of the work, training and "
            "learning needs, and progress against development or appraisal objectives.",
        ),
    ),
)

QUALITY_KEYS: tuple[str, ...] = tuple(q.key for q in QUALITY_QUESTIONS)
#: Every rating the suggestion counts: the quality questions and the frequency rating.
RATED_KEYS: tuple[str, ...] = (*QUALITY_KEYS, FREQUENCY_RATING)
