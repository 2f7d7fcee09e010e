"""The core domain: organisation, people, cases, audits and tool switches.

One module per aggregate; import models from here.
"""

from core.models.audits import Answer, Audit, AuditKind, AuditStatus, Grade, Rating
from core.models.cases import Case, CaseAssignment, CaseCategory, Category, Referral
from core.models.imports import ColumnMapping, ImportFile, ImportKind, ImportRun, ImportStatus
from core.models.jobs import Job, JobStatus
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
from core.models.sessions import SignInAttempt, UserSession
from core.models.tools import ServiceTool
from core.models.trail import TrailEntry
from core.models.users import Role, User

__all__ = [
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
    "Directorate",
    "Frequency",
    "Grade",
    "ImportFile",
    "ImportKind",
    "ImportRun",
    "ImportStatus",
    "Job",
    "JobStatus",
    "Rating",
    "Referral",
    "Reminder",
    "Role",
    "Service",
    "ServiceTool",
    "SignInAttempt",
    "Team",
    "TrailEntry",
    "User",
    "UserSession",
]
