"""Tools' report sections, rendered once and kept by each worker until their counts change.

A council-wide report renders some 130 tables from counts that change only when an audit
is submitted or the set-up changes, and every view of it rendered them again (issue 12).
A tool that declares ``ToolInfo.report_from_counts`` builds its section from
:mod:`core.tools.reporting`'s counts and the council's set-up alone, for the scope it is
given, and shows nothing that depends on who is looking: its rendered section is then
kept under the tally's version token and the set-up's (``core.tools.reporting``,
``core.setup_cache``), which every transaction changing either renews as it commits. So
a section is never older than the counts and set-up a request reads, on any worker of any
server. Every other tool's section is built afresh for every view (the safe default).

Nothing is kept while a transaction has changed the tally or the set-up itself, outside a
request, or for a scope naming its own audits (a themed audit's sample).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from markupsafe import Markup

from core import setup_cache
from core.extensions import db
from core.lru import SizedLRU
from core.tools.registry import get_registry
from core.tools.reporting import ReportScope, ReportSection, tally_version

__all__ = ["KEPT_CHARS", "section"]

Rendered = tuple[ReportSection, Markup]

#: Characters of markup kept per process, all sections together (a council-wide section is
#: some 60,000; a team's month, some 20,000): about 2,000 sections.
KEPT_CHARS = 40_000_000
#: A tool with no section for a scope is kept as None, so it is not asked again either.
_kept: SizedLRU[Rendered | None] = SizedLRU(
    KEPT_CHARS, lambda built: len(built[1]) if built is not None else 0
)
_ABSENT = object()


def section(scope: ReportScope, build: Callable[[], Rendered | None]) -> Rendered | None:
    """The tool's section for ``scope`` and its markup: ``build()``, or what this process
    built for the same scope at the same counts and set-up."""
    key = _key(scope)
    if key is None:
        return build()
    found = _kept.get(key, _ABSENT)
    if found is not _ABSENT:
        return found  # type: ignore[return-value]
    built = build()
    _kept.put(key, built)
    return built


def _key(scope: ReportScope) -> Hashable | None:
    if scope.only_audits is not None:
        return None
    info = get_registry().get(scope.tool)
    if info is None or not info.report_from_counts:
        return None
    tally, set_up = tally_version(), setup_cache.version()
    if tally is None or set_up is None:
        return None
    database = db.engine.url.render_as_string(hide_password=True)
    return (database, tally, set_up, info.version, scope)
