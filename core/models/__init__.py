"""The core domain: organisation, people, cases, audits and tool switches.

One module per aggregate; import models from here.
"""

from core.models.audits import Answer, Audit, AuditKind, AuditStatus, Grade, Rating
from core.models.cases import Case, CaseCategory
from core.models.organisation import Directorate, Service, Team
from core.models.tools import ServiceTool
from core.models.users import Role, User

__all__ = [
    "Answer",
    "Audit",
    "AuditKind",
    "AuditStatus",
    "Case",
    "CaseCategory",
    "Directorate",
    "Grade",
    "Rating",
    "Role",
    "Service",
    "ServiceTool",
    "Team",
    "User",
]
