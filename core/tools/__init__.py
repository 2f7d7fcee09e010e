"""What a tool author imports: the hook marker and the contract's data types."""

from core.hookspecs import hookimpl
from core.models.audits import SCALE, AuditKind, Grade, Rating
from core.tools.info import MenuLink, SettingSpec, Subject, ToolInfo
from core.tools.questions import (
    AnswerSet,
    AnswerValue,
    AuditSubject,
    FormDefinition,
    Option,
    Question,
    QuestionKind,
    Section,
)
from core.tools.reporting import ReportScope, ReportSection
from core.tools.results import AnswerProblem, Score, count_ratings

__all__ = [
    "SCALE",
    "AnswerProblem",
    "AnswerSet",
    "AnswerValue",
    "AuditKind",
    "AuditSubject",
    "FormDefinition",
    "Grade",
    "MenuLink",
    "Option",
    "Question",
    "QuestionKind",
    "Rating",
    "ReportScope",
    "ReportSection",
    "Score",
    "Section",
    "SettingSpec",
    "Subject",
    "ToolInfo",
    "count_ratings",
    "hookimpl",
]
