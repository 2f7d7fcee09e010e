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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup

from core import setup_cache
from core.extensions import db
from core.tools.registry import get_registry
from core.tools.reporting import ReportScope, ReportSection, tally_version

__all__ = ["KEPT_CHARS", "section"]

Rendered = tuple[ReportSection, Markup]

#: Characters of markup kept per process, all sections together (a council-wide section is
#: some 60,000; a team's month, some 20,000): about 2,000 sections.
KEPT_CHARS = 40_000_000
_kept: OrderedDict[Hashable, Rendered | None] = OrderedDict()
_kept_chars = 0
_lock = threading.Lock()


def section(scope: ReportScope, build: Callable[[], Rendered | None]) -> Rendered | None:
    """The tool's section for ``scope`` and its markup: ``build()``, or what this process
    built for the same scope at the same counts and set-up."""
    key = _key(scope)
    if key is None:
        return build()
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    built = build()
    _keep(key, built)
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


def _keep(key: Hashable, built: Rendered | None) -> None:
    """Keep a section, dropping the least recently used beyond :data:`KEPT_CHARS`."""
    global _kept_chars
    size = len(built[1]) if built is not None else 0
    if size > KEPT_CHARS // 4:
        return  # one section would crowd out all the others
    with _lock:
        if key in _kept:
            return
        _kept[key] = built
        _kept_chars += size
        while _kept_chars > KEPT_CHARS and _kept:
            _, dropped = _kept.popitem(last=False)
            _kept_chars -= len(dropped[1]) if dropped is not None else 0
