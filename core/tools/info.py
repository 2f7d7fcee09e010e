"""How a tool describes itself to core: the answer to ``careaudit_tool``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.grading.scales import DEFAULT_SCALE, SCALES

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,58}$")


class Subject(StrEnum):
    """What a tool audits."""

    #: A case file (children's and adults' case file audits).
    CASE = "case"
    #: A member of staff's record, e.g. their supervision over a period.
    STAFF = "staff"
    #: An item sampled by a themed audit (e.g. one re-referral); the tool's own
    #: pages create these audits, not the case page.
    SAMPLE = "sample"


@dataclass(frozen=True)
class MenuLink:
    """A link a plugin adds to the service navigation, shown to roles with ``permission``."""

    label: str
    endpoint: str
    permission: str


@dataclass(frozen=True)
class SettingSpec:
    """A per-service setting of a tool, edited by administrators.

    ``kind`` is ``"bool"`` or ``"int"``; values are kept as JSON on the
    service's switch row and merged over ``default`` when read.
    """

    key: str
    label: str
    kind: str = "bool"
    default: Any = False
    hint: str = ""
    minimum: int | None = None


@dataclass(frozen=True)
class ToolInfo:
    """Who a tool is and what it audits.

    ``slug`` is the same string everywhere: entry-point name, plugin name,
    template folder, answer keys' owner and ``audit.tool`` in the database.
    Bump ``version`` whenever the form's questions change: each audit keeps
    the version it was completed against.
    """

    slug: str
    title: str
    version: str
    directorates: tuple[str, ...]
    description: str = ""
    #: What is audited (a :class:`Subject` value).
    subject: str = Subject.CASE
    settings: tuple[SettingSpec, ...] = ()
    #: Folder holding ``<slug>/...`` templates, added to the Jinja search path.
    template_folder: Path | None = None
    #: Switched on for every service of ``directorates`` when the demo is built
    #: or ``careaudit tools enable-defaults`` runs; never switched on silently.
    default_on: bool = True
    #: The grade scale the tool grades on until the council chooses one for every tool:
    #: a code of ``core.grading.SCALES`` (``"framework"``: Inadequate, Adequate, Good,
    #: Outstanding where switched on; ``"ofsted"``: Ofsted's four points).
    grade_scale: str = DEFAULT_SCALE
    #: True when the tool's report section (``careaudit_report_section``) is built only
    #: from ``core.tools.reporting``'s counts and the council's set-up for the scope it is
    #: given, and its template shows nothing that depends on who is looking: core then
    #: keeps the rendered section until an audit is submitted or the set-up changes
    #: (``core.reports.kept``). False, the default, builds it for every view.
    report_from_counts: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def default_settings(self) -> dict[str, Any]:
        return {spec.key: spec.default for spec in self.settings}

    def check(self) -> None:
        """Raise ``ValueError`` if the declaration cannot work."""
        if not SLUG_PATTERN.match(self.slug):
            raise ValueError(
                f"tool slug {self.slug!r} must be lower-case letters, digits and underscores"
            )
        if not self.directorates:
            raise ValueError(f"tool {self.slug!r} declares no directorate")
        if self.subject not in {s.value for s in Subject}:
            raise ValueError(f"tool {self.slug!r} audits an unknown subject {self.subject!r}")
        if self.grade_scale not in SCALES:
            raise ValueError(
                f"tool {self.slug!r} declares an unknown grade scale {self.grade_scale!r}: "
                f"use one of {', '.join(SCALES)}"
            )
