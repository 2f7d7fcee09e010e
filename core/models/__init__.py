"""The core domain: organisation, people, cases, audits and tool switches.

One module per aggregate; import models from here.
"""

from core.models.audits import Answer, Audit, AuditKind, AuditStatus, Grade, Rating
from core.models.cases import Case, CaseCategory
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
from core.models.tools import ServiceTool
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
    "CaseCategory",
    "CasePool",
    "Directorate",
    "Frequency",
    "Grade",
    "Rating",
    "Reminder",
    "Role",
    "Service",
    "ServiceTool",
    "Team",
    "User",
]
