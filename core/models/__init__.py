"""The core domain: organisation, people, cases, audits and tool switches.

One module per aggregate; import models from here.
"""

from core.models.actions import ActionStatus, FollowUp, ReAudit, RemedialAction
from core.models.audits import Answer, Audit, AuditKind, AuditStatus, Grade, Rating
from core.models.cases import Case, CaseAssignment, CaseCategory, Category, Referral
from core.models.committee import (
    CommitteeExport,
    CommitteeReport,
    CommitteeReportStatus,
    PinnedComment,
)
from core.models.concerns import Concern, ConcernEscalation, ConcernResponse
from core.models.feedback import Agreement, Disagreement, Feedback
from core.models.grading import CouncilGradeScale
from core.models.imports import ColumnMapping, ImportFile, ImportKind, ImportRun, ImportStatus
from core.models.jobs import Job, JobStatus
from core.models.mfa import RecoveryCode
from core.models.moderation import (
    Moderation,
    ModerationJudgement,
    ModerationRule,
    ModerationRun,
    ModerationStatus,
)
from core.models.oidc import OidcIdentity
from core.models.organisation import Directorate, Service, Team
from core.models.programme import (
    Allocation,
    AllocationRun,
    AllocationStatus,
    AuditRule,
    CasePool,
    Frequency,
    Reminder,
)
from core.models.reports import ReportTally, ReportTallyVersion, TallyAxis
from core.models.sessions import SignInAttempt, UserSession
from core.models.tools import ServiceTool, SetupVersion
from core.models.trail import TrailEntry
from core.models.users import Role, User

__all__ = [
    "ActionStatus",
    "Agreement",
    "Allocation",
    "AllocationRun",
    "AllocationStatus",
    "Answer",
    "Audit",
    "AuditKind",
    "AuditRule",
    "AuditStatus",
    "Case",
    "CaseAssignment",
    "CaseCategory",
    "CasePool",
    "Category",
    "ColumnMapping",
    "CommitteeExport",
    "CommitteeReport",
    "CommitteeReportStatus",
    "Concern",
    "ConcernEscalation",
    "ConcernResponse",
    "CouncilGradeScale",
    "Directorate",
    "Disagreement",
    "Feedback",
    "FollowUp",
    "Frequency",
    "Grade",
    "ImportFile",
    "ImportKind",
    "ImportRun",
    "ImportStatus",
    "Job",
    "JobStatus",
    "Moderation",
    "ModerationJudgement",
    "ModerationRule",
    "ModerationRun",
    "ModerationStatus",
    "OidcIdentity",
    "PinnedComment",
    "Rating",
    "ReAudit",
    "RecoveryCode",
    "Referral",
    "RemedialAction",
    "Reminder",
    "ReportTally",
    "ReportTallyVersion",
    "Role",
    "Service",
    "ServiceTool",
    "SetupVersion",
    "SignInAttempt",
    "TallyAxis",
    "Team",
    "TrailEntry",
    "User",
    "UserSession",
]
